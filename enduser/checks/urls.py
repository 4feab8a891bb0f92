"""URLs of end-use checks: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/)."""

from django.urls import path

from enduser.checks import api, views

urlpatterns = [
    path("enduse-checks/", views.check_list, name="enduse-checks"),
    path("enduse-checks/ours/", views.checks_ours, name="enduse-checks-ours"),
    path("enduse-checks/new/", views.check_new, name="enduse-check-new"),
    path("enduse-checks/proposals/", views.proposal_list, name="enduse-check-proposals"),
    path("enduse-checks/<int:pk>/", views.check_page, name="enduse-check"),
    path("enduse-checks/<int:pk>/answer/", views.check_answer, name="enduse-check-answer"),
    path("enduse-checks/<int:pk>/visit/", views.check_visit, name="enduse-check-visit"),
    path("enduse-checks/<int:pk>/close/", views.check_close, name="enduse-check-close"),
    path("enduse-checks/<int:pk>/proposal/accept/", views.proposal_accept, name="enduse-check-proposal-accept"),
    path("enduse-checks/<int:pk>/proposal/dismiss/", views.proposal_dismiss, name="enduse-check-proposal-dismiss"),
    path("enduse-checks/<int:pk>/documents/<int:doc_pk>/", views.document_download,
         name="enduse-check-document"),
]

api_urlpatterns = [
    path("enduse-checks/", api.EndUseCheckListView.as_view(), name="api-enduse-checks"),
    path("enduse-checks/<int:pk>/", api.EndUseCheckDetailView.as_view(), name="api-enduse-check"),
    path("enduse-checks/<int:pk>/answer/", api.EndUseCheckAnswerView.as_view(), name="api-enduse-check-answer"),
    path("enduse-checks/<int:pk>/visit/", api.EndUseCheckVisitView.as_view(), name="api-enduse-check-visit"),
    path("enduse-checks/<int:pk>/close/", api.EndUseCheckCloseView.as_view(), name="api-enduse-check-close"),
    path("enduse-check-proposals/", api.WatchListProposalListView.as_view(), name="api-enduse-check-proposals"),
    path("enduse-check-proposals/<int:pk>/accept/", api.WatchListProposalAcceptView.as_view(),
         name="api-enduse-check-proposal-accept"),
    path("enduse-check-proposals/<int:pk>/dismiss/", api.WatchListProposalDismissView.as_view(),
         name="api-enduse-check-proposal-dismiss"),
]

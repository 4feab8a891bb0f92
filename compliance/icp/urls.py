"""URLs of internal compliance programmes: `urlpatterns` (pages, mounted at /) and `api_urlpatterns`
(mounted at /api/)."""

from django.urls import path

from compliance.icp import api, views

P = "compliance/icp/"
ORG = P + "<int:org_id>/"
EV = ORG + "evaluations/<int:pk>/"

urlpatterns = [
    path(P, views.icp_home, name="icp"),
    path(P + "periods/", views.periods, name="icp-periods"),
    path(ORG, views.icp_detail, name="icp-detail"),
    path(ORG + "elements/<str:element>/", views.element_edit, name="icp-element"),
    path(ORG + "elements/<str:element>/evidence/", views.evidence_add, name="icp-evidence-add"),
    path(ORG + "evidence/<int:doc_id>/", views.evidence_download, name="icp-evidence"),
    path(ORG + "evidence/<int:doc_id>/remove/", views.evidence_remove, name="icp-evidence-remove"),
    path(ORG + "evaluations/new/", views.evaluation_new, name="icp-evaluation-new"),
    path(EV, views.evaluation_page, name="icp-evaluation"),
    path(EV + "edit/", views.evaluation_edit, name="icp-evaluation-edit"),
    path(EV + "issue/", views.evaluation_issue, name="icp-evaluation-issue"),
    path(EV + "withdraw/", views.evaluation_withdraw, name="icp-evaluation-withdraw"),
]

api_urlpatterns = [
    path(P, api.ICPListView.as_view(), name="api-icps"),
    path(P + "periods/", api.PeriodListView.as_view(), name="api-icp-periods"),
    path(P + "periods/<str:element>/", api.PeriodView.as_view(), name="api-icp-period"),
    path(ORG, api.ICPDetailView.as_view(), name="api-icp"),
    path(ORG + "elements/<str:element>/", api.ElementView.as_view(), name="api-icp-element"),
    path(ORG + "elements/<str:element>/evidence/", api.EvidenceUploadView.as_view(), name="api-icp-evidence-add"),
    path(ORG + "evidence/<int:doc_id>/", api.EvidenceView.as_view(), name="api-icp-evidence"),
    path(ORG + "evaluations/", api.EvaluationListView.as_view(), name="api-icp-evaluations"),
    path(EV, api.EvaluationView.as_view(), name="api-icp-evaluation"),
    path(EV + "issue/", api.EvaluationIssueView.as_view(), name="api-icp-evaluation-issue"),
    path(EV + "withdraw/", api.EvaluationWithdrawView.as_view(), name="api-icp-evaluation-withdraw"),
]

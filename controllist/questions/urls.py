"""URLs for questions: `urlpatterns` (pages, mounted at /controllist/) and `api_urlpatterns` (mounted at /api/controllist/)."""

from django.urls import path

from controllist.questions import api, views

urlpatterns = [
    path("questions/", views.question_list, name="controllist-questions"),
    path("questions/new/", views.question_new, name="controllist-question-new"),
    path("questions/suggest/", views.question_suggest, name="controllist-question-suggest"),
    path("questions/<int:pk>/", views.question_detail, name="controllist-question"),
    path("questions/<int:pk>/<str:action>/", views.question_act, name="controllist-question-act"),
    path("questions/<int:pk>/documents/<int:doc_pk>/", views.question_document, name="controllist-question-document"),
]

api_urlpatterns = [
    path("questions/", api.QuestionListView.as_view(), name="api-controllist-questions"),
    path("questions/<int:pk>/", api.QuestionDetailView.as_view(), name="api-controllist-question"),
    path("questions/<int:pk>/request-info/", api.RequestInfoView.as_view(),
         name="api-controllist-question-request-info"),
    path("questions/<int:pk>/reply/", api.ReplyView.as_view(), name="api-controllist-question-reply"),
    path("questions/<int:pk>/answer/", api.AnswerView.as_view(), name="api-controllist-question-answer"),
    path("questions/<int:pk>/withdraw/", api.WithdrawView.as_view(), name="api-controllist-question-withdraw"),
    path("questions/<int:pk>/documents/<int:doc_pk>/", api.DocumentDownloadView.as_view(),
         name="api-controllist-question-document"),
]

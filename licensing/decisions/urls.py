"""URLs for decisions: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/)."""

from django.urls import path

from licensing.decisions import api, views

urlpatterns = [
    path("cases/<int:pk>/decision/recommend/", views.recommend, name="decisions-recommend"),
    path("cases/<int:pk>/decision/countersign/", views.countersign, name="decisions-countersign"),
    path("cases/<int:pk>/decision/send-back/", views.send_back, name="decisions-send-back"),
    path("cases/<int:pk>/refusal-letter.pdf", views.refusal_letter_download, name="decisions-refusal-letter"),
    path("review/countersign-rules/", views.rule_list, name="decisions-rules"),
    path("review/countersign-rules/new/", views.rule_new, name="decisions-rule-new"),
    path("review/countersign-rules/<int:rule_pk>/edit/", views.rule_edit, name="decisions-rule-edit"),
    path("review/countersign-rules/<int:rule_pk>/active/", views.rule_set_active, name="decisions-rule-active"),
]

api_urlpatterns = [
    path("applications/<int:pk>/recommendation/", api.RecommendView.as_view(), name="api-decisions-recommend"),
    path("applications/<int:pk>/countersign/", api.CountersignView.as_view(), name="api-decisions-countersign"),
    path("applications/<int:pk>/send-back/", api.SendBackView.as_view(), name="api-decisions-send-back"),
    path("applications/<int:pk>/recommendations/", api.RecommendationListView.as_view(),
         name="api-decisions-recommendations"),
    path("applications/<int:pk>/refusal-letter/", api.RefusalLetterView.as_view(),
         name="api-decisions-refusal-letter"),
    path("countersign-rules/", api.RuleListView.as_view(), name="api-decisions-rules"),
    path("countersign-rules/<int:rule_pk>/", api.RuleDetailView.as_view(), name="api-decisions-rule"),
    path("countersign-rules/<int:rule_pk>/deactivate/", api.RuleDeactivateView.as_view(),
         name="api-decisions-rule-deactivate"),
    path("countersign-rules/<int:rule_pk>/activate/", api.RuleActivateView.as_view(),
         name="api-decisions-rule-activate"),
]

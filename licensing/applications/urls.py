"""URLs for applications: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from licensing.applications import api, views

router = DefaultRouter()
router.register("applications", api.ApplicationViewSet, basename="application")

urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_new, name="case-new"),
    path("cases/form/check/", views.case_field_check, name="case-field-check"),
    path("cases/form/checklist/", views.case_checklist, name="case-checklist"),
    path("cases/form/item-row/", views.case_item_row, name="case-item-row"),
    path("exchange-rates/", views.exchange_rates, name="exchange-rates"),
    path("cases/<int:pk>/delete/", views.case_delete, name="case-delete"),
    path("cases/<int:pk>/copy/", views.case_copy, name="case-copy"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case-edit"),
    path("cases/<int:pk>/act/<str:action>/", views.case_act, name="case-act"),
    path("cases/<int:pk>/access/<str:op>/", views.case_share, name="case-share"),
    path("cases/<int:pk>/exceptions/new/", views.case_exception_new, name="case-exception-new"),
    path("cases/<int:pk>/documents/", views.document_upload, name="document-upload"),
    path("cases/<int:pk>/documents/<int:doc_pk>/", views.document_download, name="document-download"),
    path("cases/<int:pk>/documents/<int:doc_pk>/delete/", views.document_delete, name="document-delete"),
]

api_urlpatterns = [
    path("customs-units/", api.CustomsUnitListView.as_view(), name="api-customs-units"),
    path("customs-ports/", api.CustomsPortListView.as_view(), name="api-customs-ports"),
    path("exchange-rates/", api.ExchangeRateListView.as_view(), name="api-exchange-rates"),
    path("", include(router.urls)),
]

"""URLs of the credit record: `urlpatterns` (pages) and `api_urlpatterns` (under /api/)."""

from django.urls import path

from compliance.credit import api, views

urlpatterns = [
    path("compliance/exporters/<int:org_id>/credit/", views.credit_page, name="credit-record"),
]

api_urlpatterns = [
    path("compliance/exporters/<int:org_id>/credit/", api.CreditRecordView.as_view(), name="api-credit-record"),
]

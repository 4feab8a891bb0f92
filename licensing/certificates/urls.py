"""URLs of end-user certificates: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted
at /api/)."""

from django.urls import path

from licensing.certificates import api, views

urlpatterns = [
    path("cases/<int:pk>/certificate/", views.certificate_edit, name="certificate-edit"),
    path("cases/<int:pk>/certificate/pdf/", views.certificate_pdf, name="certificate-pdf"),
]

# `id` (not `pk`) so the schema names the case parameter like the applications API does.
api_urlpatterns = [
    path("applications/<int:id>/certificate/", api.CertificateView.as_view(), name="api-certificate"),
    path("applications/<int:id>/certificate/mismatches/", api.MismatchesView.as_view(),
         name="api-certificate-mismatches"),
    path("applications/<int:id>/certificate/pdf/", api.CertificatePdfView.as_view(), name="api-certificate-pdf"),
]

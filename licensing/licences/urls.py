"""URLs for licences: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/;
the licence of a case is downloaded through the applications API for now)."""

from django.urls import path

from licensing.licences import views

urlpatterns = [
    path("cases/<int:pk>/licence.pdf", views.licence_download, name="licence-download"),
    path("licences/<str:number>/", views.licence_detail, name="licence-detail"),
    path("verify/<str:number>/", views.licence_verify, name="licence-verify"),
]

api_urlpatterns = []

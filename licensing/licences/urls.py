"""URLs for licences: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/)."""

from django.urls import path

from licensing.licences import api, views

urlpatterns = [
    path("cases/<int:pk>/licence.pdf", views.licence_download, name="licence-download"),
    path("licences/", views.licence_register, name="licence-register"),
    path("licences/<str:number>/", views.licence_detail, name="licence-detail"),
    path("licences/<str:number>/notices/<int:notice_id>/", views.licence_notice_download, name="licence-notice"),
    # Each status change by name (not "<action>/"), so the other licence pages' paths stay free.
    *[path(f"licences/<str:number>/{action}/", views.licence_step, {"action": action}, name=f"licence-{action}")
      for action in ("suspend", "restore", "revoke", "surrender")],
    path("verify/<str:number>/", views.licence_verify, name="licence-verify"),
]

api_urlpatterns = [
    path("licences/", api.LicenceListView.as_view(), name="api-licences"),
    path("licences/<str:number>/", api.LicenceDetailView.as_view(), name="api-licence"),
    *[path(f"licences/<str:number>/{action}/", view.as_view(), name=f"api-licence-{action}")
      for action, view in api.STEP_VIEWS.items()],
]

"""URLs of licence changes: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at
/api/). Requests carry a version: registered here so the API gives them an ETag and honours If-Match."""

from django.urls import path

from licensing.changes import api, views
from portal.preconditions import register_versioned

register_versioned(r"^/api/licence-changes/(?P<id>\d+)/", api.change_version, may_act=api.require_change_role)

urlpatterns = [
    path("licences/<str:number>/change/", views.change_new, name="licence-change-new"),
    path("licences/<str:number>/change/new-application/", views.change_new_application,
         name="licence-change-new-application"),
    path("licences/<str:number>/changes/", views.licence_changes, name="licence-changes-of-licence"),
    path("licence-changes/", views.change_queue, name="licence-changes"),
    path("licence-changes/<int:pk>/", views.change_page, name="licence-change"),
    path("licence-changes/<int:pk>/decide/", views.change_decide, name="licence-change-decide"),
    path("licence-changes/<int:pk>/withdraw/", views.change_withdraw, name="licence-change-withdraw"),
]

api_urlpatterns = [
    path("licence-changes/", api.LicenceChangeListView.as_view(), name="api-licence-changes"),
    path("licence-changes/<int:id>/", api.LicenceChangeDetailView.as_view(), name="api-licence-change"),
    path("licence-changes/<int:id>/withdraw/", api.LicenceChangeWithdrawView.as_view(),
         name="api-licence-change-withdraw"),
    path("licence-changes/<int:id>/decide/", api.LicenceChangeDecideView.as_view(), name="api-licence-change-decide"),
    path("licences/<str:number>/changes/", api.LicenceChangesOfLicenceView.as_view(),
         name="api-licence-changes-of-licence"),
    path("licences/<str:number>/replacement/", api.LicenceReplacementView.as_view(),
         name="api-licence-replacement"),
]

"""URLs for versions: `urlpatterns` (pages, mounted at /controllist/) and `api_urlpatterns` (mounted at /api/controllist/)."""

from django.urls import path

from controllist.versions import api, views

urlpatterns = [
    path("versions/", views.version_list, name="controllist-versions"),
    path("versions/<int:pk>/", views.version_detail, name="controllist-version"),
    path("versions/<int:pk>/publish/", views.version_publish, name="controllist-version-publish"),
    path("versions/<int:pk>/discard/", views.version_discard, name="controllist-version-discard"),
    path("imports/new/", views.import_new, name="controllist-import-new"),
    path("imports/<int:pk>/", views.import_detail, name="controllist-import"),
]

api_urlpatterns = [
    path("versions/", api.VersionListView.as_view(), name="api-controllist-versions"),
    path("versions/<int:pk>/", api.VersionDetailView.as_view(), name="api-controllist-version"),
    path("versions/<int:pk>/diff/", api.VersionDiffView.as_view(), name="api-controllist-version-diff"),
    path("versions/<int:pk>/publish/", api.VersionPublishView.as_view(), name="api-controllist-version-publish"),
    path("versions/<int:pk>/discard/", api.VersionDiscardView.as_view(), name="api-controllist-version-discard"),
    path("imports/", api.ImportCreateView.as_view(), name="api-controllist-imports"),
    path("imports/<int:pk>/", api.ImportDetailView.as_view(), name="api-controllist-import"),
]

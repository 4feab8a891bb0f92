"""URLs for the lists: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/)."""

from django.urls import path

from enduser.lists import api, views

urlpatterns = [
    path("lists/", views.list_page, name="lists"),
    path("lists/new/", views.entry_new, name="lists-new"),
    path("lists/import/", views.import_page, name="lists-import"),
    path("lists/changes/", views.change_list, name="lists-changes"),
    path("lists/<int:pk>/", views.entry_page, name="lists-entry"),
    path("lists/<int:pk>/remove/", views.entry_remove, name="lists-remove"),
]

api_urlpatterns = [
    path("lists/", api.ListedPartyListView.as_view(), name="api-lists"),
    path("lists/import/", api.ListImportView.as_view(), name="api-lists-import"),
    path("lists/changes/", api.ListChangeListView.as_view(), name="api-lists-changes"),
    path("lists/<int:pk>/", api.ListedPartyDetailView.as_view(), name="api-lists-entry"),
    path("lists/<int:pk>/remove/", api.ListedPartyRemoveView.as_view(), name="api-lists-remove"),
]

"""URLs for the lists: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/)."""

from django.urls import path

from enduser.lists import api, views

urlpatterns = [
    path("lists/", views.list_page, name="lists"),
    path("lists/new/", views.entry_new, name="lists-new"),
    path("lists/import/", views.import_page, name="lists-import"),
    path("lists/changes/", views.change_list, name="lists-changes"),
    path("lists/links/", views.link_list, name="lists-links"),
    path("lists/links/new/", views.link_new, name="lists-link-new"),
    path("lists/links/import/", views.link_import, name="lists-link-import"),
    path("lists/links/<int:pk>/", views.link_page, name="lists-link"),
    path("lists/links/<int:pk>/change/", views.link_change, name="lists-link-change"),
    path("lists/links/<int:pk>/end/", views.link_end, name="lists-link-end"),
    path("lists/<int:pk>/", views.entry_page, name="lists-entry"),
    path("lists/<int:pk>/remove/", views.entry_remove, name="lists-remove"),
]

api_urlpatterns = [
    path("lists/", api.ListedPartyListView.as_view(), name="api-lists"),
    path("lists/import/", api.ListImportView.as_view(), name="api-lists-import"),
    path("lists/changes/", api.ListChangeListView.as_view(), name="api-lists-changes"),
    path("lists/links/", api.OwnershipLinkListView.as_view(), name="api-lists-links"),
    path("lists/links/import/", api.OwnershipLinkImportView.as_view(), name="api-lists-links-import"),
    path("lists/links/<int:pk>/", api.OwnershipLinkDetailView.as_view(), name="api-lists-link"),
    path("lists/links/<int:pk>/change/", api.OwnershipLinkChangeView.as_view(), name="api-lists-link-change"),
    path("lists/links/<int:pk>/end/", api.OwnershipLinkEndView.as_view(), name="api-lists-link-end"),
    path("lists/<int:pk>/", api.ListedPartyDetailView.as_view(), name="api-lists-entry"),
    path("lists/<int:pk>/remove/", api.ListedPartyRemoveView.as_view(), name="api-lists-remove"),
]

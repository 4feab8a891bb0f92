"""URLs for search: `urlpatterns` (pages, mounted at /controllist/) and `api_urlpatterns` (mounted at /api/controllist/)."""

from django.urls import path

from controllist.search import api, views

urlpatterns = [
    path("", views.search_page, name="controllist-search"),
    path("entry/<str:label>/<str:code>/", views.entry_page, name="controllist-entry"),
    path("suggest/", views.suggest, name="controllist-suggest"),
    path("synonyms/", views.synonym_list, name="controllist-synonyms"),
    path("synonyms/new/", views.synonym_edit, name="controllist-synonym-new"),
    path("synonyms/<int:pk>/", views.synonym_edit, name="controllist-synonym"),
    path("synonyms/<int:pk>/delete/", views.synonym_delete, name="controllist-synonym-delete"),
]

api_urlpatterns = [
    path("search/", api.SearchView.as_view(), name="api-controllist-search"),
    path("entries/<str:label>/<str:code>/", api.EntryView.as_view(), name="api-controllist-entry"),
    path("synonyms/", api.SynonymListView.as_view(), name="api-controllist-synonyms"),
    path("synonyms/<int:pk>/", api.SynonymDetailView.as_view(), name="api-controllist-synonym"),
]

"""URLs for search: `urlpatterns` (pages, mounted at /controllist/) and `api_urlpatterns` (mounted at /api/controllist/)."""

from django.urls import path

from controllist.search import api, views

urlpatterns = [
    path("", views.search_page, name="controllist-search"),
    path("entry/<str:label>/<str:code>/", views.entry_page, name="controllist-entry"),
    path("suggest/", views.suggest, name="controllist-suggest"),
]

api_urlpatterns = [
    path("search/", api.SearchView.as_view(), name="api-controllist-search"),
    path("entries/<str:label>/<str:code>/", api.EntryView.as_view(), name="api-controllist-entry"),
]

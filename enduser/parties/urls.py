"""URLs of the address book: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/)."""

from django.urls import path

from enduser.parties import api, views

urlpatterns = [
    path("parties/", views.party_list, name="parties"),
    path("parties/new/", views.party_new, name="party-new"),
    path("parties/<int:pk>/", views.party_detail, name="party"),
    path("parties/<int:pk>/edit/", views.party_edit, name="party-edit"),
    path("parties/<int:pk>/archive/", views.party_archive, name="party-archive"),
]

api_urlpatterns = [
    path("parties/", api.PartyListView.as_view(), name="api-parties"),
    path("parties/<int:pk>/", api.PartyDetailView.as_view(), name="api-party"),
    path("parties/<int:pk>/archive/", api.PartyArchiveView.as_view(), name="api-party-archive"),
]

"""URLs of customs: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/)."""

from django.urls import path

from licensing.customs import api, views

urlpatterns = [
    path("customs/", views.home, name="customs-home"),
    path("customs/licences/<str:number>/", views.licence_page, name="customs-licence"),
    path("customs/licences/<str:number>/write-off/", views.write_off_new, name="customs-write-off"),
    path("customs/write-offs/<str:declaration>/<int:line>/reverse/", views.write_off_reverse,
         name="customs-write-off-reverse"),
    path("customs/challenges/", views.challenge_list, name="customs-challenges"),
    path("customs/challenges/new/", views.challenge_new, name="customs-challenge-new"),
    path("challenges/<str:reference>/", views.challenge_page, name="customs-challenge"),
    path("challenges/<str:reference>/answer/", views.challenge_answer, name="customs-challenge-answer"),
    path("challenges/<str:reference>/close/", views.challenge_close, name="customs-challenge-close"),
    path("challenges/<str:reference>/documents/<int:doc_pk>/", views.challenge_document,
         name="customs-challenge-document"),
    path("customs/systems/", views.system_list, name="customs-systems"),
    path("customs/systems/<int:pk>/", views.system_page, name="customs-system"),
    path("customs/tokens/<int:pk>/scopes/", views.token_scopes, name="customs-token-scopes"),
    path("customs/tokens/<int:pk>/revoke/", views.token_revoke, name="customs-token-revoke"),
]

api_urlpatterns = [
    path("customs/licences/<str:number>/", api.LicenceVerifyView.as_view(), name="api-customs-licence"),
    path("customs/write-offs/", api.WriteOffView.as_view(), name="api-customs-write-offs"),
    path("customs/write-offs/<str:declaration>/<int:line>/reverse/", api.WriteOffReverseView.as_view(),
         name="api-customs-write-off-reverse"),
    path("customs/events/", api.EventFeedView.as_view(), name="api-customs-events"),
    path("customs/challenges/", api.ChallengeListView.as_view(), name="api-customs-challenges"),
    path("customs/challenges/<str:reference>/", api.ChallengeDetailView.as_view(), name="api-customs-challenge"),
    path("customs/systems/", api.SystemListView.as_view(), name="api-customs-systems"),
    path("customs/systems/<int:id>/tokens/", api.TokenCreateView.as_view(), name="api-customs-tokens"),
    path("customs/tokens/<int:id>/scopes/", api.TokenScopesView.as_view(), name="api-customs-token-scopes"),
    path("customs/tokens/<int:id>/revoke/", api.TokenRevokeView.as_view(), name="api-customs-token-revoke"),
]

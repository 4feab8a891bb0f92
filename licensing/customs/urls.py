"""URLs of customs: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/).
Each is grouped under its prefix, so resolving any other URL costs one check per group, and
licensing/urls.py lists this area first, so the verify endpoint (the API's busiest) is found
without walking every other area's patterns."""

from django.urls import include, path

from licensing.customs import api, views

customs_pages = [
    path("", views.home, name="customs-home"),
    path("licences/<str:number>/", views.licence_page, name="customs-licence"),
    path("licences/<str:number>/write-off/", views.write_off_new, name="customs-write-off"),
    path("write-offs/<str:declaration>/<int:line>/reverse/", views.write_off_reverse,
         name="customs-write-off-reverse"),
    path("challenges/", views.challenge_list, name="customs-challenges"),
    path("challenges/new/", views.challenge_new, name="customs-challenge-new"),
    path("systems/", views.system_list, name="customs-systems"),
    path("systems/<int:pk>/", views.system_page, name="customs-system"),
    path("tokens/<int:pk>/scopes/", views.token_scopes, name="customs-token-scopes"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="customs-token-revoke"),
]

challenge_pages = [
    path("<str:reference>/", views.challenge_page, name="customs-challenge"),
    path("<str:reference>/answer/", views.challenge_answer, name="customs-challenge-answer"),
    path("<str:reference>/close/", views.challenge_close, name="customs-challenge-close"),
    path("<str:reference>/documents/<int:doc_pk>/", views.challenge_document, name="customs-challenge-document"),
]

customs_api = [
    path("licences/<str:number>/", api.LicenceVerifyView.as_view(), name="api-customs-licence"),
    path("write-offs/", api.WriteOffView.as_view(), name="api-customs-write-offs"),
    path("write-offs/<str:declaration>/<int:line>/reverse/", api.WriteOffReverseView.as_view(),
         name="api-customs-write-off-reverse"),
    path("events/", api.EventFeedView.as_view(), name="api-customs-events"),
    path("challenges/", api.ChallengeListView.as_view(), name="api-customs-challenges"),
    path("challenges/<str:reference>/", api.ChallengeDetailView.as_view(), name="api-customs-challenge"),
    path("systems/", api.SystemListView.as_view(), name="api-customs-systems"),
    path("systems/<int:id>/tokens/", api.TokenCreateView.as_view(), name="api-customs-tokens"),
    path("tokens/<int:id>/scopes/", api.TokenScopesView.as_view(), name="api-customs-token-scopes"),
    path("tokens/<int:id>/revoke/", api.TokenRevokeView.as_view(), name="api-customs-token-revoke"),
]

urlpatterns = [path("customs/", include(customs_pages)), path("challenges/", include(challenge_pages))]
api_urlpatterns = [path("customs/", include(customs_api))]

"""URLs for controls: `urlpatterns` (pages, mounted at /controllist/) and `api_urlpatterns` (mounted at /api/controllist/)."""

from django.urls import path

from controllist.controls import api, views

urlpatterns = [
    path("temporary/", views.temporary_list, name="controllist-temporary"),
    path("temporary/new/", views.temporary_new, name="controllist-temporary-new"),
    path("temporary/<int:pk>/", views.temporary_detail, name="controllist-temporary-detail"),
    path("temporary/<int:pk>/<str:action>/", views.temporary_act, name="controllist-temporary-act"),
    path("prohibitions/", views.prohibition_list, name="controllist-prohibitions"),
    path("prohibitions/new/", views.prohibition_new, name="controllist-prohibition-new"),
    path("prohibitions/<int:pk>/", views.prohibition_detail, name="controllist-prohibition"),
    path("prohibitions/<int:pk>/revoke/", views.prohibition_revoke, name="controllist-prohibition-revoke"),
    path("determine/", views.determine_page, name="controllist-determine"),
]

api_urlpatterns = [
    path("temporary-controls/", api.TemporaryControlListView.as_view(), name="api-temporary-controls"),
    path("temporary-controls/<int:pk>/", api.TemporaryControlDetailView.as_view(), name="api-temporary-control"),
    path("temporary-controls/<int:pk>/extend/", api.TemporaryControlExtendView.as_view(),
         name="api-temporary-control-extend"),
    path("temporary-controls/<int:pk>/cancel/", api.TemporaryControlCancelView.as_view(),
         name="api-temporary-control-cancel"),
    path("temporary-controls/<int:pk>/move-to-list/", api.TemporaryControlMoveToListView.as_view(),
         name="api-temporary-control-move-to-list"),
    path("prohibitions/", api.ProhibitionListView.as_view(), name="api-prohibitions"),
    path("prohibitions/<int:pk>/", api.ProhibitionDetailView.as_view(), name="api-prohibition"),
    path("prohibitions/<int:pk>/revoke/", api.ProhibitionRevokeView.as_view(), name="api-prohibition-revoke"),
    path("determinations/", api.DeterminationView.as_view(), name="api-determinations"),
]

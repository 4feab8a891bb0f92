"""URLs for screening: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/)."""

from django.urls import path

from enduser.screening import api, views

urlpatterns = [
    path("cases/<int:pk>/screening/<int:hit_id>/decide/", views.hit_decide, name="screening-hit-decide"),
]

api_urlpatterns = [
    path("screening-hits/<int:pk>/", api.HitDetailView.as_view(), name="api-screening-hit"),
    path("screening-hits/<int:pk>/decide/", api.HitDecideView.as_view(), name="api-screening-hit-decide"),
]

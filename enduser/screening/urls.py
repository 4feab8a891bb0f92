"""URLs for screening: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/)."""

from django.urls import path

from enduser.screening import api, views

urlpatterns = [
    path("cases/<int:pk>/screening/<int:hit_id>/decide/", views.hit_decide, name="screening-hit-decide"),
    path("cases/<int:pk>/screening/screen/", views.parties_screen, name="screening-screen-again"),
    path("lists/rescreens/", views.rescreen_list, name="rescreens"),
    path("lists/rescreens/<int:pk>/", views.rescreen_detail, name="rescreen"),
]

api_urlpatterns = [
    path("screening-hits/<int:pk>/", api.HitDetailView.as_view(), name="api-screening-hit"),
    path("screening-hits/<int:pk>/decide/", api.HitDecideView.as_view(), name="api-screening-hit-decide"),
    path("rescreens/", api.RescreenListView.as_view(), name="api-rescreens"),
    path("rescreens/<int:pk>/", api.RescreenDetailView.as_view(), name="api-rescreen"),
]

"""URLs for queues: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/)."""

from django.urls import path

from licensing.queues import api, views

urlpatterns = [
    path("review/", views.dashboard, name="queues-dashboard"),
    path("review/queues/<slug:name>/", views.ministry_queue, name="queues-ministry"),
    path("review/agency/", views.agency_queue, name="queues-agency"),
    path("review/province/", views.province_queue, name="queues-province"),
    path("cases/<int:pk>/assign/", views.assign, name="queues-assign"),
    path("cases/<int:pk>/take/", views.take, name="queues-take"),
]

api_urlpatterns = [
    path("queues/", api.QueueCountsView.as_view(), name="queues-api-counts"),
    path("queues/<str:name>/", api.QueueView.as_view(), name="queues-api-queue"),
    path("agency-queue/", api.AgencyQueueView.as_view(), name="queues-api-agency"),
    path("applications/<int:pk>/assign/", api.AssignView.as_view(), name="queues-api-assign"),
    path("applications/<int:pk>/take/", api.TakeView.as_view(), name="queues-api-take"),
]

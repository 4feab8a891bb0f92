"""URLs for queues: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/).

The inbox (notifications app) is mounted here too, so that portal/urls.py needs no change."""

from django.urls import path

from licensing.queues import api as api_queues
from licensing.queues import views as views_queues
from notifications import api as notifications_api
from notifications import views as notifications_views

urlpatterns = [
    path("review/", views_queues.dashboard, name="queues-dashboard"),
    path("review/queues/<slug:name>/", views_queues.ministry_queue, name="queues-ministry"),
    path("review/agency/", views_queues.agency_queue, name="queues-agency"),
    path("review/province/", views_queues.province_queue, name="queues-province"),
    path("cases/<int:pk>/assign/", views_queues.assign, name="queues-assign"),
    path("cases/<int:pk>/take/", views_queues.take, name="queues-take"),
    path("inbox/", notifications_views.inbox, name="notifications-inbox"),
    path("inbox/<int:pk>/read/", notifications_views.read_one, name="notifications-read-one"),
    path("inbox/read-all/", notifications_views.read_all, name="notifications-read-all"),
]

api_urlpatterns = [
    path("queues/", api_queues.QueueCountsView.as_view(), name="queues-api-counts"),
    path("queues/<str:name>/", api_queues.QueueView.as_view(), name="queues-api-queue"),
    path("agency-queue/", api_queues.AgencyQueueView.as_view(), name="queues-api-agency"),
    path("applications/<int:pk>/assign/", api_queues.AssignView.as_view(), name="queues-api-assign"),
    path("applications/<int:pk>/take/", api_queues.TakeView.as_view(), name="queues-api-take"),
    path("notifications/", notifications_api.NotificationListView.as_view(), name="notifications-api-list"),
    path("notifications/read/", notifications_api.NotificationReadView.as_view(), name="notifications-api-read"),
]

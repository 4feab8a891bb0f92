"""URLs of the inbox: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/)."""

from django.urls import path

from notifications import api, views

urlpatterns = [
    path("inbox/", views.inbox, name="notifications-inbox"),
    path("inbox/<int:pk>/read/", views.read_one, name="notifications-read-one"),
    path("inbox/read-all/", views.read_all, name="notifications-read-all"),
]

api_urlpatterns = [
    path("notifications/", api.NotificationListView.as_view(), name="notifications-api-list"),
    path("notifications/read/", api.NotificationReadView.as_view(), name="notifications-api-read"),
]

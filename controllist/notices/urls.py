"""URLs for catch-all notices: `urlpatterns` (pages, mounted at /controllist/) and
`api_urlpatterns` (mounted at /api/, as /api/catch-all-notices/)."""

from django.urls import path

from controllist.notices import api, views

urlpatterns = [
    path("notices/", views.notice_list, name="notices"),
    path("notices/new/", views.notice_new, name="notice-new"),
    path("notices/<int:pk>/", views.notice_detail, name="notice-detail"),
    path("notices/<int:pk>/acknowledge/", views.notice_acknowledge, name="notice-acknowledge"),
    path("notices/<int:pk>/withdraw/", views.notice_withdraw, name="notice-withdraw"),
]

api_urlpatterns = [
    path("catch-all-notices/", api.CatchAllNoticeListView.as_view(), name="api-notices"),
    path("catch-all-notices/<int:pk>/", api.CatchAllNoticeDetailView.as_view(), name="api-notice"),
    path("catch-all-notices/<int:pk>/acknowledge/", api.CatchAllNoticeAcknowledgeView.as_view(),
         name="api-notice-acknowledge"),
    path("catch-all-notices/<int:pk>/withdraw/", api.CatchAllNoticeWithdrawView.as_view(),
         name="api-notice-withdraw"),
]

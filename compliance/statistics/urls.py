"""URLs of the statistics dashboard: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (/api/)."""

from django.urls import path

from compliance.statistics import api, views

urlpatterns = [
    path("compliance/statistics/", views.statistics_dashboard, name="compliance-statistics"),
]

api_urlpatterns = [
    path("compliance/statistics/", api.StatisticsView.as_view(), name="api-compliance-statistics"),
]

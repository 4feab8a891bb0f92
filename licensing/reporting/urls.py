"""URLs of licence reports: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at
/api/)."""

from django.urls import path

from licensing.reporting import api, views

urlpatterns = [
    path("licences/<str:number>/reports/", views.licence_reports, name="licence-reports"),
    path("licences/<str:number>/reports/new/", views.report_new, name="licence-report-new"),
    path("licences/<str:number>/reports/<int:pk>/", views.report_page, name="licence-report"),
    path("licences/<str:number>/reports/<int:pk>/documents/<int:doc_pk>/", views.document_download,
         name="licence-report-document"),
    path("licences/<str:number>/report-requirements/", views.requirement_set, name="licence-report-require"),
    path("licences/<str:number>/report-requirements/<str:kind>/remove/", views.requirement_remove,
         name="licence-report-waive"),
    path("licence-reports/overdue/", views.overdue_queue, name="licence-reports-overdue"),
    path("licence-reports/defaults/", views.defaults, name="licence-report-defaults"),
    path("licence-reports/defaults/<int:pk>/", views.default_update, name="licence-report-default"),
]

api_urlpatterns = [
    path("licences/<str:number>/reports/", api.LicenceReportListView.as_view(), name="api-licence-reports"),
    path("licences/<str:number>/reports/<int:id>/", api.LicenceReportDetailView.as_view(),
         name="api-licence-report"),
    path("licences/<str:number>/reports/<int:id>/documents/<int:document_id>/",
         api.LicenceReportDocumentView.as_view(), name="api-licence-report-document"),
    path("licences/<str:number>/report-requirements/", api.RequirementListView.as_view(),
         name="api-licence-report-requirements"),
    path("licences/<str:number>/report-requirements/<str:kind>/", api.RequirementDetailView.as_view(),
         name="api-licence-report-requirement"),
    path("licence-reports/overdue/", api.OverdueView.as_view(), name="api-licence-reports-overdue"),
    path("licence-reports/defaults/", api.DefaultListView.as_view(), name="api-licence-report-defaults"),
    path("licence-reports/defaults/<int:id>/", api.DefaultDetailView.as_view(), name="api-licence-report-default"),
]

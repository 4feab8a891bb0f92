"""URLs of end-use change reports: `urlpatterns` (pages, mounted at /) and `api_urlpatterns`
(mounted at /api/)."""

from django.urls import path

from licensing.enduse import api, views

urlpatterns = [
    path("cases/<int:pk>/enduse-reports/new/", views.report_new, name="enduse-report-new"),
    path("enduse-reports/", views.report_queue, name="enduse-reports"),
    path("enduse-reports/<int:pk>/", views.report_page, name="enduse-report"),
    path("enduse-reports/<int:pk>/review/", views.report_review, name="enduse-report-review"),
    path("enduse-reports/<int:pk>/close/", views.report_close, name="enduse-report-close"),
    path("enduse-reports/<int:pk>/documents/<int:doc_pk>/", views.document_download,
         name="enduse-report-document"),
]

api_urlpatterns = [
    path("enduse-reports/", api.EndUseReportListView.as_view(), name="api-enduse-reports"),
    path("enduse-reports/<int:id>/", api.EndUseReportDetailView.as_view(), name="api-enduse-report"),
    path("enduse-reports/<int:id>/review/", api.EndUseReportReviewView.as_view(), name="api-enduse-report-review"),
    path("enduse-reports/<int:id>/close/", api.EndUseReportCloseView.as_view(), name="api-enduse-report-close"),
    path("enduse-reports/<int:id>/documents/<int:document_id>/", api.EndUseReportDocumentView.as_view(),
         name="api-enduse-report-document"),
]

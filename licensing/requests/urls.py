"""URLs for requests: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/)."""

from django.urls import path

from licensing.requests import api, views

urlpatterns = [
    path("cases/<int:pk>/corrections/", views.corrections_request, name="review-corrections-request"),
    path("cases/<int:pk>/corrections/answer/", views.corrections_answer, name="review-corrections-answer"),
    path("cases/<int:pk>/rfi/", views.rfi_ask, name="review-rfi-new"),
    path("cases/<int:pk>/rfi/<int:request_id>/answer/", views.rfi_answer, name="review-rfi-answer"),
    path("cases/<int:pk>/rfi/<int:request_id>/withdraw/", views.rfi_withdraw, name="review-rfi-withdraw"),
    path("cases/<int:pk>/certification/", views.certification_require, name="review-certification-new"),
    path("cases/<int:pk>/certification/<int:request_id>/answer/", views.certification_answer,
         name="review-certification-answer"),
    path("cases/<int:pk>/certification/<int:request_id>/withdraw/", views.certification_withdraw,
         name="review-certification-withdraw"),
    path("cases/<int:pk>/pauses/", views.pause_start, name="review-pause-start"),
    path("cases/<int:pk>/pauses/<int:pause_id>/end/", views.pause_end, name="review-pause-end"),
]

# `id` (not `pk`) so the schema names the case parameter like the applications API does.
api_urlpatterns = [
    path("applications/<int:id>/clock/", api.ClockView.as_view(), name="api-review-clock"),
    path("applications/<int:id>/corrections/", api.CorrectionsView.as_view(), name="api-review-corrections"),
    path("applications/<int:id>/corrections/answer/", api.CorrectionsAnswerView.as_view(),
         name="api-review-corrections-answer"),
    path("applications/<int:id>/requests/", api.RequestListView.as_view(), name="api-review-requests"),
    path("applications/<int:id>/requests/<int:request_id>/answer/", api.RequestAnswerView.as_view(),
         name="api-review-request-answer"),
    path("applications/<int:id>/requests/<int:request_id>/withdraw/", api.RequestWithdrawView.as_view(),
         name="api-review-request-withdraw"),
    path("applications/<int:id>/certification/", api.CertificationView.as_view(), name="api-review-certification"),
    path("applications/<int:id>/certification/<int:request_id>/answer/", api.CertificationAnswerView.as_view(),
         name="api-review-certification-answer"),
    path("applications/<int:id>/certification/<int:request_id>/withdraw/", api.CertificationWithdrawView.as_view(),
         name="api-review-certification-withdraw"),
    path("applications/<int:id>/pauses/", api.PauseStartView.as_view(), name="api-review-pauses"),
    path("applications/<int:id>/pauses/<int:pause_id>/end/", api.PauseEndView.as_view(),
         name="api-review-pause-end"),
]

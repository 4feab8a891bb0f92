"""URLs of penalties: `urlpatterns` (pages) and `api_urlpatterns` (under /api/). They come before
the enforcement case URLs (compliance/urls.py), whose `<reference>` would otherwise take them."""

from django.urls import path

from compliance.penalties import api, views

urlpatterns = [
    path("compliance/enforcement/penalties/countersign/", views.countersign_queue, name="enforcement-countersign"),
    path("compliance/enforcement/penalties/range/", views.range_fragment, name="enforcement-penalty-range"),
    path("compliance/enforcement/penalties/<int:penalty_id>/countersign/", views.penalty_countersign,
         name="enforcement-penalty-countersign"),
    path("compliance/enforcement/penalties/<int:penalty_id>/send-back/", views.penalty_send_back,
         name="enforcement-penalty-send-back"),
    path("compliance/enforcement/penalties/<int:penalty_id>/withdraw/", views.penalty_withdraw,
         name="enforcement-penalty-withdraw"),
    path("compliance/enforcement/<str:reference>/penalty/", views.penalty_form, name="enforcement-penalty-new"),
    path("compliance/enforcement/<str:reference>/penalty/<int:penalty_id>/", views.penalty_form,
         name="enforcement-penalty-edit"),
    path("compliance/enforcement/<str:reference>/criminal/", views.criminal_form, name="enforcement-criminal"),
]

api_urlpatterns = [
    path("compliance/enforcement/penalties/range/", api.PenaltyRangeView.as_view(), name="api-penalty-range"),
    path("compliance/enforcement/penalties/countersign/", api.PenaltyQueueView.as_view(),
         name="api-penalty-queue"),
    path("compliance/enforcement/penalties/<int:penalty_id>/countersign/", api.PenaltyCountersignView.as_view(),
         name="api-penalty-countersign"),
    path("compliance/enforcement/penalties/<int:penalty_id>/send-back/", api.PenaltySendBackView.as_view(),
         name="api-penalty-send-back"),
    path("compliance/enforcement/penalties/<int:penalty_id>/withdraw/", api.PenaltyWithdrawView.as_view(),
         name="api-penalty-withdraw"),
    path("compliance/enforcement/<str:reference>/penalties/", api.PenaltySubmitView.as_view(),
         name="api-penalty-submit"),
    path("compliance/enforcement/<str:reference>/criminal/", api.PenaltyCriminalView.as_view(),
         name="api-penalty-criminal"),
]

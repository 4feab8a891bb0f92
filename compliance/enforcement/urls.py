"""URLs of enforcement cases: `urlpatterns` (pages) and `api_urlpatterns` (under /api/)."""

from django.urls import path

from compliance.enforcement import api, views

urlpatterns = [
    path("compliance/enforcement/", views.case_list, name="enforcement-cases"),
    path("compliance/enforcement/new/", views.case_new, name="enforcement-new"),
    path("compliance/enforcement/<str:reference>/", views.case_page, name="enforcement-case"),
    path("compliance/enforcement/<str:reference>/steps/", views.step_add, name="enforcement-step-add"),
    path("compliance/enforcement/<str:reference>/steps/<int:step_id>/minutes/", views.step_minutes,
         name="enforcement-step-minutes"),
    path("compliance/enforcement/<str:reference>/steps/<int:step_id>/answer/", views.step_answer,
         name="enforcement-step-answer"),
    path("compliance/enforcement/<str:reference>/steps/<int:step_id>/pdf/", views.step_pdf,
         name="enforcement-step-pdf"),
    path("compliance/enforcement/<str:reference>/steps/<int:step_id>/documents/<int:doc_id>/", views.step_document,
         name="enforcement-step-document"),
    path("compliance/enforcement/<str:reference>/notes/", views.note_add, name="enforcement-note-add"),
    path("compliance/enforcement/<str:reference>/close/", views.case_close, name="enforcement-close"),
]

api_urlpatterns = [
    path("compliance/enforcement/", api.EnforcementCaseListView.as_view(), name="api-enforcement-cases"),
    path("compliance/enforcement/<str:reference>/", api.EnforcementCaseDetailView.as_view(),
         name="api-enforcement-case"),
    path("compliance/enforcement/<str:reference>/steps/", api.EnforcementStepCreateView.as_view(),
         name="api-enforcement-steps"),
    path("compliance/enforcement/<str:reference>/steps/<int:step_id>/answer/", api.EnforcementStepAnswerView.as_view(),
         name="api-enforcement-step-answer"),
    path("compliance/enforcement/<str:reference>/steps/<int:step_id>/minutes/",
         api.EnforcementStepMinutesView.as_view(), name="api-enforcement-step-minutes"),
    path("compliance/enforcement/<str:reference>/steps/<int:step_id>/pdf/", api.EnforcementStepPdfView.as_view(),
         name="api-enforcement-step-pdf"),
    path("compliance/enforcement/<str:reference>/notes/", api.EnforcementNoteView.as_view(),
         name="api-enforcement-notes"),
    path("compliance/enforcement/<str:reference>/close/", api.EnforcementCloseView.as_view(),
         name="api-enforcement-close"),
]

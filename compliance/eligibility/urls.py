"""URLs of licence-route eligibility: `urlpatterns` (pages) and `api_urlpatterns` (/api/)."""

from django.urls import path

from compliance.eligibility import api, views

urlpatterns = [
    path("compliance/routes/", views.my_routes, name="compliance-routes"),
    path("compliance/suspension-proposals/", views.proposal_list, name="suspension-proposal-list"),
    path("compliance/suspension-proposals/<int:pk>/<str:action>/", views.proposal_decide,
         name="suspension-proposal-decide"),
]

api_urlpatterns = [
    path("compliance/routes/", api.RouteEligibilityView.as_view(), name="api-compliance-routes"),
    path("compliance/suspension-proposals/", api.ProposalListView.as_view(), name="api-suspension-proposals"),
    path("compliance/suspension-proposals/<int:pk>/accept/", api.ProposalAcceptView.as_view(),
         name="api-suspension-proposal-accept"),
    path("compliance/suspension-proposals/<int:pk>/dismiss/", api.ProposalDismissView.as_view(),
         name="api-suspension-proposal-dismiss"),
]

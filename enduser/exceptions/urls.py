"""URLs of exceptions to the Control List: `urlpatterns` (pages, mounted at /) and
`api_urlpatterns` (mounted at /api/)."""

from django.urls import path

from enduser.exceptions import api, views

urlpatterns = [
    path("lists/exceptions/", views.exception_list, name="list-exceptions"),
    path("lists/exceptions/<int:pk>/", views.exception_page, name="list-exception"),
    path("lists/exceptions/<int:pk>/withdraw/", views.exception_withdraw, name="list-exception-withdraw"),
]

api_urlpatterns = [
    path("list-exceptions/", api.ExceptionListView.as_view(), name="api-list-exceptions"),
    path("list-exceptions/<int:pk>/decide/", api.ExceptionDecideView.as_view(), name="api-list-exception-decide"),
    path("list-exceptions/<int:pk>/withdraw/", api.ExceptionWithdrawView.as_view(),
         name="api-list-exception-withdraw"),
]

"""Registration checks: the licence scan, the system administrator's checks and the unlock.
(The older account pages are still listed in portal/urls.py.)"""

from django.urls import path

from accounts import api, views
from accounts.signin import views as signin_views

urlpatterns = [
    path("register/province/", views.register_province, name="register-province"),
    path("companies/<int:pk>/licence-scan/", views.licence_scan_download, name="licence-scan"),
    path("registration-checks/", views.registration_checks, name="registration-checks"),
    path("registration-checks/unlock/", signin_views.signin_unlock, name="signin-unlock"),
]

api_urlpatterns = [
    path("companies/<int:pk>/licence-scan/", api.LicenceScanView.as_view(), name="api-licence-scan"),
    path("registration-checks/province-mismatches/", api.ProvinceMismatchListView.as_view(),
         name="api-province-mismatches"),
]

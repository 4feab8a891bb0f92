"""URLs of the registration route: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (/api/)."""

from django.urls import path

from licensing.registration import api, views

urlpatterns = [
    path("cases/<int:pk>/register/", views.registration_file_page, name="registration-file"),
    path("cases/<int:pk>/general-validity/", views.general_validity, name="case-general-validity"),
    path("registration/certificates/", views.certificate_list, name="registration-certificates"),
    path("registration/certificates/<str:number>/", views.certificate_page, name="registration-certificate"),
    path("registration/certificates/<str:number>/print/", views.certificate_print,
         name="registration-certificate-print"),
]

api_urlpatterns = [
    path("registration/applications/<int:pk>/file/", api.RegistrationFileView.as_view(), name="api-registration-file"),
    path("applications/<int:pk>/general-validity/", api.GeneralValidityView.as_view(),
         name="api-general-validity"),
    path("registration/certificates/", api.CertificateListView.as_view(), name="api-registration-certificates"),
    path("registration/certificates/<str:number>/", api.CertificateDetailView.as_view(),
         name="api-registration-certificate"),
    path("customs/registration-certificates/<str:number>/", api.CustomsCertificateVerifyView.as_view(),
         name="api-customs-registration-certificate"),
]

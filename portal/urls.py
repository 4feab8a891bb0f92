from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts import api as accounts_api
from accounts import views as accounts_views
from controllist import urls as controllist_urls
from licensing.applications import api as licensing_api
from licensing.applications import views as licensing_views
from licensing.decisions import urls as urls_decisions
from licensing.queues import urls as urls_queues
from licensing.referrals import urls as urls_referrals
from licensing.requests import urls as urls_requests
from portal import views

router = DefaultRouter()
router.register("applications", licensing_api.ApplicationViewSet, basename="application")

api_patterns = [
    path("", include(router.urls)),
    path("auth/token/", accounts_api.TokenView.as_view(), name="api-token"),
    path("me/", accounts_api.MeView.as_view(), name="api-me"),
    path("exporters/register/", accounts_api.RegisterView.as_view(), name="api-register"),
    path("invitations/", accounts_api.InvitationView.as_view(), name="api-invitations"),
    path("companies/", accounts_api.CompanyListView.as_view(), name="api-companies"),
    path("companies/<int:pk>/verify/", accounts_api.CompanyVerifyView.as_view(), name="api-company-verify"),
    path("companies/<int:pk>/reject/", accounts_api.CompanyRejectView.as_view(), name="api-company-reject"),
    path("invitations/<str:token>/accept/", accounts_api.InvitationAcceptView.as_view(),
         name="api-invitation-accept"),
    path("controllist/", include(controllist_urls.api_urlpatterns)),
    *urls_requests.api_urlpatterns,
    *urls_referrals.api_urlpatterns,
    *urls_decisions.api_urlpatterns,
    *urls_queues.api_urlpatterns,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", accounts_views.register, name="register"),
    path("staff/", accounts_views.staff, name="staff"),
    path("companies/", accounts_views.companies, name="companies"),
    path("invitations/<str:token>/", accounts_views.invitation_accept, name="invitation-accept"),
    path("cases/", licensing_views.case_list, name="case-list"),
    path("cases/new/", licensing_views.case_new, name="case-new"),
    path("cases/<int:pk>/", licensing_views.case_detail, name="case-detail"),
    path("cases/<int:pk>/edit/", licensing_views.case_edit, name="case-edit"),
    path("cases/<int:pk>/act/<str:action>/", licensing_views.case_act, name="case-act"),
    path("cases/<int:pk>/access/<str:op>/", licensing_views.case_share, name="case-share"),
    path("cases/<int:pk>/documents/", licensing_views.document_upload, name="document-upload"),
    path("cases/<int:pk>/documents/<int:doc_pk>/", licensing_views.document_download, name="document-download"),
    path("cases/<int:pk>/documents/<int:doc_pk>/delete/", licensing_views.document_delete,
         name="document-delete"),
    path("cases/<int:pk>/licence.pdf", licensing_views.licence_download, name="licence-download"),
    path("verify/<str:number>/", licensing_views.licence_verify, name="licence-verify"),
    path("controllist/", include(controllist_urls.urlpatterns)),
    *urls_requests.urlpatterns,
    *urls_referrals.urlpatterns,
    *urls_decisions.urlpatterns,
    *urls_queues.urlpatterns,
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

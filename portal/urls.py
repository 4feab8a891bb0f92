from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts import api as accounts_api
from accounts import urls as accounts_urls
from accounts import views as accounts_views
from compliance import urls as compliance_urls
from controllist import urls as controllist_urls
from enduser import urls as enduser_urls
from licensing import urls as licensing_urls
from notifications import urls as notifications_urls
from portal import views

api_patterns = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="api-token"),
    path("me/", accounts_api.MeView.as_view(), name="api-me"),
    path("exporters/register/", accounts_api.RegisterView.as_view(), name="api-register"),
    path("invitations/", accounts_api.InvitationView.as_view(), name="api-invitations"),
    path("companies/", accounts_api.CompanyListView.as_view(), name="api-companies"),
    path("companies/<int:pk>/verify/", accounts_api.CompanyVerifyView.as_view(), name="api-company-verify"),
    path("companies/<int:pk>/reject/", accounts_api.CompanyRejectView.as_view(), name="api-company-reject"),
    path("invitations/<str:token>/accept/", accounts_api.InvitationAcceptView.as_view(),
         name="api-invitation-accept"),
    *accounts_urls.api_urlpatterns,
    path("controllist/", include(controllist_urls.api_urlpatterns)),
    *controllist_urls.root_api_urlpatterns,
    *licensing_urls.api_urlpatterns,
    *notifications_urls.api_urlpatterns,
    *enduser_urls.api_urlpatterns,
    *compliance_urls.api_urlpatterns,
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
    *accounts_urls.urlpatterns,
    *licensing_urls.urlpatterns,
    *notifications_urls.urlpatterns,
    *enduser_urls.urlpatterns,
    *compliance_urls.urlpatterns,
    path("controllist/", include(controllist_urls.urlpatterns)),
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

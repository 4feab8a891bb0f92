from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from accounts.models import AGENCY_ROLES, EXPORTER_ROLES, MINISTRY_ROLES, Role


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # the point of a health check is to answer anyway
        database = "error"
    status = 200 if database == "ok" else 503
    return JsonResponse({"status": "ok" if status == 200 else "error", "database": database}, status=status)


def home(request):
    user = request.user
    if not user.is_authenticated:
        return render(request, "home.html")
    if user.role in MINISTRY_ROLES:
        return redirect("queues-dashboard")
    if user.role in AGENCY_ROLES:
        return redirect("queues-agency")
    if user.role in EXPORTER_ROLES or user.role == Role.PROVINCIAL_OFFICER:
        return redirect("case-list")
    if user.is_superuser or user.role == Role.SYSTEM_ADMIN:
        return redirect("admin:index")
    return render(request, "home.html")


def _api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    from django.views.defaults import bad_request as default

    if _api(request):
        from portal.api import json_error_for_api

        return json_error_for_api(request, 400, "bad_request",
                                  _("The request was malformed or too large."))
    return default(request, exception)


def page_not_found(request, exception=None):
    from django.views.defaults import page_not_found as default

    if _api(request):
        from portal.api import json_error_for_api
        from portal.errors import NotFound

        return json_error_for_api(request, 404, NotFound.code, NotFound.default_message)
    return default(request, exception)


def permission_denied(request, exception=None):
    from django.views.defaults import permission_denied as default

    if _api(request):
        from portal.api import json_error_for_api
        from portal.errors import NotAllowed

        return json_error_for_api(request, 403, NotAllowed.code, NotAllowed.default_message)
    return default(request, exception)


def server_error(request):
    from django.views.defaults import server_error as default

    if _api(request):
        from portal.api import json_error_for_api

        return json_error_for_api(request, 500, "server_error",
                                  _("Something went wrong on our side; nothing was changed. Try again later."))
    return default(request)

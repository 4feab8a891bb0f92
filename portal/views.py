from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext_lazy as _

from accounts.models import AGENCY_ROLES, EXPORTER_ROLES, MINISTRY_ROLES, Role
from portal.errors import lazy_format
from portal.pages import safe_referer as _safe_referer


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


# Error pages: a page of the portal in the user's language that says what to do next; the API
# keeps its JSON error shape. Django calls these only with DEBUG off (as in production and tests).


def _limit_mb() -> int:
    return settings.PORTAL_MAX_UPLOAD_BYTES // (1024 * 1024)


def _error_page(request, template: str, status: int, back: bool = False, **context):
    try:
        if back:
            context["back_url"] = _safe_referer(request)
        return render(request, template, {"status": status, "limit_mb": _limit_mb(), **context}, status=status)
    except Exception:  # the page itself failed (e.g. no database): the plain page that needs nothing
        return _plain_server_error(status)


def _plain_server_error(status: int = 500):
    return HttpResponse(loader.get_template("500.html").render({"status": status}), status=status)


def too_large(request):
    """A request body over the portal's limit (see RequestSizeLimitMiddleware, DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    message = lazy_format(_("The upload is too large: at most %(mb)s MB is accepted."), mb=_limit_mb())
    if _api(request):
        from portal.api import json_error_for_api

        return json_error_for_api(request, 413, "too_large", message)
    return _error_page(request, "413.html", 413, message=message, back=True)


def bad_request(request, exception=None):
    if _api(request):
        from portal.api import json_error_for_api

        return json_error_for_api(request, 400, "bad_request",
                                  _("The request was malformed or too large."))
    if isinstance(exception, RequestDataTooBig):  # a form's fields over DATA_UPLOAD_MAX_MEMORY_SIZE
        message = _("The form sent is too large: shorten its longest texts, or attach them as a document.")
        return _error_page(request, "413.html", 413, message=message, back=True)
    return _error_page(request, "400.html", 400, back=True)


def page_not_found(request, exception=None):
    if _api(request):
        from portal.api import json_error_for_api
        from portal.errors import NotFound

        return json_error_for_api(request, 404, NotFound.code, NotFound.default_message)
    return _error_page(request, "404.html", 404)


def permission_denied(request, exception=None):
    if _api(request):
        from portal.api import json_error_for_api
        from portal.errors import NotAllowed

        return json_error_for_api(request, 403, NotAllowed.code, NotAllowed.default_message)
    return _error_page(request, "403.html", 403)


def csrf_failure(request, reason=""):
    """An expired form (the page was open too long, or cookies are off): say so, not Django's page."""
    if _api(request):
        from portal.api import json_error_for_api

        return json_error_for_api(request, 403, "csrf_failed",
                                  _("The form had expired. Reload the page and send it again."))
    return _error_page(request, "403_csrf.html", 403, back=True)


def server_error(request):
    if _api(request):
        from portal.api import json_error_for_api

        return json_error_for_api(request, 500, "server_error",
                                  _("Something went wrong on our side; nothing was changed. Try again later."))
    # Rendered without the request's context: whatever failed (the database, a context processor)
    # must not fail the error page too.
    return _plain_server_error(500)

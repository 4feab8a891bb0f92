"""Page plumbing shared by every app: domain errors become 4xx pages with a clear message."""

import functools

from django.contrib import messages
from django.core.exceptions import DisallowedHost
from django.http import Http404
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from portal.errors import DomainError, NotFound

ERROR_TITLES = {
    400: _("The request was not accepted"),
    403: _("Not allowed"),
    404: _("Not found"),
    409: _("Not possible now"),
}


def domain_errors_as_pages(view):
    """Render a DomainError raised by a service as a 4xx page; NotFound becomes a plain 404."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404() from None
        except DomainError as exc:
            return error_page(request, exc)

    return wrapper


def error_page(request, exc: DomainError, back_url: str | None = None):
    return render(request, "error.html", {
        "title": ERROR_TITLES.get(exc.status_code, ERROR_TITLES[400]),
        "message": exc.message,
        "fields": exc.fields,
        "back_url": back_url or safe_referer(request),
        "status": exc.status_code,
    }, status=exc.status_code)


def safe_referer(request) -> str:
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:  # the error page of a request for a host the portal does not serve
        return ""
    if url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure()):
        return referer
    return ""


def flash_error(request, exc: DomainError) -> None:
    messages.error(request, exc.message)

import re

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

# A path segment of 19 or more digits: the only ones that can exceed a database id (bigint).
_LONG_NUMBER = re.compile(r"/(\d{19,})(?=/|$)")
_MAX_ID = 2**63 - 1


class RequestSizeLimitMiddleware:
    """Refuse a request body far larger than any allowed upload before Django reads it: a page of
    the portal for a person, the JSON error for the API. It comes after the authentication
    middleware so the page knows who is signed in; nothing before it reads the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.PORTAL_MAX_REQUEST_BYTES:
            from portal.views import too_large

            return too_large(request)
        # A null character in the query string: PostgreSQL refuses it in any text it is sent, so
        # every search would fail with a 500; no field of the portal can hold one.
        if any("\x00" in value for _name, values in request.GET.lists() for value in values):
            from portal.views import bad_request

            return bad_request(request)
        # An id in the path beyond any database id (<int:...> takes any length): no such object,
        # where SQLite would fail to bind it (OverflowError, a 500) in every view.
        if any(int(number) > _MAX_ID for number in _LONG_NUMBER.findall(request.path_info)):
            from portal.views import page_not_found

            return page_not_found(request)
        return self.get_response(request)


class PortalLocaleMiddleware(LocaleMiddleware):
    """Pages are in Simplified Chinese unless the user chose English with the switcher (a cookie);
    the browser's Accept-Language does not override that. The API honours Accept-Language, so
    clients get errors in the language they ask for."""

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else None
        except LookupError:
            language = None
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    """Refuse a request body far larger than any allowed upload before Django reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.PORTAL_MAX_REQUEST_BYTES:
            limit_mb = settings.PORTAL_MAX_UPLOAD_BYTES // (1024 * 1024)
            message = _("The upload is too large: at most %(mb)d MB is accepted.") % {"mb": limit_mb}
            return JsonResponse({"code": "too_large", "detail": message}, status=413)
        return self.get_response(request)

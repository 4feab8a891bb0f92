"""API plumbing shared by every app: every error is one JSON shape,
{"code", "detail", "messages": {"zh-hans", "en"}, "fields"?}, with a 4xx status."""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import DomainError, NotFound, ValidationFailed


class SafeJSONParser(JSONParser):
    """JSON nested deeper than Python's recursion limit is a client error, not a crash."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON parse error: nested too deeply.")) from None


class StrictCharField(serializers.CharField):
    """A CharField that refuses a JSON number or boolean instead of turning it into text: a
    client that sends {"item_name": 0} has a bug worth a 400, not a question named "0"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def idempotency_key(request):
    """The UUID a client sends in `Idempotency-Key` so a retried create returns what the first
    one made; None when absent. Anything but a UUID is a 400."""
    token = request.headers.get("Idempotency-Key")
    if token is None:
        return None
    try:
        return uuid.UUID(token)
    except ValueError:
        raise ValidationFailed(_("The Idempotency-Key header must be a UUID."),
                               fields={"Idempotency-Key": [_("Must be a UUID.")]}) from None


def bilingual(message) -> dict:
    out = {}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            out[lang] = str(message)
    return out


def error_body(code, message, fields=None) -> dict:
    body = {"code": code, "detail": str(message), "messages": bilingual(message)}
    if fields:
        body["fields"] = fields
    return body


def _flatten(detail, prefix="") -> dict:
    """DRF's nested errors as {"item.quantity": ["..."]}, never a Python repr."""
    out = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix and key != "non_field_errors" else (prefix or str(key))
            out.update(_flatten(value, name))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                out.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
            else:
                out.setdefault(prefix or "non_field_errors", []).append(str(value))
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        fields = {k: [str(m) for m in v] for k, v in exc.fields.items()} if exc.fields else None
        return Response(error_body(exc.code, exc.message, fields), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
        return Response(error_body(NotFound.code, NotFound.default_message), status=404)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(ValidationFailed.code, ValidationFailed.default_message,
                                   _flatten(exc.detail))
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        default = exc.default_detail
        # A default with placeholders ({media_type}, {method}) cannot be re-rendered in the other
        # language: give the formatted message in both.
        messages = bilingual(default) if "{" not in str(default) else {
            "zh-hans": str(exc.detail), "en": str(exc.detail)}
        response.data = {"code": codes if isinstance(codes, str) else "error", "detail": str(exc.detail),
                         "messages": messages}
    return response


def json_error_for_api(request, status: int, code: str, message):
    return JsonResponse(error_body(code, message), status=status)

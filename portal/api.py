"""API plumbing shared by every app: every error is one JSON shape,
{"code", "detail", "messages": {"zh-hans", "en"}, "fields"?}, with a 4xx status."""

from django.utils import translation
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import DomainError, ValidationFailed


def bilingual(message) -> dict:
    out = {}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            out[lang] = str(message)
    return out


def _body(code, message, fields=None):
    body = {"code": code, "detail": str(message), "messages": bilingual(message)}
    if fields:
        body["fields"] = fields
    return body


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        fields = {k: [str(m) for m in v] for k, v in exc.fields.items()} if exc.fields else None
        return Response(_body(exc.code, exc.message, fields), status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
        response.data = _body(ValidationFailed.code, ValidationFailed.default_message, fields)
    elif isinstance(exc, exceptions.APIException):
        response.data = {"code": exc.get_codes() if isinstance(exc.get_codes(), str) else "error",
                         "detail": str(exc.detail), "messages": bilingual(exc.default_detail)}
    return response

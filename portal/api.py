"""API plumbing shared by every app: domain errors become bilingual 4xx answers."""

from django.utils import translation
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import DomainError


def bilingual(message) -> dict:
    out = {}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            out[lang] = str(message)
    return out


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": str(exc.message), "messages": bilingual(exc.message)}
        if exc.fields:
            body["fields"] = {k: [str(m) for m in v] for k, v in exc.fields.items()}
        return Response(body, status=exc.status_code)
    return drf_exception_handler(exc, context)

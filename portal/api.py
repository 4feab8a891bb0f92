"""API plumbing shared by every app: every error is one JSON shape,
{"code", "detail", "messages": {"zh-hans", "en"}, "fields"?}, with a 4xx status."""

import json
import uuid
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import trans_real
from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from portal.errors import DomainError, NotFound, ValidationFailed

NOT_JSON = _("The request body is not valid JSON.")
DUPLICATE_KEY = _("The request body is not valid JSON: a name appears twice in one object.")


class BadJSON(exceptions.ParseError):
    """A parse error whose message stays lazy, so the error body gives it in both languages."""

    def __init__(self, message=NOT_JSON):
        self.message = message
        super().__init__(message)


class _DuplicateKey(ValueError):
    pass


def _refuse_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKey(key)
        obj[key] = value
    return obj


def _refuse_constant(name):
    raise ValueError(name)  # NaN and Infinity are not JSON


class SafeJSONParser(JSONParser):
    """Strict JSON: a malformed body, NaN/Infinity, or a name given twice in one object is a 400
    with a plain message (never the parser's exception text); nesting deeper than Python's
    recursion limit is a client error, not a crash."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
            return json.loads(text, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant)
        except _DuplicateKey:
            raise BadJSON(DUPLICATE_KEY) from None
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise BadJSON() from None


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


@lru_cache(maxsize=1)
def _msgids() -> dict:
    """Chinese text → its English msgid, to give a message DRF has already rendered in one
    language in the other too."""
    catalog = trans_real.translation("zh-hans")._catalog
    return {str(v): k for k, v in catalog.items() if isinstance(k, str) and v}


@lru_cache(maxsize=1)
def _known_msgids() -> frozenset:
    return frozenset(_msgids().values())


def _drf_messages(exc, context) -> dict:
    """Each language's slot in its own language for DRF's own errors (405, 406, 415, 429,
    parse and authentication errors), whose detail was rendered in the request's language."""
    message = getattr(exc, "message", None)
    if message is not None:
        return bilingual(message)
    request = context.get("request")
    rebuild = {
        exceptions.MethodNotAllowed: lambda: exceptions.MethodNotAllowed(request.method),
        exceptions.UnsupportedMediaType: lambda: exceptions.UnsupportedMediaType(request.content_type),
        exceptions.Throttled: lambda: exceptions.Throttled(wait=exc.wait),
    }.get(type(exc))
    if rebuild is not None and request is not None:
        out = {}
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                out[lang] = str(rebuild().detail)
        return out
    text = str(exc.detail)
    ids = _msgids()
    msgid = ids.get(text, text)
    if msgid == text and text not in _known_msgids():
        # Not a message we can translate: keep it where its script belongs and give the
        # class's own message in the other language.
        default = bilingual(exc.default_detail)
        if any("\u4e00" <= ch <= "\u9fff" for ch in text):
            return {"zh-hans": text, "en": default["en"]}
        return {"zh-hans": default["zh-hans"], "en": text}
    return bilingual(_(msgid))


def exception_handler(exc, context):
    # Imported here: rest_framework.views reads DEFAULT_PARSER_CLASSES (this module) on import.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DomainError):
        fields = {k: [str(m) for m in v] for k, v in exc.fields.items()} if exc.fields else None
        response = Response(error_body(exc.code, exc.message, fields), status=exc.status_code)
        for header, value in getattr(exc, "headers", {}).items():
            response[header] = value
        return response
    if isinstance(exc, Http404):
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
        response.data = {"code": codes if isinstance(codes, str) else "error", "detail": str(exc.detail),
                         "messages": _drf_messages(exc, context)}
    return response


def json_error_for_api(request, status: int, code: str, message):
    return JsonResponse(error_body(code, message), status=status)

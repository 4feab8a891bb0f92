"""Property-based API fuzzing: bad input gets a 4xx, never a 5xx.

Schemathesis generates requests, valid (positive) and invalid (negative), from the project's own
OpenAPI schema at /api/schema/ (drf-spectacular), loaded from the Django WSGI application in
process: no server runs. Every generated request runs inside the test's transaction, in a savepoint
rolled back afterwards, authenticated with a real exporter's DRF token; that exporter owns a draft
(with one document), and a share of the requests targets that draft instead of a random id.

Checked for every response:
- no 5xx (schemathesis's `not_a_server_error`), with the server's traceback in the report;
- the status code is documented in the schema, or listed in UNDOCUMENTED below (schema gaps that
  are legitimate answers; delete an entry once the schema documents it);
- documented responses match the schema (content type and body);
- a JSON body that violates the schema is refused (`negative_data_rejection`; JSON only: Django
  reads an unparseable multipart or form body as an empty form, and DRF reads `?page=` as page 1);
- JSON error bodies have the API's one error shape (portal/api.py).

A deterministic companion test sends hand-written malformed PATCHes to a draft.
"""

import json
import os
import re
import traceback
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)

from accounts import services as account_services
from accounts.api import RegisterView, TokenView
from audit.models import AuditEvent
from portal.wsgi import application as django_wsgi
from tests.factories import DRAFT, PASSWORD, make_uscc

pytestmark = pytest.mark.django_db

# Per operation and generation mode; the whole file runs in well under a minute. Hunt longer with
# FUZZ_MAX_EXAMPLES=500 .venv/bin/pytest tests/test_api_fuzz.py
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "25"))

# Legitimate answers the schema does not document yet, per operation (reported to the lead).
UNDOCUMENTED: dict[str, set[int]] = {}
# Any operation with a request body answers 415 to a media type it does not parse.
UNDOCUMENTED_FOR_BODIES = {415}

_SECURITY_PARAMETERS = {"Authorization", "sessionid"}
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _wsgi_app(environ, start_response):
    """Django's WSGI handler without the per-request connection clean-up, which would close the
    connection holding the test's transaction (Django's own test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = django_wsgi(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/", _wsgi_app)
# The schema and its documentation pages are not in the schema; make sure it stays that way.
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
OPERATIONS = [op for op in OPERATIONS if op.path not in ("/api/schema/", "/api/docs/", "/api/redoc/")]


def _negatable(operation, *, besides_path=False):
    """Negative generation needs something other than credentials to break."""
    skip = {"path"} if besides_path else set()
    params = [p for p in operation.iter_parameters()
              if p.name not in _SECURITY_PARAMETERS and p.location.value not in skip]
    return bool(params) or bool(operation.body)


CASES = [pytest.param(op, mode, id=f"{op.label} [{mode.value}]")
         for op in OPERATIONS
         for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if mode is GenerationMode.POSITIVE or _negatable(op)]


class ServerError(AssertionError):
    pass


class UndocumentedStatus(AssertionError):
    pass


class SchemaViolation(AssertionError):
    pass


class BadErrorShape(AssertionError):
    pass


def error_shape_problems(body) -> list[str]:
    """What is wrong with an API error body ({"code", "detail", "messages": {"zh-hans", "en"}})."""
    if not isinstance(body, dict):
        return [f"error body is not a JSON object: {body!r:.200}"]
    problems = [f"missing {key!r}" for key in ("code", "detail", "messages") if key not in body]
    messages = body.get("messages")
    if not isinstance(messages, dict) or not all(isinstance(messages.get(lang), str) and messages[lang]
                                                 for lang in ("zh-hans", "en")):
        problems.append(f"messages must hold zh-hans and en texts: {messages!r:.300}")
    texts = [body.get("detail")] + (list(messages.values()) if isinstance(messages, dict) else [])
    for text in texts:
        if isinstance(text, str) and _PLACEHOLDER.search(text):
            problems.append(f"unformatted placeholder in {text!r}")
    # "ErrorDetail(string='...', code=...)" is what str() of a nested DRF error gives; a field
    # that merely echoes the client's input (the fuzzer sends such strings too) carries no code=.
    if re.search(r"ErrorDetail\(string='.*', code=", json.dumps(body.get("fields", {}), ensure_ascii=False)):
        problems.append(f"Python repr in fields: {body['fields']!r:.300}")
    return problems


@pytest.fixture
def fuzz(actors, case_factory, monkeypatch):
    """The owner's draft (with its document), tokens, and a real open invitation."""
    # The anonymous endpoints' rate limit would only turn fuzzing into 429s.
    monkeypatch.setattr(TokenView, "throttle_classes", [])
    monkeypatch.setattr(RegisterView, "throttle_classes", [])
    draft = case_factory("draft")
    invitation = account_services.invitation_create(actor=actors.colleague, email="invitee@example.com")
    crashes = []

    def record_crash(sender, **kwargs):
        crashes.append(traceback.format_exc())

    got_request_exception.connect(record_crash, weak=False)
    yield SimpleNamespace(
        draft=draft, document=draft.documents.get(), invitation=invitation, crashes=crashes,
        owner=_token_header(actors.owner), username=actors.owner.username,
        # Inviting is for exporter administrators; as staff every request would stop at the 403.
        admin=_token_header(actors.colleague),
    )
    got_request_exception.disconnect(record_crash)


def _token_header(user):
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


def _realistic_fields(fuzz):
    """Body fields random data almost never gets right, so the code behind them runs too."""
    return {
        "POST /api/exporters/register/": {"uscc": make_uscc(9999), "province": "31",
                                          "password": "Fuzz-password-2026"},
        "POST /api/auth/token/": {"username": fuzz.username, "password": PASSWORD},
        "POST /api/invitations/{token}/accept/": {"password": "Fuzz-password-2026"},
    }


def _strategy(operation, mode, fuzz):
    """Random path parameters, or (a share of the examples) the real draft, document, invitation;
    in positive mode also, for a share, realistic values for fields random data rarely gets right."""
    names = {p.name for p in operation.path_parameters}
    real = {name: value for name, value in {
        "id": fuzz.draft.pk, "document_id": fuzz.document.pk, "token": fuzz.invitation.token,
    }.items() if name in names}
    strategies = [operation.as_strategy(mode)]
    if real and (mode is GenerationMode.POSITIVE or _negatable(operation, besides_path=True)):
        strategies.append(operation.as_strategy(mode, path_parameters=real))
    fields = _realistic_fields(fuzz).get(operation.label)
    if fields and mode is GenerationMode.POSITIVE:
        strategies.append(operation.as_strategy(mode, path_parameters=real or None)
                          .map(lambda case: _with_fields(case, fields)))
    return st.one_of(strategies)


def _with_fields(case, fields):
    if isinstance(case.body, dict):
        case.body.update(fields)
    return case


@contextmanager
def _rolled_back():
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


@pytest.mark.parametrize("operation,mode", CASES)
def test_generated_requests_get_no_server_error_and_match_the_schema(operation, mode, fuzz):
    headers = fuzz.admin if operation.label == "POST /api/invitations/" else fuzz.owner

    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    @given(case=_strategy(operation, mode, fuzz))
    def check(case):
        with _rolled_back():
            fuzz.crashes.clear()
            response = case.call(headers=headers)
            status = response.status_code
            curl = case.as_curl_command(headers=headers)
            try:
                case.validate_response(response, checks=[not_a_server_error], headers=headers)
            except FailureGroup as exc:
                raise ServerError(f"{exc}\nServer traceback:\n{''.join(fuzz.crashes)}") from None

            documented = operation.definition.raw["responses"]
            allowed = UNDOCUMENTED.get(operation.label, set())
            if operation.body:
                allowed = allowed | UNDOCUMENTED_FOR_BODIES
            if str(status) not in documented and "default" not in documented and status not in allowed:
                raise UndocumentedStatus(f"{operation.label} answered {status}, which the schema does not "
                                         f"document ({sorted(documented)}).\n{curl}\n{response.text[:500]}")

            checks = [content_type_conformance, response_schema_conformance]
            # A stale If-Match is refused with 412 before the body is read (RFC 9110 §13.2.2: the
            # precondition comes first); the invalid body was refused with it, changing nothing.
            if case.media_type == "application/json" and status != 412:
                checks.append(negative_data_rejection)
            try:
                case.validate_response(response, checks=checks, headers=headers)
            except FailureGroup as exc:
                raise SchemaViolation(str(exc)) from None

            if 400 <= status < 500 and response.headers.get("content-type", [""])[0].startswith(
                    "application/json"):
                problems = error_shape_problems(response.json())
                if problems:
                    raise BadErrorShape(f"{status}: {'; '.join(problems)}\n{curl}\n{response.text[:500]}")

    check()


# ------------------------------------------------------------------ hand-written malformed input

_PARTY = DRAFT["importer"]
_ITEM = DRAFT["item"]
_NOT_TEXT = [True, [], {}, None, ["a"], {"a": "b"}]
_NOT_OBJECT = [True, 5, "Magnetec", [], [_PARTY]]


def _wrong_types():
    """Every field of PATCH /api/applications/{id}/ with values of the wrong JSON type."""
    for field in ("destination", "end_use"):
        for value in _NOT_TEXT + [12.5]:
            yield f"{field}={value!r}", {field: value}
    for field in ("importer", "end_user"):
        for value in _NOT_OBJECT + [{}]:
            yield f"{field}={value!r}", {field: value}
        for sub in ("name", "address", "country", "contact"):
            for value in _NOT_TEXT:
                yield f"{field}.{sub}={value!r}", {field: {**_PARTY, sub: value}}
    for value in _NOT_OBJECT + [{}, [_ITEM]]:
        yield f"item={value!r}", {"item": value}
    for sub in ("control_code", "description", "unit"):
        for value in _NOT_TEXT:
            yield f"item.{sub}={value!r}", {"item": {**_ITEM, sub: value}}
    for sub in ("quantity", "value_rmb"):
        for value in ["abc", True, [], {}, None, "NaN", "Infinity", "1e400", [1]]:
            yield f"item.{sub}={value!r}", {"item": {**_ITEM, sub: value}}
    for value in ["abc", True, 1.5, [], {}, None, 0, -1, [1]]:
        yield f"version={value!r}", {"version": value}


def _malformed_bodies():
    """(name, raw body) pairs, all sent as application/json."""
    for name, payload in _wrong_types():
        yield f"wrong type: {name}", json.dumps(payload).encode()
    yield "not JSON", b"{not json"
    yield "XML", b"<application><end_use>x</end_use></application>"
    yield "form-encoded", b"end_use=x&destination=DE"
    yield "truncated JSON", b'{"end_use": "abc'
    yield "invalid UTF-8", b'{"end_use": "\xff\xfe"}'
    yield "NaN literal", b'{"version": NaN}'
    yield "JSON array", b"[]"
    yield "JSON string", b'"end_use"'
    yield "JSON null", b"null"
    yield "JSON number", b"42"
    yield "huge string (over the field limit)", json.dumps({"end_use": "x" * 2001}).encode()
    yield "huge string (1 MB)", json.dumps({"end_use": "界" * 300_000}, ensure_ascii=False).encode()
    yield "huge string (3 MB, over the request limit)", json.dumps({"end_use": "x" * 3_000_000}).encode()
    yield "huge number", b'{"version": 1' + b"0" * 5000 + b"}"
    yield "nested garbage", json.dumps({"importer": {"name": {"a": [1, {"b": [None, {}]}]},
                                                     "address": [[[]]], "country": {"DE": True}}}).encode()
    yield "item list of lists", json.dumps({"item": [[[[_ITEM]]]]}).encode()
    yield "deeply nested arrays", b'{"end_use": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    yield "deeply nested objects", b'{"end_use": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"}"
    yield "unicode destination", json.dumps({"destination": "德国"}, ensure_ascii=False).encode()
    yield "fullwidth destination", json.dumps({"destination": "ＤＥ"}, ensure_ascii=False).encode()
    yield "emoji country", json.dumps({"importer": {**_PARTY, "country": "🇩🇪"}}, ensure_ascii=False).encode()
    yield "lone surrogate", b'{"end_use": "\\ud800"}'
    yield "null byte in end_use", json.dumps({"end_use": "Research\x00"}).encode()
    yield "null byte in importer name", json.dumps({"importer": {**_PARTY, "name": "\x00"}}).encode()
    yield "null byte in control code", json.dumps({"item": {**_ITEM, "control_code": "1C902\x00a"}}).encode()
    yield "null byte in field name", json.dumps({"end_use\x00": "x", "destination": "XX"}).encode()


def test_malformed_patches_are_refused_with_the_error_shape_and_change_nothing(actors, case_factory):
    draft = case_factory("draft")
    version, events = draft.version, AuditEvent.objects.count()
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(actors.owner)

    wrong = []
    for name, body in _malformed_bodies():
        resp = client.generic("PATCH", f"/api/applications/{draft.pk}/", body,
                              content_type="application/json", HTTP_ACCEPT_LANGUAGE="en",
                              HTTP_IF_MATCH=f'"{version}"')  # the version named, so the body is what is judged
        draft.refresh_from_db()
        if draft.version != version:
            wrong.append(f"{name}: changed the draft (version {version} -> {draft.version})")
            version = draft.version
        if resp.status_code >= 500:
            crash = "".join(traceback.format_exception(*resp.exc_info, limit=-6)) if resp.exc_info else ""
            wrong.append(f"{name}: {resp.status_code}\n{crash}")
            continue
        if resp.status_code != 400:
            wrong.append(f"{name}: {resp.status_code} {resp.content[:300]!r}")
            continue
        if not resp["Content-Type"].startswith("application/json"):
            wrong.append(f"{name}: 400 but {resp['Content-Type']}, not the JSON error shape")
            continue
        problems = error_shape_problems(resp.json())
        if problems:
            wrong.append(f"{name}: {'; '.join(problems)}")

    wrong.sort(key=lambda line: "Python repr" in line)  # server errors and wrong statuses first
    assert not wrong, f"{len(wrong)} malformed requests were not a clean 400:\n" + "\n".join(wrong)
    assert AuditEvent.objects.count() == events

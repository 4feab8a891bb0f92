"""The customs API's verify endpoint and its token authentication (licensing/customs): what customs
learns about a licence, how unknown, malformed and unusable licences are answered, the constant
query count, and who may call it. The helpers here are shared by the other test_customs_* files."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from licensing.customs import tokens
from licensing.licences import lifecycle
from licensing.licences.services import licence_issue, licence_number
from licensing.models import (
    Counter,
    CustomsScope,
    Licence,
    LicenceEventKind,
    LicenceItem,
    LicenceStatus,
)
from tests.conftest import make_case
from tests.factories import UserFactory, authority

pytestmark = pytest.mark.django_db

ALL_SCOPES = tuple(CustomsScope.values)


def sysadmin():
    return UserFactory(organisation=authority("OPERATOR"), role=Role.SYSTEM_ADMIN)


def customs_system(code="sh-clearance", scopes=ALL_SCOPES, admin=None):
    """A customs system with one token: (system, APIClient sending it, token row)."""
    admin = admin or sysadmin()
    system = tokens.system_create(actor=admin, code=code, name=f"{code} system")
    token, plain = tokens.token_create(actor=admin, system_id=system.pk, scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Customs {plain}", HTTP_ACCEPT_LANGUAGE="en")
    return system, client, token


def make_licence(actors, *, quantity="10", tolerance="0", port="2200", one_port=True, one_shipment=False,
                 status=LicenceStatus.ISSUED, valid_from=None, valid_until=None, items=None) -> Licence:
    """A licence on a fresh draft case, written directly (no PDF): fast, for the rules' tests."""
    app = make_case(actors, "draft")
    today = timezone.localdate()
    with transaction.atomic():
        licence = Licence.objects.create(
            application=app, number=licence_number(today.year, Counter.objects.next_value("licence", today.year)),
            exporter_id=app.exporter_id, export_port_id=port, one_port=one_port, one_shipment=one_shipment,
            issued_at=timezone.now(), valid_from=valid_from or today,
            valid_until=valid_until or today + timedelta(days=364), pdf=b"%PDF-", sha256="0" * 64, status=status)
        items = items or [{"control_code": "1C902.a", "hs_code": "8505111000", "customs_unit_id": "035",
                           "unit": "kg", "quantity": quantity, "tolerance_percent": tolerance}]
        for n, item in enumerate(items, start=1):
            LicenceItem.objects.create(licence=licence, line=n, description="Samarium-cobalt alloy",
                                       value_rmb="100000", **item)
        lifecycle.record_event(licence, LicenceEventKind.ISSUED)
    return licence


def issued_licence(case_factory) -> Licence:
    """A licence issued the real way, from an approved case (PDF, items, snapshot)."""
    app = case_factory("approved")
    return licence_issue(application_id=app.pk)


def url(number):
    return f"/api/customs/licences/{number}/"


def test_verify_gives_what_customs_checks(actors, case_factory):
    licence = issued_licence(case_factory)
    _system, client, _token = customs_system()
    response = client.get(url(licence.number))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == licence.number and body["status"] == "issued"
    assert body["usable"] is True and body["reason"] == ""
    assert body["exporter"]["credit_code"] == licence.exporter.code
    assert body["destination"] == "DE"
    assert body["end_user_name"] == "Motorenwerk München GmbH"
    assert body["valid_until"] == licence.valid_until.isoformat()
    [item] = body["items"]
    assert item["control_code"] == "1C902.a" and item["unit"] == "035"
    assert item["licensed_quantity"] == "25.000" and item["used_quantity"] == "0.000"
    assert item["remaining_quantity"] == "25.000"


def test_verify_answers_in_a_constant_number_of_queries(actors):
    _system, client, _token = customs_system()
    small = make_licence(actors)
    many = make_licence(actors, items=[{"control_code": f"1C902.{c}", "hs_code": "", "customs_unit_id": "035",
                                        "unit": "kg", "quantity": "5"} for c in "abcdef"])
    client.get(url(small.number))  # last_used_at is written on the first call only
    counts = []
    for licence in (small, many):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(licence.number)).status_code == 200
        counts.append(len(ctx.captured_queries))
    # One for the token, one for the licence's items joined to the licence, exporter, case and port.
    assert counts == [2, 2], counts
    assert not any('"pdf"' in q["sql"] for q in ctx.captured_queries)


def test_unknown_and_malformed_numbers_are_404_json_with_stable_codes(actors):
    _system, client, _token = customs_system()
    licence = make_licence(actors)
    malformed = licence.number[:-1] + ("A" if licence.number[-1] != "A" else "B")
    unknown = licence_number(timezone.localdate().year, 999999)
    for number, code in ((malformed, "licence_number_malformed"), (unknown, "licence_unknown"),
                         ("x" * 60, "licence_number_malformed"), ("中文", "licence_number_malformed")):
        response = client.get(url(number))
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert response.json()["code"] == code and set(response.json()["messages"]) == {"zh-hans", "en"}


@pytest.mark.parametrize(("status", "shift", "reason"), [
    (LicenceStatus.SUSPENDED, 0, "suspended"), (LicenceStatus.REVOKED, 0, "revoked"),
    (LicenceStatus.EXPIRED, 0, "expired"), (LicenceStatus.ISSUED, -400, "expired"),
    (LicenceStatus.EXHAUSTED, 0, "exhausted"), (LicenceStatus.ISSUED, 10, "not_yet_valid"),
])
def test_a_licence_that_cannot_be_used_is_answered_200_with_the_reason(actors, status, shift, reason):
    today = timezone.localdate()
    licence = make_licence(actors, status=status, valid_from=today + timedelta(days=shift),
                           valid_until=today + timedelta(days=shift + (20 if shift >= 0 else 30)))
    _system, client, _token = customs_system()
    body = client.get(url(licence.number)).json()
    assert body["status"] == status and body["usable"] is False and body["reason"] == reason


def test_lower_case_number_is_found(actors):
    licence = make_licence(actors)
    _system, client, _token = customs_system()
    assert client.get(url(licence.number.lower())).json()["number"] == licence.number


# ---------------------------------------------------------------- authentication


def test_no_token_bad_token_revoked_token(actors):
    licence = make_licence(actors)
    system, client, token = customs_system()
    anonymous = APIClient()
    response = anonymous.get(url(licence.number))
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Customs")
    prefix = token.prefix
    for header in (f"Customs {prefix}.wrong", "Customs nodot", f"Customs {prefix}.", "Customs a b",
                   "Customs unknownprefix.secret"):
        bad = APIClient()
        bad.credentials(HTTP_AUTHORIZATION=header)
        response = bad.get(url(licence.number))
        assert response.status_code == 401 and response.json()["code"] == "token_invalid", header
    tokens.token_revoke(actor=sysadmin(), token_id=token.pk)
    response = client.get(url(licence.number))
    assert response.status_code == 401 and response.json()["code"] == "token_revoked"
    assert response.json()["messages"]["en"] == "This customs API token has been revoked."


def test_a_switched_off_system_is_refused(actors):
    licence = make_licence(actors)
    system, client, _token = customs_system()
    system.active = False
    system.save()
    assert client.get(url(licence.number)).json()["code"] == "token_revoked"


def test_scope_is_checked(actors):
    licence = make_licence(actors)
    _system, client, _token = customs_system(scopes=[CustomsScope.FEED])
    response = client.get(url(licence.number))
    assert response.status_code == 403 and response.json()["code"] == "scope_missing"
    assert client.get("/api/customs/events/").status_code == 200


def test_last_used_is_written_at_most_once_a_minute(actors):
    licence = make_licence(actors)
    _system, client, token = customs_system()
    client.get(url(licence.number))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get(url(licence.number))
    token.refresh_from_db()
    assert token.last_used_at == first
    type(token).objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get(url(licence.number))
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=2)


def test_people_cannot_use_the_customs_api_with_their_session_or_token(actors):
    licence = make_licence(actors)
    for user in (actors.owner, actors.ministry, actors.customs, sysadmin()):
        client = APIClient()
        client.force_login(user)
        response = client.get(url(licence.number))
        assert response.status_code == 403 and response.json()["code"] == "customs_token_required", user.role


def test_every_customs_endpoint_refuses_people_and_missing_scopes(actors):
    licence = make_licence(actors)
    calls = [("get", url(licence.number), "verify"), ("post", "/api/customs/write-offs/", "write_off"),
             ("post", "/api/customs/write-offs/D1/1/reverse/", "write_off"), ("get", "/api/customs/events/", "feed"),
             ("post", "/api/customs/challenges/", "challenge"), ("get", "/api/customs/challenges/ZY1/", "challenge")]
    people = [getattr(actors, name) for name in ("owner", "colleague", "outsider", "province", "ministry", "senior",
                                                 "agency", "customs")] + [sysadmin()]
    for user in people:
        client = APIClient()
        client.force_login(user)
        for method, path, _scope in calls:
            response = getattr(client, method)(path, {}, format="json") if method == "post" else client.get(path)
            assert response.status_code == 403, (user.role, path)
            assert response.json()["code"] in ("customs_token_required", "not_authenticated"), (user.role, path)
    for scope in ALL_SCOPES:
        _system, client, _token = customs_system(code=f"only-{scope}".replace("_", "-"), scopes=[scope])
        for method, path, needed in calls:
            response = getattr(client, method)(path, {}, format="json") if method == "post" else client.get(path)
            if needed == scope:
                assert response.status_code != 403, (scope, path)
            else:
                assert response.status_code == 403 and response.json()["code"] == "scope_missing", (scope, path)


def test_throttled_per_system(actors, monkeypatch):
    from django.core.cache import cache

    from licensing.customs.auth import CustomsSystemThrottle

    licence = make_licence(actors)
    monkeypatch.setattr(CustomsSystemThrottle, "THROTTLE_RATES", {"customs": "2/minute"})
    clock = [6000.0]  # a fixed window: the three calls fall into one minute
    monkeypatch.setattr(CustomsSystemThrottle, "timer", lambda self: clock[0])
    cache.clear()
    try:
        _system, client, _token = customs_system()
        _other, other_client, _t = customs_system(code="gz-clearance")
        assert [client.get(url(licence.number)).status_code for _ in range(3)] == [200, 200, 429]
        assert other_client.get(url(licence.number)).status_code == 200  # counted per system
        refused = client.get(url(licence.number))
        assert refused.json()["code"] == "throttled" and refused["Retry-After"] == "60"
        clock[0] += 60  # the next minute
        assert client.get(url(licence.number)).status_code == 200
    finally:
        cache.clear()


# ---------------------------------------------------------------- schemathesis over the customs endpoints


@pytest.fixture
def customs_fuzz(actors, monkeypatch):
    """A licence with a write-off, a challenge, a system with an all-scope token; the generated
    requests run in the test's transaction (rolled back each time), as in tests/test_api_fuzz.py."""
    from rest_framework.authtoken.models import Token

    from licensing.customs import challenges, services
    from licensing.customs.auth import CustomsSystemThrottle

    monkeypatch.setattr(CustomsSystemThrottle, "THROTTLE_RATES", {"customs": "1000000/minute"})
    licence = make_licence(actors, one_port=False)
    system, _client, token = customs_system()
    _row, plain = tokens.token_create(actor=sysadmin(), system_id=system.pk, scopes=list(ALL_SCOPES))
    services.write_off_record(shipment=services.shipment(
        declaration_number="FUZZ1", line=1, licence_number=licence.number, item_line=1, quantity="1", unit="035",
        value_rmb="1", shipped_on=timezone.localdate(), port="2200"), system=system)
    challenge, _created = challenges.challenge_raise(system=system, external_id="fuzz", goods="Pumps", reason="2B350",
                                                     exporter_code=actors.owner.organisation.code)
    admin_token, _ = Token.objects.get_or_create(user=sysadmin())
    return {"customs": {"Authorization": f"Customs {plain}"}, "admin": {"Authorization": f"Token {admin_token.key}"},
            "real": {"number": licence.number, "declaration": "FUZZ1", "line": 1, "reference": challenge.reference,
                     "id": system.pk}}


def _customs_operations():
    from tests import test_api_fuzz as fuzz

    return [op for op in fuzz.OPERATIONS if op.path.startswith("/api/customs/")]


@pytest.mark.parametrize("operation", _customs_operations(), ids=lambda op: op.label)
def test_schemathesis_over_the_customs_endpoints(operation, customs_fuzz):
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
    )

    from tests import test_api_fuzz as fuzz

    admin = "/systems" in operation.path or "/tokens/" in operation.path
    headers = customs_fuzz["admin" if admin else "customs"]
    names = {p.name for p in operation.path_parameters}
    real = {k: v for k, v in customs_fuzz["real"].items() if k in names}
    strategies = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    if real:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real))

    @settings(max_examples=fuzz.MAX_EXAMPLES, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(strategies))
    def check(case):
        with fuzz._rolled_back():
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error], headers=headers)
            status = response.status_code
            documented = operation.definition.raw["responses"]
            assert str(status) in documented or status == 415, (operation.label, status, response.text[:300])
            if status < 300 or str(status) in documented:
                case.validate_response(response, checks=[content_type_conformance, response_schema_conformance],
                                       headers=headers)
            if 400 <= status < 500:
                assert not fuzz.error_shape_problems(response.json()), response.text[:300]

    check()

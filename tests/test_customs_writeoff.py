"""Write-offs (核销) and their reversal through the customs API: idempotency on (declaration, line),
conflicts, over-draw, exhaustion on the last draw-down and reopening on reversal, units, validity,
port and shipment rules, tolerance, bad input with nothing written; and, on PostgreSQL, 50 threads
drawing on one licence at once."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from licensing.customs import services
from licensing.licences import services as licences
from licensing.models import LicenceEvent, LicenceItem, LicenceStatus, WriteOff
from tests.test_customs_api import customs_system, make_licence

pytestmark = pytest.mark.django_db

WRITE_OFFS = "/api/customs/write-offs/"


def message(licence, **changes):
    body = {"declaration_number": "220120261000000001", "line": 1, "licence_number": licence.number,
            "item_line": 1, "quantity": "4", "unit": "035", "value_rmb": "40000.00",
            "shipped_on": timezone.localdate().isoformat(), "port": "2200"}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def post(client, body):
    return client.post(WRITE_OFFS, body, format="json")


def used(licence):
    return LicenceItem.objects.get(licence=licence, line=1).used_quantity


def nothing_written(licence, before_audit):
    return (not WriteOff.objects.filter(licence=licence).exists() and used(licence) == 0
            and AuditEvent.objects.count() == before_audit)


def test_write_off_draws_and_a_replay_counts_once(actors):
    licence = make_licence(actors)
    _system, client, _token = customs_system()
    first = post(client, message(licence))
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["replayed"] is False and body["item_used_quantity"] == "4.000"
    assert body["item_remaining_quantity"] == "6.000" and body["licence_status"] == "issued"
    again = post(client, message(licence, quantity="4.000"))  # the same message, written differently
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert {k: v for k, v in again.json().items() if k != "replayed"} == \
           {k: v for k, v in body.items() if k != "replayed"}
    assert used(licence) == Decimal(4) and WriteOff.objects.count() == 1
    assert AuditEvent.objects.filter(action="customs.write_off").count() == 1
    licence.refresh_from_db()
    assert licence.shipment_declaration == "220120261000000001"


def test_a_different_message_with_the_same_key_is_a_conflict(actors):
    licence = make_licence(actors)
    system, client, _token = customs_system()
    post(client, message(licence))
    response = post(client, message(licence, quantity="5"))
    assert response.status_code == 409 and response.json()["code"] == "write_off_conflict"
    _other, other_client, _t = customs_system(code="other-system")
    assert post(other_client, message(licence)).json()["code"] == "write_off_conflict"  # another sender
    assert used(licence) == Decimal(4)


def test_over_draw_is_refused_with_the_quantity_left(actors):
    licence = make_licence(actors)
    _system, client, _token = customs_system()
    post(client, message(licence, quantity="7"))
    before = AuditEvent.objects.count()
    response = post(client, message(licence, line=2, quantity="3.5"))
    assert response.status_code == 409
    assert response.json()["code"] == "over_draw" and response.json()["remaining_quantity"] == "3.000"
    assert used(licence) == Decimal(7) and AuditEvent.objects.count() == before


def test_the_last_draw_down_exhausts_the_licence_and_a_reversal_reopens_it(actors):
    licence = make_licence(actors)
    _system, client, _token = customs_system()
    post(client, message(licence, quantity="6"))
    response = post(client, message(licence, line=2, quantity="4"))
    assert response.status_code == 201 and response.json()["licence_status"] == "exhausted"
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.EXHAUSTED
    assert LicenceEvent.objects.filter(licence=licence, kind="exhausted").count() == 1
    refused = post(client, message(licence, line=3, quantity="1"))
    assert refused.json()["code"] == "licence_not_valid" and refused.json()["licence_status"] == "exhausted"
    reverse = client.post("/api/customs/write-offs/220120261000000001/2/reverse/", {"reason": "withdrawn"},
                          format="json")
    assert reverse.status_code == 200, reverse.content
    assert reverse.json()["reversed"] is True and reverse.json()["licence_status"] == "issued"
    assert reverse.json()["item_used_quantity"] == "6.000"
    again = client.post("/api/customs/write-offs/220120261000000001/2/reverse/", {}, format="json")
    assert again.status_code == 200 and again.json()["replayed"] is True and used(licence) == Decimal(6)
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ISSUED
    assert LicenceEvent.objects.filter(licence=licence, kind="reopened").count() == 1
    assert AuditEvent.objects.filter(action="customs.write_off_reverse").count() == 1


def test_reversal_only_by_the_system_that_wrote_it(actors):
    licence = make_licence(actors)
    _system, client, _token = customs_system()
    _other, other_client, _t = customs_system(code="other-system")
    post(client, message(licence))
    path = "/api/customs/write-offs/220120261000000001/1/reverse/"
    response = other_client.post(path, {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_your_write_off"
    assert used(licence) == Decimal(4)
    response = client.post("/api/customs/write-offs/nosuch/1/reverse/", {}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "write_off_unknown"
    officer_done = services.write_off_record(
        shipment=services.shipment(**{**message(licence, declaration_number="HAND1", quantity="1"),
                                      "shipped_on": timezone.localdate()}), officer=actors.customs)
    assert officer_done.write_off.system_id is None
    assert client.post("/api/customs/write-offs/HAND1/1/reverse/", {}, format="json").status_code == 403


def test_unit_must_be_the_items(actors):
    licence = make_licence(actors)
    _system, client, _token = customs_system()
    before = AuditEvent.objects.count()
    response = post(client, message(licence, unit="个"))
    assert response.status_code == 400 and response.json()["code"] == "unit_mismatch"
    assert response.json()["unit"] == "035" and nothing_written(licence, before)
    assert post(client, message(licence, unit="KG")).status_code == 201  # the unit as written also counts


@pytest.mark.parametrize("status", [LicenceStatus.SUSPENDED, LicenceStatus.REVOKED, LicenceStatus.EXPIRED])
def test_write_off_on_a_licence_that_is_not_valid(actors, status):
    licence = make_licence(actors, status=status)
    _system, client, _token = customs_system()
    before = AuditEvent.objects.count()
    response = post(client, message(licence))
    assert response.status_code == 409 and response.json()["code"] == "licence_not_valid"
    assert response.json()["licence_status"] == status and nothing_written(licence, before)


def test_write_off_after_the_last_valid_day_before_beat_has_run(actors):
    today = timezone.localdate()
    licence = make_licence(actors, valid_from=today - timedelta(days=30), valid_until=today - timedelta(days=1))
    _system, client, _token = customs_system()
    response = post(client, message(licence, shipped_on=(today - timedelta(days=2)).isoformat()))
    assert response.status_code == 409 and response.json()["reason"] == "expired"
    assert response.json()["licence_status"] == "issued"


def test_write_off_on_a_suspended_licence_after_the_ministry_suspends(actors):
    licence = make_licence(actors)
    licences.licence_suspend(actor=actors.ministry, licence_id=licence.pk, reason="investigation")
    _system, client, _token = customs_system()
    body = post(client, message(licence)).json()
    assert body["licence_status"] == "suspended" and body["reason"] == "suspended"
    assert body["messages"]["en"] == "The licence is not valid for use (Suspended)."


def test_wrong_port_names_the_licences_port(actors):
    licence = make_licence(actors, port="2200", one_port=True)
    _system, client, _token = customs_system()
    response = post(client, message(licence, port="5300"))
    assert response.status_code == 409 and response.json()["code"] == "wrong_port"
    assert response.json()["licence_port"] == "2200"
    free = make_licence(actors, port="2200", one_port=False)
    assert post(client, message(free, declaration_number="D2", port="5300")).status_code == 201


def test_one_shipment_refuses_a_second_declaration(actors):
    licence = make_licence(actors, one_shipment=True)
    _system, client, _token = customs_system()
    assert post(client, message(licence, quantity="2")).status_code == 201
    assert post(client, message(licence, line=2, quantity="2")).status_code == 201  # same declaration, line 2
    response = post(client, message(licence, declaration_number="OTHERDECL", quantity="2"))
    assert response.status_code == 409 and response.json()["code"] == "shipment_used"
    assert response.json()["shipment_declaration"] == "220120261000000001"
    for line in (1, 2):  # the declaration withdrawn: the licence serves another shipment
        client.post(f"/api/customs/write-offs/220120261000000001/{line}/reverse/", {}, format="json")
    assert post(client, message(licence, declaration_number="OTHERDECL", quantity="2")).status_code == 201


@pytest.mark.parametrize("tolerance, limit, over", [("2.5", "102.5", "102.501"), ("5", "105", "105.001")])
def test_tolerance_allows_a_small_over_shipment_to_the_exact_limit(actors, tolerance, limit, over):
    # A whole-number tolerance and the exact limit: the database's check multiplies out instead
    # of dividing (SQLite would divide integers, 5 / 100 == 0, and round floats).
    licence = make_licence(actors, quantity="100", tolerance=tolerance)
    _system, client, _token = customs_system()
    response = post(client, message(licence, quantity=limit))
    assert response.status_code == 201 and response.json()["licence_status"] == "exhausted"
    assert LicenceItem.objects.get(licence=licence).used_quantity == Decimal(limit)
    other = make_licence(actors, quantity="100", tolerance=tolerance)
    response = post(client, message(other, declaration_number="D9", quantity=over))
    assert response.json()["code"] == "over_draw"
    assert Decimal(response.json()["remaining_quantity"]) == Decimal(limit)


def test_item_by_control_code(actors):
    licence = make_licence(actors)
    _system, client, _token = customs_system()
    body = message(licence, item_line=None, control_code="1c902.A")
    assert post(client, body).status_code == 201
    response = post(client, message(licence, line=2, item_line=None, control_code="9Z999"))
    assert response.status_code == 400 and response.json()["code"] == "item_unknown"


@pytest.mark.parametrize(("changes", "field"), [
    ({"quantity": "0"}, "quantity"), ({"quantity": "-1"}, "quantity"), ({"quantity": "many"}, "quantity"),
    ({"quantity": "1.0001"}, "quantity"), ({"quantity": "NaN"}, "quantity"), ({"value_rmb": "-5"}, "value_rmb"),
    ({"shipped_on": "2026-02-30"}, "shipped_on"), ({"shipped_on": "tomorrow"}, "shipped_on"),
    ({"port": "9999"}, "port"), ({"line": 0}, "line"), ({"declaration_number": "bad decl!"}, "declaration_number"),
    ({"item_line": None}, "item"),
])
def test_bad_input_is_400_with_field_errors_and_nothing_written(actors, changes, field):
    licence = make_licence(actors)
    _system, client, _token = customs_system()
    before = AuditEvent.objects.count()
    response = post(client, message(licence, **changes))
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert nothing_written(licence, before)


def test_future_export_date_is_refused(actors):
    licence = make_licence(actors)
    _system, client, _token = customs_system()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "shipped_on" in post(client, message(licence, shipped_on=tomorrow)).json()["fields"]


def test_unknown_and_malformed_licence_numbers(actors):
    licence = make_licence(actors)
    _system, client, _token = customs_system()
    assert post(client, message(licence, licence_number="2026MC999999A")).json()["code"] in (
        "licence_unknown", "licence_number_malformed")
    assert post(client, message(licence, licence_number=licence.number[:-1] + "#")).status_code == 404


def test_scope_write_off_is_needed(actors):
    licence = make_licence(actors)
    _system, client, _token = customs_system(scopes=["verify"])
    assert post(client, message(licence)).json()["code"] == "scope_missing"
    assert client.post("/api/customs/write-offs/X/1/reverse/", {}, format="json").status_code == 403


# ---------------------------------------------------------------- real concurrency (PostgreSQL)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_threads_drawing_on_one_licence_never_over_draw(actors):
    licence = make_licence(actors, quantity="100", one_port=False)
    system, _client, _token = customs_system()
    barrier = threading.Barrier(50)
    results = [None] * 50

    def draw(i):
        try:
            barrier.wait()
            results[i] = services.write_off_record(shipment=services.shipment(
                declaration_number=f"D{i:04d}", line=1, licence_number=licence.number, item_line=1,
                quantity=Decimal(3), unit="035", value_rmb=Decimal(1), shipped_on=timezone.localdate(),
                port="2200"), system=system)
        except Exception as exc:  # the outcome is what the test inspects
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=draw, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    accepted = [r for r in results if isinstance(r, services.Outcome)]
    refused = [r for r in results if isinstance(r, services.Refused)]
    assert len(accepted) + len(refused) == 50, [r for r in results if not isinstance(r, (services.Outcome,
                                                                                        services.Refused))]
    assert {r.code for r in refused} <= {"over_draw", "licence_not_valid"}
    final = used(licence)
    assert final == sum(r.write_off.quantity for r in accepted) == Decimal(99)  # 33 draws of 3 fit in 100
    assert final <= Decimal(100)
    assert len(accepted) == 33

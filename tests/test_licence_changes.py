"""Changes of an issued licence (Reg. 18): the route split, the 20-working-day clock, approval
issuing a new licence that replaces the old one, and the new-application route."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from licensing.changes import selectors, services, terms
from licensing.licences import services as licences
from licensing.models import Application, Licence, LicenceChange, LicenceEvent, LicenceItem, Status
from notifications.models import Notification
from portal.errors import InvalidTransition, NotAllowed, NotFound, StaleVersion, ValidationFailed
from tests.conftest import decide, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(actors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        app = make_case(actors, "approved")
    return Licence.objects.get(application=app)


def _request(actors, licence, actor=None, **data):
    data = data or {"contract_number": "C-2027-NEW"}
    return services.change_request(actor=actor or actors.owner, licence_id=licence.pk, data=data,
                                   reason="The buyer re-issued the contract / 合同重签")


def _draw(licence, line, quantity):
    """What customs' write-offs leave on a line (the customs area writes it through its own service)."""
    LicenceItem.objects.filter(licence=licence, line=line).update(used_quantity=Decimal(quantity),
                                                                  used_value=Decimal("1000"))


# ---------------------------------------------------------------- the route split


@pytest.mark.parametrize("data", [{"destination": "FR"}, {"end_user": {"name": "Other GmbH"}},
                                  {"end_use": "Military"}, {"items": [{"line": 1, "control_code": "1C902.b"}]}])
def test_a_key_element_is_refused_as_a_change(actors, licence, data):
    with pytest.raises(ValidationFailed) as raised:
        _request(actors, licence, **data)
    assert raised.value.code == "key_element_change" and list(raised.value.fields) == list(data)
    assert not LicenceChange.objects.exists()


def test_a_key_element_change_becomes_a_new_application_that_cancels_the_licence_when_issued(
        actors, licence, django_capture_on_commit_callbacks):
    app, created = services.change_new_application(actor=actors.owner, licence_id=licence.pk)
    assert created and app.status == Status.DRAFT and app.replaces_licence_id == licence.pk
    assert app.destination == licence.application.destination and app.items.count() == 1
    again, created = services.change_new_application(actor=actors.owner, licence_id=licence.pk,
                                                     client_token=None)
    assert created and again.pk != app.pk  # without a token each click is a new draft, as copying is
    from licensing.applications import services as applications
    from tests.factories import pdf_upload

    applications.document_add(application_id=app.pk, actor=actors.owner, kind="end_user_certificate",
                              upload=pdf_upload())
    app.refresh_from_db()
    licence.refresh_from_db()
    assert licence.status == "issued"  # nothing happens until the new licence is issued
    with django_capture_on_commit_callbacks(execute=True):
        applications.application_submit(application_id=app.pk, actor=actors.owner)
        applications.application_forward(application_id=app.pk, actor=actors.province)
        applications.application_accept(application_id=app.pk, actor=actors.ministry)
        from tests.conftest import skip_referrals

        skip_referrals(app.pk, actors.ministry)
        decide(app.pk, actors)
    new = Licence.objects.get(application=app)
    licence.refresh_from_db()
    assert licence.status == "cancelled" and new.replaces_id == licence.pk
    kinds = list(LicenceEvent.objects.filter(licence__in=[licence, new]).order_by("seq")
                 .values_list("licence__number", "kind"))
    assert kinds[-2:] == [(new.number, "issued"), (licence.number, "cancelled")]


def test_other_fields_make_a_change_request(actors, licence, calendar_2027):
    change = _request(actors, licence, contract_number="C-2", consignee_address="Hafenstr. 1, Hamburg",
                      payment_terms="lc", transport_mode="air", remarks="Partial shipments",
                      quantities={"1": "20"})
    assert change.state == "pending"
    assert change.changes["contract_number"]["new"] == "C-2"
    assert change.changes["quantity:1"] == {"old": "25.000", "new": "20"}
    assert change.due_date == services.change_due(timezone.localdate())
    assert AuditEvent.objects.filter(action="licence_change.request").count() == 1
    assert Notification.objects.filter(kind="licence_change.request", recipient=actors.ministry).exists()


def test_a_request_must_change_something_and_only_within_limits(actors, licence):
    for data, code in [({"contract_number": licence.application.contract_number}, "no_change"),
                       ({"quantities": {"1": "26"}}, "quantity_increase"),
                       ({"quantities": {"1": "0"}}, "validation_failed"),
                       ({"quantities": {"9": "1"}}, "validation_failed"),
                       ({"payment_terms": "barter"}, "validation_failed")]:
        with pytest.raises(ValidationFailed) as raised:
            _request(actors, licence, **data)
        assert raised.value.code == code, data


def test_a_smaller_quantity_below_what_is_used_is_refused(actors, licence):
    _draw(licence, 1, "10")
    with pytest.raises(ValidationFailed) as raised:
        _request(actors, licence, quantities={"1": "9.5"})
    assert raised.value.code == "below_used" and "quantities.1" in raised.value.fields
    assert _request(actors, licence, quantities={"1": "10"}).changes["quantity:1"]["new"] == "10"


def test_shipment_until_only_later_and_inside_the_validity_cap(actors, licence):
    cap = licence.valid_until
    assert cap == timezone.localdate(licence.issued_at) + timedelta(days=364)
    with pytest.raises(ValidationFailed) as raised:
        _request(actors, licence, shipment_until=(cap + timedelta(days=1)).isoformat())
    assert raised.value.code == "validity_cap"
    change = _request(actors, licence, shipment_until=cap.isoformat())
    assert change.changes["shipment_until"]["new"] == cap.isoformat()


def test_one_pending_change_per_licence_and_only_for_a_valid_licence(actors, licence):
    _request(actors, licence)
    with pytest.raises(InvalidTransition) as raised:
        _request(actors, licence, contract_number="other")
    assert raised.value.code == "change_pending"
    other = Licence.objects.get(pk=licence.pk)
    licences.licence_suspend(actor=actors.ministry, licence_id=other.pk, reason="check")
    LicenceChange.objects.update(state="withdrawn")
    with pytest.raises(InvalidTransition):
        _request(actors, licence, contract_number="other")


def test_the_same_token_returns_the_same_request(actors, licence):
    kwargs = {"actor": actors.owner, "licence_id": licence.pk, "data": {"contract_number": "X"},
              "reason": "r", "client_token": "0b5e5a4c-4d5e-4a7b-9c1d-2e3f4a5b6c7d"}
    assert services.change_request(**kwargs).pk == services.change_request(**kwargs).pk
    assert LicenceChange.objects.count() == 1


def test_stale_licence_version_is_refused(actors, licence):
    with pytest.raises(StaleVersion):
        services.change_request(actor=actors.owner, licence_id=licence.pk, data={"contract_number": "X"},
                                reason="r", expected_version=licence.version + 1)


@pytest.mark.parametrize("who", ["province", "ministry", "agency", "customs"])
def test_only_the_exporter_asks(actors, licence, who):
    with pytest.raises(NotAllowed):
        _request(actors, licence, actor=getattr(actors, who))


def test_an_outsider_does_not_find_the_licence(actors, licence):
    with pytest.raises(NotFound):
        _request(actors, licence, actor=actors.outsider)
    with pytest.raises(NotFound):
        services.change_new_application(actor=actors.outsider, licence_id=licence.pk)


# ---------------------------------------------------------------- the clock


def test_the_clock_counts_20_working_days_across_national_day():
    # 2026: Sep 25-27 Mid-autumn and Oct 1-7 National Day off, Saturday Oct 10 worked.
    assert services.change_due(date(2026, 9, 24)) == date(2026, 10, 29)


def test_the_clock_of_a_request_shows_due_date_and_days_left(actors, licence):
    change = _request(actors, licence)
    requested = timezone.make_aware(timezone.datetime(2026, 9, 24, 10, 0))
    LicenceChange.objects.filter(pk=change.pk).update(requested_at=requested, due_date=date(2026, 10, 29))
    change.refresh_from_db()
    clock = selectors.change_clock(change, today=date(2026, 9, 30))
    assert (clock.due, clock.days_left, clock.is_overdue, clock.provisional) == (date(2026, 10, 29), 17, False,
                                                                                 False)
    late = selectors.change_clock(change, today=date(2026, 11, 2))
    assert late.is_overdue and late.days_left == -2


def test_without_next_years_calendar_the_due_date_is_provisional(actors, licence):
    change = _request(actors, licence)
    LicenceChange.objects.filter(pk=change.pk).update(
        requested_at=timezone.make_aware(timezone.datetime(2026, 12, 20, 10, 0)), due_date=None)
    change.refresh_from_db()
    clock = selectors.change_clock(change, today=date(2026, 12, 21))
    assert clock.provisional and clock.due.year == 2027 and clock.days_left > 0


# ---------------------------------------------------------------- decisions


def test_approval_issues_a_new_licence_that_replaces_the_old(actors, licence):
    _draw(licence, 1, "5")
    change = _request(actors, licence, contract_number="C-NEW-7", quantities={"1": "20"})
    services.change_decide(actor=actors.ministry, change_id=change.pk, outcome="approve", reason="ok",
                           expected_version=change.version)
    change.refresh_from_db()
    old = Licence.objects.get(pk=licence.pk)
    new = change.new_licence
    assert change.state == "approved" and change.decided_by == actors.ministry
    assert new.number != old.number and licences.licence_number_is_valid(new.number)
    assert new.replaces_id == old.pk and new.status == "issued" and old.status == "cancelled"
    assert new.valid_until == old.valid_until and new.application_id == old.application_id
    item = new.items.get()
    assert (item.quantity, item.used_quantity) == (Decimal("20"), Decimal("5"))
    assert item.value_rmb == Decimal("144000.00")  # 180,000 × 20/25
    assert Application.objects.get(pk=old.application_id).licence == new  # the case's licence in force
    events = list(LicenceEvent.objects.filter(licence__in=[old, new]).order_by("seq")
                  .values_list("licence_id", "kind"))
    assert events[-2:] == [(new.pk, "issued"), (old.pk, "cancelled")]
    assert Notification.objects.filter(kind="licence_change.approve", recipient=actors.owner).exists()
    assert AuditEvent.objects.filter(action="licence_change.approve").exists()
    text = "".join(page.extract_text() for page in PdfReader(__import__("io").BytesIO(bytes(new.pdf))).pages)
    assert "C-NEW-7" in text and old.number in text and new.number in text


def test_a_second_change_keeps_the_first_ones_values(actors, licence):
    first = _request(actors, licence, contract_number="C-1")
    services.change_decide(actor=actors.ministry, change_id=first.pk, outcome="approve")
    first.refresh_from_db()
    second = _request(actors, first.new_licence, remarks="Second")
    assert second.changes == {"remarks": {"old": "", "new": "Second"}}
    services.change_decide(actor=actors.senior, change_id=second.pk, outcome="approve")
    second.refresh_from_db()
    data = terms.pdf_data(second.new_licence)
    assert data["shipment"]["contract_number"] == "C-1" and "Second" in data["conditions"]
    assert terms.validity_cap(second.new_licence) == licence.valid_until


def test_refusal_needs_a_reason_and_leaves_the_licence(actors, licence):
    change = _request(actors, licence)
    with pytest.raises(ValidationFailed):
        services.change_decide(actor=actors.ministry, change_id=change.pk, outcome="refuse", reason=" ")
    services.change_decide(actor=actors.ministry, change_id=change.pk, outcome="refuse", reason="No contract")
    change.refresh_from_db()
    licence.refresh_from_db()
    assert change.state == "refused" and change.decision_reason == "No contract" and change.new_licence is None
    assert licence.status == "issued" and Licence.objects.count() == 1
    assert Notification.objects.filter(kind="licence_change.refuse", recipient=actors.owner).exists()


def test_double_click_is_harmless_and_stale_version_refused(actors, licence):
    change = _request(actors, licence)
    with pytest.raises(StaleVersion):
        services.change_decide(actor=actors.ministry, change_id=change.pk, outcome="approve",
                               expected_version=change.version + 1)
    services.change_decide(actor=actors.ministry, change_id=change.pk, outcome="approve", expected_version=1)
    services.change_decide(actor=actors.ministry, change_id=change.pk, outcome="approve", expected_version=1)
    assert Licence.objects.count() == 2
    with pytest.raises(InvalidTransition):
        services.change_decide(actor=actors.senior, change_id=change.pk, outcome="refuse", reason="late")


def test_withdraw_while_pending(actors, licence):
    change = _request(actors, licence)
    with pytest.raises(NotAllowed):
        services.change_withdraw(actor=actors.ministry, change_id=change.pk)
    with pytest.raises(NotFound):
        services.change_withdraw(actor=actors.outsider, change_id=change.pk)
    services.change_withdraw(actor=actors.colleague, change_id=change.pk, expected_version=1)
    services.change_withdraw(actor=actors.colleague, change_id=change.pk)  # double click
    change.refresh_from_db()
    assert change.state == "withdrawn"
    with pytest.raises(InvalidTransition):
        services.change_decide(actor=actors.ministry, change_id=change.pk, outcome="approve")
    assert _request(actors, licence, contract_number="again").state == "pending"  # a new one may follow


@pytest.mark.parametrize("who", ["owner", "colleague", "province", "agency", "customs"])
def test_only_the_ministry_decides(actors, licence, who):
    change = _request(actors, licence)
    with pytest.raises((NotAllowed, NotFound)):
        services.change_decide(actor=getattr(actors, who), change_id=change.pk, outcome="approve")


def test_approval_refused_when_used_meanwhile_beyond_the_new_quantity(actors, licence):
    change = _request(actors, licence, quantities={"1": "10"})
    _draw(licence, 1, "12")
    with pytest.raises(ValidationFailed) as raised:
        services.change_decide(actor=actors.ministry, change_id=change.pk, outcome="approve")
    assert raised.value.code == "below_used"
    change.refresh_from_db()
    assert change.state == "pending" and Licence.objects.count() == 1


def test_approval_refused_when_the_licence_was_suspended_meanwhile(actors, licence):
    change = _request(actors, licence)
    licences.licence_suspend(actor=actors.ministry, licence_id=licence.pk, reason="check")
    with pytest.raises(InvalidTransition):
        services.change_decide(actor=actors.ministry, change_id=change.pk, outcome="approve")


def test_visibility(actors, licence):
    change = _request(actors, licence)
    for who, sees in [("owner", True), ("colleague", True), ("outsider", False), ("province", False),
                      ("other_province", False), ("ministry", True), ("senior", True), ("agency", False),
                      ("customs", False)]:
        assert (selectors.change_for(getattr(actors, who), change.pk) is not None) is sees, who


def test_a_replacement_application_follows_the_licence_in_force(actors, licence):
    draft, _created = services.change_new_application(actor=actors.owner, licence_id=licence.pk)
    change = _request(actors, licence)
    services.change_decide(actor=actors.ministry, change_id=change.pk, outcome="approve")
    change.refresh_from_db()
    draft.refresh_from_db()
    assert draft.replaces_licence_id == change.new_licence_id  # its issue will cancel the changed licence

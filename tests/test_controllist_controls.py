"""Temporary controls (Law 9, Reg. 12) and prohibitions (Law 10, Reg. 13): the period rules, the
lapse and the review reminder, who may write, bad input, double submission."""

import uuid
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from controllist.controls import services
from controllist.controls.services import add_years
from controllist.models import (
    Entry,
    ListVersion,
    Prohibition,
    TemporaryControl,
    TemporaryControlState,
    VersionState,
)
from outbox.models import OutboxMessage
from portal.errors import InvalidTransition, NotAllowed, StaleVersion, ValidationFailed
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _english(client):
    """The assertions read the English texts (pages default to Chinese)."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield

pytestmark = pytest.mark.django_db

WRITERS = ["ministry", "senior"]
NOT_WRITERS = ["owner", "province", "agency", "customs"]
EVERYONE = WRITERS + NOT_WRITERS + ["outsider", "other_province"]


def today():
    return timezone.localdate()


def control_data(**overrides):
    start = today()
    return {"title_zh": "高纯镓", "title_en": "High-purity gallium", "hs_codes": ["81129240"],
            "destinations": [], "starts_on": start, "ends_on": add_years(start, 2) - timedelta(days=1),
            **overrides}


def make_control(actor, **overrides):
    return services.temporary_control_create(actor=actor, data=control_data(**overrides))


def ban_data(**overrides):
    return {"destination": "KP", "reason_zh": "联合国安理会决议", "reason_en": "UN Security Council resolution",
            "effective_from": today(), **overrides}


def page_as(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def audit_count():
    return AuditEvent.objects.count()


# ---------------------------------------------------------------- the two-year period


def test_add_years_turns_29_february_into_28_february():
    assert add_years(date(2024, 2, 29), 2) == date(2026, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2025, 3, 1), 2) == date(2027, 3, 1)


def test_create_numbers_audits_and_accepts_exactly_two_years(actors):
    start = date(2026, 3, 1)
    control = make_control(actors.ministry, starts_on=start, ends_on=date(2028, 2, 29),
                           destinations=["us", "JP"], control_code="1C999")
    assert control.number == f"LS{today().year}-{control.pk:04d}"
    assert control.destinations == ["US", "JP"] and control.control_code == "1C999"
    event = AuditEvent.objects.get(action="controllist.temporary_control_create")
    assert event.object_id == str(control.pk) and event.actor == actors.ministry


@pytest.mark.parametrize("start,end", [
    (date(2026, 3, 1), date(2028, 3, 1)),     # two years and a day
    (date(2024, 2, 29), date(2026, 2, 28)),   # leap day: two years end on 27 February
    (date(2025, 1, 1), date(2030, 1, 1)),
])
def test_no_period_over_two_years(actors, start, end):
    with pytest.raises(ValidationFailed) as exc:
        make_control(actors.ministry, starts_on=start, ends_on=end)
    assert "ends_on" in exc.value.fields and "two years" in str(exc.value.message)
    assert not TemporaryControl.objects.exists()


def test_leap_day_start_may_end_on_27_february(actors):
    control = make_control(actors.ministry, starts_on=date(2024, 2, 29), ends_on=date(2026, 2, 27))
    assert control.ends_on == date(2026, 2, 27)


@pytest.mark.parametrize("overrides,field", [
    ({"ends_on": date(2020, 1, 1)}, "ends_on"),
    ({"starts_on": "2026-13-01"}, "starts_on"),
    ({"starts_on": None}, "starts_on"),
    ({"title_en": ""}, "title_en"),
    ({"title_zh": 5}, "title_zh"),
    ({"control_code": "1X001"}, "control_code"),
    ({"hs_codes": ["812"]}, "hs_codes"),
    ({"hs_codes": "81A29240"}, "hs_codes"),
    ({"destinations": ["ZZ"]}, "destinations"),
    ({"destinations": [1]}, "destinations"),
])
def test_bad_input_changes_nothing(actors, overrides, field):
    before = audit_count()
    with pytest.raises(ValidationFailed) as exc:
        make_control(actors.ministry, **overrides)
    assert field in exc.value.fields
    assert not TemporaryControl.objects.exists() and audit_count() == before


def test_a_listed_code_cannot_be_put_under_temporary_control(actors):
    version = ListVersion.objects.create(label="t-tc", title_zh="t", title_en="t", state=VersionState.PUBLISHED,
                                         effective_from=today() - timedelta(days=10))
    Entry.objects.create(version=version, code="1C998", sort_key="1C998", description_zh="x", description_en="x")
    with pytest.raises(ValidationFailed) as exc:
        make_control(actors.ministry, control_code="1C998")
    assert "control_code" in exc.value.fields


# ---------------------------------------------------------------- extensions


def test_at_most_two_extensions(actors):
    control = make_control(actors.ministry)
    for number in (1, 2):
        control = services.temporary_control_extend(actor=actors.ministry, control_id=control.pk,
                                                    new_ends_on=add_years(control.ends_on, 2),
                                                    expected_version=control.version)
        assert control.extensions == number
    ends_on = control.ends_on
    with pytest.raises(InvalidTransition) as exc:
        services.temporary_control_extend(actor=actors.ministry, control_id=control.pk,
                                          new_ends_on=ends_on + timedelta(days=30),
                                          expected_version=control.version)
    assert "Reg. 12" in str(exc.value.message)
    control.refresh_from_db()
    assert control.extensions == 2 and control.ends_on == ends_on
    assert AuditEvent.objects.filter(action="controllist.temporary_control_extend").count() == 2


def test_an_extension_adds_at_most_two_years(actors):
    control = make_control(actors.ministry, ends_on=date(2028, 2, 29), starts_on=date(2026, 3, 1))
    with pytest.raises(ValidationFailed):
        services.temporary_control_extend(actor=actors.ministry, control_id=control.pk,
                                          new_ends_on=date(2030, 3, 1))
    with pytest.raises(ValidationFailed):  # not a shortening either
        services.temporary_control_extend(actor=actors.ministry, control_id=control.pk,
                                          new_ends_on=date(2028, 2, 1))
    control = services.temporary_control_extend(actor=actors.ministry, control_id=control.pk,
                                                new_ends_on=date(2030, 2, 28))
    assert control.ends_on == date(2030, 2, 28) and control.version == 2


def test_stale_version_and_replay(actors):
    control = make_control(actors.ministry)
    new_end = control.ends_on + timedelta(days=100)
    with pytest.raises(StaleVersion):
        services.temporary_control_extend(actor=actors.ministry, control_id=control.pk, new_ends_on=new_end,
                                          expected_version=7)
    services.temporary_control_extend(actor=actors.ministry, control_id=control.pk, new_ends_on=new_end,
                                      expected_version=1)
    again = services.temporary_control_extend(actor=actors.ministry, control_id=control.pk, new_ends_on=new_end,
                                              expected_version=1)
    assert again.extensions == 1 and again.version == 2


def test_a_lapsed_control_cannot_be_extended_or_cancelled(actors):
    control = make_control(actors.ministry, starts_on=today() - timedelta(days=100),
                           ends_on=today() - timedelta(days=1))
    with pytest.raises(InvalidTransition):
        services.temporary_control_extend(actor=actors.ministry, control_id=control.pk,
                                          new_ends_on=today() + timedelta(days=10))
    with pytest.raises(InvalidTransition):
        services.temporary_control_cancel(actor=actors.ministry, control_id=control.pk, reason="x")


def test_cancel_and_move_to_list(actors):
    one, two = make_control(actors.ministry), make_control(actors.ministry)
    with pytest.raises(ValidationFailed):
        services.temporary_control_cancel(actor=actors.ministry, control_id=one.pk, reason="  ")
    one = services.temporary_control_cancel(actor=actors.ministry, control_id=one.pk, reason="No longer needed")
    assert one.state == TemporaryControlState.CANCELLED and not one.in_force()
    assert services.temporary_control_cancel(actor=actors.ministry, control_id=one.pk, reason="again").version == 2
    two = services.temporary_control_list_move(actor=actors.senior, control_id=two.pk, reason="Listed as 1C914")
    assert two.state == TemporaryControlState.LISTED
    with pytest.raises(InvalidTransition):
        services.temporary_control_extend(actor=actors.ministry, control_id=two.pk,
                                          new_ends_on=two.ends_on + timedelta(days=1))
    assert AuditEvent.objects.filter(action="controllist.temporary_control_cancel").count() == 1
    assert AuditEvent.objects.filter(action="controllist.temporary_control_list_move").count() == 1


# ---------------------------------------------------------------- lapse and reminders


def test_in_force_on_its_last_day_and_not_the_day_after(actors):
    control = make_control(actors.ministry, starts_on=date(2026, 1, 10), ends_on=date(2026, 6, 30))
    assert not control.in_force(date(2026, 1, 9))
    assert control.in_force(date(2026, 1, 10)) and control.in_force(date(2026, 6, 30))
    assert not control.in_force(date(2026, 7, 1))


def test_sweep_records_the_lapse_once(actors):
    control = make_control(actors.ministry, starts_on=date(2026, 1, 10), ends_on=date(2026, 6, 30))
    TemporaryControl.objects.filter(pk=control.pk).update(review_reminded_for=date(2026, 6, 30))
    assert services.temporary_controls_sweep(today=date(2026, 6, 30))["lapsed"] == 0
    assert services.temporary_controls_sweep(today=date(2026, 7, 1))["lapsed"] == 1
    assert services.temporary_controls_sweep(today=date(2026, 7, 1))["lapsed"] == 0
    control.refresh_from_db()
    assert control.state == TemporaryControlState.LAPSED and control.ended_at is not None
    events = AuditEvent.objects.filter(action="controllist.temporary_control_lapse")
    assert events.count() == 1 and events.get().actor is None


def test_review_reminder_once_per_period_and_again_after_extension(actors, django_capture_on_commit_callbacks):
    control = make_control(actors.ministry, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    recipients = sorted([actors.ministry.email, actors.senior.email])
    assert date(2026, 12, 31) - timedelta(days=60) == date(2026, 11, 1)
    assert services.temporary_controls_sweep(today=date(2026, 10, 31))["reminded"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.temporary_controls_sweep(today=date(2026, 11, 1))["reminded"] == 1
    message = OutboxMessage.objects.get(task="outbox.send_email")
    assert sorted(message.kwargs["to"]) == recipients
    assert control.number in message.kwargs["subject"] and "2026-12-31" in message.kwargs["body"]
    assert services.temporary_controls_sweep(today=date(2026, 11, 5))["reminded"] == 0
    assert OutboxMessage.objects.filter(task="outbox.send_email").count() == 1

    TemporaryControl.objects.filter(pk=control.pk).update(ends_on=date(2027, 12, 31), extensions=1)
    assert services.temporary_controls_sweep(today=date(2027, 10, 31))["reminded"] == 0
    assert services.temporary_controls_sweep(today=date(2027, 11, 1))["reminded"] == 1
    assert services.temporary_controls_sweep(today=date(2027, 11, 2))["reminded"] == 0
    assert OutboxMessage.objects.filter(task="outbox.send_email").count() == 2
    control.refresh_from_db()
    assert control.review_reminded_for == date(2027, 12, 31)


def test_the_celery_task_runs_the_sweep(actors):
    from controllist.controls.tasks import temporary_controls_daily

    make_control(actors.ministry, starts_on=today() - timedelta(days=30), ends_on=today() - timedelta(days=1))
    assert temporary_controls_daily.name == "controllist.temporary_controls_daily"
    assert temporary_controls_daily.apply().get() == {"lapsed": 1, "reminded": 0}


# ---------------------------------------------------------------- prohibitions (service)


def test_prohibition_create_and_revoke(actors):
    control = make_control(actors.ministry)
    ban = services.prohibition_create(actor=actors.ministry, data=ban_data(
        item_code="1c9", temporary_control=control.pk, destination="kp", party_name="Example Trading",
        party_country="KP", effective_until=today() + timedelta(days=365)))
    assert ban.number == f"JZ{today().year}-{ban.pk:04d}"
    assert ban.item_code == "1C9" and ban.destination.code == "KP" and ban.in_force()
    with pytest.raises(ValidationFailed):
        services.prohibition_revoke(actor=actors.ministry, prohibition_id=ban.pk, reason="")
    ban = services.prohibition_revoke(actor=actors.ministry, prohibition_id=ban.pk, reason="Lifted")
    assert not ban.in_force() and ban.revoked_by == actors.ministry
    assert services.prohibition_revoke(actor=actors.ministry, prohibition_id=ban.pk, reason="Lifted").pk == ban.pk
    with pytest.raises(InvalidTransition):
        services.prohibition_revoke(actor=actors.senior, prohibition_id=ban.pk, reason="Lifted")
    assert AuditEvent.objects.filter(action="controllist.prohibition_revoke").count() == 1


@pytest.mark.parametrize("overrides,field", [
    ({"destination": "", "item_description": "something"}, None),   # names nothing
    ({"item_code": "1X9"}, "item_code"),
    ({"item_code": "1C9025"}, "item_code"),
    ({"destination": "XX"}, "destination"),
    ({"party_country": "DE"}, "party_name"),
    ({"reason_en": ""}, "reason_en"),
    ({"effective_from": "tomorrow"}, "effective_from"),
    ({"effective_until": date(2020, 1, 1)}, "effective_until"),
    ({"temporary_control": 999999}, "temporary_control"),
    ({"temporary_control": "x"}, "temporary_control"),
])
def test_prohibition_bad_input_changes_nothing(actors, overrides, field):
    before = audit_count()
    with pytest.raises(ValidationFailed) as exc:
        services.prohibition_create(actor=actors.ministry, data=ban_data(**overrides))
    if field:
        assert field in exc.value.fields
    assert not Prohibition.objects.exists() and audit_count() == before


@pytest.mark.parametrize("who", NOT_WRITERS)
def test_only_the_ministry_writes_through_services(actors, who):
    user = getattr(actors, who)
    control = make_control(actors.ministry)
    ban = services.prohibition_create(actor=actors.ministry, data=ban_data())
    calls = [
        lambda: make_control(user),
        lambda: services.temporary_control_extend(actor=user, control_id=control.pk,
                                                  new_ends_on=control.ends_on + timedelta(days=1)),
        lambda: services.temporary_control_cancel(actor=user, control_id=control.pk, reason="x"),
        lambda: services.temporary_control_list_move(actor=user, control_id=control.pk, reason="x"),
        lambda: services.prohibition_create(actor=user, data=ban_data()),
        lambda: services.prohibition_revoke(actor=user, prohibition_id=ban.pk, reason="x"),
    ]
    for call in calls:
        with pytest.raises(NotAllowed):
            call()


# ---------------------------------------------------------------- API


def test_api_create_extend_cancel(actors):
    client = api_as(actors.ministry)
    resp = client.post("/api/controllist/temporary-controls/", {
        "title_zh": "高纯镓", "title_en": "High-purity gallium", "hs_codes": ["81129240"],
        "destinations": ["US"], "starts_on": "2026-01-01", "ends_on": "2027-12-31"}, format="json")
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    resp = client.post(f"/api/controllist/temporary-controls/{pk}/extend/",
                       {"new_ends_on": "2029-06-30", "version": 1}, format="json")
    assert resp.status_code == 200 and resp.json()["extensions"] == 1
    resp = client.post(f"/api/controllist/temporary-controls/{pk}/extend/",
                       {"new_ends_on": "2029-07-30", "version": 1}, format="json")
    assert resp.status_code == 409
    resp = client.post(f"/api/controllist/temporary-controls/{pk}/cancel/", {"reason": "done"}, format="json")
    assert resp.status_code == 200 and resp.json()["state"] == "cancelled"
    assert client.get(f"/api/controllist/temporary-controls/{pk}/").json()["in_force"] is False
    assert client.get("/api/controllist/temporary-controls/999999/").status_code == 404


def test_api_idempotency_key_makes_one_control(actors):
    client = api_as(actors.ministry)
    key = str(uuid.uuid4())
    body = {"title_zh": "镓", "title_en": "Gallium", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
    first = client.post("/api/controllist/temporary-controls/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    second = client.post("/api/controllist/temporary-controls/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.json()["id"] == second.json()["id"]
    assert TemporaryControl.objects.count() == 1
    assert client.post("/api/controllist/temporary-controls/", body, format="json",
                       HTTP_IDEMPOTENCY_KEY="nope").status_code == 400


@pytest.mark.parametrize("body", [
    {"title_zh": "镓", "title_en": "Gallium", "starts_on": "2026-01-01", "ends_on": "2028-01-01"},
    {"title_zh": "镓", "title_en": "Gallium", "starts_on": "2026-02-30", "ends_on": "2026-12-31"},
    {"title_zh": "镓", "title_en": "Gallium", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
     "hs_codes": "not a list"},
    {"title_zh": "镓", "title_en": "Gallium", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
     "destinations": ["XX"]},
    {"title_zh": ["镓"], "title_en": "Gallium", "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
    {"title_zh": "镓", "title_en": "Gallium", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
     "control_code": "ABC"},
    ["not", "an", "object"],
])
def test_api_bad_temporary_control_is_400(actors, body):
    resp = api_as(actors.ministry).post("/api/controllist/temporary-controls/", body, format="json")
    assert resp.status_code == 400, resp.content
    assert set(resp.json()) >= {"code", "detail", "messages"}
    assert not TemporaryControl.objects.exists()


def test_api_prohibitions(actors):
    client = api_as(actors.ministry)
    resp = client.post("/api/controllist/prohibitions/", {
        "item_code": "1C9", "destination": "KP", "reason_zh": "决议", "reason_en": "Resolution",
        "effective_from": "2026-01-01"}, format="json")
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    assert resp.json()["destination"] == "KP" and resp.json()["in_force"] is True
    assert api_as(actors.owner).get(f"/api/controllist/prohibitions/{pk}/").status_code == 200
    assert client.post(f"/api/controllist/prohibitions/{pk}/revoke/", {}, format="json").status_code == 400
    resp = client.post(f"/api/controllist/prohibitions/{pk}/revoke/", {"reason": "lifted"}, format="json")
    assert resp.status_code == 200 and resp.json()["in_force"] is False
    bad = client.post("/api/controllist/prohibitions/", {"party_name": 5, "reason_zh": "x", "reason_en": "x",
                                                         "effective_from": "2026-01-01"}, format="json")
    assert bad.status_code == 400 and Prohibition.objects.count() == 1


@pytest.mark.parametrize("who", NOT_WRITERS)
def test_api_writes_are_403_for_others(actors, who):
    user = getattr(actors, who)
    control = make_control(actors.ministry)
    ban = services.prohibition_create(actor=actors.ministry, data=ban_data())
    client = api_as(user)
    posts = [
        ("/api/controllist/temporary-controls/", {"title_zh": "镓", "title_en": "Ga", "starts_on": "2026-01-01",
                                                  "ends_on": "2026-12-31"}),
        (f"/api/controllist/temporary-controls/{control.pk}/extend/", {"new_ends_on": "2029-01-01"}),
        (f"/api/controllist/temporary-controls/{control.pk}/cancel/", {"reason": "x"}),
        (f"/api/controllist/temporary-controls/{control.pk}/move-to-list/", {"reason": "x"}),
        ("/api/controllist/prohibitions/", ban_data(effective_from="2026-01-01")),
        (f"/api/controllist/prohibitions/{ban.pk}/revoke/", {"reason": "x"}),
    ]
    for url, body in posts:
        assert client.post(url, body, format="json").status_code == 403, url
    control.refresh_from_db()
    ban.refresh_from_db()
    assert control.version == 1 and ban.revoked_at is None
    assert TemporaryControl.objects.count() == 1 and Prohibition.objects.count() == 1


@pytest.mark.parametrize("who", EVERYONE)
def test_everyone_signed_in_reads(actors, who):
    user = getattr(actors, who)
    control = make_control(actors.ministry)
    ban = services.prohibition_create(actor=actors.ministry, data=ban_data())
    client = api_as(user)
    for url in ("/api/controllist/temporary-controls/", f"/api/controllist/temporary-controls/{control.pk}/",
                "/api/controllist/prohibitions/", f"/api/controllist/prohibitions/{ban.pk}/"):
        assert client.get(url).status_code == 200, url
    pages = page_as(user)
    for url in ("/controllist/temporary/", f"/controllist/temporary/{control.pk}/",
                "/controllist/prohibitions/", f"/controllist/prohibitions/{ban.pk}/"):
        resp = pages.get(url)
        assert resp.status_code == 200, url
    assert control.number.encode() in pages.get("/controllist/temporary/").content


def test_anonymous_gets_nothing(actors):
    control = make_control(actors.ministry)
    for url in ("/api/controllist/temporary-controls/", f"/api/controllist/temporary-controls/{control.pk}/",
                "/api/controllist/prohibitions/"):
        assert APIClient().get(url).status_code == 403
    assert APIClient().post("/api/controllist/determinations/", {}, format="json").status_code == 403
    for url in ("/controllist/temporary/", "/controllist/temporary/new/", "/controllist/prohibitions/",
                "/controllist/determine/", f"/controllist/temporary/{control.pk}/"):
        resp = Client().get(url)
        assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/"), url


# ---------------------------------------------------------------- pages


def test_page_create_double_submit_makes_one_control(actors):
    client = page_as(actors.ministry)
    form = client.get("/controllist/temporary/new/")
    assert form.status_code == 200
    token = str(form.context["form"].initial["client_token"])
    body = {"client_token": token, "title_zh": "高纯镓", "title_en": "High-purity gallium",
            "hs_codes": "81129240, 81129290", "destinations": "US, JP", "starts_on": "2026-01-01",
            "ends_on": "2027-12-31"}
    first = client.post("/controllist/temporary/new/", body)
    second = client.post("/controllist/temporary/new/", body)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    control = TemporaryControl.objects.get()
    assert control.hs_codes == ["81129240", "81129290"] and control.destinations == ["US", "JP"]


def test_page_create_bad_dates_is_400(actors):
    client = page_as(actors.ministry)
    client.cookies["django_language"] = "en"
    resp = client.post("/controllist/temporary/new/", {"title_zh": "镓", "title_en": "Ga",
                                                       "starts_on": "2026-01-01", "ends_on": "2028-06-01"})
    assert resp.status_code == 400 and b"two years" in resp.content
    resp = client.post("/controllist/temporary/new/", {"title_zh": "镓", "title_en": "Ga",
                                                       "starts_on": "not a date", "ends_on": "2026-06-01"})
    assert resp.status_code == 400
    assert not TemporaryControl.objects.exists()


def test_page_prohibition_double_submit_makes_one(actors):
    client = page_as(actors.senior)
    token = str(client.get("/controllist/prohibitions/new/").context["form"].initial["client_token"])
    body = {"client_token": token, "party_name": "Example Trading", "party_country": "KP",
            "reason_zh": "决议", "reason_en": "Resolution", "effective_from": "2026-01-01"}
    assert client.post("/controllist/prohibitions/new/", body).status_code == 302
    assert client.post("/controllist/prohibitions/new/", body).status_code == 302
    assert Prohibition.objects.count() == 1
    bad = client.post("/controllist/prohibitions/new/", {**body, "client_token": "", "destination": "QQ"})
    assert bad.status_code == 400 and Prohibition.objects.count() == 1


def test_page_actions(actors):
    control = make_control(actors.ministry)
    client = page_as(actors.ministry)
    detail = client.get(f"/controllist/temporary/{control.pk}/")
    assert b"form-extend" in detail.content and b"form-cancel" in detail.content
    resp = client.post(f"/controllist/temporary/{control.pk}/extend/",
                       {"new_ends_on": (control.ends_on + timedelta(days=10)).isoformat(), "version": 1})
    assert resp.status_code == 302
    resp = client.post(f"/controllist/temporary/{control.pk}/cancel/", {"reason": "", "version": 2})
    assert resp.status_code == 400
    resp = client.post(f"/controllist/temporary/{control.pk}/move-to-list/", {"reason": "listed", "version": 2})
    assert resp.status_code == 302
    control.refresh_from_db()
    assert control.state == TemporaryControlState.LISTED and control.extensions == 1
    assert client.post(f"/controllist/temporary/{control.pk}/nonsense/", {}).status_code == 404


@pytest.mark.parametrize("who", NOT_WRITERS)
def test_page_writes_are_403_for_others(actors, who):
    user = getattr(actors, who)
    control = make_control(actors.ministry)
    ban = services.prohibition_create(actor=actors.ministry, data=ban_data())
    client = page_as(user)
    assert client.get("/controllist/temporary/new/").status_code == 403
    assert client.get("/controllist/prohibitions/new/").status_code == 403
    assert client.post(f"/controllist/temporary/{control.pk}/cancel/", {"reason": "x"}).status_code == 403
    assert client.post(f"/controllist/prohibitions/{ban.pk}/revoke/", {"reason": "x"}).status_code == 403
    detail = client.get(f"/controllist/temporary/{control.pk}/")
    assert b"form-extend" not in detail.content
    control.refresh_from_db()
    assert control.state == TemporaryControlState.ACTIVE


def test_list_page_groups_and_review_badge(actors, django_assert_max_num_queries):
    make_control(actors.ministry, title_en="Soon ending", ends_on=today() + timedelta(days=20))
    make_control(actors.ministry, title_en="Later", starts_on=today() + timedelta(days=5),
                 ends_on=today() + timedelta(days=300))
    make_control(actors.ministry, title_en="Old", starts_on=today() - timedelta(days=30),
                 ends_on=today() - timedelta(days=1))
    client = page_as(actors.ministry)
    client.cookies["django_language"] = "en"
    with django_assert_max_num_queries(8):
        resp = client.get("/controllist/temporary/")
    groups = {key: [c.title_en for c in controls] for key, _label, controls in resp.context["groups"]}
    assert groups["in_force"] == ["Soon ending"] and groups["scheduled"] == ["Later"]
    assert groups["lapsed"] == ["Old"]
    assert resp.content.count(b"review-due") == 1
    exporter_view = page_as(actors.owner).get("/controllist/temporary/")
    assert b"review-due" not in exporter_view.content


# ---------------------------------------------------------------- odd input (review)


@pytest.mark.parametrize("overrides,field", [
    ({"starts_on": date(9999, 1, 1), "ends_on": date(9999, 12, 31)}, "starts_on"),
    ({"starts_on": date(9998, 6, 1), "ends_on": date(9999, 12, 31)}, "starts_on"),
    ({"starts_on": date(1, 1, 1), "ends_on": date(1, 6, 1)}, "starts_on"),
])
def test_dates_at_the_ends_of_the_calendar_are_refused_not_a_crash(actors, overrides, field):
    with pytest.raises(ValidationFailed) as exc:
        make_control(actors.ministry, **overrides)
    assert field in exc.value.fields and not TemporaryControl.objects.exists()
    body = {"title_zh": "镓", "title_en": "Ga", **{k: v.isoformat() for k, v in overrides.items()}}
    assert api_as(actors.ministry).post("/api/controllist/temporary-controls/", body,
                                        format="json").status_code == 400
    assert page_as(actors.ministry).post("/controllist/temporary/new/", body).status_code == 400
    ban = api_as(actors.ministry).post("/api/controllist/prohibitions/", ban_data(
        effective_from="9999-12-31", effective_until=None), format="json")
    assert ban.status_code == 400 and not TemporaryControl.objects.exists() and not Prohibition.objects.exists()


def test_an_extension_to_the_end_of_the_calendar_is_refused_not_a_crash(actors):
    control = make_control(actors.ministry, starts_on=date(2999, 1, 1), ends_on=date(2999, 12, 31))
    with pytest.raises(ValidationFailed):
        services.temporary_control_extend(actor=actors.ministry, control_id=control.pk,
                                          new_ends_on=date(9999, 12, 31))
    assert page_as(actors.ministry).get(f"/controllist/temporary/{control.pk}/").status_code == 200


@pytest.mark.parametrize("control_id", ["²", "1.5", "-1", True])
def test_a_temporary_control_id_that_is_no_number_is_400(actors, control_id):
    with pytest.raises(ValidationFailed) as exc:
        services.prohibition_create(actor=actors.ministry, data=ban_data(temporary_control=control_id))
    assert "temporary_control" in exc.value.fields and not Prohibition.objects.exists()


@pytest.mark.parametrize("ends_on,latest", [
    (date(2030, 2, 28), date(2032, 2, 29)),   # the extension runs 2030-03-01 to 2032-02-29: two years
    (date(2032, 2, 29), date(2034, 2, 28)),
    (date(2027, 12, 31), date(2029, 12, 31)),
])
def test_an_extension_period_is_two_years_from_the_day_after_the_end(actors, ends_on, latest):
    control = make_control(actors.ministry, starts_on=ends_on - timedelta(days=300), ends_on=ends_on)
    with pytest.raises(ValidationFailed):
        services.temporary_control_extend(actor=actors.ministry, control_id=control.pk,
                                          new_ends_on=latest + timedelta(days=1))
    control = services.temporary_control_extend(actor=actors.ministry, control_id=control.pk, new_ends_on=latest)
    assert control.ends_on == latest and control.extensions == 1


def test_a_null_character_anywhere_is_400_not_a_crash(actors):
    """PostgreSQL refuses NUL in text: every way in must refuse it first."""
    control = make_control(actors.ministry)
    ban = services.prohibition_create(actor=actors.ministry, data=ban_data())
    api, page = api_as(actors.ministry), page_as(actors.ministry)
    good = {"title_zh": "镓", "title_en": "Ga", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
    for key in ("title_zh", "title_en", "description_en", "announcement", "control_code"):
        body = {**good, key: "A\x00B"}
        assert api.post("/api/controllist/temporary-controls/", body, format="json").status_code == 400, key
        assert page.post("/controllist/temporary/new/", body).status_code == 400, key
    for body in ({"hs_codes": ["8112\x00"]}, {"destinations": ["U\x00"]}):
        assert api.post("/api/controllist/temporary-controls/", {**good, **body}, format="json").status_code == 400
    for key in ("party_name", "item_description", "reason_zh", "announcement", "item_code"):
        body = {**ban_data(effective_from="2026-01-01"), key: "A\x00B"}
        assert api.post("/api/controllist/prohibitions/", body, format="json").status_code == 400, key
        assert page.post("/controllist/prohibitions/new/", body).status_code == 400, key
    assert api.post(f"/api/controllist/temporary-controls/{control.pk}/cancel/", {"reason": "x\x00"},
                    format="json").status_code == 400
    assert page.post(f"/controllist/temporary/{control.pk}/cancel/", {"reason": "x\x00"}).status_code == 400
    assert api.post(f"/api/controllist/prohibitions/{ban.pk}/revoke/", {"reason": "x\x00"},
                    format="json").status_code == 400
    assert page.post(f"/controllist/prohibitions/{ban.pk}/revoke/", {"reason": "x\x00"}).status_code == 400
    control.refresh_from_db()
    ban.refresh_from_db()
    assert control.state == TemporaryControlState.ACTIVE and ban.revoked_at is None
    assert TemporaryControl.objects.count() == 1 and Prohibition.objects.count() == 1


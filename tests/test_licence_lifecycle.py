"""The licence's status changes (lifecycle.TRANSITIONS): every allowed and every forbidden one per
role, stale versions, double clicks, required reasons and factors, the feed events, the exporter's
notifications, and expiry at the end of the last valid day in Asia/Shanghai."""

import datetime
import hashlib
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from licensing.licences import lifecycle, services
from licensing.licences.selectors import licence_pdf_data
from licensing.models import (
    Counter,
    Licence,
    LicenceEvent,
    LicenceEventKind,
    LicenceStatus,
    LicenceType,
)
from notifications.models import Notification
from outbox.models import OutboxMessage
from portal.errors import InvalidTransition, NotAllowed, NotFound, StaleVersion, ValidationFailed

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROLES = ["owner", "colleague", "outsider", "province", "other_province", "ministry", "senior", "agency", "customs"]


def make_licence(case_factory, *, status=LicenceStatus.ISSUED, valid_until=None, **case_options) -> Licence:
    """An approved case's licence as licence_issue makes it, without rendering and signing a PDF
    (tests/test_outbox_and_licence.py covers those): its lines, its "issued" event."""
    from django.db import transaction

    app = case_factory("approved", **case_options)
    issued = Licence.objects.filter(application=app).first()
    if issued is not None:  # a test whose transactions commit: the licence task has run already
        Licence.objects.filter(pk=issued.pk).update(status=status, valid_until=valid_until or issued.valid_until)
        issued.refresh_from_db()
        return issued
    issued_at = timezone.now()
    today = timezone.localdate(issued_at)
    with transaction.atomic():
        licence = Licence(application=app, current_for=app, exporter_id=app.exporter_id,
                          export_port_id=app.export_port_id,
                          number=services.licence_number(today.year, Counter.objects.next_value("licence", today.year)),
                          licence_type=LicenceType.INDIVIDUAL, status=status, status_changed_at=issued_at,
                          issued_at=issued_at, valid_from=today, valid_until=valid_until or today + timedelta(days=364),
                          pdf=b"%PDF-1.7 test", sha256=hashlib.sha256(b"%PDF-1.7 test").hexdigest())
        data = licence_pdf_data(licence)
        licence.save()
        services.licence_items_create(licence, data["items"])
        lifecycle.record_event(licence, LicenceEventKind.ISSUED)
    return licence


CALLS = {
    "suspend": lambda actor, licence, **kw: services.licence_suspend(
        actor=actor, licence_id=licence.pk, reason=kw.get("reason", "Suspected diversion"),
        expected_version=kw.get("version")),
    "restore": lambda actor, licence, **kw: services.licence_restore(
        actor=actor, licence_id=licence.pk, reason=kw.get("reason", "Cleared"), expected_version=kw.get("version")),
    "revoke": lambda actor, licence, **kw: services.licence_revoke(
        actor=actor, licence_id=licence.pk, reason=kw.get("reason", "End user is a front company"),
        factor=kw.get("factor", "end_user"), expected_version=kw.get("version")),
    "surrender": lambda actor, licence, **kw: services.licence_surrender(
        actor=actor, licence_id=licence.pk, reason=kw.get("reason", ""), expected_version=kw.get("version")),
}
PERSON_ACTIONS = list(CALLS)
SYSTEM_ACTIONS = [name for name, t in lifecycle.TRANSITIONS.items() if lifecycle.SYSTEM in t.roles]


def test_the_table_covers_every_status_change_and_names_a_service_for_each():
    assert set(PERSON_ACTIONS) | set(SYSTEM_ACTIONS) == set(lifecycle.TRANSITIONS)
    for name in PERSON_ACTIONS:
        assert hasattr(services, f"licence_{name}")
        assert lifecycle.SYSTEM not in lifecycle.TRANSITIONS[name].roles
    assert {t.target for t in lifecycle.TRANSITIONS.values()} | {LicenceStatus.ISSUED} == set(LicenceStatus.values)


def _set_status(licence, status):
    Licence.objects.filter(pk=licence.pk).update(status=status)
    licence.refresh_from_db()


@pytest.mark.parametrize("action", PERSON_ACTIONS)
@pytest.mark.parametrize("who", ROLES)
def test_every_role_on_every_person_transition_from_an_allowed_state(actors, case_factory, action, who):
    rule = lifecycle.TRANSITIONS[action]
    licence = make_licence(case_factory)
    source = sorted(rule.sources)[0]
    _set_status(licence, source)
    actor = getattr(actors, who)
    visible = Licence.objects.visible_to(actor).filter(pk=licence.pk).exists()
    events_before = LicenceEvent.objects.filter(licence=licence).count()
    if actor.role in rule.roles and visible:
        CALLS[action](actor, licence)
        licence.refresh_from_db()
        assert licence.status == rule.target and licence.version == 2
        event = LicenceEvent.objects.filter(licence=licence).order_by("-seq").first()
        assert event.kind == rule.event and event.actor == actor and event.from_status == source
        assert AuditEvent.objects.filter(action=f"licence.{action}", actor=actor).exists()
    else:
        with pytest.raises(NotAllowed if visible else NotFound):
            CALLS[action](actor, licence)
        licence.refresh_from_db()
        assert licence.status == source and licence.version == 1
        assert LicenceEvent.objects.filter(licence=licence).count() == events_before


@pytest.mark.parametrize("action", PERSON_ACTIONS)
@pytest.mark.parametrize("status", LicenceStatus.values)
def test_every_state_a_transition_does_not_start_from_is_refused(actors, case_factory, action, status):
    rule = lifecycle.TRANSITIONS[action]
    licence = make_licence(case_factory)
    _set_status(licence, status)
    actor = actors.senior if action != "surrender" else actors.colleague
    if status in rule.sources:
        CALLS[action](actor, licence)
        licence.refresh_from_db()
        assert licence.status == rule.target
    else:
        with pytest.raises(InvalidTransition):
            CALLS[action](actor, licence)
        licence.refresh_from_db()
        assert licence.status == status and licence.version == 1


@pytest.mark.parametrize("action", SYSTEM_ACTIONS)
def test_the_portal_alone_makes_the_automatic_changes(actors, case_factory, action):
    rule = lifecycle.TRANSITIONS[action]
    licence = make_licence(case_factory)
    _set_status(licence, sorted(rule.sources)[0])
    for who in ROLES:
        with pytest.raises(NotAllowed):
            locked = Licence.objects.get(pk=licence.pk)
            lifecycle.transition(locked, getattr(actors, who), action)
    from django.db import transaction

    with transaction.atomic():
        locked = lifecycle.lock_licence(licence.pk, None)
        assert lifecycle.transition(locked, None, action) is True
    licence.refresh_from_db()
    assert licence.status == rule.target
    assert LicenceEvent.objects.filter(licence=licence).order_by("-seq").first().kind == rule.event


def test_a_stale_version_is_refused_and_changes_nothing(actors, case_factory):
    licence = make_licence(case_factory)
    CALLS["suspend"](actors.ministry, licence, version=1)
    with pytest.raises(StaleVersion):
        CALLS["restore"](actors.ministry, licence, version=1)
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.SUSPENDED and licence.version == 2


def test_a_double_click_is_harmless(actors, case_factory):
    licence = make_licence(case_factory)
    CALLS["suspend"](actors.ministry, licence, version=1)
    CALLS["suspend"](actors.ministry, licence, version=1)  # the same form sent again
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.SUSPENDED and licence.version == 2
    assert LicenceEvent.objects.filter(licence=licence, kind=LicenceEventKind.SUSPENDED).count() == 1
    # Another officer repeating it is told the licence is already suspended.
    other = type(actors.ministry).objects.create(username="m2", organisation=actors.ministry.organisation,
                                                 role=Role.MINISTRY_OFFICER)
    with pytest.raises(InvalidTransition):
        CALLS["suspend"](other, licence, version=1)


def test_revoking_twice_by_the_same_officer_makes_one_notice_task(actors, case_factory):
    licence = make_licence(case_factory)
    CALLS["revoke"](actors.senior, licence, version=1)
    CALLS["revoke"](actors.senior, licence, version=1)
    assert OutboxMessage.objects.filter(task="licensing.issue_revocation_notice",
                                        kwargs={"licence_id": licence.pk}).count() == 1


@pytest.mark.parametrize("action", ["suspend", "restore", "revoke"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(actors, case_factory, action, reason):
    licence = make_licence(case_factory)
    _set_status(licence, sorted(lifecycle.TRANSITIONS[action].sources)[-1])
    with pytest.raises(ValidationFailed) as caught:
        CALLS[action](actors.senior, licence, reason=reason)
    assert "reason" in caught.value.fields
    assert Licence.objects.get(pk=licence.pk).version == 1


@pytest.mark.parametrize("factor", ["", "made_up"])
def test_revocation_needs_a_law_13_factor(actors, case_factory, factor):
    licence = make_licence(case_factory)
    with pytest.raises(ValidationFailed) as caught:
        CALLS["revoke"](actors.senior, licence, factor=factor)
    assert "factor" in caught.value.fields
    assert Licence.objects.get(pk=licence.pk).status == LicenceStatus.ISSUED


def test_surrender_needs_no_reason_and_works_after_partial_use(actors, case_factory):
    licence = make_licence(case_factory)
    item = licence.items.first()
    item.used_quantity = item.quantity / 2
    item.save()
    CALLS["surrender"](actors.colleague, licence)
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.SURRENDERED


def test_each_change_writes_a_feed_event_with_increasing_seq_and_tells_the_exporter(actors, case_factory):
    licence = make_licence(case_factory)
    CALLS["suspend"](actors.ministry, licence, reason="Checking the end user")
    CALLS["restore"](actors.ministry, licence, reason="Checked", version=2)
    CALLS["revoke"](actors.senior, licence, reason="Diversion found", factor="end_user", version=3)
    events = list(LicenceEvent.objects.filter(licence=licence).order_by("seq"))
    assert [e.kind for e in events] == ["issued", "suspended", "restored", "revoked"]
    assert [e.seq for e in events] == sorted({e.seq for e in events})
    assert events[-1].factor == "end_user" and events[-1].reason == "Diversion found"
    assert [(e.from_status, e.to_status) for e in events[1:]] == [
        ("issued", "suspended"), ("suspended", "issued"), ("issued", "revoked")]
    for kind in ("licence.suspend", "licence.restore", "licence.revoke"):
        told = Notification.objects.filter(kind=kind, application_id=licence.application_id)
        assert set(told.values_list("recipient_id", flat=True)) == {actors.owner.pk, actors.colleague.pk}
    note = Notification.objects.get(kind="licence.suspend", recipient=actors.owner)
    assert licence.number in note.title_en and note.body_en == "Checking the end user"
    assert note.url == f"/licences/{licence.number}/"
    assert not Notification.objects.filter(recipient=actors.outsider).exists()


def test_restoring_a_licence_whose_validity_ended_while_suspended_expires_it(actors, case_factory):
    licence = make_licence(case_factory)
    CALLS["suspend"](actors.ministry, licence)
    Licence.objects.filter(pk=licence.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    CALLS["restore"](actors.ministry, licence)
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.EXPIRED


# ---------------------------------------------------------------- expiry at the day boundary


def _at_shanghai(monkeypatch, when: datetime.datetime):
    """Freeze Django's clock (timezone.now and so localdate) at a Shanghai wall-clock time."""
    frozen = when.replace(tzinfo=SHANGHAI).astimezone(datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: frozen)


def test_a_licence_is_valid_all_of_its_last_day_in_shanghai_and_expired_at_midnight(actors, case_factory,
                                                                                   monkeypatch):
    from licensing.licences.tasks import expire_licences

    last_day = timezone.localdate() + timedelta(days=30)
    licence = make_licence(case_factory, valid_until=last_day)
    suspended = make_licence(case_factory, valid_until=last_day)
    CALLS["suspend"](actors.ministry, suspended)
    # 23:59:59 on the last day, Shanghai (15:59:59 UTC): still valid.
    _at_shanghai(monkeypatch, datetime.datetime.combine(last_day, datetime.time(23, 59, 59)))
    assert expire_licences() == 0
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ISSUED
    # 00:00 the next day, Shanghai (16:00 UTC of the last day): expired, the suspended one too.
    _at_shanghai(monkeypatch, datetime.datetime.combine(last_day + timedelta(days=1), datetime.time(0, 0)))
    assert timezone.now().astimezone(datetime.UTC).date() == last_day  # still the last day in UTC
    assert expire_licences() == 2
    licence.refresh_from_db()
    suspended.refresh_from_db()
    assert licence.status == suspended.status == LicenceStatus.EXPIRED
    event = LicenceEvent.objects.get(licence=licence, kind=LicenceEventKind.EXPIRED)
    assert event.actor is None and event.from_status == "issued"
    assert Notification.objects.filter(kind="licence.expire", recipient=actors.owner).count() == 2


def test_expiry_is_idempotent(actors, case_factory):
    licence = make_licence(case_factory, valid_until=timezone.localdate() - timedelta(days=1))
    assert services.licences_expire() == 1
    assert services.licences_expire() == 0
    assert LicenceEvent.objects.filter(licence=licence, kind=LicenceEventKind.EXPIRED).count() == 1
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.EXPIRED and licence.version == 2


def test_expiry_leaves_finished_licences_alone(actors, case_factory):
    revoked = make_licence(case_factory, valid_until=timezone.localdate() - timedelta(days=1))
    _set_status(revoked, LicenceStatus.REVOKED)
    assert services.licences_expire() == 0
    revoked.refresh_from_db()
    assert revoked.status == LicenceStatus.REVOKED


def test_beat_runs_the_expiry_hourly():
    from django.conf import settings

    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "licensing.expire_licences")
    assert entry["schedule"] == 3600.0
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"

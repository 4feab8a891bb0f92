"""Referrals and opinions through the services, the tasks and the API: proposing on acceptance,
adding, dropping, sending, skipping, withdrawing, opinions, reminders, escalation, silence, and an
agency answering while its deadline task fires."""

from datetime import date

import pytest
from django.core import mail
from django.db import connection
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Role
from audit.models import AuditEvent
from licensing.applications import services
from licensing.models import AgencySettings, Referral, ReferralState, Status
from licensing.referrals import services as referrals
from licensing.referrals.tasks import propose_referrals, referral_deadlines
from notifications.models import Notification
from outbox.models import OutboxMessage
from portal.errors import InvalidTransition, NotAllowed, NotFound, StaleVersion, ValidationFailed
from tests.factories import DRAFT, UserFactory, authority, pdf_upload
from workdays.services import add_working_days

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are checked in English here (the portal's default language is Chinese)."""
    with translation.override("en"):
        yield

DUE = date(2026, 12, 10)  # a Thursday


@pytest.fixture
def more(actors):
    """Actors besides the base set: a second officer, MIIT's lead, a CAEA reviewer, MFA people."""
    from types import SimpleNamespace

    return SimpleNamespace(
        officer2=UserFactory(organisation=authority("MOFCOM"), role=Role.MINISTRY_OFFICER),
        miit_lead=UserFactory(organisation=authority("MIIT"), role=Role.AGENCY_LEAD),
        caea=UserFactory(organisation=authority("CAEA"), role=Role.AGENCY_REVIEWER),
        mfa=UserFactory(organisation=authority("MFA"), role=Role.AGENCY_REVIEWER),
    )


def accepted(actors, case_factory, capture):
    """A case accepted by the ministry officer, with the routing task run (MIIT proposed)."""
    app = case_factory("forwarded")
    with capture(execute=True):
        services.application_accept(application_id=app.pk, actor=actors.ministry)
    app.refresh_from_db()
    return app


def sent(actors, case_factory, capture, *, extra_agency=None, today=None):
    app = accepted(actors, case_factory, capture)
    if extra_agency:
        referrals.referral_add(application_id=app.pk, actor=actors.ministry, agency_id=authority(extra_agency).pk,
                               reason="Nuclear end-use concern")
    with capture(execute=True):
        referrals.referrals_send(application_id=app.pk, actor=actors.ministry, today=today)
    app.refresh_from_db()
    return app


def ref_of(app, code) -> Referral:
    return Referral.objects.select_related("agency").get(application=app, agency__code=code)


# ---------------------------------------------------------------- proposing


def test_acceptance_schedules_routing_on_commit(actors, case_factory, django_capture_on_commit_callbacks):
    app = case_factory("forwarded")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_accept(application_id=app.pk, actor=actors.ministry)
    assert callbacks and not Referral.objects.filter(application=app).exists()
    assert OutboxMessage.objects.filter(task="licensing.propose_referrals", kwargs={"application_id": app.pk}).exists()


def test_propose_on_acceptance_is_idempotent(actors, case_factory, django_capture_on_commit_callbacks):
    app = accepted(actors, case_factory, django_capture_on_commit_callbacks)
    ref = ref_of(app, "MIIT")
    assert ref.state == ReferralState.PROPOSED and len(ref.rules) == 2 and ref.added_by is None
    version = app.version
    assert propose_referrals.apply(kwargs={"application_id": app.pk}).get() == 0
    assert referrals.referrals_propose(app.pk) == []
    assert Referral.objects.filter(application=app).count() == 1
    app.refresh_from_db()
    assert app.version == version
    assert AuditEvent.objects.filter(action="referral.propose", object_id=str(ref.pk)).count() == 1


def test_propose_does_nothing_unless_the_case_is_accepted(actors, case_factory):
    app = case_factory("forwarded")
    assert referrals.referrals_propose(app.pk) == []
    assert referrals.referrals_propose(999_999) == []
    assert not Referral.objects.exists()


# ---------------------------------------------------------------- the officer's changes


def test_add_and_drop_need_a_reason_and_a_fresh_version(actors, case_factory, django_capture_on_commit_callbacks):
    app = accepted(actors, case_factory, django_capture_on_commit_callbacks)
    caea = authority("CAEA")
    with pytest.raises(ValidationFailed) as exc:
        referrals.referral_add(application_id=app.pk, actor=actors.ministry, agency_id=caea.pk, reason="  ",
                               expected_version=app.version)
    assert "reason" in exc.value.fields
    with pytest.raises(ValidationFailed):
        referrals.referral_add(application_id=app.pk, actor=actors.ministry, agency_id=authority("GACC").pk,
                               reason="customs is no agency", expected_version=app.version)
    with pytest.raises(StaleVersion):
        referrals.referral_add(application_id=app.pk, actor=actors.ministry, agency_id=caea.pk, reason="why",
                               expected_version=app.version - 1)
    assert Referral.objects.filter(application=app).count() == 1

    ref = referrals.referral_add(application_id=app.pk, actor=actors.ministry, agency_id=caea.pk,
                                 reason="Nuclear end-use concern", expected_version=app.version)
    again = referrals.referral_add(application_id=app.pk, actor=actors.ministry, agency_id=caea.pk,
                                   reason="Nuclear end-use concern", expected_version=app.version)  # double click
    assert again.pk == ref.pk and ref.state == ReferralState.PROPOSED and ref.added_by == actors.ministry
    assert AuditEvent.objects.filter(action="referral.add", object_id=str(ref.pk)).count() == 1
    app.refresh_from_db()
    with pytest.raises(ValidationFailed):  # already proposed
        referrals.referral_add(application_id=app.pk, actor=actors.senior, agency_id=caea.pk, reason="again",
                               expected_version=app.version)

    miit = ref_of(app, "MIIT")
    with pytest.raises(ValidationFailed):
        referrals.referral_drop(application_id=app.pk, referral_id=miit.pk, actor=actors.ministry, reason="",
                                expected_version=app.version)
    referrals.referral_drop(application_id=app.pk, referral_id=miit.pk, actor=actors.ministry,
                            reason="Covered by an earlier MIIT opinion", expected_version=app.version)
    referrals.referral_drop(application_id=app.pk, referral_id=miit.pk, actor=actors.ministry,
                            reason="Covered by an earlier MIIT opinion", expected_version=app.version)  # replay
    miit.refresh_from_db()
    assert miit.state == ReferralState.DROPPED and miit.reason == "Covered by an earlier MIIT opinion"
    assert AuditEvent.objects.filter(action="referral.drop", object_id=str(miit.pk)).count() == 1


def test_only_the_ministry_changes_referrals(actors, case_factory, django_capture_on_commit_callbacks):
    app = accepted(actors, case_factory, django_capture_on_commit_callbacks)
    caea = authority("CAEA").pk
    with pytest.raises(NotFound):  # an agency does not see a case not sent to it
        referrals.referral_add(application_id=app.pk, actor=actors.agency, agency_id=caea, reason="x")
    with pytest.raises(NotAllowed):  # the exporter sees its case but may not do this
        referrals.referral_add(application_id=app.pk, actor=actors.owner, agency_id=caea, reason="x")
    with pytest.raises(NotAllowed):  # the province still sees the case it forwarded
        referrals.referrals_send(application_id=app.pk, actor=actors.province)
    with pytest.raises(NotFound):
        referrals.referrals_send(application_id=app.pk, actor=actors.other_province)


def test_send_starts_each_agencys_deadline_and_tells_it(actors, more, case_factory, calendar_2027,
                                                         django_capture_on_commit_callbacks):
    mail.outbox.clear()
    today = date(2026, 12, 1)
    app = sent(actors, case_factory, django_capture_on_commit_callbacks, extra_agency="CMC-EDD", today=today)
    assert app.status == Status.WITH_AGENCIES
    miit, cmc = ref_of(app, "MIIT"), ref_of(app, "CMC-EDD")
    assert miit.state == cmc.state == ReferralState.SENT and miit.sent_at
    assert miit.due_on == add_working_days(today, 10) and cmc.due_on == add_working_days(today, 15)
    assert Notification.objects.filter(recipient=actors.agency, key=f"referral:{miit.pk}:2026-12-01").exists()
    assert Notification.objects.filter(recipient=more.miit_lead, kind="referral").exists()
    assert not Notification.objects.filter(recipient=more.caea).exists()
    assert actors.agency.email in [m.to[0] for m in mail.outbox]
    # A double click changes nothing more.
    assert referrals.referrals_send(application_id=app.pk, actor=actors.ministry, expected_version=app.version - 1) == []
    assert AuditEvent.objects.filter(action="application.refer", object_id=str(app.pk)).count() == 1


def test_send_without_a_referral_says_decide_without_referral(actors, case_factory, django_capture_on_commit_callbacks):
    app = accepted(actors, case_factory, django_capture_on_commit_callbacks)
    miit = ref_of(app, "MIIT")
    referrals.referral_drop(application_id=app.pk, referral_id=miit.pk, actor=actors.ministry, reason="not needed")
    with pytest.raises(ValidationFailed) as exc:
        referrals.referrals_send(application_id=app.pk, actor=actors.ministry)
    assert "Decide without referral" in str(exc.value.message)
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED


def test_skip_drops_the_proposals(actors, case_factory, django_capture_on_commit_callbacks):
    app = accepted(actors, case_factory, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationFailed):
        referrals.referrals_skip(application_id=app.pk, actor=actors.ministry, reason="")
    referrals.referrals_skip(application_id=app.pk, actor=actors.ministry, reason="Repeat of a case decided in May",
                             expected_version=app.version)
    referrals.referrals_skip(application_id=app.pk, actor=actors.ministry, reason="Repeat of a case decided in May",
                             expected_version=app.version)  # double click
    app.refresh_from_db()
    assert app.status == Status.AWAITING_DECISION
    assert ref_of(app, "MIIT").state == ReferralState.DROPPED
    assert AuditEvent.objects.filter(action="application.no_referral", object_id=str(app.pk)).count() == 1


def test_opinions_then_the_case_goes_to_decision(actors, more, case_factory, calendar_2027,
                                                 django_capture_on_commit_callbacks):
    app = sent(actors, case_factory, django_capture_on_commit_callbacks, extra_agency="CAEA")
    miit, caea = ref_of(app, "MIIT"), ref_of(app, "CAEA")
    with pytest.raises(ValidationFailed) as exc:
        referrals.opinion_give(referral_id=miit.pk, actor=actors.agency, opinion="objection", reasons=" ")
    assert "reasons" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        referrals.opinion_give(referral_id=miit.pk, actor=actors.agency, opinion="conditions", reasons="ok")
    assert "conditions" in exc.value.fields
    with pytest.raises(ValidationFailed):
        referrals.opinion_give(referral_id=miit.pk, actor=actors.agency, opinion="maybe", reasons="ok")
    with pytest.raises(StaleVersion):
        referrals.opinion_give(referral_id=miit.pk, actor=actors.agency, opinion="no_objection", reasons="ok",
                               expected_version=miit.version - 1)
    with pytest.raises(NotFound):  # CAEA cannot answer for MIIT
        referrals.opinion_give(referral_id=miit.pk, actor=more.caea, opinion="no_objection", reasons="ok")
    with pytest.raises(NotAllowed):
        referrals.opinion_give(referral_id=miit.pk, actor=actors.ministry, opinion="no_objection", reasons="ok")
    with pytest.raises(NotFound):
        referrals.opinion_give(referral_id=miit.pk, actor=actors.owner, opinion="no_objection", reasons="ok")
    miit.refresh_from_db()
    assert miit.state == ReferralState.SENT and not miit.opinion

    args = {"referral_id": miit.pk, "actor": actors.agency, "opinion": "conditions", "reasons": "Civil use",
            "conditions": "No re-export", "expected_version": miit.version}
    with django_capture_on_commit_callbacks(execute=True):
        referrals.opinion_give(**args)
        referrals.opinion_give(**args)  # double click
    miit.refresh_from_db()
    assert miit.state == ReferralState.ANSWERED and miit.opinion_conditions == "No re-export"
    assert AuditEvent.objects.filter(action="referral.opinion", object_id=str(miit.pk)).count() == 1
    with pytest.raises(InvalidTransition) as exc:  # another answer, different content
        referrals.opinion_give(referral_id=miit.pk, actor=more.miit_lead, opinion="objection", reasons="No")
    assert "already given" in str(exc.value.message)
    app.refresh_from_db()
    assert app.status == Status.WITH_AGENCIES

    with django_capture_on_commit_callbacks(execute=True):
        referrals.opinion_give(referral_id=caea.pk, actor=UserFactory(organisation=authority("CAEA"),
                                                                      role=Role.AGENCY_LEAD),
                               opinion="objection", reasons="Nuclear end use", expected_version=caea.version)
    app.refresh_from_db()
    assert app.status == Status.AWAITING_DECISION
    assert Notification.objects.filter(recipient=actors.ministry, kind="opinions_in").count() == 1


def test_withdrawing_the_last_referral_sends_the_case_to_decision(actors, case_factory, calendar_2027,
                                                                   django_capture_on_commit_callbacks):
    app = sent(actors, case_factory, django_capture_on_commit_callbacks)
    miit = ref_of(app, "MIIT")
    with pytest.raises(ValidationFailed):
        referrals.referral_withdraw(application_id=app.pk, referral_id=miit.pk, actor=actors.ministry, reason="")
    referrals.referral_withdraw(application_id=app.pk, referral_id=miit.pk, actor=actors.ministry,
                                reason="The exporter reduced the order", expected_version=app.version)
    app.refresh_from_db()
    miit.refresh_from_db()
    assert miit.state == ReferralState.WITHDRAWN and app.status == Status.AWAITING_DECISION
    assert Notification.objects.filter(recipient=actors.agency, kind="referral_withdrawn").exists()
    with pytest.raises(InvalidTransition) as exc:
        referrals.opinion_give(referral_id=miit.pk, actor=actors.agency, opinion="no_objection", reasons="ok")
    assert "withdrew" in str(exc.value.message)


def test_a_new_referral_after_the_opinions_are_in(actors, case_factory, calendar_2027,
                                                  django_capture_on_commit_callbacks):
    app = sent(actors, case_factory, django_capture_on_commit_callbacks)
    miit = ref_of(app, "MIIT")
    referrals.opinion_give(referral_id=miit.pk, actor=actors.agency, opinion="no_objection", reasons="ok")
    app.refresh_from_db()
    assert app.status == Status.AWAITING_DECISION
    referrals.referral_add(application_id=app.pk, actor=actors.ministry, agency_id=authority("MFA").pk,
                           reason="New facts about the end user", expected_version=app.version)
    with django_capture_on_commit_callbacks(execute=True):
        referrals.referrals_send(application_id=app.pk, actor=actors.ministry)
    app.refresh_from_db()
    assert app.status == Status.WITH_AGENCIES and ref_of(app, "MFA").state == ReferralState.SENT


# ---------------------------------------------------------------- deadlines


def _due(ref, due_on=DUE):
    Referral.objects.filter(pk=ref.pk).update(due_on=due_on)


def test_reminder_then_escalation_without_silence(actors, more, case_factory, calendar_2027,
                                                  django_capture_on_commit_callbacks):
    AgencySettings.objects.filter(agency__code="MIIT").update(silence_is_no_objection=False)
    app = sent(actors, case_factory, django_capture_on_commit_callbacks)
    miit = ref_of(app, "MIIT")
    _due(miit)
    assert referrals.referral_deadline_pass(miit.pk, today=date(2026, 12, 7)) == []  # 3 working days left
    assert referrals.referral_deadline_pass(miit.pk, today=date(2026, 12, 8)) == ["remind"]
    assert referrals.referral_deadline_pass(miit.pk, today=date(2026, 12, 9)) == []
    assert referrals.referral_deadline_pass(miit.pk, today=DUE) == []  # the due date itself is in time
    assert Notification.objects.filter(recipient=actors.agency, kind="referral_reminder",
                                       key=f"referral-reminder:{miit.pk}:2026-12-10").count() == 1
    assert not Notification.objects.filter(kind="referral_escalation").exists()

    assert referrals.referral_deadline_pass(miit.pk, today=date(2026, 12, 11)) == ["escalate"]
    assert referrals.referral_deadline_pass(miit.pk, today=date(2026, 12, 14)) == []
    escalated = set(Notification.objects.filter(kind="referral_escalation").values_list("recipient__username",
                                                                                        flat=True))
    assert escalated == {more.miit_lead.username, actors.ministry.username}  # not the reviewer
    miit.refresh_from_db()
    assert miit.state == ReferralState.SENT and miit.escalated_at and miit.reminded_at
    # Late, but the agency may still answer.
    referrals.opinion_give(referral_id=miit.pk, actor=actors.agency, opinion="no_objection", reasons="Late, sorry")
    app.refresh_from_db()
    assert app.status == Status.AWAITING_DECISION


def test_silence_is_no_objection_where_configured(actors, case_factory, calendar_2027,
                                                  django_capture_on_commit_callbacks):
    app = sent(actors, case_factory, django_capture_on_commit_callbacks)
    miit = ref_of(app, "MIIT")
    _due(miit)
    with django_capture_on_commit_callbacks(execute=True):
        done = referrals.referral_deadline_pass(miit.pk, today=date(2026, 12, 11))
    assert done == ["escalate", "silence"]
    miit.refresh_from_db()
    app.refresh_from_db()
    assert miit.state == ReferralState.SILENT and miit.opinion == "no_objection" and miit.answered_at
    assert app.status == Status.AWAITING_DECISION
    event = AuditEvent.objects.get(action="referral.silence", object_id=str(miit.pk))
    assert event.actor is None and event.after["note"] == "no objection by silence (EO 12981 rule)"
    assert referrals.referral_deadline_pass(miit.pk, today=date(2026, 12, 14)) == []


def test_beat_twice_sends_one_reminder_and_one_email(actors, case_factory, calendar_2027,
                                                     django_capture_on_commit_callbacks):
    app = sent(actors, case_factory, django_capture_on_commit_callbacks)
    miit = ref_of(app, "MIIT")
    _due(miit)
    mail.outbox.clear()
    emails_before = OutboxMessage.objects.filter(task="outbox.send_email").count()
    with django_capture_on_commit_callbacks(execute=True):
        first = referral_deadlines.apply(kwargs={"today": "2026-12-08"}).get()
    with django_capture_on_commit_callbacks(execute=True):
        second = referral_deadlines.apply(kwargs={"today": "2026-12-08"}).get()
    assert first == {"remind": 1, "escalate": 0, "silence": 0}
    assert second == {"remind": 0, "escalate": 0, "silence": 0}
    assert Notification.objects.filter(kind="referral_reminder").count() == 1
    assert OutboxMessage.objects.filter(task="outbox.send_email").count() == emails_before + 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [actors.agency.email]


def test_the_beat_scan_picks_only_referrals_with_something_due(actors, case_factory, calendar_2027,
                                                               django_capture_on_commit_callbacks):
    app = sent(actors, case_factory, django_capture_on_commit_callbacks)
    miit = ref_of(app, "MIIT")
    _due(miit, date(2026, 12, 31))
    assert referrals.referrals_due(date(2026, 12, 8)) == []
    assert referrals.referrals_due(date(2026, 12, 29)) == [miit.pk]
    referrals.referral_deadline_pass(miit.pk, today=date(2026, 12, 29))
    assert referrals.referrals_due(date(2026, 12, 30)) == []


# ---------------------------------------------------------------- answering while the deadline passes


def test_silence_first_then_the_agency_is_told_clearly(actors, case_factory, calendar_2027,
                                                       django_capture_on_commit_callbacks):
    app = sent(actors, case_factory, django_capture_on_commit_callbacks)
    miit = ref_of(app, "MIIT")
    _due(miit)
    referrals.referral_deadline_pass(miit.pk, today=date(2026, 12, 11))
    with pytest.raises(InvalidTransition) as exc:
        referrals.opinion_give(referral_id=miit.pk, actor=actors.agency, opinion="objection",
                               reasons="Too late", expected_version=miit.version)
    assert "no objection by silence was recorded at" in str(exc.value.message)
    miit.refresh_from_db()
    assert miit.state == ReferralState.SILENT and miit.opinion == "no_objection"


def test_opinion_first_then_the_deadline_task_does_nothing(actors, case_factory, calendar_2027,
                                                           django_capture_on_commit_callbacks):
    app = sent(actors, case_factory, django_capture_on_commit_callbacks)
    miit = ref_of(app, "MIIT")
    _due(miit)
    referrals.opinion_give(referral_id=miit.pk, actor=actors.agency, opinion="objection", reasons="In time")
    assert referrals.referral_deadline_pass(miit.pk, today=date(2026, 12, 11)) == []
    miit.refresh_from_db()
    assert miit.state == ReferralState.ANSWERED and miit.opinion == "objection"
    assert not AuditEvent.objects.filter(action="referral.silence").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_agency_answering_while_the_deadline_task_fires_one_outcome(actors, case_factory, calendar_2027):
    from tests.test_concurrency import race

    # Filed by the exporter administrator: lock_case on exporter staff's visible_to (DISTINCT) is
    # refused by PostgreSQL (FOR UPDATE with DISTINCT), reported to the lead.
    app, _ = services.application_create(actor=actors.colleague, data=DRAFT)
    services.document_add(application_id=app.pk, actor=actors.colleague, kind="end_user_certificate",
                          upload=pdf_upload())
    services.application_submit(application_id=app.pk, actor=actors.colleague)
    services.application_forward(application_id=app.pk, actor=actors.province)
    services.application_accept(application_id=app.pk, actor=actors.ministry)
    referrals.referrals_propose(app.pk)
    referrals.referrals_send(application_id=app.pk, actor=actors.ministry)
    miit = ref_of(app, "MIIT")
    _due(miit)
    results = race(
        lambda: referrals.opinion_give(referral_id=miit.pk, actor=actors.agency, opinion="objection",
                                       reasons="Racing the deadline"),
        lambda: referrals.referral_deadline_pass(miit.pk, today=date(2026, 12, 11)),
    )
    miit.refresh_from_db()
    app.refresh_from_db()
    assert app.status == Status.AWAITING_DECISION
    if miit.state == ReferralState.ANSWERED:
        assert results[1] == [] and miit.opinion == "objection"
        assert not AuditEvent.objects.filter(action="referral.silence").exists()
    else:
        assert miit.state == ReferralState.SILENT
        assert isinstance(results[0], InvalidTransition), results
        assert "silence" in str(results[0].message)
    assert AuditEvent.objects.filter(action="application.opinions_in", object_id=str(app.pk)).count() == 1


# ---------------------------------------------------------------- API


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    # These tests judge bodies and flows; 428 and If-Match are tested in tests/test_api_manners.py.
    client.credentials(HTTP_IF_MATCH="*")
    return client


def test_the_referral_flow_through_the_api(actors, more, case_factory, calendar_2027,
                                           django_capture_on_commit_callbacks):
    app = accepted(actors, case_factory, django_capture_on_commit_callbacks)
    officer = api(actors.ministry)
    body = officer.get(f"/api/applications/{app.pk}/referrals/").json()
    assert body["status"] == "accepted" and [r["agency"]["code"] for r in body["referrals"]] == ["MIIT"]
    assert body["referrals"][0]["rules"][0]["name_en"]

    resp = officer.post(f"/api/applications/{app.pk}/referrals/", {"agency": authority("CAEA").pk, "reason": "",
                                                                    "version": body["version"]}, format="json")
    assert resp.status_code == 400 and "reason" in resp.json()["fields"]
    resp = officer.post(f"/api/applications/{app.pk}/referrals/", {"agency": authority("CAEA").pk,
                                                                    "reason": "Nuclear end use",
                                                                    "version": body["version"] - 1}, format="json")
    assert resp.status_code == 409
    resp = officer.post(f"/api/applications/{app.pk}/referrals/", {"agency": authority("CAEA").pk,
                                                                    "reason": "Nuclear end use",
                                                                    "version": body["version"]}, format="json")
    assert resp.status_code == 200 and len(resp.json()["referrals"]) == 2
    version = resp.json()["version"]
    caea_id = next(r["id"] for r in resp.json()["referrals"] if r["agency"]["code"] == "CAEA")
    resp = officer.post(f"/api/applications/{app.pk}/referrals/{caea_id}/drop/", {"reason": "On second thought",
                                                                                 "version": version}, format="json")
    assert resp.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        resp = officer.post(f"/api/applications/{app.pk}/referrals/send/", {"version": resp.json()["version"]},
                            format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "with_agencies"
    miit = next(r for r in resp.json()["referrals"] if r["agency"]["code"] == "MIIT")

    agency = api(actors.agency)
    own = agency.get(f"/api/applications/{app.pk}/referrals/").json()["referrals"]
    assert [r["agency"]["code"] for r in own] == ["MIIT"]  # not the dropped CAEA proposal
    resp = agency.post(f"/api/referrals/{miit['id']}/opinion/", {"opinion": "conditions", "reasons": "ok",
                                                                 "version": miit["version"]}, format="json")
    assert resp.status_code == 400 and "conditions" in resp.json()["fields"]
    resp = agency.post(f"/api/referrals/{miit['id']}/opinion/", {"opinion": "no_objection", "reasons": 5},
                       format="json")
    assert resp.status_code == 400
    resp = agency.post(f"/api/referrals/{miit['id']}/opinion/", {"opinion": "no_objection", "reasons": "Civil use",
                                                                 "version": miit["version"]}, format="json")
    assert resp.status_code == 200 and resp.json()["state"] == "answered"
    resp = agency.post(f"/api/referrals/{miit['id']}/opinion/", {"opinion": "objection", "reasons": "Changed mind"},
                       format="json")
    assert resp.status_code == 409 and resp.json()["code"] == "answered"
    assert officer.get(f"/api/applications/{app.pk}/").json()["status"] == "awaiting_decision"


def test_skip_and_withdraw_through_the_api(actors, case_factory, calendar_2027, django_capture_on_commit_callbacks):
    app = accepted(actors, case_factory, django_capture_on_commit_callbacks)
    officer = api(actors.ministry)
    resp = officer.post(f"/api/applications/{app.pk}/referrals/skip/", {"reason": "Repeat order"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "awaiting_decision"

    other = sent(actors, case_factory, django_capture_on_commit_callbacks)
    miit = ref_of(other, "MIIT")
    resp = officer.post(f"/api/applications/{other.pk}/referrals/{miit.pk}/withdraw/", {"reason": ""}, format="json")
    assert resp.status_code == 400
    resp = officer.post(f"/api/applications/{other.pk}/referrals/{miit.pk}/withdraw/",
                        {"reason": "Order cancelled"}, format="json")
    assert resp.status_code == 200 and resp.json()["referrals"][0]["state"] == "withdrawn"
    resp = officer.post(f"/api/applications/{other.pk}/referrals/{miit.pk + 1000}/withdraw/",
                        {"reason": "x"}, format="json")
    assert resp.status_code == 404

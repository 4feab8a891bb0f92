"""Enforcement cases (issue 14 item 4): opening from each source, numbering, steps and their
documents, the signed bilingual warning letter, the exporter's answers within the period, notes,
closing, and who sees which step."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone, translation

from audit.models import AuditEvent
from compliance.enforcement import selectors, services
from compliance.enforcement.models import EnforcementCase, EnforcementStep, StepDocument
from licensing.customs.challenges import challenge_raise
from licensing.enduse.services import enduse_report_file
from licensing.licences.signing import verify_licence_pdf
from portal.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from tests.enforcement_helpers import add_step, open_case, pdf_text
from tests.factories import pdf_upload

pytestmark = pytest.mark.django_db


def test_cases_are_numbered_by_year_and_audited(actors):
    first, second = open_case(actors), open_case(actors)
    year = timezone.localdate().year
    assert first.reference == f"ENF-{year}-000001" and second.reference == f"ENF-{year}-000002"
    assert first.exporter_id == actors.owner.organisation_id and first.origin == "manual"
    assert AuditEvent.objects.filter(action="enforcement.open", object_id=str(first.pk)).exists()


def test_opened_from_a_customs_challenge_links_it(actors):
    challenge, _ = challenge_raise(exporter_code=actors.owner.organisation.code, goods="Samarium magnets",
                                   reason="HS 8505 declared without licence", officer=actors.customs)
    case = services.case_open(actor=actors.ministry, origin="challenge", summary="From the challenge",
                              source_reference=challenge.reference.lower())
    assert case.exporter_id == challenge.exporter_id and case.source_reference == challenge.reference
    assert case.source_type == ContentType.objects.get_for_model(challenge) and case.source_id == str(challenge.pk)


def test_opened_from_an_enduse_report_links_it(actors, case_factory):
    app = case_factory("submitted")
    report = enduse_report_file(actor=actors.owner, application_id=app.pk, kind="end_use_changed",
                                description="The end user now builds drones")
    case = services.case_open(actor=actors.ministry, origin="enduse_report", summary="Reg. 25 report",
                              source_reference=f"#{report.pk}")
    assert case.exporter_id == app.exporter_id and case.source_reference == f"#{report.pk}"


@pytest.mark.parametrize(("origin", "ref", "field"), [
    ("challenge", "ZY2026999999", "source_reference"), ("challenge", "", "source_reference"),
    ("enduse_report", "abc", "source_reference"), ("screening_hit", "999999", "source_reference"),
    ("manual", "", "exporter"), ("bogus", "", "origin")])
def test_a_source_that_does_not_exist_is_refused_and_nothing_is_opened(actors, origin, ref, field):
    with pytest.raises(ValidationFailed) as exc:
        services.case_open(actor=actors.ministry, origin=origin, summary="x", source_reference=ref)
    assert field in exc.value.fields
    assert not EnforcementCase.objects.exists()


def test_a_manual_case_against_an_authority_is_refused(actors):
    with pytest.raises(ValidationFailed):
        services.case_open(actor=actors.ministry, origin="manual", summary="x",
                           exporter_id=actors.province.organisation_id)


@pytest.mark.parametrize("role", ["owner", "colleague", "province", "agency", "customs"])
def test_only_the_ministry_opens_a_case(actors, role):
    with pytest.raises(NotAllowed):
        services.case_open(actor=getattr(actors, role), origin="manual", summary="x",
                           exporter_id=actors.owner.organisation_id)


def test_an_inspection_with_evidence_is_the_ministrys_own_record(actors):
    case = open_case(actors)
    step = add_step(actors, case, kind="inspection", text="On-site record", findings="No ICP training records",
                    place="Pudong warehouse", uploads=[pdf_upload("evidence.pdf")])
    assert step.respond_by is None and not step.addressed
    assert StepDocument.objects.get(step=step).original_name == "evidence.pdf"
    # The exporter does not see a case with only an inspection, nor the inspection.
    assert selectors.case_for(actors.owner, case.reference) is None
    add_step(actors, case, kind="rfi")
    assert selectors.case_for(actors.owner, case.reference) is not None
    assert [s.kind for s in selectors.steps_for(actors.owner, case)] == ["rfi"]
    assert [s.kind for s in selectors.steps_for(actors.ministry, case)] == ["inspection", "rfi"]


def test_an_inspection_in_the_future_and_bad_documents_are_refused(actors):
    case = open_case(actors)
    with pytest.raises(ValidationFailed):
        add_step(actors, case, kind="inspection", occurred_on=timezone.localdate() + datetime.timedelta(days=3))
    with pytest.raises(ValidationFailed):
        add_step(actors, case, kind="inspection", uploads=[pdf_upload("x.pdf", b"not a pdf")])
    with pytest.raises(ValidationFailed):
        add_step(actors, case, kind="penalty_decision")  # made by the penalty services only
    with pytest.raises(ValidationFailed):
        add_step(actors, case, kind="rfi", answer_days=None)
    with pytest.raises(ValidationFailed):
        add_step(actors, case, kind="rfi", answer_days=0)
    with pytest.raises(ValidationFailed):
        add_step(actors, case, kind="rfi", text="   ")
    assert not EnforcementStep.objects.exists() and not StepDocument.objects.exists()


def test_the_warning_letter_is_a_signed_bilingual_pdf(actors):
    case = open_case(actors)
    step = add_step(actors, case, kind="warning_letter", text="Exported 1C902 magnets without a licence",
                    findings="No classification procedure")
    year = timezone.localdate().year
    assert step.number == f"JSH{year}-000001"
    content = bytes(EnforcementStep.objects.get(pk=step.pk).pdf)
    text = pdf_text(content)
    assert "警示函" in text and "Warning Letter" in text and case.reference in text and step.number in text
    assert "Exported 1C902 magnets without a licence" in text and actors.owner.organisation.name_zh in text
    result = verify_licence_pdf(content)
    assert result["trusted"] and result["field"] == "MOFCOM-Warning"


def test_the_exporter_answers_within_the_period_with_documents(actors):
    case = open_case(actors)
    step = add_step(actors, case, kind="rfi", answer_days=5)
    assert step.respond_by > timezone.localdate()
    answered = services.step_answer(actor=actors.colleague, reference=case.reference, step_id=step.pk,
                                    answer="Attached / 见附件", uploads=[pdf_upload("records.pdf")])
    assert answered.responded_by == actors.colleague and not answered.late
    assert answered.documents.get().from_exporter
    with pytest.raises(InvalidTransition):  # once
        services.step_answer(actor=actors.owner, reference=case.reference, step_id=step.pk, answer="again")


def test_an_answer_after_the_period_is_kept_and_marked_late(actors):
    case = open_case(actors)
    step = add_step(actors, case, kind="rfi")
    EnforcementStep.objects.filter(pk=step.pk).update(respond_by=timezone.localdate() - datetime.timedelta(days=1))
    answered = services.step_answer(actor=actors.owner, reference=case.reference, step_id=step.pk, answer="Late")
    assert answered.late


def test_only_the_exporter_of_the_case_answers_and_only_addressed_steps(actors):
    case = open_case(actors)
    rfi = add_step(actors, case, kind="rfi")
    inspection = add_step(actors, case, kind="inspection")
    for user in (actors.outsider, actors.ministry, actors.province, actors.customs):
        with pytest.raises(NotFound):
            services.step_answer(actor=user, reference=case.reference, step_id=rfi.pk, answer="x")
    with pytest.raises(NotFound):
        services.step_answer(actor=actors.owner, reference=case.reference, step_id=inspection.pk, answer="x")
    with pytest.raises(ValidationFailed):
        services.step_answer(actor=actors.owner, reference=case.reference, step_id=rfi.pk, answer="")
    assert EnforcementStep.objects.get(pk=rfi.pk).responded_at is None


def test_talk_minutes_are_recorded_once(actors):
    case = open_case(actors)
    talk = add_step(actors, case, kind="talk", text="Come to the ministry on 15 December", place="MOFCOM")
    services.step_record_minutes(actor=actors.ministry, reference=case.reference, step_id=talk.pk,
                                 minutes="The company admitted the shipments", uploads=[pdf_upload("minutes.pdf")])
    with pytest.raises(InvalidTransition):
        services.step_record_minutes(actor=actors.ministry, reference=case.reference, step_id=talk.pk, minutes="x")
    rfi = add_step(actors, case, kind="rfi")
    with pytest.raises(InvalidTransition):
        services.step_record_minutes(actor=actors.ministry, reference=case.reference, step_id=rfi.pk, minutes="x")
    with pytest.raises(NotAllowed):
        services.step_record_minutes(actor=actors.owner, reference=case.reference, step_id=talk.pk, minutes="x")


def test_notes_and_closing(actors):
    case = open_case(actors)
    services.note_add(actor=actors.ministry, reference=case.reference, kind="cooperation",
                      text="Handed over all records")
    with pytest.raises(ValidationFailed):
        services.note_add(actor=actors.ministry, reference=case.reference, kind="charm", text="x")
    with pytest.raises(NotAllowed):
        services.note_add(actor=actors.owner, reference=case.reference, kind="cooperation", text="x")
    with pytest.raises(InvalidTransition):  # a stale version
        services.case_close(actor=actors.ministry, reference=case.reference, version=case.version + 5)
    services.case_close(actor=actors.ministry, reference=case.reference, note="Done")
    with pytest.raises(InvalidTransition):  # twice
        services.case_close(actor=actors.ministry, reference=case.reference)
    with pytest.raises(InvalidTransition):
        add_step(actors, case, kind="rfi")
    with pytest.raises(InvalidTransition):
        services.note_add(actor=actors.ministry, reference=case.reference, kind="remediation", text="x")
    assert case.notes.count() == 1


def test_steps_addressed_to_the_exporter_are_notified(actors):
    from notifications.models import Notification

    case = open_case(actors)
    add_step(actors, case, kind="inspection")
    assert not Notification.objects.filter(recipient=actors.owner).exists()
    add_step(actors, case, kind="talk", text="Invitation")
    assert Notification.objects.filter(recipient=actors.owner, kind="enforcement.step").count() == 1
    assert not Notification.objects.filter(recipient=actors.outsider).exists()


def test_opened_from_a_confirmed_screening_hit_only(actors, case_factory):
    from datetime import date as day

    from enduser.models import ListedParty, ListKind, ScreeningHit

    app = case_factory("draft")
    entry = ListedParty.objects.create(list_kind=ListKind.CONTROL, names=["华荣精密技术有限公司"], announcement="公告",
                                       announced_on=day(2026, 1, 2), effective_on=day(2026, 1, 2), reason="test")
    hit = ScreeningHit.objects.create(party=app.end_user, listed=entry, listed_version=1, party_name="華榮精密",
                                      listed_name="华荣精密", score="0.95", why="same name", screened_at=timezone.now())
    with pytest.raises(ValidationFailed) as exc:
        services.case_open(actor=actors.ministry, origin="screening_hit", summary="x", source_reference=str(hit.pk))
    with translation.override("en"):
        assert "not confirmed" in str(exc.value.fields["source_reference"][0])
    ScreeningHit.objects.filter(pk=hit.pk).update(state="true")
    case = services.case_open(actor=actors.ministry, origin="screening_hit", summary="Trading with a listed party",
                              source_reference=f"#{hit.pk}")
    assert case.exporter_id == app.exporter_id and case.source_id == str(hit.pk)


def test_the_source_pages_offer_to_open_a_case_to_the_ministry_only(actors, client):
    challenge, _ = challenge_raise(exporter_code=actors.owner.organisation.code, goods="Magnets", reason="r",
                                   officer=actors.customs)
    for user, shown in ((actors.ministry, True), (actors.owner, False), (actors.customs, False)):
        client.force_login(user)
        html = client.get(f"/challenges/{challenge.reference}/").content.decode()
        assert ('id="open-enforcement"' in html) is shown, user.role
    client.force_login(actors.ministry)
    html = client.get(f"/compliance/enforcement/new/?origin=challenge&source={challenge.reference}").content.decode()
    assert f'value="{challenge.reference}"' in html

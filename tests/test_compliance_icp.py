"""Internal compliance programmes (issue 14, items 1-2), the services: the exporter administrator
keeps the nine elements with owners, evidence PDFs, review dates and self-assessments; evidence
periods are data a senior officer edits; the beat reminds before evidence goes stale and when it is,
once per due date; the ministry writes, issues and withdraws evaluations; `current_evaluation`
gives the latest issued one still valid."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from compliance.icp import evaluations, selectors, services
from compliance.icp.models import (
    ICP,
    EvidencePeriod,
    ICPElement,
    ICPEvaluation,
    ICPEvidence,
)
from compliance.icp.selectors import current_evaluation, icp_for
from notifications.models import Notification
from portal.errors import InvalidTransition, NotAllowed, NotFound, StaleVersion, ValidationFailed
from tests.factories import UserFactory, pdf_bytes, pdf_upload

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 8)


@pytest.fixture
def org(actors):
    return actors.colleague.organisation  # the exporter; `colleague` is its administrator


def update(actor, org, element="training", **values):
    values.setdefault("last_reviewed_on", date(2026, 6, 1))
    return services.icp_element_update(actor=actor, organisation_id=org.pk, element=element, today=TODAY, **values)


def notes(kind=None):
    rows = Notification.objects.filter(kind__startswith="icp_")
    return list(rows.filter(kind=kind) if kind else rows)


# ---------------------------------------------------------------- elements


def test_the_seeded_periods_are_data_training_twelve_months():
    assert selectors.periods() == {"policy": 36, "organisation": 24, "risk_assessment": 12, "review_procedure": 24,
                                   "emergency": 24, "training": 12, "audit": 12, "record_keeping": 24, "manual": 24}


def test_the_administrator_records_an_element_with_owner_review_and_assessment(actors, org):
    row = update(actors.colleague, org, owner_user_id=actors.owner.pk, owner_name="Compliance office",
                 assessment="partly", assessment_text="Yearly training; new staff not yet trained")
    assert (row.owner_user, row.owner_name, row.last_reviewed_on, row.assessment, row.version) == (
        actors.owner, "Compliance office", date(2026, 6, 1), "partly", 1)
    assert icp_for(org).pk == row.icp_id == ICP.objects.get(exporter=org).pk
    event = AuditEvent.objects.get(action="icp_element.update")
    assert event.after["assessment"] == "partly" and event.before == {}
    row = update(actors.colleague, org, assessment="in_place", expected_version=1)
    assert row.version == 2 and row.owner_user is None and row.assessment == "in_place"


def test_a_stale_version_is_refused_and_changes_nothing(actors, org):
    update(actors.colleague, org, assessment="partly")
    with pytest.raises(StaleVersion):
        update(actors.colleague, org, assessment="missing", expected_version=0)
    assert ICPElement.objects.get().assessment == "partly"


@pytest.mark.parametrize("values, field", [
    ({"element": "nonsense"}, "element"),
    ({"last_reviewed_on": date(2026, 12, 9)}, "last_reviewed_on"),
    ({"last_reviewed_on": "08/12/2026"}, "last_reviewed_on"),
    ({"assessment": "great"}, "assessment"),
    ({"assessment_text": "x" * 5001}, "assessment_text"),
    ({"owner_name": "x" * 101}, "owner_name"),
    ({"owner_user_id": 10**9}, "owner_user"),
])
def test_bad_element_input_is_a_400_and_nothing_is_kept(actors, org, values, field):
    with pytest.raises(ValidationFailed) as refused:
        update(actors.colleague, org, **values)
    assert field in refused.value.fields
    assert not ICPElement.objects.exists() and not AuditEvent.objects.filter(action__startswith="icp").exists()


def test_the_owner_must_be_a_user_of_the_company(actors, org):
    with pytest.raises(ValidationFailed) as refused:
        update(actors.colleague, org, owner_user_id=actors.outsider.pk)
    assert "owner_user" in refused.value.fields
    with pytest.raises(ValidationFailed):
        update(actors.colleague, org, owner_user_id=actors.ministry.pk)


@pytest.mark.parametrize("who, error", [
    ("owner", NotAllowed), ("ministry", NotAllowed), ("senior", NotAllowed), ("province", NotAllowed),
    ("outsider", NotFound), ("other_province", NotFound), ("agency", NotFound), ("customs", NotFound)])
def test_only_the_companys_administrator_writes_its_icp(actors, org, who, error):
    with pytest.raises(error):
        update(getattr(actors, who), org)
    with pytest.raises(error):
        services.icp_evidence_add(actor=getattr(actors, who), organisation_id=org.pk, element="training",
                                  uploads=[pdf_upload()])
    assert not ICP.objects.exists() and not ICPEvidence.objects.exists()


# ---------------------------------------------------------------- evidence


def stored():
    try:
        return default_storage.listdir("icp")[1]
    except FileNotFoundError:
        return []


def test_evidence_pdfs_are_kept_audited_and_removed(actors, org, django_capture_on_commit_callbacks):
    docs = services.icp_evidence_add(actor=actors.colleague, organisation_id=org.pk, element="training",
                                     uploads=[pdf_upload("plan.pdf"), pdf_upload("attendance.pdf")])
    assert [d.original_name for d in docs] == ["plan.pdf", "attendance.pdf"] and len(stored()) == 2
    assert docs[0].element.element == "training" and docs[0].file.read() == pdf_bytes()
    assert AuditEvent.objects.get(action="icp_evidence.add").after["documents"][1]["name"] == "attendance.pdf"
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the removal commits
        services.icp_evidence_remove(actor=actors.colleague, organisation_id=org.pk, evidence_id=docs[0].pk)
    assert list(ICPEvidence.objects.values_list("original_name", flat=True)) == ["attendance.pdf"]
    assert len(stored()) == 1 and AuditEvent.objects.get(action="icp_evidence.remove").before["name"] == "plan.pdf"
    with pytest.raises(NotAllowed):
        services.icp_evidence_remove(actor=actors.owner, organisation_id=org.pk, evidence_id=docs[1].pk)
    with pytest.raises(NotFound):
        services.icp_evidence_remove(actor=actors.outsider, organisation_id=actors.outsider.organisation_id,
                                     evidence_id=docs[1].pk)


@pytest.mark.parametrize("uploads, code", [
    ([pdf_upload("notes.txt", b"just text")], "not_pdf"),
    ([pdf_upload("ok.pdf"), pdf_upload("broken.pdf", b"%PDF-1.4 garbage")], "bad_pdf"),
    ([pdf_upload(f"{n}.pdf") for n in range(6)], "too_many_documents"),
    ([], "validation_failed"),
])
def test_bad_evidence_uploads_refuse_them_all_and_keep_nothing(actors, org, uploads, code):
    with pytest.raises(ValidationFailed) as refused:
        services.icp_evidence_add(actor=actors.colleague, organisation_id=org.pk, element="training", uploads=uploads)
    assert refused.value.code == code and "documents" in refused.value.fields
    assert not ICPEvidence.objects.exists() and stored() == []


def test_too_large_evidence_is_refused(actors, org, settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationFailed) as refused:
        services.icp_evidence_add(actor=actors.colleague, organisation_id=org.pk, element="training",
                                  uploads=[pdf_upload("big.pdf", pdf_bytes() + b"%" * 2048)])
    assert refused.value.code == "too_large" and not ICPEvidence.objects.exists()


# ---------------------------------------------------------------- periods and staleness


def test_a_senior_officer_edits_a_period_others_may_not(actors):
    period = services.evidence_period_update(actor=actors.senior, element="training", months=6)
    assert period.months == 6 and EvidencePeriod.objects.get(element="training").months == 6
    assert AuditEvent.objects.get(action="evidence_period.update").before == {"element": "training", "months": 12}
    for who in ("ministry", "colleague", "owner", "province", "agency", "customs"):
        with pytest.raises(NotAllowed):
            services.evidence_period_update(actor=getattr(actors, who), element="training", months=3)
    for months in (0, 121, "twelve", -1, True, 1.5):
        with pytest.raises(ValidationFailed):
            services.evidence_period_update(actor=actors.senior, element="training", months=months)
    with pytest.raises(ValidationFailed):
        services.evidence_period_update(actor=actors.senior, element="nonsense", months=3)
    assert EvidencePeriod.objects.get(element="training").months == 6


def test_staleness_follows_the_period_and_the_last_review(actors, org):
    update(actors.colleague, org, element="training", last_reviewed_on=date(2025, 12, 8))
    update(actors.colleague, org, element="policy", last_reviewed_on=date(2025, 12, 8))
    update(actors.colleague, org, element="audit", last_reviewed_on=date(2026, 1, 1))
    rows = {r.element: r for r in selectors.element_rows(icp_for(org), today=TODAY)}
    assert (rows["training"].stale_on, rows["training"].state) == (date(2026, 12, 8), "stale")
    assert (rows["policy"].stale_on, rows["policy"].state) == (date(2028, 12, 8), "fresh")
    assert (rows["audit"].stale_on, rows["audit"].state) == (date(2027, 1, 1), "due_soon")
    assert rows["manual"].state == "not_reviewed" and rows["manual"].row is None
    assert [r.element for r in selectors.element_rows(None, today=TODAY)][:3] == [
        "policy", "organisation", "risk_assessment"]
    services.evidence_period_update(actor=actors.senior, element="training", months=24)
    assert {r.element: r for r in selectors.element_rows(icp_for(org), today=TODAY)}["training"].state == "fresh"


# ---------------------------------------------------------------- reminders


def test_reminders_before_and_when_stale_once_per_due_date(actors, org):
    admin2 = UserFactory(organisation=org, role=Role.EXPORTER_ADMIN)
    update(actors.colleague, org, element="training", last_reviewed_on=date(2026, 1, 1), owner_user_id=actors.owner.pk)
    due = date(2027, 1, 1)
    assert services.icp_evidence_remind(today=due - timedelta(days=31)) == {"due_soon": 0, "stale": 0}
    assert services.icp_evidence_remind(today=due - timedelta(days=30)) == {"due_soon": 1, "stale": 0}
    assert services.icp_evidence_remind(today=due - timedelta(days=29)) == {"due_soon": 0, "stale": 0}
    soon = notes("icp_evidence.due_soon")
    assert sorted(n.recipient_id for n in soon) == sorted([actors.colleague.pk, admin2.pk, actors.owner.pk])
    assert "2027-01-01" in soon[0].title_en and soon[0].url == f"/compliance/icp/{org.pk}/"
    assert services.icp_evidence_remind(today=due) == {"due_soon": 0, "stale": 1}
    assert services.icp_evidence_remind(today=due + timedelta(days=5)) == {"due_soon": 0, "stale": 0}
    assert len(notes("icp_evidence.stale")) == 3 and len(notes()) == 6
    # A new review is a new due date: reminded again before it, and once more when stale.
    update(actors.colleague, org, element="training", last_reviewed_on=date(2026, 12, 1), expected_version=1,
           owner_user_id=actors.owner.pk)
    assert services.icp_evidence_remind(today=date(2027, 11, 2)) == {"due_soon": 1, "stale": 0}
    assert services.icp_evidence_remind(today=date(2027, 12, 1)) == {"due_soon": 0, "stale": 1}
    assert len(notes()) == 12


def test_a_beat_that_was_down_tells_only_that_it_is_stale_and_elements_without_review_never(actors, org):
    update(actors.colleague, org, element="risk_assessment", last_reviewed_on=date(2025, 1, 31))
    update(actors.colleague, org, element="manual", last_reviewed_on=None, assessment="missing")
    assert services.icp_evidence_remind(today=TODAY) == {"due_soon": 0, "stale": 1}
    assert [n.kind for n in notes()] == ["icp_evidence.stale"]
    assert ICPElement.objects.get(element="risk_assessment").stale_told_due_on == date(2026, 1, 31)


def test_the_task_is_registered_and_in_the_beat_schedule(settings):
    from compliance.icp.tasks import icp_evidence_remind
    from portal.celery import app

    assert "compliance.icp_evidence_remind" in app.tasks
    assert any(e["task"] == "compliance.icp_evidence_remind" for e in settings.CELERY_BEAT_SCHEDULE.values())
    assert icp_evidence_remind.delay().get() == {"due_soon": 0, "stale": 0}


# ---------------------------------------------------------------- evaluations


def draft(actors, org, **values):
    ev = evaluations.icp_evaluation_create(actor=actors.ministry, organisation_id=org.pk, method="on_site",
                                           evaluated_on=TODAY - timedelta(days=3), today=TODAY)
    values = {"rating": "adequate", "valid_until": date(2027, 12, 31), "summary": "Visited the plant",
              "findings": [{"element": "training", "severity": "minor", "text": "New staff untrained"},
                           {"element": "policy", "severity": "observation", "text": "Could be clearer"}],
              **values}
    return evaluations.icp_evaluation_update(actor=actors.ministry, organisation_id=org.pk, evaluation_id=ev.pk,
                                             today=TODAY, **values)


def issue(actor, ev, **kwargs):
    return evaluations.icp_evaluation_issue(actor=actor, organisation_id=ev.exporter_id, evaluation_id=ev.pk,
                                            today=TODAY, **kwargs)


def test_draft_then_issued_tells_the_exporter_and_audits(actors, org):
    ev = draft(actors, org)
    assert (ev.status, ev.version, ev.issued_at, ev.findings.count()) == ("draft", 2, None, 2)
    assert current_evaluation(org, on=TODAY) is None
    assert not ICPEvaluation.objects.visible_to(actors.colleague).exists()
    ev = issue(actors.ministry, ev, expected_version=2)
    assert ev.status == "issued" and ev.issued_at is not None and ev.issued_by == actors.ministry and ev.version == 3
    assert current_evaluation(org, on=TODAY) == ev
    told = Notification.objects.get(kind="icp_evaluation.issue")
    assert told.recipient == actors.colleague and "valid until 2027-12-31" in told.title_en
    actions = list(AuditEvent.objects.filter(object_type="compliance.icpevaluation").values_list("action", flat=True))
    assert actions == ["icp_evaluation.create", "icp_evaluation.update", "icp_evaluation.issue"]
    assert [f.element for f in selectors.findings_to_fix(ev)] == ["training"]
    assert list(ICPEvaluation.objects.visible_to(actors.owner)) == [ev]


def test_wrong_state_double_submit_and_stale_version_are_409_and_change_nothing(actors, org):
    ev = draft(actors, org)
    with pytest.raises(StaleVersion):
        issue(actors.ministry, ev, expected_version=1)
    issue(actors.ministry, ev)
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidTransition) as refused:
        issue(actors.ministry, ev)  # a double click
    assert refused.value.status_code == 409
    with pytest.raises(InvalidTransition):
        evaluations.icp_evaluation_update(actor=actors.ministry, organisation_id=org.pk, evaluation_id=ev.pk,
                                          rating="poor")
    assert AuditEvent.objects.count() == events and Notification.objects.filter(kind="icp_evaluation.issue").count() == 1
    ev.refresh_from_db()
    assert ev.rating == "adequate" and ev.version == 3


@pytest.mark.parametrize("values, field", [
    ({"rating": ""}, "rating"),
    ({"valid_until": None}, "valid_until"),
    ({"valid_until": TODAY}, "valid_until"),
    ({"valid_until": date(2032, 1, 1)}, "valid_until"),
    ({"rating": "good", "findings": [{"element": "audit", "severity": "major", "text": "No audit ever"}]}, "rating"),
    ({"rating": "poor", "findings": [{"element": "audit", "severity": "observation", "text": "x"}]}, "findings"),
])
def test_an_incomplete_draft_is_not_issued(actors, org, values, field):
    ev = draft(actors, org, **values)
    with pytest.raises(ValidationFailed) as refused:
        issue(actors.ministry, ev)
    assert field in refused.value.fields
    ev.refresh_from_db()
    assert ev.status == "draft" and not Notification.objects.exists()


@pytest.mark.parametrize("values, field", [
    ({"rating": "excellent"}, "rating"),
    ({"valid_until": "soon"}, "valid_until"),
    ({"findings": [{"element": "nonsense", "severity": "minor", "text": "x"}]}, "findings.0.element"),
    ({"findings": [{"element": "audit", "severity": "fatal", "text": "x"}]}, "findings.0.severity"),
    ({"findings": [{"element": "audit", "severity": "minor", "text": ""}]}, "findings.0.text"),
    ({"findings": [{"element": "audit", "severity": "minor", "text": "x"}] * 51}, "findings"),
    ({"method": "telepathy"}, "method"),
    ({"evaluated_on": TODAY + timedelta(days=1)}, "evaluated_on"),
])
def test_bad_draft_input_is_a_400(actors, org, values, field):
    ev = draft(actors, org)
    with pytest.raises(ValidationFailed) as refused:
        evaluations.icp_evaluation_update(actor=actors.ministry, organisation_id=org.pk, evaluation_id=ev.pk,
                                          today=TODAY, **{"rating": "good", "valid_until": date(2027, 1, 1), **values})
    assert field in refused.value.fields
    ev.refresh_from_db()
    assert ev.version == 2 and ev.findings.count() == 2


def test_only_the_ministry_evaluates(actors, org):
    for who in ("colleague", "owner", "province", "agency", "customs", "outsider"):
        with pytest.raises(NotAllowed):
            evaluations.icp_evaluation_create(actor=getattr(actors, who), organisation_id=org.pk)
    ev = draft(actors, org)
    for who in ("colleague", "province"):
        with pytest.raises(NotAllowed):
            issue(getattr(actors, who), ev)
    with pytest.raises(NotFound):
        evaluations.icp_evaluation_create(actor=actors.ministry, organisation_id=actors.ministry.organisation_id)
    with pytest.raises(NotFound):  # the evaluation is not the named exporter's
        evaluations.icp_evaluation_issue(actor=actors.ministry, organisation_id=actors.outsider.organisation_id,
                                         evaluation_id=ev.pk)


def test_a_retried_create_returns_the_same_draft(actors, org):
    import uuid

    token = uuid.uuid4()
    first = evaluations.icp_evaluation_create(actor=actors.ministry, organisation_id=org.pk, client_token=token)
    again = evaluations.icp_evaluation_create(actor=actors.ministry, organisation_id=org.pk, client_token=token)
    assert first == again and ICPEvaluation.objects.count() == 1


# ---------------------------------------------------------------- current_evaluation


def test_current_evaluation_expired_superseded_draft_and_withdrawn(actors, org):
    first = issue(actors.ministry, draft(actors, org, rating="good", findings=[], valid_until=date(2028, 6, 30)))
    assert current_evaluation(org, on=TODAY) == first
    assert current_evaluation(org.pk, on=date(2028, 6, 30)) == first
    assert current_evaluation(org, on=date(2028, 7, 1)) is None  # expired
    draft(actors, org, rating="poor", findings=[{"element": "audit", "severity": "major", "text": "No audit"}])
    assert current_evaluation(org, on=TODAY) == first  # a draft is ignored
    second = issue(actors.ministry, draft(actors, org, valid_until=date(2027, 6, 30)))
    first.refresh_from_db()
    assert first.superseded_by == second and first.status == "issued"
    assert current_evaluation(org, on=TODAY) == second
    # Superseded for good: after the newer one lapses the older one does not come back.
    assert current_evaluation(org, on=date(2027, 7, 1)) is None
    evaluations.icp_evaluation_withdraw(actor=actors.senior, organisation_id=org.pk, evaluation_id=second.pk,
                                        reason="Issued to the wrong company")
    assert current_evaluation(org, on=TODAY) is None
    assert Notification.objects.filter(kind="icp_evaluation.withdraw", recipient=actors.colleague).exists()
    assert current_evaluation(actors.outsider.organisation, on=TODAY) is None


def test_today_is_the_shanghai_date(actors, org, monkeypatch):
    ev = issue(actors.ministry, draft(actors, org, rating="good", findings=[], valid_until=date(2027, 1, 1)))
    # 2027-01-01 17:00 UTC is already 2 January in Shanghai: the evaluation has lapsed there.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2027, 1, 1, 17, 0, tzinfo=UTC))
    assert current_evaluation(org) is None
    monkeypatch.setattr(timezone, "now", lambda: datetime(2027, 1, 1, 15, 0, tzinfo=UTC))
    assert current_evaluation(org) == ev


def test_withdraw_needs_a_reason_and_a_withdrawn_one_cannot_be_issued(actors, org):
    ev = draft(actors, org)
    with pytest.raises(ValidationFailed):
        evaluations.icp_evaluation_withdraw(actor=actors.ministry, organisation_id=org.pk, evaluation_id=ev.pk,
                                            reason=" ")
    evaluations.icp_evaluation_withdraw(actor=actors.ministry, organisation_id=org.pk, evaluation_id=ev.pk,
                                        reason="Started twice")
    assert not Notification.objects.exists()  # a draft's withdrawal tells nobody: they never saw it
    with pytest.raises(InvalidTransition):
        issue(actors.ministry, ev)
    with pytest.raises(InvalidTransition):
        evaluations.icp_evaluation_withdraw(actor=actors.ministry, organisation_id=org.pk, evaluation_id=ev.pk,
                                            reason="again")


def test_the_demo_programme_is_seeded_once_with_an_issued_good_evaluation(actors, org):
    from compliance.icp import demo

    assert demo.seed(admin=actors.colleague, officer=actors.ministry, today=TODAY)
    assert demo.seed(admin=actors.colleague, officer=actors.ministry, today=TODAY) == []
    rows = {r.element: r.state for r in selectors.element_rows(icp_for(org), today=TODAY)}
    assert (rows["training"], rows["audit"], rows["manual"]) == ("due_soon", "stale", "fresh")
    ev = current_evaluation(org, on=TODAY)
    assert ev.rating == "good" and [f.element for f in selectors.findings_to_fix(ev)] == ["training"]
    assert ICPEvidence.objects.count() == 2


def test_a_version_that_is_not_a_number_is_a_400(actors, org):
    with pytest.raises(ValidationFailed) as refused:
        update(actors.colleague, org, expected_version="abc")
    assert "version" in refused.value.fields and not ICPElement.objects.exists()
    ev = draft(actors, org)
    with pytest.raises(ValidationFailed):
        issue(actors.ministry, ev, expected_version="2x")
    ev.refresh_from_db()
    assert ev.status == "draft"

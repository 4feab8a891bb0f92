"""Penalties (issue 14 item 5): inside the statutory range decided at once with a signed bilingual
decision; outside it blocked without a justification and countersigned by another senior officer;
send back, resubmit, withdraw, double submits; the 5-year bar and Reg. 20 route bars; a court's
criminal penalty."""

import datetime
import uuid

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from compliance.enforcement import selectors
from compliance.enforcement.models import EnforcementStep, Penalty, PenaltyStatus
from compliance.enforcement.services import note_add
from compliance.penalties import services
from licensing.licences.signing import verify_licence_pdf
from portal.errors import InvalidTransition, NotAllowed, ValidationFailed
from tests.enforcement_helpers import open_case, pdf_text
from tests.factories import UserFactory, authority

pytestmark = pytest.mark.django_db


def submit(actor, case, **kw):
    values = {"head": "unlicensed_export", "turnover": 1_000_000, "amount": 6_000_000,
              "reasons": "Exported 1C902 magnets to DE without a licence / 未经许可出口"}
    values.update(kw)
    return services.penalty_submit(actor=actor, reference=case.reference, **values)


def test_an_amount_inside_the_range_is_decided_with_a_signed_bilingual_decision(actors):
    case = open_case(actors)
    note_add(actor=actors.ministry, reference=case.reference, kind="remediation", text="Trained all staff")
    penalty = submit(actors.ministry, case, bar_applications=True, serious=True)
    today = timezone.localdate()
    assert penalty.status == PenaltyStatus.DECIDED and penalty.decided_on == today
    assert (penalty.range_min, penalty.range_max) == (5_000_000, 10_000_000)
    assert penalty.bars_applications_until == today.replace(year=today.year + 5)
    step = EnforcementStep.objects.get(penalty=penalty)
    assert step.kind == "penalty_decision" and step.number == f"CF{today.year}-000001"
    text = pdf_text(bytes(step.pdf))
    assert "行政处罚决定书" in text and "Administrative Penalty Decision" in text and "6,000,000" in text
    assert "出口管制法第三十四条" in text and "Export Control Law Art. 34" in text and "Trained all staff" in text
    result = verify_licence_pdf(bytes(step.pdf))
    assert result["trusted"] and result["field"] == "MOFCOM-Penalty"
    # The exporter sees the decision as a step addressed to it.
    assert [s.kind for s in selectors.steps_for(actors.owner, case)] == ["penalty_decision"]
    assert AuditEvent.objects.filter(action="penalty.decide", object_id=str(penalty.pk)).exists()


@pytest.mark.parametrize("amount", [4_999_999, 10_000_001, 0])
def test_an_amount_outside_the_range_without_justification_is_blocked(actors, amount):
    case = open_case(actors)
    with pytest.raises(ValidationFailed) as exc:
        submit(actors.ministry, case, amount=amount)
    assert "justification" in exc.value.fields
    assert not Penalty.objects.exists() and not EnforcementStep.objects.exists()


@pytest.mark.parametrize("amount", [5_000_000, 10_000_000])
def test_the_range_bounds_are_inside(actors, amount):
    assert submit(actors.ministry, open_case(actors), amount=amount).status == PenaltyStatus.DECIDED


def test_outside_the_range_needs_another_senior_officers_countersignature(actors):
    case = open_case(actors)
    penalty = submit(actors.senior, case, amount=3_000_000, justification="Full cooperation, first offence")
    assert penalty.status == PenaltyStatus.AWAITING_COUNTERSIGN and penalty.decided_on is None
    assert not EnforcementStep.objects.filter(penalty=penalty).exists()
    with pytest.raises(NotAllowed):  # not the proposer
        services.penalty_countersign(actor=actors.senior, penalty_id=penalty.pk)
    with pytest.raises(NotAllowed):  # not a case officer
        services.penalty_countersign(actor=actors.ministry, penalty_id=penalty.pk)
    for user in (actors.owner, actors.province, actors.agency, actors.customs):
        with pytest.raises(NotAllowed):
            services.penalty_countersign(actor=user, penalty_id=penalty.pk)
    assert Penalty.objects.get(pk=penalty.pk).status == PenaltyStatus.AWAITING_COUNTERSIGN
    other_senior = UserFactory(organisation=authority("MOFCOM"), role=Role.MINISTRY_SENIOR)
    assert list(selectors.countersign_queue(other_senior)) == [penalty]
    assert list(selectors.countersign_queue(actors.senior)) == []  # never your own
    decided = services.penalty_countersign(actor=other_senior, penalty_id=penalty.pk, note="Agreed")
    assert decided.status == PenaltyStatus.DECIDED and decided.countersigned_by == other_senior
    assert EnforcementStep.objects.filter(penalty=penalty, kind="penalty_decision").exists()
    with pytest.raises(InvalidTransition):  # a double click
        services.penalty_countersign(actor=other_senior, penalty_id=penalty.pk)
    assert EnforcementStep.objects.filter(penalty=penalty).count() == 1


def test_sent_back_revised_and_resubmitted(actors):
    case = open_case(actors)
    penalty = submit(actors.ministry, case, amount=1_000, justification="Tiny company")
    with pytest.raises(ValidationFailed):  # a comment is required
        services.penalty_send_back(actor=actors.senior, penalty_id=penalty.pk, note="")
    back = services.penalty_send_back(actor=actors.senior, penalty_id=penalty.pk, note="Too low")
    assert back.status == PenaltyStatus.DRAFT and back.countersign_note == "Too low"
    with pytest.raises(InvalidTransition):
        services.penalty_countersign(actor=actors.senior, penalty_id=penalty.pk)
    with pytest.raises(NotAllowed):  # another officer does not resubmit it
        submit(actors.senior, case, penalty_id=penalty.pk)
    with pytest.raises(InvalidTransition):  # a stale version
        submit(actors.ministry, case, penalty_id=penalty.pk, version=1)
    again = submit(actors.ministry, case, penalty_id=penalty.pk, amount=5_500_000, version=back.version)
    assert again.pk == penalty.pk and again.status == PenaltyStatus.DECIDED and again.justification == ""


def test_withdraw_and_wrong_state(actors):
    case = open_case(actors)
    penalty = submit(actors.ministry, case, amount=1, justification="x")
    services.penalty_withdraw(actor=actors.ministry, penalty_id=penalty.pk)
    for action in (services.penalty_withdraw, services.penalty_countersign):
        with pytest.raises(InvalidTransition):
            action(actor=actors.senior, penalty_id=penalty.pk)
    decided = submit(actors.ministry, case)
    with pytest.raises(InvalidTransition):
        services.penalty_withdraw(actor=actors.ministry, penalty_id=decided.pk)
    with pytest.raises(NotAllowed):
        services.penalty_withdraw(actor=actors.owner, penalty_id=decided.pk)


def test_a_double_submit_with_the_same_token_is_refused(actors):
    case = open_case(actors)
    token = uuid.uuid4()
    submit(actors.ministry, case, client_token=token)
    with pytest.raises(InvalidTransition) as exc:
        submit(actors.ministry, case, client_token=token)
    assert exc.value.code == "duplicate" and Penalty.objects.count() == 1


@pytest.mark.parametrize(("field", "value"), [("head", "smuggling"), ("turnover", "-1"), ("amount", "abc"),
                                              ("amount", "10.5"), ("reasons", "")])
def test_bad_input_is_refused_and_nothing_changes(actors, field, value):
    case = open_case(actors)
    with pytest.raises(ValidationFailed) as exc:
        submit(actors.ministry, case, **{field: value})
    assert field in exc.value.fields and not Penalty.objects.exists()


@pytest.mark.parametrize("role", ["owner", "colleague", "outsider", "province", "agency", "customs"])
def test_only_the_ministry_submits_a_penalty(actors, role):
    case = open_case(actors)
    with pytest.raises(NotAllowed):
        submit(getattr(actors, role), case)


def test_a_closed_case_takes_no_penalty(actors):
    from compliance.enforcement.services import case_close

    case = open_case(actors)
    case_close(actor=actors.ministry, reference=case.reference)
    with pytest.raises(InvalidTransition):
        submit(actors.ministry, case)


def test_the_application_bar_selector(actors):
    org = actors.owner.organisation
    case = open_case(actors)
    assert selectors.application_bar(org) is None
    submit(actors.ministry, case)  # no bar ticked
    assert selectors.application_bar(org) is None
    barred = submit(actors.ministry, case, bar_applications=True)
    assert selectors.application_bar(org) == barred
    end = barred.bars_applications_until
    assert selectors.application_bar(org, on=end - datetime.timedelta(days=1)) == barred
    assert selectors.application_bar(org, on=end) is None  # exclusive
    assert selectors.application_bar(actors.outsider.organisation) is None
    pending = submit(actors.ministry, case, bar_applications=True, amount=1, justification="x")
    assert pending.status == PenaltyStatus.AWAITING_COUNTERSIGN
    assert selectors.application_bar(org) == barred  # not decided: no bar


def test_route_bars_criminal_and_serious_within_five_years(actors):
    org = actors.owner.organisation
    case = open_case(actors)
    submit(actors.ministry, case)  # not serious
    assert selectors.route_bars(org) == []
    serious = submit(actors.ministry, case, serious=True)
    assert selectors.route_bars(org) == [serious]
    five_years = serious.decided_on.replace(year=serious.decided_on.year + 5)
    assert selectors.route_bars(org, on=five_years - datetime.timedelta(days=1)) == [serious]
    assert selectors.route_bars(org, on=five_years) == []
    criminal = services.penalty_record_criminal(
        actor=actors.ministry, reference=case.reference, head="control_list_trading", court="上海市第三中级人民法院",
        judgment_reference="(2026)沪03刑初1号", decided_on=timezone.localdate() - datetime.timedelta(days=3000),
        reasons="Convicted")
    assert criminal.status == PenaltyStatus.DECIDED and criminal.kind == "criminal"
    assert selectors.route_bars(org, on=five_years) == [criminal]  # a criminal penalty is permanent


@pytest.mark.parametrize(("field", "value"), [("court", ""), ("decided_on", "2026-13-01"), ("head", "x"),
                                              ("decided_on", "2999-01-01"), ("amount", "-3")])
def test_a_bad_court_judgment_is_refused(actors, field, value):
    case = open_case(actors)
    values = {"head": "unlicensed_export", "court": "Court", "judgment_reference": "1", "decided_on": "2026-01-05",
              "reasons": "r", field: value}
    with pytest.raises(ValidationFailed) as exc:
        services.penalty_record_criminal(actor=actors.ministry, reference=case.reference, **values)
    assert field in exc.value.fields and not Penalty.objects.exists()
    with pytest.raises(NotAllowed):
        services.penalty_record_criminal(actor=actors.owner, reference=case.reference, **{**values, field: "1"})

"""Penalties on an enforcement case (Law 33-39). The officer chooses the head and the illegal
turnover; the statutory range and article come from the calculator. An amount inside the range is
decided at once; an amount outside it needs a written justification and a senior officer's
countersignature (never the proposer's own). On decision the signed bilingual decision (行政处罚
决定书) is issued as a step addressed to the exporter.

    submit:      draft (or new) → decided | awaiting_countersign
    countersign: awaiting_countersign → decided         (a ministry senior officer, not the proposer)
    send_back:   awaiting_countersign → draft           (with a comment)
    withdraw:    draft | awaiting_countersign → withdrawn
    criminal:    (new) → decided                        (a court's judgment, recorded by the ministry)
"""

import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from audit import services as audit
from compliance.eligibility.services import eligibility_recheck_on_commit
from compliance.enforcement import letters
from compliance.enforcement import services as cases
from compliance.enforcement.models import (
    EnforcementStep,
    Penalty,
    PenaltyHead,
    PenaltyKind,
    PenaltyStatus,
    StepKind,
)
from compliance.penalties.calculator import (
    APPLICATION_BAR_YEARS,
    PenaltyInputError,
    parse_turnover,
    penalty_range,
)
from licensing.models import Counter
from portal.dates import add_years
from portal.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from portal.text import clean_text

P = PenaltyStatus
TRANSITIONS = {
    "submit": ({P.DRAFT}, (P.DECIDED, P.AWAITING_COUNTERSIGN)),
    "countersign": ({P.AWAITING_COUNTERSIGN}, (P.DECIDED,)),
    "send_back": ({P.AWAITING_COUNTERSIGN}, (P.DRAFT,)),
    "withdraw": ({P.DRAFT, P.AWAITING_COUNTERSIGN}, (P.WITHDRAWN,)),
}


def _check(name, penalty):
    if penalty.status not in TRANSITIONS[name][0]:
        raise InvalidTransition(_("This action is not possible in the penalty's current state."))


def _amount(value, field="amount"):
    try:
        amount = parse_turnover(value)
    except PenaltyInputError:
        raise ValidationFailed(fields={field: [_("Enter a whole amount in RMB, zero or more.")]}) from None
    if amount != amount.to_integral_value():
        raise ValidationFailed(fields={field: [_("Enter a whole amount in RMB, zero or more.")]})
    return amount


def _lock(penalty_id) -> Penalty:
    penalty = Penalty.objects.select_for_update(of=("self",)).select_related("case", "case__exporter") \
        .filter(pk=penalty_id).first() if str(penalty_id).isdigit() else None
    if penalty is None:
        raise NotFound()
    return penalty


def mitigating_factors(case) -> list[str]:
    return [f"{note.noted_on:%Y-%m-%d} {note.get_kind_display()}: {note.text}" for note in case.notes.all()]


def _fill(penalty, *, head, turnover, amount, justification, serious, bar_applications, reasons):
    if head not in PenaltyHead.values:
        raise ValidationFailed(fields={"head": [_("Choose one of the listed values.")]})
    turnover = _amount(turnover, "turnover")
    amount = _amount(amount)
    rng = penalty_range(head, turnover)
    errors = {}
    try:
        reasons = clean_text(reasons, "reasons", limit=8000)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    justification = clean_text(justification, "justification", limit=4000, required=False)
    if not rng.contains(amount) and not justification:
        errors["justification"] = [_("The amount is outside the statutory range: give a written justification, "
                                     "which a senior officer countersigns, or choose an amount inside it.")]
    if errors:
        raise ValidationFailed(fields=errors)
    penalty.head, penalty.turnover, penalty.amount = head, turnover, amount
    penalty.range_min, penalty.range_max = rng.min, rng.max
    penalty.justification = "" if rng.contains(amount) else justification
    penalty.serious, penalty.bar_applications, penalty.reasons = bool(serious), bool(bar_applications), reasons
    return rng


def _snapshot(penalty) -> dict:
    return {"status": penalty.status, "head": penalty.head, "turnover": penalty.turnover, "amount": penalty.amount,
            "range": [penalty.range_min, penalty.range_max], "justification": penalty.justification,
            "serious": penalty.serious, "bar_applications": penalty.bar_applications, "version": penalty.version}


def _decide(penalty, actor):
    """DECIDED today: the bar when ticked, the signed decision as a step the exporter sees."""
    today = timezone.localdate()
    penalty.status, penalty.decided_on = P.DECIDED, today
    penalty.bars_applications_until = add_years(today, APPLICATION_BAR_YEARS) if penalty.bar_applications else None
    penalty.save()
    case = penalty.case
    number = f"CF{today.year}-{Counter.objects.next_value('penalty_decision', today.year):06d}"
    rng = penalty_range(penalty.head, penalty.turnover)
    content = letters.penalty_decision_pdf(letters.penalty_decision_data(
        case, penalty, number, rng, mitigating_factors(case)))
    step = EnforcementStep.objects.create(
        case=case, kind=StepKind.PENALTY_DECISION, number=number, occurred_on=today, penalty=penalty,
        text=penalty.reasons, pdf=content, pdf_sha256=hashlib.sha256(content).hexdigest(), created_by=actor)
    audit.record(actor=actor, action="penalty.decide", obj=penalty, after={
        **_snapshot(penalty), "decided_on": today, "bars_applications_until": penalty.bars_applications_until,
        "decision": number, "pdf_sha256": step.pdf_sha256})
    cases.notify_step(case, step)
    # Reg. 20: a penalty may end the exporter's eligibility for its general licences.
    eligibility_recheck_on_commit(organisation_id=penalty.exporter_id, reason="penalty")
    return step


@transaction.atomic
def penalty_submit(*, actor, reference, head, turnover, amount, reasons, justification="", serious=False,
                   bar_applications=False, penalty_id=None, client_token=None, version=None) -> Penalty:
    """A new penalty (or a draft sent back, with `penalty_id`) goes to decision: decided at once
    inside the range, to a senior officer's countersignature outside it."""
    cases.require_ministry(actor, _("Only the ministry decides a penalty."))
    case = cases.lock_case(reference)
    cases.check_transition("penalty", case)
    if penalty_id is not None:
        penalty = _lock(penalty_id)
        if penalty.case_id != case.pk:
            raise NotFound()
        if version is not None and str(version) != str(penalty.version):
            raise InvalidTransition(_("Someone changed this penalty after you opened it. Reload the page."),
                                    code="stale")
        _check("submit", penalty)
        if penalty.created_by_id != actor.pk:
            raise NotAllowed(_("Only the officer who proposed this penalty resubmits it."))
    else:
        if client_token and Penalty.objects.filter(case=case, client_token=client_token).exists():
            raise InvalidTransition(_("This penalty was submitted already."), code="duplicate")
        penalty = Penalty(case=case, exporter=case.exporter, kind=PenaltyKind.ADMINISTRATIVE, created_by=actor,
                          client_token=client_token or None, status=P.DRAFT)
    before = _snapshot(penalty) if penalty.pk else {}
    rng = _fill(penalty, head=head, turnover=turnover, amount=amount, justification=justification,
                serious=serious, bar_applications=bar_applications, reasons=reasons)
    penalty.version += 1 if penalty.pk else 0
    if rng.contains(penalty.amount):
        try:
            with transaction.atomic():
                penalty.save()
        except IntegrityError:
            raise InvalidTransition(_("This penalty was submitted already."), code="duplicate") from None
        audit.record(actor=actor, action="penalty.submit", obj=penalty, before=before, after=_snapshot(penalty))
        _decide(penalty, actor)
    else:
        penalty.status = P.AWAITING_COUNTERSIGN
        try:
            with transaction.atomic():
                penalty.save()
        except IntegrityError:
            raise InvalidTransition(_("This penalty was submitted already."), code="duplicate") from None
        audit.record(actor=actor, action="penalty.submit", obj=penalty, before=before, after=_snapshot(penalty))
        cases.notify_seniors(case, penalty, actor)
    return penalty


def _senior(actor, penalty):
    if getattr(actor, "role", None) != Role.MINISTRY_SENIOR:
        raise NotAllowed(_("Only a ministry senior officer countersigns a penalty."))
    if penalty.created_by_id == actor.pk:
        raise NotAllowed(_("A penalty is countersigned by another senior officer than the one who proposed it."))


@transaction.atomic
def penalty_countersign(*, actor, penalty_id, note="", version=None) -> Penalty:
    penalty = _lock(penalty_id)
    cases.require_ministry(actor)
    _check("countersign", penalty)
    _senior(actor, penalty)
    if version is not None and str(version) != str(penalty.version):
        raise InvalidTransition(_("Someone changed this penalty after you opened it. Reload the page."), code="stale")
    penalty.countersigned_by = actor
    penalty.countersign_note = clean_text(note, "note", limit=4000, required=False)
    penalty.version += 1
    audit.record(actor=actor, action="penalty.countersign", obj=penalty, after={"note": penalty.countersign_note})
    _decide(penalty, actor)
    return penalty


@transaction.atomic
def penalty_send_back(*, actor, penalty_id, note, version=None) -> Penalty:
    penalty = _lock(penalty_id)
    cases.require_ministry(actor)
    _check("send_back", penalty)
    _senior(actor, penalty)
    note = clean_text(note, "note", limit=4000)
    before = _snapshot(penalty)
    penalty.status, penalty.countersign_note = P.DRAFT, note
    penalty.version += 1
    penalty.save(update_fields=["status", "countersign_note", "version"])
    audit.record(actor=actor, action="penalty.send_back", obj=penalty, before=before,
                 after={**_snapshot(penalty), "note": note})
    return penalty


@transaction.atomic
def penalty_withdraw(*, actor, penalty_id, version=None) -> Penalty:
    cases.require_ministry(actor)
    penalty = _lock(penalty_id)
    _check("withdraw", penalty)
    before = _snapshot(penalty)
    penalty.status = P.WITHDRAWN
    penalty.version += 1
    penalty.save(update_fields=["status", "version"])
    audit.record(actor=actor, action="penalty.withdraw", obj=penalty, before=before, after=_snapshot(penalty))
    return penalty


@transaction.atomic
def penalty_record_criminal(*, actor, reference, head, court, judgment_reference, decided_on, reasons,
                            amount=0, client_token=None) -> Penalty:
    """A court's criminal judgment for an export-control offence, recorded on the case: decided
    as given (a permanent bar from the general-licence and registration routes, Reg. 20)."""
    cases.require_ministry(actor, _("Only the ministry records a court's judgment."))
    case = cases.lock_case(reference)
    cases.check_transition("penalty", case)
    errors = {}
    if head not in PenaltyHead.values:
        errors["head"] = [_("Choose one of the listed values.")]
    values = {}
    for field, value, limit in (("court", court, 200), ("judgment_reference", judgment_reference, 100),
                                ("reasons", reasons, 8000)):
        try:
            values[field] = clean_text(value, field, limit=limit)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    try:
        day = cases.parse_date(decided_on, "decided_on", default_today=False)
        if day > timezone.localdate():
            errors["decided_on"] = [_("The judgment date cannot be in the future.")]
    except ValidationFailed as exc:
        errors.update(exc.fields)
    try:
        amount = _amount(amount)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed(fields=errors)
    if client_token and Penalty.objects.filter(case=case, client_token=client_token).exists():
        raise InvalidTransition(_("This judgment was recorded already."), code="duplicate")
    penalty = Penalty.objects.create(
        case=case, exporter=case.exporter, kind=PenaltyKind.CRIMINAL, head=head, amount=amount, status=P.DECIDED,
        decided_on=day, created_by=actor, client_token=client_token or None, **values)
    audit.record(actor=actor, action="penalty.criminal", obj=penalty, after={
        "case": case.reference, "exporter": case.exporter.code, "head": head, "court": values["court"],
        "judgment": values["judgment_reference"], "decided_on": day, "amount": amount})
    eligibility_recheck_on_commit(organisation_id=penalty.exporter_id, reason="penalty")
    return penalty

"""The ministry's evaluation of an exporter's internal compliance programme (on paper or on site):
findings per element, an overall rating and a date it is valid until. A draft is written, then
issued (the exporter is told and sees it; an earlier issued evaluation is superseded), or withdrawn.
One service per transition; the transitions are the table below."""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import MINISTRY_ROLES, Organisation, OrgKind, Role, User
from audit import services as audit
from compliance.icp.models import (
    Element,
    EvaluationMethod,
    EvaluationStatus,
    ICPEvaluation,
    ICPFinding,
    Rating,
    Severity,
)
from compliance.icp.services import both, check_version, parse_date
from notifications.services import notify
from portal.errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
    lazy_format,
)
from portal.text import clean_text

TEXT_MAX_CHARS = 5000
MAX_FINDINGS = 50
MAX_VALIDITY_YEARS = 5


@dataclass(frozen=True)
class Step:
    sources: frozenset
    target: str
    roles: frozenset


E = EvaluationStatus
TRANSITIONS = {
    # action      from                            to            who              service
    "create":   Step(frozenset(),                 E.DRAFT,      MINISTRY_ROLES),  # icp_evaluation_create
    "update":   Step(frozenset({E.DRAFT}),        E.DRAFT,      MINISTRY_ROLES),  # icp_evaluation_update
    "issue":    Step(frozenset({E.DRAFT}),        E.ISSUED,     MINISTRY_ROLES),  # icp_evaluation_issue
    "withdraw": Step(frozenset({E.DRAFT, E.ISSUED}), E.WITHDRAWN, MINISTRY_ROLES),  # icp_evaluation_withdraw
}
ACTION_LABELS = {"update": _("edited"), "issue": _("issued"), "withdraw": _("withdrawn")}


def can_act(evaluation: ICPEvaluation, user, action: str) -> bool:
    step = TRANSITIONS[action]
    return getattr(user, "role", None) in step.roles and evaluation.status in step.sources


def evaluation_url(evaluation: ICPEvaluation) -> str:
    return reverse("icp-evaluation", args=[evaluation.exporter_id, evaluation.pk])


def _snapshot(ev: ICPEvaluation) -> dict:
    return {"status": ev.status, "rating": ev.rating, "method": ev.method,
            "valid_until": ev.valid_until.isoformat() if ev.valid_until else None,
            "evaluated_on": ev.evaluated_on.isoformat() if ev.evaluated_on else None,
            "summary": ev.summary, "version": ev.version,
            "findings": [{"element": f.element, "severity": f.severity, "text": f.text} for f in ev.findings.all()]}


def _ministry(actor, action: str):
    if getattr(actor, "role", None) not in TRANSITIONS[action].roles:
        raise NotAllowed(_("Only the ministry evaluates internal compliance programmes."))


def _exporter(organisation_id) -> Organisation:
    try:
        return Organisation.objects.select_for_update().get(pk=int(organisation_id), kind=OrgKind.EXPORTER)
    except (Organisation.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def _lock(evaluation_id, organisation_id=None) -> ICPEvaluation:
    """The evaluation locked, after its exporter's row: two issues for one exporter run one by one."""
    try:
        pk = int(evaluation_id)
        exporter_id = ICPEvaluation.objects.values_list("exporter_id", flat=True).get(pk=pk)
    except (ICPEvaluation.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None
    if organisation_id is not None and str(exporter_id) != str(organisation_id):
        raise NotFound()
    _exporter(exporter_id)
    return ICPEvaluation.objects.select_for_update().get(pk=pk)


def _check(ev: ICPEvaluation, action: str, expected_version) -> None:
    if ev.status not in TRANSITIONS[action].sources:
        raise InvalidTransition(lazy_format(_("This evaluation is “%(state)s”; it cannot be %(action)s now."),
                                            state=ev.get_status_display(), action=ACTION_LABELS[action]))
    check_version(expected_version, ev.version,
                  _("Someone changed this evaluation after you opened it. Reload the page and try again."))


def _method(value) -> str:
    if value not in EvaluationMethod.values:
        raise ValidationFailed(fields={"method": [_("Choose one of the listed values.")]})
    return value


def _evaluated_on(value, today: date) -> date | None:
    day = parse_date(value, "evaluated_on")
    if day is not None and day > today:
        raise ValidationFailed(fields={"evaluated_on": [_("The date cannot be in the future.")]})
    return day


@transaction.atomic
def icp_evaluation_create(*, actor, organisation_id, method=EvaluationMethod.PAPER, evaluated_on=None,
                          client_token=None, today: date | None = None) -> ICPEvaluation:
    """A ministry officer starts a draft evaluation of an exporter's ICP (the same client token
    again returns the draft already made)."""
    _ministry(actor, "create")
    org = _exporter(organisation_id)
    if client_token is not None:
        earlier = ICPEvaluation.objects.filter(exporter=org, client_token=client_token).first()
        if earlier is not None:
            return earlier
    today = today or timezone.localdate()
    values = {"method": _method(method), "evaluated_on": _evaluated_on(evaluated_on, today)}
    try:
        with transaction.atomic():
            ev = ICPEvaluation.objects.create(exporter=org, evaluated_by=actor, client_token=client_token, **values)
    except IntegrityError:  # the same token made meanwhile
        return ICPEvaluation.objects.get(exporter=org, client_token=client_token)
    audit.record(actor=actor, action="icp_evaluation.create", obj=ev, after=_snapshot(ev))
    return ev


def _findings(findings) -> list[ICPFinding]:
    if findings is None:
        return None
    if not isinstance(findings, (list, tuple)) or len(findings) > MAX_FINDINGS:
        message = lazy_format(_("At most %(n)s findings."), n=MAX_FINDINGS)
        raise ValidationFailed(message, fields={"findings": [message]})
    rows = []
    for index, item in enumerate(findings):
        if not isinstance(item, dict):
            raise ValidationFailed(fields={f"findings.{index}": [_("Must be an object.")]})
        if item.get("element") not in Element.values:
            raise ValidationFailed(fields={f"findings.{index}.element": [_("Choose one of the nine elements.")]})
        if item.get("severity") not in Severity.values:
            raise ValidationFailed(fields={f"findings.{index}.severity": [_("Choose one of the listed values.")]})
        text = clean_text(item.get("text"), f"findings.{index}.text", limit=TEXT_MAX_CHARS)
        rows.append(ICPFinding(element=item["element"], severity=item["severity"], text=text))
    return rows


@transaction.atomic
def icp_evaluation_update(*, actor, organisation_id, evaluation_id, rating="", valid_until=None, method=None,
                          evaluated_on=None, summary="", findings=None, expected_version=None,
                          today: date | None = None) -> ICPEvaluation:
    """A ministry officer writes a draft: rating, valid-until date, summary and the findings per
    element (`findings`, a list of {element, severity, text}, replaces the draft's; None keeps them)."""
    _ministry(actor, "update")
    ev = _lock(evaluation_id, organisation_id)
    _check(ev, "update", expected_version)
    today = today or timezone.localdate()
    if rating not in ("", None) and rating not in Rating.values:
        raise ValidationFailed(fields={"rating": [_("Choose one of the listed values.")]})
    until = parse_date(valid_until, "valid_until")
    summary = clean_text(summary, "summary", limit=TEXT_MAX_CHARS, required=False)
    rows = _findings(findings)
    before = _snapshot(ev)
    ev.rating, ev.valid_until, ev.summary = rating or "", until, summary
    if method is not None:
        ev.method = _method(method)
    ev.evaluated_on = _evaluated_on(evaluated_on, today) if evaluated_on not in (None, "") else ev.evaluated_on
    ev.version += 1
    ev.save()
    if rows is not None:
        ev.findings.all().delete()
        for row in rows:
            row.evaluation = ev
        ICPFinding.objects.bulk_create(rows)
    audit.record(actor=actor, action="icp_evaluation.update", obj=ev, before=before, after=_snapshot(ev))
    return ev


def _ready_to_issue(ev: ICPEvaluation, today: date) -> None:
    problems = {}
    if not ev.rating:
        problems["rating"] = [_("Give the overall rating.")]
    if ev.valid_until is None:
        problems["valid_until"] = [_("Give the date the evaluation is valid until.")]
    elif ev.valid_until <= today:
        problems["valid_until"] = [_("The evaluation must be valid after today.")]
    elif ev.valid_until > today + relativedelta(years=MAX_VALIDITY_YEARS):
        problems["valid_until"] = [lazy_format(_("At most %(n)s years from today."), n=MAX_VALIDITY_YEARS)]
    if ev.evaluated_on is None:
        problems["evaluated_on"] = [_("Give the date of the evaluation.")]
    severities = {f.severity for f in ev.findings.all()}
    if ev.rating == Rating.GOOD and Severity.MAJOR in severities:
        problems["rating"] = [_("A programme with a major finding cannot be rated good.")]
    if ev.rating in (Rating.ADEQUATE, Rating.POOR) and not severities - {Severity.OBSERVATION}:
        problems["findings"] = [_("Say what is to be fixed: a rating below good needs a minor or major finding.")]
    if problems:
        raise ValidationFailed(_("The evaluation is not complete."), fields=problems)


def _tell_exporter(ev: ICPEvaluation, action: str, reason: str = "") -> None:
    people = list(User.objects.filter(organisation_id=ev.exporter_id, role=Role.EXPORTER_ADMIN, is_active=True)
                  .order_by("pk"))
    rating_zh, rating_en = both(Rating(ev.rating).label) if ev.rating else ("", "")
    if action == "issue":
        until = ev.valid_until.isoformat()
        title_zh = f"商务部已完成内部合规制度评估：{rating_zh}（有效期至 {until}）"
        title_en = f"The ministry has evaluated your internal compliance programme: {rating_en} (valid until {until})"
        body_zh = body_en = ev.summary
    else:
        title_zh, title_en = "商务部已撤回内部合规制度评估", "The ministry has withdrawn its evaluation of your ICP"
        body_zh = body_en = reason
    notify(recipients=people, key=f"icp-evaluation:{ev.pk}:{action}", kind=f"icp_evaluation.{action}",
           title_zh=title_zh, title_en=title_en, body_zh=body_zh, body_en=body_en, url=evaluation_url(ev))


@transaction.atomic
def icp_evaluation_issue(*, actor, organisation_id, evaluation_id, expected_version=None,
                         today: date | None = None) -> ICPEvaluation:
    """A ministry officer issues a complete draft: the exporter is told and sees it, and it
    supersedes the exporter's earlier issued evaluations."""
    _ministry(actor, "issue")
    ev = _lock(evaluation_id, organisation_id)
    _check(ev, "issue", expected_version)
    _ready_to_issue(ev, today or timezone.localdate())
    before = _snapshot(ev)
    ev.status, ev.issued_at, ev.issued_by = E.ISSUED, timezone.now(), actor
    ev.version += 1
    ev.save()
    older = list(ICPEvaluation.objects.select_for_update().filter(
        exporter_id=ev.exporter_id, status=E.ISSUED, superseded_by__isnull=True).exclude(pk=ev.pk)
        .values_list("pk", flat=True))
    ICPEvaluation.objects.filter(pk__in=older).update(superseded_by=ev)
    audit.record(actor=actor, action="icp_evaluation.issue", obj=ev, before=before,
                 after={**_snapshot(ev), "supersedes": older})
    _tell_exporter(ev, "issue")
    return ev


@transaction.atomic
def icp_evaluation_withdraw(*, actor, organisation_id, evaluation_id, reason, expected_version=None) -> ICPEvaluation:
    """A ministry officer withdraws a draft or an issued evaluation, saying why (an issued one no
    longer counts; the exporter is told)."""
    _ministry(actor, "withdraw")
    ev = _lock(evaluation_id, organisation_id)
    _check(ev, "withdraw", expected_version)
    reason = clean_text(reason, "reason", limit=TEXT_MAX_CHARS)
    before = _snapshot(ev)
    was_issued = ev.status == E.ISSUED
    ev.status, ev.withdrawn_at, ev.withdrawn_by, ev.withdraw_reason = E.WITHDRAWN, timezone.now(), actor, reason
    ev.version += 1
    ev.save()
    audit.record(actor=actor, action="icp_evaluation.withdraw", obj=ev, before=before,
                 after={**_snapshot(ev), "reason": reason})
    if was_issued:
        _tell_exporter(ev, "withdraw", reason)
    return ev

"""Changes of an issued licence (Reg. 18), one function per step:

- change_request: the exporter asks to change an issued licence (what it may change:
  licensing/changes/terms.py); a change of item, destination, end user or end use is refused
  (KeyElementChange) and offered as a new application instead (change_new_application);
- change_withdraw: the exporter takes a pending request back;
- change_decide: the ministry approves or refuses within 20 working days. Approval issues a new
  licence with a new number that replaces the old one, carries the quantities used over, and
  cancels the old one; customs' feed gets both events.

Each step locks its row, checks role, state and version, audits and notifies in the same
transaction."""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, User
from audit import services as audit
from licensing.applications import services as applications
from licensing.applications.selectors import exporter_people
from licensing.changes import terms
from licensing.licences import lifecycle
from licensing.licences import pdf as licence_pdf
from licensing.licences import services as licences
from licensing.licences.signing import sign_licence_pdf
from licensing.models import (
    Application,
    Counter,
    Licence,
    LicenceChange,
    LicenceChangeState,
    LicenceEventKind,
    LicenceItem,
    LicenceStatus,
)
from notifications.services import notify
from portal.errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    StaleVersion,
    ValidationFailed,
    lazy_format,
)
from portal.text import clean_text
from workdays.services import NoCalendarError, add_working_days

DECISION_LIMIT_WORKING_DAYS = 20  # Reg. 18
REASON_MAX_CHARS = 2000


@dataclass(frozen=True)
class Step:
    sources: frozenset
    target: str
    roles: frozenset


S = LicenceChangeState
TRANSITIONS = {
    # action     from             to            who                 service
    "request":  Step(frozenset(),  S.PENDING,    EXPORTER_ROLES),    # change_request
    "withdraw": Step(frozenset({S.PENDING}), S.WITHDRAWN, EXPORTER_ROLES),   # change_withdraw
    "approve":  Step(frozenset({S.PENDING}), S.APPROVED,  MINISTRY_ROLES),   # change_decide
    "refuse":   Step(frozenset({S.PENDING}), S.REFUSED,   MINISTRY_ROLES),   # change_decide
}
STEP_LABELS = {"withdraw": _("withdrawn"), "approve": _("approved"), "refuse": _("refused")}


def change_url(change: LicenceChange) -> str:
    return reverse("licence-change", args=[change.pk])


def change_due(requested_on: date) -> date | None:
    """The decision is due 20 working days after the request (Reg. 18), on the official calendar;
    None while that calendar is missing (never guessed from weekdays for a statutory date)."""
    try:
        return add_working_days(requested_on, DECISION_LIMIT_WORKING_DAYS)
    except NoCalendarError:
        return None


def can_request(licence: Licence, user) -> bool:
    return getattr(user, "role", None) in EXPORTER_ROLES and licence.status == LicenceStatus.ISSUED


def can_act(change: LicenceChange, user, action: str) -> bool:
    step = TRANSITIONS[action]
    return getattr(user, "role", None) in step.roles and change.state in step.sources


def _token(value):
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationFailed(fields={"client_token": [_("Must be a UUID.")]}) from None


def _check_licence_version(licence: Licence, expected_version) -> None:
    if expected_version is not None and str(expected_version) != str(licence.version):
        raise StaleVersion(_("Someone changed this licence after you opened it. Reload the page and try again."))


def _snapshot(change: LicenceChange) -> dict:
    return {"state": change.state, "licence": change.licence_id, "version": change.version}


def _ministry_recipients(app: Application) -> list[User]:
    """The officer who handled the case, else every ministry officer: someone must decide it."""
    if app.assigned_to_id and app.assigned_to.is_active and app.assigned_to.role in MINISTRY_ROLES:
        return [app.assigned_to]
    return list(User.objects.filter(role__in=MINISTRY_ROLES, is_active=True).order_by("pk"))


# ---------------------------------------------------------------- the exporter


@transaction.atomic
def change_request(*, actor, licence_id, data: dict, reason, expected_version=None,
                   client_token=None) -> LicenceChange:
    """The exporter asks to change an issued licence. One pending request per licence; the same
    client token again (a double click) returns the request already made."""
    if getattr(actor, "role", None) not in TRANSITIONS["request"].roles:
        raise NotAllowed(_("Only the exporter holding the licence asks to change it."))
    licence = lifecycle.lock_licence(licence_id, actor)
    token = _token(client_token)
    if token is not None:
        earlier = LicenceChange.objects.filter(licence=licence, client_token=token).first()
        if earlier is not None:
            return earlier
    terms.check_key_elements(data)
    if licence.status != LicenceStatus.ISSUED:
        raise InvalidTransition(lazy_format(_("This licence is “%(status)s”; only a valid licence can be changed."),
                                            status=LicenceStatus(licence.status).label))
    _check_licence_version(licence, expected_version)
    if LicenceChange.objects.filter(licence=licence, state=S.PENDING).exists():
        raise InvalidTransition(_("A change of this licence is already waiting for the ministry: withdraw it "
                                  "first, or wait for the decision."), code="change_pending")
    changes = terms.parse_changes(licence, data)
    reason = clean_text(reason, "reason", limit=REASON_MAX_CHARS)
    now = timezone.now()
    try:
        with transaction.atomic():
            change = LicenceChange.objects.create(licence=licence, requested_by=actor, requested_at=now,
                                                  changes=changes, reason=reason, client_token=token,
                                                  due_date=change_due(timezone.localdate(now)))
    except IntegrityError:  # the lock makes this unlikely; the constraints stay the last word
        raise InvalidTransition(_("A change of this licence is already waiting for the ministry."),
                                code="change_pending") from None
    audit.record(actor=actor, action="licence_change.request", obj=change,
                 after={**_snapshot(change), "changes": changes, "reason": reason,
                        "due_date": change.due_date.isoformat() if change.due_date else None})
    app = licence.application
    notify(recipients=_ministry_recipients(app), key=f"licence-change:{change.pk}:request",
           kind="licence_change.request", title_zh=f"许可证变更申请：{licence.number}（{app.exporter}）",
           title_en=f"Licence change request: {licence.number} ({app.exporter})", body_zh=reason, body_en=reason,
           url=change_url(change), application_id=app.pk)
    return change


def change_new_application(*, actor, licence_id, client_token=None) -> tuple[Application, bool]:
    """A change of a key element: a new draft pre-filled from the licence's case, recorded as
    replacing the licence (licence_issue cancels it when the new licence is issued)."""
    if getattr(actor, "role", None) not in EXPORTER_ROLES:
        raise NotAllowed(_("Only the exporter holding the licence asks to change it."))
    licence = Licence.objects.visible_to(actor).defer("pdf").filter(pk=licence_id).first()
    if licence is None:
        raise NotFound()
    if licence.status not in lifecycle.TRANSITIONS["cancel"].sources:
        raise InvalidTransition(lazy_format(_("This licence is “%(status)s”; there is nothing left to replace."),
                                            status=LicenceStatus(licence.status).label))
    with transaction.atomic():
        app, created = applications.application_copy(application_id=licence.application_id, actor=actor,
                                                     client_token=_token(client_token), replaces_licence=licence)
        if created:
            audit.record(actor=actor, action="licence_change.new_application", obj=licence,
                         after={"application": app.pk, "replaces_licence": licence.number})
    return app, created


# ---------------------------------------------------------------- withdraw, decide


def _lock(change_id, actor) -> LicenceChange:
    try:
        change_id = int(change_id)
    except (TypeError, ValueError, OverflowError):
        raise NotFound() from None
    change = (LicenceChange.objects.visible_to(actor).select_for_update(of=("self",))
              .select_related("licence").filter(pk=change_id).first())
    if change is None:
        raise NotFound()
    return change


def _begin(*, actor, change_id, action: str, expected_version) -> tuple[LicenceChange, bool]:
    """The locked request, and whether the step is to be done (False: the same person's double
    click, which changes nothing)."""
    step = TRANSITIONS[action]
    if getattr(actor, "role", None) not in step.roles:
        raise NotAllowed()
    change = _lock(change_id, actor)
    if change.state == step.target and change.decided_by_id == actor.pk:
        return change, False
    if change.state not in step.sources:
        raise InvalidTransition(lazy_format(_("This change request is “%(state)s”; it cannot be %(action)s now."),
                                            state=LicenceChangeState(change.state).label,
                                            action=STEP_LABELS[action]))
    if expected_version is not None and str(expected_version) != str(change.version):
        raise StaleVersion(_("Someone changed this request after you opened it. Reload the page and try again."))
    return change, True


def _finish(change: LicenceChange, actor, action: str, reason: str, before: dict, **extra) -> None:
    change.state = TRANSITIONS[action].target
    change.decided_by, change.decided_at, change.decision_reason = actor, timezone.now(), reason
    change.version += 1
    change.save()
    audit.record(actor=actor, action=f"licence_change.{action}", obj=change, before=before,
                 after={**_snapshot(change), "reason": reason, **extra})


@transaction.atomic
def change_withdraw(*, actor, change_id, expected_version=None) -> LicenceChange:
    change, todo = _begin(actor=actor, change_id=change_id, action="withdraw", expected_version=expected_version)
    if todo:
        _finish(change, actor, "withdraw", "", _snapshot(change))
    return change


TELL = {
    "approve": ("许可证 %(number)s 的变更申请已批准，新许可证 %(new)s", "The change of licence %(number)s is approved: "
                "new licence %(new)s"),
    "refuse": ("许可证 %(number)s 的变更申请未获批准", "The change of licence %(number)s is refused"),
}


@transaction.atomic
def change_decide(*, actor, change_id, outcome: str, reason="", expected_version=None) -> LicenceChange:
    """The ministry approves (a new licence replaces the old) or refuses (reason required)."""
    if outcome not in ("approve", "refuse"):
        raise ValidationFailed(fields={"outcome": [_("Choose approve or refuse.")]})
    change, todo = _begin(actor=actor, change_id=change_id, action=outcome, expected_version=expected_version)
    if not todo:
        return change
    reason = clean_text(reason, "reason", limit=REASON_MAX_CHARS, required=outcome == "refuse")
    before = _snapshot(change)
    old = lifecycle.lock_licence(change.licence_id, None)
    new = None
    if outcome == "approve":
        if old.status != LicenceStatus.ISSUED:
            raise InvalidTransition(lazy_format(_("The licence is now “%(status)s”; refuse the change instead."),
                                                status=LicenceStatus(old.status).label))
        new = _issue_changed(change, old)
        _finish(change, actor, outcome, reason, before, new_licence=new.number)
        _after_issue(change, old, new)
    else:
        _finish(change, actor, outcome, reason, before)
    app = old.application
    people = exporter_people(app)
    if change.requested_by not in people:
        people.append(change.requested_by)
    zh, en = TELL[outcome]
    names = {"number": old.number, "new": new.number if new else ""}
    notify(recipients=people, key=f"licence-change:{change.pk}:{outcome}", kind=f"licence_change.{outcome}",
           title_zh=zh % names, title_en=en % names, body_zh=reason, body_en=reason, url=change_url(change),
           application_id=app.pk)
    return change


def _issue_changed(change: LicenceChange, old: Licence) -> Licence:
    """The new licence: a new number, the old one's validity end, its lines with the smaller
    quantities and the quantities used carried over."""
    now = timezone.now()
    today = timezone.localdate(now)
    valid_until = min(old.valid_until, terms.validity_cap(old))
    Licence.objects.filter(pk=old.pk).update(current_for=None)  # the case's licence in force is the new one
    new = Licence.objects.create(
        application_id=old.application_id, current_for_id=old.application_id, exporter_id=old.exporter_id, export_port_id=old.export_port_id,
        number=licences.licence_number(today.year, Counter.objects.next_value("licence", today.year)),
        licence_type=old.licence_type, status=LicenceStatus.ISSUED, status_changed_at=now, replaces=old,
        one_port=old.one_port, one_shipment=old.one_shipment, shipment_declaration=old.shipment_declaration,
        issued_at=now, valid_from=today, valid_until=valid_until, pdf=b"", sha256="")
    rows = []
    for item in old.items.all():
        quantity = terms.new_quantity(change, item.line) or item.quantity
        # A general licence line without a cap keeps none, unless the change sets its quantity.
        capped = item.capped or terms.new_quantity(change, item.line) is not None
        if capped and quantity < item.used_quantity:  # drawn on since the request
            message = lazy_format(_("Line %(line)s has %(used)s used by now, more than the new quantity; refuse "
                                    "the change instead."), line=item.line, used=item.used_quantity.normalize())
            raise ValidationFailed(message, code="below_used", fields={f"quantities.{item.line}": [message]})
        value = item.value_rmb if quantity == item.quantity else terms.pro_rata(item.value_rmb, quantity / item.quantity)
        rows.append(LicenceItem(
            licence=new, line=item.line, application_item_id=item.application_item_id,
            control_code=item.control_code, catch_all=item.catch_all, description=item.description,
            specification=item.specification, hs_code=item.hs_code, customs_unit_id=item.customs_unit_id,
            unit=item.unit, quantity=quantity, value_rmb=value, tolerance_percent=item.tolerance_percent,
            used_quantity=item.used_quantity, used_value=item.used_value, capped=capped))
    LicenceItem.objects.bulk_create(rows)
    change.new_licence = new
    change.save(update_fields=["new_licence"])
    return new


def _after_issue(change: LicenceChange, old: Licence, new: Licence) -> None:
    content = sign_licence_pdf(licence_pdf.render_licence_pdf(terms.pdf_data(new)))
    new.pdf, new.sha256 = content, hashlib.sha256(content).hexdigest()
    new.save(update_fields=["pdf", "sha256"])
    audit.record(actor=None, action="licence.issue", obj=new,
                 after={"application": old.application_id, "number": new.number, "sha256": new.sha256,
                        "valid_until": new.valid_until.isoformat(), "replaces": old.number, "change": change.pk})
    # A new application started to replace the old licence now replaces the one in force.
    Application.objects.filter(replaces_licence=old, licence__isnull=True).update(replaces_licence=new)
    lifecycle.record_event(new, LicenceEventKind.ISSUED, reason=old.number)
    licences.licence_cancel(licence_id=old.pk, replaced_by=new)

"""Writes of exceptions to the Control List (Export Control Law Art. 18: an exporter may apply for
an exception to the measures, and the ministry decides): the exporter applies with reasons for one
party name against one entry version, may withdraw while it waits, and the ministry grants or
refuses with reasons. A granted exception lets the submission through for that name and version
only. Each write locks its row, writes the audit event and the notifications in one transaction."""

import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Role, User
from audit import services as audit
from enduser.exceptions import selectors
from enduser.models import ExceptionState, ListException, Party
from enduser.screening.services import Verdict, blocked_message
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

REASONS_MAX_CHARS = 5000


def _as_id(value) -> int:
    try:
        return int(value)
    except (ValueError, TypeError, OverflowError):
        raise NotFound() from None


def _require_exporter_of(actor, exporter_id) -> None:
    if getattr(actor, "role", None) not in EXPORTER_ROLES:
        raise NotAllowed(_("Only the exporter applies for an exception to the Control List."))
    if actor.organisation_id != exporter_id:
        raise NotFound()


def _url(row: ListException) -> str:
    return reverse("list-exception", args=[row.pk])


def _snapshot(row: ListException) -> dict:
    return {"state": row.state, "party": row.party_id, "party_name": row.party_name, "listed": row.listed_id,
            "listed_version": row.listed_version}


@transaction.atomic
def exception_request(*, actor, application_party, listed_id, reasons, client_token=None) -> ListException:
    """The exporter applies for an exception for one of its parties against a Control List entry in
    force that the party matches. A live application for the same name and entry version (a double
    click, a second tab) is returned as it is."""
    party_id = application_party.pk if isinstance(application_party, Party) else _as_id(application_party)
    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        raise NotFound()
    _require_exporter_of(actor, party.exporter_id)
    if client_token is not None:
        try:
            client_token = uuid.UUID(str(client_token))
        except ValueError:
            raise ValidationFailed(fields={"client_token": [_("Must be a UUID.")]}) from None
        earlier = ListException.objects.filter(client_token=client_token).first()
        if earlier is not None:
            if earlier.exporter_id != actor.organisation_id:
                raise NotFound()
            return earlier
    reasons = clean_text(reasons, "reasons", limit=REASONS_MAX_CHARS)
    listed_id = _as_id(listed_id)
    match = next((m for m in selectors.control_matches(party) if m.listed.pk == listed_id), None)
    if match is None:
        message = lazy_format(
            _("“%(party)s” does not match this entry of the Control List in force, so there is nothing to "
              "except: an exception is applied for against a Control List entry that the party matches."),
            party=party.name)
        raise ValidationFailed(message, fields={"listed": [message]})
    listed = match.listed
    live = dict(exporter_id=party.exporter_id, party_name=party.name, listed=listed, listed_version=listed.version,
                state__in=selectors.LIVE)
    existing = ListException.objects.filter(**live).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            row = ListException.objects.create(
                exporter_id=party.exporter_id, party=party, listed=listed, listed_version=listed.version,
                party_name=party.name, reasons=reasons, client_token=client_token, created_by=actor)
    except IntegrityError:  # the same application made meanwhile
        return ListException.objects.get(**live)
    audit.record(actor=actor, action="list_exception.request", obj=row,
                 after={**_snapshot(row), "reasons": reasons, "why": match.hit.why, "score": match.hit.score})
    officers = User.objects.filter(role__in=MINISTRY_ROLES, is_active=True).order_by("pk")
    notify(recipients=officers, key=f"list-exception:{row.pk}:requested", kind="list_exception.request",
           title_zh=f"管控名单例外申请：{row.party_name}", title_en=f"Control List exception requested: {row.party_name}",
           body_zh=f"{row.exporter} 申请对管控名单条目“{listed.primary_name}”的例外。",
           body_en=f"{row.exporter} applies for an exception to the Control List entry “{listed.primary_name}”.",
           url=_url(row))
    return row


def _lock(exception_id) -> ListException:
    try:
        return ListException.objects.select_for_update().get(pk=_as_id(exception_id))
    except ListException.DoesNotExist:
        raise NotFound() from None


def _check_version(row: ListException, expected_version) -> None:
    if expected_version is not None and int(expected_version) != row.version:
        raise StaleVersion(_("Someone changed this exception after you opened it. Reload the page and try again."))


@transaction.atomic
def exception_decide(*, actor, exception_id, grant: bool, reasons, expected_version=None) -> ListException:
    """The ministry grants or refuses an exception, with reasons. The same decision by the same
    officer again (a double click) changes nothing; any other second decision is refused."""
    if getattr(actor, "role", None) not in MINISTRY_ROLES:
        raise NotAllowed(_("Only the ministry decides exceptions to the Control List."))
    row = _lock(exception_id)
    reasons = clean_text(reasons, "reasons", limit=REASONS_MAX_CHARS)
    state = ExceptionState.GRANTED if grant else ExceptionState.REFUSED
    if row.state == state and row.decided_by_id == actor.pk:
        return row
    if row.state != ExceptionState.REQUESTED:
        raise InvalidTransition(lazy_format(_("This exception is no longer awaiting a decision (%(state)s)."),
                                            state=row.get_state_display()))
    _check_version(row, expected_version)
    before = _snapshot(row)
    row.state, row.decision_reasons, row.decided_by, row.decided_at = state, reasons, actor, timezone.now()
    row.version += 1
    row.save()
    audit.record(actor=actor, action="list_exception.decide", obj=row, before=before,
                 after={**_snapshot(row), "reasons": reasons})
    people = User.objects.filter(organisation_id=row.exporter_id, role__in=EXPORTER_ROLES, is_active=True)
    people = [user for user in people.order_by("pk") if user.pk == row.created_by_id or user.role == Role.EXPORTER_ADMIN]
    granted = state == ExceptionState.GRANTED
    notify(recipients=people, key=f"list-exception:{row.pk}:decided", kind="list_exception.decide",
           title_zh=f"管控名单例外{'已批准' if granted else '未批准'}：{row.party_name}",
           title_en=f"Control List exception {'granted' if granted else 'refused'}: {row.party_name}",
           body_zh=reasons, body_en=reasons, url=_url(row))
    return row


@transaction.atomic
def exception_withdraw(*, actor, exception_id, expected_version=None) -> ListException:
    """The exporter withdraws its application while it awaits the ministry's decision."""
    row = _lock(exception_id)
    _require_exporter_of(actor, row.exporter_id)
    if row.state == ExceptionState.WITHDRAWN:
        return row
    if row.state != ExceptionState.REQUESTED:
        raise InvalidTransition(_("Only an exception awaiting the ministry's decision can be withdrawn."))
    _check_version(row, expected_version)
    before = _snapshot(row)
    row.state = ExceptionState.WITHDRAWN
    row.version += 1
    row.save()
    audit.record(actor=actor, action="list_exception.withdraw", obj=row, before=before, after=_snapshot(row))
    return row


# ---------------------------------------------------------------- at submission


@dataclass
class Excepted:
    blocking: list  # Control List hits that still block
    awaiting: dict  # hit pk -> its exception awaiting the ministry's decision
    granted: list  # exceptions that let a hit through


def excepted(verdict: Verdict, *, exporter_id) -> Excepted:
    """Sorts the Control List hits of a screening: a hit with a granted exception of this exporter
    for that party name and entry version no longer blocks."""
    hits = verdict.blocking
    live = selectors.live_exceptions(exporter_id, [(h.party_name, h.listed_id, h.listed_version) for h in hits])
    result = Excepted(blocking=[], awaiting={}, granted=[])
    for hit in hits:
        row = live.get((hit.party_name, hit.listed_id, hit.listed_version))
        if row is not None and row.state == ExceptionState.GRANTED:
            result.granted.append(row)
            continue
        result.blocking.append(hit)
        if row is not None:
            result.awaiting[hit.pk] = row
    return result


def refusal_message(hit, *, awaiting: ListException | None, apply_url: str):
    """Why the submission is refused for this hit, and what the exporter can do."""
    explained = blocked_message(Verdict(hits=[hit]))
    if awaiting is not None:
        return lazy_format(_("%(explained)s An exception for it was applied for on %(day)s and is awaiting the "
                             "ministry's decision; you can submit once it is granted."),
                           explained=explained, day=awaiting.created_at.date().isoformat())
    return lazy_format(_("%(explained)s To apply for an exception, with your reasons: %(url)s"),
                       explained=explained, url=apply_url)

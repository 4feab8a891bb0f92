"""Reads of licence change requests: every list and page starts from LicenceChange.objects.visible_to,
and the request's 20-working-day clock (shown like the case's)."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from licensing.changes.services import DECISION_LIMIT_WORKING_DAYS
from licensing.changes.terms import FIELD_LABELS
from licensing.models import Licence, LicenceChange, LicenceChangeState
from workdays.services import (
    NoCalendarError,
    provisional_add_working_days,
    provisional_working_days_between,
    working_days_between,
)

PAGE_SIZE = 50


@dataclass(frozen=True)
class ChangeClock:
    limit: int
    due: date | None
    # True when the due date or the count leans on Monday-to-Friday for a year whose official
    # calendar is not entered yet (shown as provisional, never stored).
    provisional: bool
    days_left: int | None  # working days after today up to the due date; negative when overdue
    is_overdue: bool
    open: bool


def change_clock(change: LicenceChange, today: date | None = None) -> ChangeClock:
    today = today or timezone.localdate()
    requested_on = timezone.localdate(change.requested_at)
    due, provisional = change.due_date, False
    if due is None:
        due, provisional = provisional_add_working_days(requested_on, DECISION_LIMIT_WORKING_DAYS)
    is_open = change.state == LicenceChangeState.PENDING
    try:
        left = working_days_between(today, due) if due >= today else -working_days_between(due, today)
    except NoCalendarError:
        left, guessed = (provisional_working_days_between(today, due) if due >= today
                         else provisional_working_days_between(due, today))
        left = left if due >= today else -left
        provisional = provisional or guessed
    return ChangeClock(limit=DECISION_LIMIT_WORKING_DAYS, due=due, provisional=provisional,
                       days_left=left if is_open else None, is_overdue=is_open and today > due, open=is_open)


def queue_clock(change: LicenceChange, today: date | None = None) -> ChangeClock:
    """The clock of a queue row without counting working days (one calendar read per row would
    make the page's queries grow with its rows): the due date and whether it has passed."""
    today = today or timezone.localdate()
    is_open = change.state == LicenceChangeState.PENDING
    return ChangeClock(limit=DECISION_LIMIT_WORKING_DAYS, due=change.due_date, provisional=change.due_date is None,
                       days_left=None, is_overdue=bool(is_open and change.due_date and today > change.due_date),
                       open=is_open)


def changes_for(user):
    return (LicenceChange.objects.visible_to(user)
            .select_related("licence", "licence__exporter", "requested_by", "decided_by", "new_licence")
            .defer("licence__pdf", "new_licence__pdf"))


def changes_queue(user, *, state: str = LicenceChangeState.PENDING):
    """The requests `user` sees in a state, the oldest due first (a missing due date last)."""
    rows = changes_for(user)
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("due_date", "requested_at", "pk")


def change_for(user, pk) -> LicenceChange | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError, OverflowError):
        return None
    if not 0 < pk < 2**63:
        return None
    return changes_for(user).filter(pk=pk).first()


def changes_of_licence(user, licence: Licence) -> list[LicenceChange]:
    return list(changes_for(user).filter(licence=licence))


def licence_for(user, number: str) -> Licence | None:
    return (Licence.objects.visible_to(user).defer("pdf").select_related("application", "exporter")
            .filter(number=str(number).upper()[:20]).first())


def change_rows(change: LicenceChange) -> list[dict]:
    """The changes as a table: what, from, to."""
    rows = []
    for key, value in change.changes.items():
        if key.startswith("quantity:"):
            label = f"{FIELD_LABELS['quantity']} {key.split(':', 1)[1]}"
        else:
            label = FIELD_LABELS.get(key, key)
        rows.append({"field": key, "label": label, "old": value["old"], "new": value["new"]})
    return rows

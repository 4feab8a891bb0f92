"""Writes of the decision clock (Reg. 17): the clock fields stored on the case, kept up to date when
a case is received, accepted, paused or decided, and by beat's daily refresh."""

from datetime import date

from django.db import transaction

from licensing.clock.selectors import AWAITING_ACCEPTANCE, summary
from licensing.models import OPEN_REVIEW_STATES, Application, ClockState, Status


def refresh(app, today: date | None = None) -> list[str]:
    """Write the clock's denormalised fields from the pauses; returns the fields that changed.
    Call it after every change to the case's pauses, requests or state."""
    current = summary(app, today, history=False)
    changes = {"clock_state": current.state, "decision_due": current.due,
               "clock_paused_since": current.paused_since}
    if app.status == Status.FORWARDED:
        changes["acceptance_due"] = current.acceptance.due if current.acceptance else None
    elif app.status == Status.CORRECTING:
        changes["acceptance_due"] = None  # nothing is due from the ministry while the exporter corrects
    changed = [name for name, value in changes.items() if getattr(app, name) != value]
    for name in changed:
        setattr(app, name, changes[name])
    if changed and app.pk:
        app.save(update_fields=changed)
    return changed


def case_received(app, *, on: date) -> None:
    """The province forwarded the case: the 5 working days to accept it start."""
    refresh(app, on)


def case_accepted(app, *, on: date) -> None:
    """受理: the 45 working days start (Reg. 17)."""
    refresh(app, on)


def case_decided(app, *, on: date) -> None:
    """Approved or refused: the clock stops; decision_due keeps the due date as it stood then."""
    app.clock_state = ClockState.STOPPED
    refresh(app, on)
    app.save(update_fields=["clock_state"])


def refresh_open_cases(today: date | None = None) -> int:
    """Recompute the clock of every case waiting on the ministry (paused due dates move each
    working day; a calendar entered or corrected since moves others). Safe to run any time."""
    states = [*OPEN_REVIEW_STATES, *AWAITING_ACCEPTANCE]
    changed = 0
    for pk in Application.objects.filter(status__in=states).values_list("pk", flat=True).iterator():
        with transaction.atomic():
            app = Application.objects.select_for_update().filter(pk=pk, status__in=states).first()
            if app is not None and refresh(app, today):
                changed += 1
    return changed

"""The statutory clocks of a case: acceptance within 5 working days of receipt, and the decision
within 45 working days of acceptance (Reg. 17), on the Chinese working-day calendar.

PLACEHOLDER written by the lead: the helper owning this module replaces it (keep the function
names: case_received, case_accepted; others may be added)."""

from workdays.services import NoCalendarError, add_working_days

ACCEPTANCE_LIMIT_WORKING_DAYS = 5
DECISION_LIMIT_WORKING_DAYS = 45  # Reg. 17


def case_received(app, *, on) -> None:
    try:
        app.acceptance_due = add_working_days(on, ACCEPTANCE_LIMIT_WORKING_DAYS)
    except NoCalendarError:
        app.acceptance_due = None
    app.save(update_fields=["acceptance_due"])


def case_accepted(app, *, on) -> None:
    from licensing.models import ClockState

    try:
        app.decision_due = add_working_days(on, DECISION_LIMIT_WORKING_DAYS)
    except NoCalendarError:
        app.decision_due = None
    app.clock_state = ClockState.RUNNING
    app.save(update_fields=["decision_due", "clock_state"])

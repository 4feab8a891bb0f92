"""The statutory clocks of a case, on China's working-day calendar (workdays.services).

- Acceptance (受理): within 5 working days of receipt (the day the province forwards the case),
  or of the exporter's answer to the one request for corrections (补正), which stops it meanwhile.
- Decision: within 45 working days of acceptance (Reg. 17). Not counted: the working days a
  `ClockPause` covers (item identification, expert consultation, on-site checks, waiting for the
  exporter's answer): those after `started_on` up to and including `ended_on`, an open pause
  up to today. No limit at all while a party is watch-listed or the State Council decides
  (NO_LIMIT_KINDS).

`summary` and `acceptance` only read. The case's denormalised fields (clock_state, decision_due,
clock_paused_since, acceptance_due), which queues sort and filter on, are written only by
`refresh` and the hooks the services call (case_received, case_accepted, case_decided); for a
paused case decision_due is the due date if the clock resumed today, so it moves on every
working day and `refresh_open_cases` (a beat task) keeps it current.
"""

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from licensing.models import (
    NO_LIMIT_KINDS,
    OPEN_REVIEW_STATES,
    ClockPause,
    ClockState,
    PauseKind,
    Status,
)
from workdays.services import (
    NoCalendarError,
    add_working_days,
    complete_years_working_days,
    provisional_add_working_days,
    provisional_working_days_between,
    working_days_between,
)

ACCEPTANCE_LIMIT_WORKING_DAYS = 5
DECISION_LIMIT_WORKING_DAYS = 45  # Reg. 17

DECIDED = (Status.APPROVED, Status.REFUSED)
AWAITING_ACCEPTANCE = (Status.FORWARDED, Status.CORRECTING)


@dataclass(frozen=True)
class PauseRow:
    """One stop of the clock, as the case page and the API show it."""

    id: int
    kind: str
    label: str
    started_on: date
    ended_on: date | None
    is_open: bool
    no_limit: bool
    before_acceptance: bool
    # Working days not counted because of this stop (up to the summary's date); None when the
    # calendar needed is missing.
    working_days: int | None
    note: str
    request_id: int | None
    started_by: str
    ended_by: str


@dataclass(frozen=True)
class Acceptance:
    received_on: date
    restarted_on: date | None  # the day the exporter answered the request for corrections
    due: date | None
    days_left: int | None
    is_overdue: bool
    waiting_since: date | None  # corrections asked, the exporter has not answered yet
    respond_by: date | None
    accepted_on: date | None
    problem: str = ""
    provisional_due: date | None = None  # weekdays only where the calendar is missing; shown, never stored

    @property
    def overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


@dataclass(frozen=True)
class Summary:
    state: str
    as_of: date
    accepted_on: date | None
    due: date | None
    days_used: int | None
    days_left: int | None
    is_overdue: bool
    paused_since: date | None
    pause_kinds: tuple = ()
    pause_label: str = ""
    no_limit_reason: str = ""
    problem: str = ""
    history: tuple = ()
    acceptance: Acceptance | None = None
    limit: int = DECISION_LIMIT_WORKING_DAYS
    provisional_due: date | None = None  # weekdays only where the calendar is missing; shown, never stored

    @property
    def overdue(self) -> int:
        """Working days past the deadline (0 when not overdue)."""
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def state_label(self) -> str:
        return ClockState(self.state).label

    @property
    def no_limit(self) -> bool:
        return self.state == "no_limit"

    @property
    def paused(self) -> bool:
        return self.state == "paused"


# ---------------------------------------------------------------- arithmetic


def _signed_between(a: date, b: date) -> int:
    """Working days from a to b; negative when b is before a."""
    return working_days_between(a, b) if a <= b else -working_days_between(b, a)


def _intervals(pauses, accepted_on: date, as_of: date) -> list[tuple[date, date]]:
    """The stretches (start, end] not counted, from acceptance up to as_of, overlaps merged."""
    spans = []
    for pause in pauses:
        if pause.started_on > as_of:
            continue
        start = max(pause.started_on, accepted_on)
        end = as_of if pause.ended_on is None or pause.ended_on > as_of else pause.ended_on
        if end > start:
            spans.append((start, end))
    merged: list[tuple[date, date]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _not_counted(intervals, a: date, b: date) -> int:
    """Working days in (a, b] that fall in the intervals."""
    total = 0
    for start, end in intervals:
        lo, hi = max(start, a), min(end, b)
        if hi > lo:
            total += working_days_between(lo, hi)
    return total


def _due(accepted_on: date, intervals, *, between=working_days_between, add=add_working_days) -> date:
    """The day the 45th counted working day falls on: count up to each stop, skip it, go on. A
    stop that begins after the deadline has passed does not move it."""
    remaining, cursor = DECISION_LIMIT_WORKING_DAYS, accepted_on
    for start, end in intervals:
        counted = between(cursor, start)
        if remaining <= counted:
            break
        remaining -= counted
        cursor = max(cursor, end)
    return add(cursor, remaining)


def _provisional_due(accepted_on: date, intervals) -> date:
    """_due counting weekdays in a year whose calendar is missing (each December, the next one)."""
    return _due(accepted_on, intervals, between=lambda a, b: provisional_working_days_between(a, b)[0],
                add=lambda d, n: provisional_add_working_days(d, n)[0])


# ---------------------------------------------------------------- reads


def _local(moment) -> date | None:
    return timezone.localdate(moment) if moment else None


def _pauses(app) -> list:
    cache = getattr(app, "_prefetched_objects_cache", {})
    if "pauses" in cache:
        return list(cache["pauses"])
    return list(app.pauses.select_related("request", "started_by", "ended_by").order_by("started_on", "pk"))


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def acceptance(app, today: date | None = None, pauses=None) -> Acceptance | None:
    """The 5-working-day acceptance clock; None before the case reaches the ministry."""
    if app.forwarded_at is None:
        return None
    today = today or timezone.localdate()
    pauses = _pauses(app) if pauses is None else pauses
    correction = next((p for p in reversed(pauses) if p.kind == PauseKind.CORRECTION), None)
    received_on = _local(app.forwarded_at)
    accepted_on = _local(app.accepted_at)
    waiting_since = correction.started_on if correction and correction.ended_on is None else None
    restarted_on = correction.ended_on if correction and correction.ended_on else None
    respond_by = correction.request.respond_by if correction and correction.request_id else None
    # While the exporter corrects, the clock stands where it was when the request went out.
    as_of = accepted_on or waiting_since or today
    if restarted_on and as_of < restarted_on:
        as_of = restarted_on
    start = restarted_on or received_on
    try:
        due = add_working_days(start, ACCEPTANCE_LIMIT_WORKING_DAYS)
        left = _signed_between(as_of, due)
    except NoCalendarError as exc:
        return Acceptance(received_on, restarted_on, None, None, False, waiting_since, respond_by,
                          accepted_on, exc.for_people,
                          provisional_add_working_days(start, ACCEPTANCE_LIMIT_WORKING_DAYS)[0])
    return Acceptance(received_on, restarted_on, due, left, as_of > due, waiting_since, respond_by,
                      accepted_on)


def summary(app, today: date | None = None, *, pauses=None, history: bool = True) -> Summary:
    """The decision clock as of `today` (or, once decided, as of the decision)."""
    today = today or timezone.localdate()
    pauses = _pauses(app) if pauses is None else list(pauses)
    accepted_on = _local(app.accepted_at)
    decided = app.status in DECIDED or app.clock_state == ClockState.STOPPED
    as_of = today
    if decided and app.decided_at and _local(app.decided_at) < today:
        as_of = _local(app.decided_at)
    accept = acceptance(app, today, pauses)

    if accepted_on is None:
        return Summary(ClockState.NOT_STARTED, as_of, None, None, None, None, False, None,
                       history=_history(pauses, None, as_of) if history else (), acceptance=accept)

    current = [p for p in pauses if p.started_on <= as_of]
    open_now = [p for p in current if p.ended_on is None or p.ended_on > as_of]
    no_limit = [p for p in open_now if p.kind in NO_LIMIT_KINDS]
    if decided:
        state = ClockState.STOPPED
    elif no_limit:
        state = ClockState.NO_LIMIT
    elif open_now:
        state = ClockState.PAUSED
    else:
        state = ClockState.RUNNING
    stopped_by = open_now if state in (ClockState.PAUSED, ClockState.NO_LIMIT) else []
    kinds = tuple(dict.fromkeys(p.kind for p in stopped_by))
    label = "; ".join(str(PauseKind(kind).label) for kind in kinds)
    reason = "; ".join(str(PauseKind(p.kind).label) for p in no_limit) if state == ClockState.NO_LIMIT else ""
    paused_since = min((p.started_on for p in stopped_by), default=None)

    intervals = _intervals(current, accepted_on, as_of)
    due = used = left = provisional = None
    problem = ""
    try:
        used = working_days_between(accepted_on, as_of) - _not_counted(intervals, accepted_on, as_of)
        if state != ClockState.NO_LIMIT:
            left = DECISION_LIMIT_WORKING_DAYS - used
            due = _due(accepted_on, intervals)
    except NoCalendarError as exc:
        # Days used and left may still be known when only the due date lies in a missing year.
        problem = exc.for_people
        if state != ClockState.NO_LIMIT:
            provisional = _provisional_due(accepted_on, intervals)
    overdue = (due is not None and as_of > due) or (left is not None and left < 0)
    return Summary(
        state=state, as_of=as_of, accepted_on=accepted_on, due=due, days_used=used, days_left=left,
        is_overdue=overdue, paused_since=paused_since, pause_kinds=kinds,
        pause_label=label, no_limit_reason=reason, problem=problem,
        history=_history(pauses, accepted_on, as_of) if history else (), acceptance=accept,
        provisional_due=provisional)


def page_summary(app) -> Summary:
    """summary() for today, computed once per case object (a page and its panels share it)."""
    key = (timezone.localdate(), app.version, app.status, app.clock_state)
    cached = getattr(app, "_clock_page_summary", None)
    if cached is None or cached[0] != key:
        cached = (key, summary(app))
        app._clock_page_summary = cached
    return cached[1]


def _history(pauses, accepted_on: date | None, as_of: date) -> tuple:
    rows = []
    for pause in pauses:
        before = accepted_on is None or (pause.ended_on is not None and pause.ended_on <= accepted_on)
        counted = 0
        if not before and pause.started_on <= as_of:
            try:
                counted = _not_counted(_intervals([pause], accepted_on, as_of), accepted_on, as_of)
            except NoCalendarError:
                counted = None
        rows.append(PauseRow(
            id=pause.pk, kind=pause.kind, label=str(PauseKind(pause.kind).label),
            started_on=pause.started_on, ended_on=pause.ended_on, is_open=pause.ended_on is None,
            no_limit=pause.kind in NO_LIMIT_KINDS, before_acceptance=before, working_days=counted,
            note=pause.note, request_id=pause.request_id, started_by=_who(pause.started_by),
            ended_by=_who(pause.ended_by)))
    return tuple(rows)


def open_pause_kinds(apps) -> dict[int, list[str]]:
    """The kinds of the open pauses of several cases, in one query (lists, queues)."""
    ids = [app.pk for app in apps]
    found = defaultdict(list)
    if ids:
        for application_id, kind in (ClockPause.objects.filter(application_id__in=ids, ended_on__isnull=True)
                                     .order_by("started_on", "pk").values_list("application_id", "kind")):
            found[application_id].append(kind)
    return found


def clock_fields(app, today: date | None = None) -> dict:
    """The flat clock fields of the API, from the full summary (one case)."""
    current = page_summary(app) if today is None else summary(app, today, history=False)
    accept = current.acceptance
    waiting = app.status in AWAITING_ACCEPTANCE and accept is not None
    return {
        "decision_due": current.due, "days_used": current.days_used,
        "days_left": current.days_left if current.state != ClockState.STOPPED else None,
        "decision_overdue": current.state in (ClockState.RUNNING, ClockState.PAUSED) and current.is_overdue,
        "paused_since": current.paused_since, "pause_kinds": list(current.pause_kinds),
        "pause_reason": current.pause_label,
        "acceptance_due": accept.due if accept else app.acceptance_due,
        "acceptance_days_left": accept.days_left if waiting else None,
        "acceptance_overdue": bool(waiting and app.status == Status.FORWARDED and accept.is_overdue),
    }


def list_clock_fields(apps, today: date | None = None) -> dict[int, dict]:
    """The same fields for a page of cases from their denormalised fields: one read of the
    calendar and one of the open pauses for the whole page. A paused case's decision_due is the
    due date if the clock restarted on the day `refresh` last ran (hourly), so the days left are
    counted from today to it."""

    today = today or timezone.localdate()
    apps = list(apps)
    counting = (ClockState.RUNNING, ClockState.PAUSED)
    dates = [today] + [d for app in apps for d in (app.decision_due, app.acceptance_due)]
    counter = WorkingDayCounter(dates) if any(d for d in dates[1:]) else None
    stopped = open_pause_kinds([a for a in apps if a.clock_state in (ClockState.PAUSED, ClockState.NO_LIMIT)])
    rows = {}
    for app in apps:
        kinds = stopped.get(app.pk, [])
        left = None
        if app.status in OPEN_REVIEW_STATES and app.clock_state in counting and counter is not None:
            left = counter.left(today, app.decision_due)
        waiting = app.status == Status.FORWARDED and app.acceptance_due is not None
        rows[app.pk] = {
            "decision_due": app.decision_due,
            "days_used": None if left is None else DECISION_LIMIT_WORKING_DAYS - left,
            "days_left": left,
            "decision_overdue": bool(app.status in OPEN_REVIEW_STATES and app.clock_state in counting
                                     and app.decision_due is not None and app.decision_due < today),
            "paused_since": app.clock_paused_since, "pause_kinds": kinds,
            "pause_reason": "; ".join(str(PauseKind(kind).label) for kind in dict.fromkeys(kinds)),
            "acceptance_due": app.acceptance_due,
            "acceptance_days_left": counter.left(today, app.acceptance_due) if waiting and counter else None,
            "acceptance_overdue": waiting and app.acceptance_due < today,
        }
    return rows


def is_watch_listed(app) -> bool:
    """A watch-list stop is open on the case (Reg. 26: no time limit, countersignature rules)."""
    return app.pauses.filter(kind=PauseKind.WATCH_LIST, ended_on__isnull=True).exists()


# ---------------------------------------------------------------- days left, many rows at once


class WorkingDayCounter:
    """Signed working-day counts between any of the given dates, from one read of the calendar
    however many dates there are (a page of 50 rows must not read it 50 times). workdays decides
    which years are complete; a count that crosses a year without a complete calendar is None."""

    def __init__(self, dates):
        dates = [d for d in dates if d is not None]
        self.complete: set[int] = set()
        self.working: list[date] = []
        if not dates:
            return
        lo, hi = min(dates), max(dates)
        complete, working = complete_years_working_days(lo.year, hi.year)
        self.complete, self.working = complete, working

    def left(self, start: date, due: date | None) -> int | None:
        """Working days after `start` up to `due`; negative when `due` has passed."""
        if due is None or start is None:
            return None
        a, b = sorted((start, due))
        if a == b:
            return 0
        if not all(year in self.complete for year in range((a + timedelta(days=1)).year, b.year + 1)):
            return None
        between = bisect.bisect_right(self.working, b) - bisect.bisect_right(self.working, a)
        return between if due >= start else -between


def days_left_by_date(dues, today: date) -> dict[date, int | None]:
    dues = {d for d in dues if d is not None}
    counter = WorkingDayCounter([today, *dues])
    return {due: counter.left(today, due) for due in dues}

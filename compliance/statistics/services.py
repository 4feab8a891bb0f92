"""Writes the statistics summary (StatisticRow) from the cases, licences and referrals.

`statistics_refresh()` recomputes the whole summary in one transaction: every aggregate is a GROUP
BY in the database (over a million cases: seconds), the results (tens of thousands of rows) replace
the previous summary. Running it twice gives the same rows; two runs at once queue on the snapshot
row. Working days from acceptance to decision are counted in SQL against the official calendar
(workdays_calendarday): the working-day ordinal of each day (a running count of working days) is
looked up for both dates, and ordinal(decided) - ordinal(accepted) is workdays.working_days_between.
"""

import calendar
import json
import time
from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from audit import services as audit
from compliance.statistics.models import Dimension, StatisticRow, StatisticsSnapshot
from licensing.models import Application, ApplicationItem, Licence, Referral, ReferralState, Status
from workdays.models import CalendarDay, CalendarYear

DECIDED = (Status.APPROVED, Status.REFUSED)
# A referral counts for its agency once it was sent and not withdrawn (the agency was consulted).
CONSULTED = (ReferralState.SENT, ReferralState.ANSWERED, ReferralState.SILENT)
UNLISTED = "catch_all"  # the sector key of an unlisted item applied for under the catch-all
COUNTERS = ("submitted", "issued", "approved", "refused", "cases")


def _month(value) -> date:
    """A month as the database returns it (aware datetime, naive datetime, date or text)."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = value.astimezone(ZoneInfo(settings.TIME_ZONE))
        value = value.date()
    return value.replace(day=1)


def _decided_cases():
    return Application.objects.filter(status__in=DECIDED, decided_at__isnull=False)


def _event_counts(tz) -> list[tuple]:
    """(dimension, month, province, key, counter, n) for every count except the working days."""
    rows = []
    submitted = (Application.objects.filter(submitted_at__isnull=False)
                 .annotate(m=TruncMonth("submitted_at", tzinfo=tz)).values("m", "province_id")
                 .annotate(n=Count("id")).order_by())
    rows += [(Dimension.TOTAL, r["m"], r["province_id"], "", "submitted", r["n"]) for r in submitted]
    # Original licences only: a changed licence (Reg. 18) is the same permission, issued again.
    issued = (Licence.objects.filter(replaces__isnull=True)
              .annotate(m=TruncMonth("issued_at", tzinfo=tz), province_id=F("application__province_id"))
              .values("m", "province_id").annotate(n=Count("id")).order_by())
    rows += [(Dimension.TOTAL, r["m"], r["province_id"], "", "issued", r["n"]) for r in issued]
    decided = _decided_cases().annotate(m=TruncMonth("decided_at", tzinfo=tz))
    for r in decided.values("m", "province_id", "status", "destination").annotate(n=Count("id")).order_by():
        rows.append((Dimension.TOTAL, r["m"], r["province_id"], "", r["status"], r["n"]))
        rows.append((Dimension.DESTINATION, r["m"], r["province_id"], r["destination"] or "", r["status"], r["n"]))
    # A case with items in two sectors counts once in each (and once in the totals).
    sectors = (ApplicationItem.objects.filter(application__status__in=DECIDED, application__decided_at__isnull=False)
               .annotate(m=TruncMonth("application__decided_at", tzinfo=tz), sector=Substr("control_code", 1, 1),
                         province_id=F("application__province_id"), status=F("application__status"))
               .values("m", "province_id", "status", "sector").annotate(n=Count("application_id", distinct=True))
               .order_by())
    rows += [(Dimension.SECTOR, r["m"], r["province_id"], r["sector"] or UNLISTED, r["status"], r["n"])
             for r in sectors]
    agencies = (Referral.objects.filter(state__in=CONSULTED, sent_at__isnull=False,
                                        application__status__in=DECIDED, application__decided_at__isnull=False)
                .annotate(m=TruncMonth("application__decided_at", tzinfo=tz),
                          province_id=F("application__province_id"), status=F("application__status"))
                .values("m", "province_id", "status", "agency_id").annotate(n=Count("id")).order_by())
    rows += [(Dimension.AGENCY, r["m"], r["province_id"], str(r["agency_id"]), r["status"], r["n"])
             for r in agencies]
    return rows


def _ordinals() -> tuple[date, list[int]] | None:
    """The working-day ordinal of every day of the longest run of consecutive complete calendar
    years ending with the latest one (the number of working days from the run's start up to and
    including the day), if all their days are entered; None without a complete year."""
    years = sorted(CalendarYear.objects.filter(complete=True).values_list("year", flat=True))
    if not years:
        return None
    first = last = years[-1]
    while first - 1 in years:
        first -= 1
    days = list(CalendarDay.objects.filter(date__range=(date(first, 1, 1), date(last, 12, 31)))
                .order_by("date").values_list("is_working_day", flat=True))
    if len(days) != sum(366 if calendar.isleap(y) else 365 for y in range(first, last + 1)):
        return None
    ordinals, n = [], 0
    for working in days:
        n += working
        ordinals.append(n)
    return date(first, 1, 1), ordinals


def _ordinal_sql(day_sql: str, day_params, first: date, ordinals: list[int]) -> tuple[str, list]:
    """SQL for the ordinal of the day `day_sql`, NULL outside the calendar: a subscript into the
    ordinals handed over as one parameter (an array, or JSON on SQLite). No join: the planner
    cannot pick a bad plan for it, and each case costs one lookup."""
    last = date.fromordinal(first.toordinal() + len(ordinals) - 1)
    day_params = list(day_params)
    if connection.vendor == "postgresql":
        lookup, params = f"(%s::int[])[({day_sql}) - %s::date + 1]", [ordinals, *day_params, first]
        bounds = [first, last]
    else:  # SQLite: dates are ISO text
        lookup = f"json_extract(%s, '$[' || CAST(julianday({day_sql}) - julianday(%s) AS INTEGER) || ']')"
        params = [json.dumps(ordinals), *day_params, first.isoformat()]
        bounds = [first.isoformat(), last.isoformat()]
    return f"CASE WHEN ({day_sql}) BETWEEN %s AND %s THEN {lookup} END", [*day_params, *bounds, *params]


def _processing_days(tz_name: str) -> list[tuple]:
    """(month of decision, province, working days, cases) for decided cases whose acceptance and
    decision days both lie in the complete calendar. ordinal(decided) - ordinal(accepted) is
    exactly workdays.working_days_between(accepted, decided)."""
    calendar_days = _ordinals()
    if calendar_days is None:
        return []
    ops = connection.ops
    month_sql, month_params = ops.datetime_trunc_sql("month", "decided_at", (), tz_name)
    accepted_sql, accepted_params = _ordinal_sql(*ops.datetime_cast_date_sql("accepted_at", (), tz_name),
                                                 *calendar_days)
    decided_sql, decided_params = _ordinal_sql(*ops.datetime_cast_date_sql("decided_at", (), tz_name),
                                               *calendar_days)
    sql = f"""
        SELECT month, province_id, days, COUNT(*) FROM (
            SELECT {month_sql} AS month, province_id, ({decided_sql}) - ({accepted_sql}) AS days
            FROM {Application._meta.db_table}
            WHERE status IN (%s, %s) AND accepted_at IS NOT NULL AND decided_at IS NOT NULL
        ) timed
        WHERE days IS NOT NULL
        GROUP BY month, province_id, days"""
    params = [*month_params, *decided_params, *accepted_params, *DECIDED]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(month, province, max(0, days), n) for month, province, days, n in cursor.fetchall()]


def statistics_refresh() -> StatisticsSnapshot:
    """Recompute the whole summary; idempotent (a second run writes the same rows)."""
    started = time.perf_counter()
    tz_name = settings.TIME_ZONE
    with transaction.atomic():
        # One refresh at a time: the second waits here, then replaces the first's rows.
        snapshot, _created = StatisticsSnapshot.objects.select_for_update().get_or_create(
            pk=1, defaults={"refreshed_at": timezone.now()})
        counts: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
        for dimension, month, province, key, counter, n in _event_counts(ZoneInfo(tz_name)):
            counts[(dimension, _month(month), province, key)][counter] += n
        measured = 0
        for month, province, days, n in _processing_days(tz_name):
            counts[(Dimension.DAYS, _month(month), province, str(days))]["cases"] += n
            measured += n
        decided = _decided_cases().count()
        StatisticRow.objects.all().delete()
        StatisticRow.objects.bulk_create(
            (StatisticRow(dimension=dimension, month=month, province_id=province, key=key, **values)
             for (dimension, month, province, key), values in counts.items()), batch_size=5000)
        snapshot.refreshed_at = timezone.now()
        snapshot.rows = len(counts)
        snapshot.unmeasured = max(0, decided - measured)
        snapshot.seconds = round(time.perf_counter() - started, 3)
        snapshot.save()
        audit.record(actor=None, action="compliance.statistics_refreshed", obj=snapshot,
                     after={"rows": snapshot.rows, "unmeasured": snapshot.unmeasured})
    return snapshot


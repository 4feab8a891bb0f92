"""Working days on China's official calendar, including adjusted working weekends (调休).

Deadlines in working days (Reg. 17: a decision within 45 working days of acceptance) are
computed here and only here. Every function refuses, with `NoCalendarError`, a computation
that touches a year whose calendar is missing or not marked complete: counting plain weekends
in an unpublished year would give a wrong statutory deadline without anyone noticing.

Reads cost one query for the years' status, plus one per year not yet cached in this process
at its current version (`CalendarYear.version` changes with every edit of a day of that year).
"""

import bisect
import calendar
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from workdays.models import CalendarDay, CalendarYear

FILE_FORMAT = "workdays-calendar/1"


class WorkdaysError(Exception):
    """Base class for errors of the working-day calendar."""


class NoCalendarError(WorkdaysError):
    """A computation needs a year whose official calendar is not (completely) entered."""

    def __init__(self, year: int, detail_en: str = "", detail_zh: str = ""):
        self.year = year
        message = f"No working-day calendar for {year}"
        message += f" ({detail_en})" if detail_en else ""
        message += f" / {year} 年工作日历尚未录入"
        message += f"（{detail_zh}）" if detail_zh else ""
        self.detail_en, self.detail_zh = detail_en, detail_zh
        super().__init__(message)

    @property
    def for_people(self) -> str:
        """The message in the active language only, for a page (str() holds both, for logs)."""
        from django.utils.translation import get_language

        if (get_language() or "").startswith("zh"):
            return f"{self.year} 年工作日历尚未录入" + (f"（{self.detail_zh}）" if self.detail_zh else "")
        return f"No working-day calendar for {self.year}" + (f" ({self.detail_en})" if self.detail_en else "")


class CalendarFileError(WorkdaysError):
    """A calendar file cannot be loaded as it is."""


@dataclass(frozen=True)
class _Year:
    version: uuid.UUID
    working: tuple[date, ...]  # sorted
    working_set: frozenset[date]


# year -> the year's working days as last read by this process, tagged with their version.
_cache: dict[int, _Year] = {}


def _days_in(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _require_date(value, name: str) -> date:
    # A datetime is a date subclass, but which day it falls on depends on its time zone.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")
    return value


def _statuses(**year_filter) -> dict[int, tuple[bool, uuid.UUID]]:
    rows = CalendarYear.objects.filter(**year_filter).values_list("year", "complete", "version")
    return {year: (complete, version) for year, complete, version in rows}


def _year(year: int, statuses: Mapping[int, tuple[bool, uuid.UUID]]) -> _Year:
    status = statuses.get(year)
    if status is None:
        raise NoCalendarError(year)
    complete, version = status
    if not complete:
        raise NoCalendarError(year, "entered but not marked complete", "已部分录入，尚未确认完整")
    cached = _cache.get(year)
    if cached is not None and cached.version == version:
        return cached
    days = list(
        CalendarDay.objects.filter(date__range=_year_bounds(year))
        .order_by("date")
        .values_list("date", "is_working_day")
    )
    if len(days) != _days_in(year):
        raise NoCalendarError(
            year,
            f"marked complete but only {len(days)} of {_days_in(year)} days are entered",
            f"标记为完整，但仅录入 {len(days)} 天，应为 {_days_in(year)} 天",
        )
    working = tuple(day for day, is_working in days if is_working)
    loaded = _Year(version=version, working=working, working_set=frozenset(working))
    _cache[year] = loaded
    return loaded


def is_working_day(d: date) -> bool:
    _require_date(d, "d")
    return d in _year(d.year, _statuses(year=d.year)).working_set


def add_working_days(d: date, n: int) -> date:
    """The n-th working day after d (d itself is not counted); d itself when n == 0."""
    _require_date(d, "d")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if n == 0:
        return d
    statuses = _statuses(year__gte=d.year)
    remaining, year = n, d.year
    while True:
        working = _year(year, statuses).working
        start = bisect.bisect_right(working, d)
        available = len(working) - start
        if remaining <= available:
            return working[start + remaining - 1]
        remaining -= available
        year += 1


def working_days_between(a: date, b: date) -> int:
    """Working days after a, up to and including b; 0 when b <= a."""
    _require_date(a, "a")
    _require_date(b, "b")
    if b <= a:
        return 0
    first_year = (a + timedelta(days=1)).year
    statuses = _statuses(year__gte=first_year, year__lte=b.year)
    count = 0
    for year in range(first_year, b.year + 1):
        working = _year(year, statuses).working
        count += bisect.bisect_right(working, b) - bisect.bisect_right(working, a)
    return count


# ---------------------------------------------------------------- provisional counts
# Each December the coming year's calendar is missing until the State Council publishes it. A
# statutory deadline is never computed from plain weekdays (NoCalendarError above); these give a
# date to *show*, marked provisional wherever it appears, and are never stored on a case.


def _weekdays(year: int) -> tuple[date, ...]:
    first, last = _year_bounds(year)
    return tuple(first + timedelta(days=i) for i in range((last - first).days + 1)
                 if (first + timedelta(days=i)).weekday() < 5)


def _working_or_weekdays(year: int, statuses) -> tuple[tuple[date, ...], bool]:
    try:
        return _year(year, statuses).working, False
    except NoCalendarError:
        return _weekdays(year), True


def provisional_add_working_days(d: date, n: int) -> tuple[date, bool]:
    """add_working_days, counting Monday to Friday in a year without a complete calendar; the
    flag says whether any such year was used (the date is then provisional)."""
    _require_date(d, "d")
    return _provisional_add(d, n, _statuses(year__gte=d.year))


def provisional_adder(first_year: int):
    """provisional_add_working_days for many dates from `first_year` on, from one read of the
    years' status (a page of rows must not read it once per row)."""
    statuses = _statuses(year__gte=first_year)
    return lambda d, n: _provisional_add(d, n, statuses)


def _provisional_add(d: date, n: int, statuses) -> tuple[date, bool]:
    if n <= 0:
        return d, False
    remaining, year, provisional = n, d.year, False
    while True:
        working, guessed = _working_or_weekdays(year, statuses)
        start = bisect.bisect_right(working, d)
        available = len(working) - start
        provisional = provisional or (guessed and available > 0)
        if remaining <= available:
            return working[start + remaining - 1], provisional
        remaining -= available
        year += 1


def provisional_working_days_between(a: date, b: date) -> tuple[int, bool]:
    """working_days_between with the same weekday fallback and flag."""
    _require_date(a, "a")
    _require_date(b, "b")
    if b <= a:
        return 0, False
    first_year = (a + timedelta(days=1)).year
    statuses = _statuses(year__gte=first_year, year__lte=b.year)
    count, provisional = 0, False
    for year in range(first_year, b.year + 1):
        working, guessed = _working_or_weekdays(year, statuses)
        provisional = provisional or guessed
        count += bisect.bisect_right(working, b) - bisect.bisect_right(working, a)
    return count, provisional


def next_year_cache_key(today: date) -> str:
    return f"workdays:next-year-missing:{today.isoformat()}"


def next_year_missing(today: date) -> int | None:
    """From 1 November, next year when its calendar is not entered and marked complete yet (the
    State Council publishes it in November or December), else None."""
    if today.month < 11:
        return None
    year = today.year + 1
    return None if CalendarYear.objects.filter(year=year, complete=True).exists() else year


def complete_years_working_days(first: int, last: int) -> tuple[set[int], list[date]]:
    """Which of the years first..last have a complete calendar, and the working days of those
    years in order, from this process's cache (one small query when nothing changed). For
    counting many deadlines at once, as queue pages do."""
    statuses = _statuses(year__gte=first, year__lte=last)
    complete, working = set(), []
    for year in range(first, last + 1):
        try:
            working.extend(_year(year, statuses).working)
        except NoCalendarError:
            continue
        complete.add(year)
    return complete, working


def missing_days(year: int) -> int:
    """How many days of the year have no row yet."""
    return _days_in(year) - CalendarDay.objects.filter(date__range=_year_bounds(year)).count()


def calendar_changed(*, years: Iterable[int]) -> None:
    """Mark the years' days as changed, for this process and every other one."""
    years = list(years)
    CalendarYear.objects.filter(year__in=years).update(version=uuid.uuid4())
    for year in years:
        _cache.pop(year, None)
    cache.delete(next_year_cache_key(timezone.localdate()))


def read_calendar_file(path: str | Path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CalendarFileError(f"Cannot read {path}: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CalendarFileError(f"{path} is not UTF-8 JSON: {exc}") from exc


def _text(entry: dict, field: str, max_length: int, where: str) -> str:
    value = entry.get(field) or ""
    if not isinstance(value, str) or len(value) > max_length:
        raise CalendarFileError(f"{where}: {field} must be text of at most {max_length} characters")
    return value


def _parse_calendar(data) -> tuple[list[dict], list[CalendarDay]]:
    if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
        raise CalendarFileError(f'Not a calendar file: expected "format": "{FILE_FORMAT}"')
    years = []
    for entry in data.get("years") or []:
        year = entry.get("year") if isinstance(entry, dict) else None
        if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2999:
            raise CalendarFileError(f"Bad year entry: {entry!r}")
        published_on = entry.get("published_on")
        try:
            published_on = date.fromisoformat(published_on) if published_on else None
        except (TypeError, ValueError):
            raise CalendarFileError(f"{year}: bad published_on {published_on!r}") from None
        complete = entry.get("complete", True)
        if not isinstance(complete, bool):
            raise CalendarFileError(f"{year}: complete must be true or false")
        years.append(
            {
                "year": year,
                "complete": complete,
                "source": _text(entry, "source", 255, str(year)),
                "published_on": published_on,
            }
        )
    if not years:
        raise CalendarFileError("The file lists no years")
    if len({y["year"] for y in years}) != len(years):
        raise CalendarFileError("A year is listed twice")

    listed = {y["year"] for y in years}
    days: dict[date, CalendarDay] = {}
    for entry in data.get("days") or []:
        if not isinstance(entry, dict):
            raise CalendarFileError(f"Bad day entry: {entry!r}")
        try:
            day = date.fromisoformat(entry.get("date"))
        except (TypeError, ValueError):
            raise CalendarFileError(f"Bad date in day entry: {entry!r}") from None
        where = day.isoformat()
        if day.year not in listed:
            raise CalendarFileError(f"{where}: its year is not in the file's years")
        if day in days:
            raise CalendarFileError(f"{where}: listed twice")
        if not isinstance(entry.get("is_working_day"), bool):
            raise CalendarFileError(f"{where}: is_working_day must be true or false")
        days[day] = CalendarDay(
            date=day,
            is_working_day=entry["is_working_day"],
            name_zh=_text(entry, "name_zh", 64, where),
            name_en=_text(entry, "name_en", 64, where),
            note=_text(entry, "note", 255, where),
        )
    for year in sorted(listed):
        present = sum(1 for day in days if day.year == year)
        if present != _days_in(year):
            raise CalendarFileError(
                f"{year}: the file has {present} of its {_days_in(year)} days; "
                "a calendar file must hold whole years"
            )
    return years, [days[day] for day in sorted(days)]


def calendar_load(*, data: dict, replace: bool = False, actor=None) -> list[int]:
    """Load whole years from a calendar file's content (the format of workdays/data/*.json).

    A year that already has days is only overwritten with replace=True, so a reload cannot
    silently undo corrections made in the admin.
    """
    years, days = _parse_calendar(data)
    numbers = [y["year"] for y in years]
    with transaction.atomic():
        if not replace:
            present = sorted(
                CalendarDay.objects.filter(date__year__in=numbers).dates("date", "year")
            )
            if present:
                listing = ", ".join(str(d.year) for d in present)
                raise CalendarFileError(
                    f"Already entered: {listing}. Pass --replace (replace=True) to overwrite them."
                )
        CalendarDay.objects.bulk_create(
            days,
            update_conflicts=True,
            unique_fields=["date"],
            update_fields=["is_working_day", "name_zh", "name_en", "note"],
        )
        for y in years:
            CalendarYear.objects.update_or_create(
                year=y["year"],
                defaults={
                    "complete": y["complete"],
                    "source": y["source"],
                    "published_on": y["published_on"],
                },
            )
        calendar_changed(years=numbers)
        # Working days decide statutory deadlines: who loaded which calendar is on record.
        audit.record(actor=actor, action="workdays.calendar_load", object_type="workdays.calendaryear",
                     object_id=",".join(map(str, numbers)),
                     after={"years": numbers, "days": len(days), "replace": replace,
                            "working_days": sum(1 for day in days if day.is_working_day)})
    return numbers


def calendar_year_fill_weekdays(*, year: int, actor=None) -> int:
    """Enter every missing day of the year as Monday-Friday working, weekends rest.

    The starting point for a year that is entered by hand: then mark the notice's holidays
    and adjusted working weekends, and tick the year complete.
    """
    with transaction.atomic():
        CalendarYear.objects.get_or_create(year=year)
        first, last = _year_bounds(year)
        present = set(
            CalendarDay.objects.filter(date__range=(first, last)).values_list("date", flat=True)
        )
        new_days = [
            CalendarDay(date=day, is_working_day=day.weekday() < 5)
            for day in (first + timedelta(days=i) for i in range(_days_in(year)))
            if day not in present
        ]
        CalendarDay.objects.bulk_create(new_days)
        calendar_changed(years=[year])
        if new_days:
            audit.record(actor=actor, action="workdays.calendar_fill", object_type="workdays.calendaryear",
                         object_id=year, after={"year": year, "days_entered": len(new_days)})
    return len(new_days)

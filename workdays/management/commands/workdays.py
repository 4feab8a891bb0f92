"""Working-day arithmetic and calendar loading from the command line.

manage.py workdays add 2026-02-13 1            -> 2026-02-14
manage.py workdays between 2026-02-13 2026-02-24 -> 2
manage.py workdays is 2026-02-14               -> working 春节 Spring Festival ...
manage.py workdays years                       -> which years are entered
manage.py workdays load cn_calendar_2027.json [--replace]
"""

import argparse
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from workdays import services
from workdays.models import CalendarDay, CalendarYear


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid date {value!r}: use YYYY-MM-DD / 日期格式应为 YYYY-MM-DD"
        ) from None


def _count(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"invalid count {value!r}: use a whole number >= 0")
    return n


class Command(BaseCommand):
    help = "China's official working-day calendar: compute deadlines, load published years."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("add", help="the N-th working day after DATE")
        add.add_argument("day", metavar="DATE", type=_date)
        add.add_argument("n", metavar="N", type=_count)
        between = actions.add_parser("between", help="working days after START up to END")
        between.add_argument("start", type=_date)
        between.add_argument("end", type=_date)
        is_ = actions.add_parser("is", help="whether DATE is a working day")
        is_.add_argument("day", metavar="DATE", type=_date)
        actions.add_parser("years", help="the years entered and whether each is complete")
        load = actions.add_parser("load", help="load whole years from a calendar JSON file")
        load.add_argument("file")
        load.add_argument(
            "--replace", action="store_true", help="overwrite years that already have days"
        )

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except services.WorkdaysError as exc:
            raise CommandError(str(exc)) from exc

    def _add(self, *, day, n, **_):
        self.stdout.write(services.add_working_days(day, n).isoformat())

    def _between(self, *, start, end, **_):
        self.stdout.write(str(services.working_days_between(start, end)))

    def _is(self, *, day, **_):
        working = services.is_working_day(day)
        entry = CalendarDay.objects.get(date=day)
        parts = ["working" if working else "rest", entry.name_zh, entry.name_en, entry.note]
        self.stdout.write(" ".join(p for p in parts if p))

    def _years(self, **_):
        for year in CalendarYear.objects.all():
            state = "complete" if year.complete else "incomplete"
            missing = services.missing_days(year.year)
            if missing:
                state += f", {missing} days missing"
            self.stdout.write(f"{year.year}\t{state}\t{year.source}")

    def _load(self, *, file, replace, **_):
        years = services.calendar_load(data=services.read_calendar_file(file), replace=replace)
        self.stdout.write(f"loaded {', '.join(map(str, years))}")

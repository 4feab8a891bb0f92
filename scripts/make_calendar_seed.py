"""Generate a working-day calendar file for `manage.py workdays load` and the seed migration.

    .venv/bin/python scripts/make_calendar_seed.py                  # the committed 2024-2026 seed
    .venv/bin/python scripts/make_calendar_seed.py --years 2027 -o cn_calendar_2027.json

The days come from the `chinesecalendar` package, which transcribes each State Council notice
(国务院办公厅关于 X 年部分节假日安排的通知). Only this script depends on it: the portal reads
the generated JSON, never the package, so a year is in force once an admin has loaded it.

Before writing, the result is checked against the facts of each notice listed in NOTICES; a
year without an entry there is written with `"complete": false`, to be checked against the
notice and ticked complete in the admin (or the file edited and loaded).
"""

import argparse
import calendar
import json
import sys
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO / "workdays" / "data" / "cn_calendar_2024_2026.json"
FORMAT = "workdays-calendar/1"

ADJUSTED_WORKING_NOTE = "调休上班 / adjusted working day"
IN_LIEU_NOTE = "调休放假 / rest day in lieu"

# Each notice as published: its rest days (放假) and adjusted working weekends (上班).
NOTICES = {
    2024: {
        "source": "国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号）",
        "published_on": "2023-10-25",
        "rest": [
            ("2024-01-01", "2024-01-01"),
            ("2024-02-10", "2024-02-17"),
            ("2024-04-04", "2024-04-06"),
            ("2024-05-01", "2024-05-05"),
            ("2024-06-10", "2024-06-10"),
            ("2024-09-15", "2024-09-17"),
            ("2024-10-01", "2024-10-07"),
        ],
        "work": [
            "2024-02-04",
            "2024-02-18",
            "2024-04-07",
            "2024-04-28",
            "2024-05-11",
            "2024-09-14",
            "2024-09-29",
            "2024-10-12",
        ],
    },
    2025: {
        "source": "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）",
        "published_on": "2024-11-12",
        "rest": [
            ("2025-01-01", "2025-01-01"),
            ("2025-01-28", "2025-02-04"),
            ("2025-04-04", "2025-04-06"),
            ("2025-05-01", "2025-05-05"),
            ("2025-05-31", "2025-06-02"),
            ("2025-10-01", "2025-10-08"),
        ],
        "work": ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
    },
    2026: {
        "source": "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）",
        "published_on": "2025-11-04",
        "rest": [
            ("2026-01-01", "2026-01-03"),
            ("2026-02-15", "2026-02-23"),
            ("2026-04-04", "2026-04-06"),
            ("2026-05-01", "2026-05-05"),
            ("2026-06-19", "2026-06-21"),
            ("2026-09-25", "2026-09-27"),
            ("2026-10-01", "2026-10-07"),
        ],
        "work": [
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10",
        ],
    },
}


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range(366 if calendar.isleap(year) else 365)]


def build_days(year: int) -> list[dict]:
    import chinese_calendar

    names = {h.value: h for h in chinese_calendar.Holiday}
    days = []
    for day in _days_of(year):
        try:
            is_rest, holiday = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            raise SystemExit(
                f"chinesecalendar {chinese_calendar.__version__} has no data for {year}: "
                "upgrade it, or fill the year in the admin (see workdays/README.md)"
            ) from None
        note = ""
        if not is_rest and day.weekday() >= 5:
            note = ADJUSTED_WORKING_NOTE
        elif chinese_calendar.is_in_lieu(day):
            note = IN_LIEU_NOTE
        days.append(
            {
                "date": day.isoformat(),
                "is_working_day": not is_rest,
                "name_zh": names[holiday].chinese if holiday else "",
                "name_en": holiday or "",
                "note": note,
            }
        )
    return days


def check_against_notice(year: int, days: list[dict]) -> list[str]:
    """Differences between the generated days and the notice's rest and working days."""
    notice = NOTICES[year]
    rest = set()
    for start, end in notice["rest"]:
        day, last = date.fromisoformat(start), date.fromisoformat(end)
        while day <= last:
            rest.add(day)
            day += timedelta(days=1)
    work = {date.fromisoformat(d) for d in notice["work"]}
    problems = []
    for entry in days:
        day = date.fromisoformat(entry["date"])
        expected = day in work or (day.weekday() < 5 and day not in rest)
        if entry["is_working_day"] != expected:
            problems.append(
                f"{day} ({day:%a}): chinesecalendar says "
                f"{'working' if entry['is_working_day'] else 'rest'}, "
                f"the notice says {'working' if expected else 'rest'}"
            )
    return problems


def build_calendar(years: list[int]) -> dict:
    out_years, out_days = [], []
    for year in years:
        days = build_days(year)
        notice = NOTICES.get(year)
        if notice:
            problems = check_against_notice(year, days)
            if problems:
                raise SystemExit("\n".join([f"{year} disagrees with the notice:", *problems]))
        out_years.append(
            {
                "year": year,
                "complete": notice is not None,
                "source": notice["source"] if notice else "chinesecalendar (not yet checked)",
                "published_on": notice["published_on"] if notice else None,
            }
        )
        out_days.extend(days)
    return {"format": FORMAT, "years": out_years, "days": out_days}


def dumps(data: dict) -> str:
    """JSON with one day per line, so a correction shows as a one-line diff."""

    def line(value):
        return json.dumps(value, ensure_ascii=False)

    parts = ["{", f'  "format": {line(data["format"])},', '  "years": [']
    parts.append(",\n".join(f"    {line(y)}" for y in data["years"]))
    parts.append("  ],")
    parts.append('  "days": [')
    parts.append(",\n".join(f"    {line(d)}" for d in data["days"]))
    parts.append("  ]")
    parts.append("}")
    return "\n".join(parts) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, nargs="+", default=[2024, 2025, 2026])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    args.output.write_text(dumps(build_calendar(sorted(set(args.years)))), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""China's working-day calendar: the seed, the arithmetic, edits, loading, the command."""

import importlib.util
import json
import uuid
from datetime import date, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workdays import services
from workdays.models import CalendarDay, CalendarYear
from workdays.services import (
    NoCalendarError,
    add_working_days,
    is_working_day,
    working_days_between,
)

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "workdays" / "data" / "cn_calendar_2024_2026.json"

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("workdays", *args, stdout=out)
    return out.getvalue().strip()


def days_from(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def calendar_file(year: int, rest: set[date] = frozenset()) -> dict:
    return {
        "format": services.FILE_FORMAT,
        "years": [{"year": year, "source": "test notice", "published_on": f"{year - 1}-11-01"}],
        "days": [
            {"date": d.isoformat(), "is_working_day": d.weekday() < 5 and d not in rest}
            for d in days_from(date(year, 1, 1), date(year, 12, 31))
        ],
    }


# --- the command -----------------------------------------------------------------------------


def test_command_add_prints_the_working_saturday_before_spring_festival():
    assert run("add", "2026-02-13", "1") == "2026-02-14"


def test_command_between_counts_across_spring_festival():
    assert run("between", "2026-02-13", "2026-02-24") == "2"


def test_command_refuses_a_year_without_calendar():
    with pytest.raises(CommandError, match="No working-day calendar for 2027"):
        run("add", "2026-12-30", "5")
    with pytest.raises(CommandError, match="2027 年工作日历尚未录入"):
        run("between", "2026-12-01", "2027-01-10")


@pytest.mark.parametrize(
    "args",
    [
        ("add", "2026-13-01", "1"),
        ("add", "13/02/2026", "1"),
        ("add", "2026-02-13", "-1"),
        ("add", "2026-02-13", "one"),
        ("between", "2026-02-13", "tomorrow"),
    ],
)
def test_command_rejects_bad_input(args):
    with pytest.raises(CommandError, match="invalid"):
        run(*args)


def test_command_is_names_the_day():
    assert run("is", "2026-02-14") == "working 春节 Spring Festival 调休上班 / adjusted working day"
    assert run("is", "2026-10-01").startswith("rest 国庆节 National Day")


def test_command_loads_a_published_year(tmp_path):
    path = tmp_path / "cn_calendar_2027.json"
    path.write_text(json.dumps(calendar_file(2027, rest={date(2027, 1, 1)})), encoding="utf-8")

    assert run("load", str(path)) == "loaded 2027"

    # Dec 31 (Thu) is worked, Jan 1 2027 (Fri) is a holiday, then the weekend.
    assert add_working_days(date(2026, 12, 30), 2) == date(2027, 1, 4)
    assert "2027\tcomplete\ttest notice" in run("years")


def test_command_load_will_not_overwrite_without_replace(tmp_path):
    path = tmp_path / "cn_calendar_2026.json"
    path.write_text(json.dumps(calendar_file(2026)), encoding="utf-8")

    with pytest.raises(CommandError, match="Already entered: 2026"):
        run("load", str(path))
    assert not is_working_day(date(2026, 10, 1))

    run("load", str(path), "--replace")
    assert is_working_day(date(2026, 10, 1))  # a plain Thursday in that file


def test_command_load_refuses_a_partial_year(tmp_path):
    data = calendar_file(2027)
    del data["days"][40]
    path = tmp_path / "partial.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(CommandError, match="2027: the file has 364 of its 365 days"):
        run("load", str(path))
    assert not CalendarYear.objects.filter(year=2027).exists()


# --- the 2026 schedule -------------------------------------------------------------------------


def test_spring_festival_2026_with_its_working_saturdays():
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)  # Saturday, worked
    assert add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)  # after Feb 15-23 off
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    # Feb 14 (Sat), 24, 25, 26, 27 and 28 (Sat).
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6
    assert [d for d in days_from(date(2026, 2, 14), date(2026, 2, 28)) if is_working_day(d)] == [
        date(2026, 2, 14),
        date(2026, 2, 24),
        date(2026, 2, 25),
        date(2026, 2, 26),
        date(2026, 2, 27),
        date(2026, 2, 28),
    ]


def test_adjusted_working_days_2026_are_those_of_the_notice():
    weekend_working = [
        d
        for d in days_from(date(2026, 1, 1), date(2026, 12, 31))
        if d.weekday() >= 5 and is_working_day(d)
    ]
    assert weekend_working == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    assert not any(is_working_day(d) for d in days_from(date(2026, 2, 15), date(2026, 2, 23)))


def test_national_day_2026():
    assert not any(is_working_day(d) for d in days_from(date(2026, 10, 1), date(2026, 10, 7)))
    assert is_working_day(date(2026, 10, 10))  # Saturday, worked
    assert not is_working_day(date(2026, 10, 11))
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3


def test_45_working_days_across_mid_autumn_and_national_day_2026():
    by_hand = [
        # Sep 19 (Sat) off, Sep 20 (Sun) worked, Sep 25-27 Mid-autumn.
        *[date(2026, 9, d) for d in (16, 17, 18, 20, 21, 22, 23, 24, 28, 29, 30)],
        # Oct 1-7 National Day, Oct 10 (Sat) worked.
        *[
            date(2026, 10, d)
            for d in (8, 9, 10, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30)
        ],
        *[date(2026, 11, d) for d in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 23)],
    ]
    assert len(by_hand) == 45
    accepted = date(2026, 9, 15)

    assert add_working_days(accepted, 45) == date(2026, 11, 23)
    assert working_days_between(accepted, date(2026, 11, 23)) == 45
    assert [
        d for d in days_from(accepted + timedelta(days=1), date(2026, 11, 23)) if is_working_day(d)
    ] == by_hand


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 10, 31)),
    n=st.integers(min_value=1, max_value=40),
)
def test_add_and_between_agree(start, n):
    end = add_working_days(start, n)

    assert end > start
    assert is_working_day(end)
    assert working_days_between(start, end) == n
    assert working_days_between(start, end - timedelta(days=1)) == n - 1


def test_edge_arguments():
    day = date(2026, 2, 15)  # a holiday: n == 0 does not move it
    assert add_working_days(day, 0) == day
    assert working_days_between(day, day) == 0
    assert working_days_between(date(2026, 3, 1), date(2026, 2, 1)) == 0
    with pytest.raises(ValueError):
        add_working_days(day, -1)
    with pytest.raises(TypeError):
        add_working_days(datetime(2026, 2, 13, 9, 0), 1)


def test_counting_across_new_year():
    # 2025-12-31 (Wed) worked; 2026-01-01..03 off; 2026-01-04 (Sun) worked.
    assert add_working_days(date(2025, 12, 30), 2) == date(2026, 1, 4)
    assert working_days_between(date(2025, 12, 30), date(2026, 1, 5)) == 3


# --- edits ---------------------------------------------------------------------------------


def test_editing_a_day_changes_the_next_computation():
    assert add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)  # cached now

    day = CalendarDay.objects.get(date=date(2026, 2, 24))
    day.is_working_day = False
    day.name_zh, day.name_en = "春节", "Spring Festival"
    day.save()

    assert add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 25)
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 5
    assert not is_working_day(date(2026, 2, 24))

    day.delete()
    with pytest.raises(NoCalendarError, match="only 364 of 365 days"):
        add_working_days(date(2026, 2, 13), 2)


def test_an_edit_by_another_process_is_seen_through_the_year_version():
    assert is_working_day(date(2026, 3, 2))  # cached now
    # What another process leaves behind: the day changed and the year's version with it,
    # while this process's cache was not told.
    CalendarDay.objects.filter(date=date(2026, 3, 2)).update(is_working_day=False)
    CalendarYear.objects.filter(year=2026).update(version=uuid.uuid4())

    assert not is_working_day(date(2026, 3, 2))


def test_a_year_unticked_as_complete_is_refused():
    CalendarYear.objects.filter(year=2025).update(complete=False)
    with pytest.raises(NoCalendarError, match="2025 .*not marked complete"):
        is_working_day(date(2025, 6, 3))


def test_queries_per_call(django_assert_num_queries):
    services.calendar_changed(years=[2024, 2025, 2026])  # empties this process's cache
    with django_assert_num_queries(1 + 3):  # the years' status, then each year once
        assert working_days_between(date(2024, 1, 1), date(2026, 12, 31)) == 251 + 248 + 248
    with django_assert_num_queries(1):
        assert add_working_days(date(2026, 2, 13), 30) == date(2026, 4, 2)
    with django_assert_num_queries(1):
        working_days_between(date(2024, 1, 1), date(2026, 12, 31))
    with django_assert_num_queries(1):
        is_working_day(date(2026, 2, 14))


def test_fill_weekdays_starts_a_year_to_be_edited_by_hand():
    assert services.calendar_year_fill_weekdays(year=2027) == 365
    assert services.calendar_year_fill_weekdays(year=2027) == 0
    assert CalendarDay.objects.get(date=date(2027, 1, 2)).is_working_day is False  # Saturday
    with pytest.raises(NoCalendarError, match="2027"):
        is_working_day(date(2027, 1, 4))  # not yet ticked complete

    CalendarYear.objects.filter(year=2027).update(complete=True)
    assert is_working_day(date(2027, 1, 4))


# --- the admin --------------------------------------------------------------------------------


def test_admin_lists_years_with_their_day_counts(admin_client):
    response = admin_client.get(reverse("admin:workdays_calendaryear_changelist"))

    assert response.status_code == 200
    rows = {row.year: row for row in response.context["cl"].result_list}
    assert (rows[2024].day_count, rows[2024].working_day_count) == (366, 251)
    assert (rows[2026].day_count, rows[2026].working_day_count) == (365, 248)


def test_admin_filters_days_by_year_and_working_flag(admin_client):
    url = reverse("admin:workdays_calendarday_changelist")
    response = admin_client.get(url, {"year": "2026", "is_working_day__exact": "0", "q": "春节"})

    assert response.status_code == 200
    assert [d.date for d in response.context["cl"].result_list] == list(
        days_from(date(2026, 2, 15), date(2026, 2, 23))
    )


def test_admin_enters_a_new_year_by_hand(admin_client):
    add_url = reverse("admin:workdays_calendaryear_add")
    admin_client.cookies["django_language"] = "en"
    refused = admin_client.post(add_url, {"year": 2027, "complete": "on", "source": "notice"})
    assert "2027 still has 365 days without an entry" in str(
        refused.context["adminform"].form.non_field_errors()
    )
    assert not CalendarYear.objects.filter(year=2027).exists()

    admin_client.post(add_url, {"year": 2027, "source": "notice"})
    admin_client.post(
        reverse("admin:workdays_calendaryear_changelist"),
        {"action": "fill_weekdays", "_selected_action": ["2027"]},
    )
    admin_client.post(
        reverse("admin:workdays_calendarday_change", args=["2027-01-01"]),
        {"name_zh": "元旦", "name_en": "New Year's Day"},  # "working day" left unticked
    )
    admin_client.post(
        reverse("admin:workdays_calendaryear_change", args=[2027]),
        {"complete": "on", "source": "notice"},
    )

    assert CalendarYear.objects.get(year=2027).complete
    assert add_working_days(date(2026, 12, 30), 2) == date(2027, 1, 4)

    # Every step moved statutory deadlines, so every step is on the audit trail, with who did it.
    from audit.models import AuditEvent

    events = list(AuditEvent.objects.filter(action__startswith="workdays.").order_by("seq"))
    assert [e.action for e in events] == ["workdays.year_add", "workdays.calendar_fill",
                                          "workdays.day_change", "workdays.year_change"]
    assert all(e.actor.username == "admin" for e in events)
    day = events[2]
    assert day.before["is_working_day"] == "True" and day.after["is_working_day"] == "False"
    assert day.after["name_zh"] == "元旦"
    assert events[1].after == {"year": 2027, "days_entered": 365}


def test_the_admin_offers_no_bulk_delete_of_calendar_days(admin_client):
    page = admin_client.get(reverse("admin:workdays_calendarday_changelist"))
    assert b'value="delete_selected"' not in page.content


def test_loading_a_calendar_file_is_audited(db):
    from audit.models import AuditEvent

    data = {"format": "workdays-calendar/1",
            "years": [{"year": 2028, "complete": False, "source": "test", "published_on": None}],
            "days": [{"date": (date(2028, 1, 1) + timedelta(days=i)).isoformat(),
                      "is_working_day": (date(2028, 1, 1) + timedelta(days=i)).weekday() < 5,
                      "name_zh": "", "name_en": "", "note": ""} for i in range(366)]}
    services.calendar_load(data=data)
    event = AuditEvent.objects.get(action="workdays.calendar_load")
    assert event.actor is None and event.after["years"] == [2028] and event.after["days"] == 366
    assert event.after["working_days"] == 260


# --- missing years -----------------------------------------------------------------------------


def test_every_function_refuses_a_year_without_calendar():
    with pytest.raises(NoCalendarError) as exc:
        add_working_days(date(2026, 12, 20), 20)
    assert exc.value.year == 2027
    assert str(exc.value) == "No working-day calendar for 2027 / 2027 年工作日历尚未录入"

    with pytest.raises(NoCalendarError, match="2027"):
        working_days_between(date(2026, 12, 1), date(2027, 1, 10))
    with pytest.raises(NoCalendarError, match="2023"):
        working_days_between(date(2023, 12, 1), date(2024, 1, 10))
    with pytest.raises(NoCalendarError, match="2023"):
        is_working_day(date(2023, 5, 5))


def test_the_last_days_of_a_seeded_year_still_count():
    # 2026-12-31 (Thu) is the last seeded working day; one more needs 2027.
    assert working_days_between(date(2026, 12, 30), date(2026, 12, 31)) == 1
    assert add_working_days(date(2026, 12, 30), 1) == date(2026, 12, 31)
    with pytest.raises(NoCalendarError, match="2027"):
        add_working_days(date(2026, 12, 30), 2)


# --- the seed ----------------------------------------------------------------------------------


def test_seed_has_every_day_of_2024_to_2026():
    stored = set(CalendarDay.objects.values_list("date", flat=True))
    assert set(days_from(date(2024, 1, 1), date(2026, 12, 31))) <= stored
    assert list(CalendarYear.objects.filter(complete=True).values_list("year", flat=True)) == [
        2024,
        2025,
        2026,
    ]
    assert CalendarDay.objects.filter(date__year=2024, is_working_day=True).count() == 251
    assert CalendarDay.objects.filter(date__year=2025, is_working_day=True).count() == 248
    assert CalendarDay.objects.filter(date__year=2026, is_working_day=True).count() == 248


@pytest.mark.parametrize(
    "day, working, name_zh",
    [
        (date(2024, 1, 1), False, "元旦"),
        (date(2024, 2, 4), True, "春节"),  # Sunday worked
        (date(2024, 2, 12), False, "春节"),
        (date(2024, 2, 18), True, "春节"),  # Sunday worked
        (date(2024, 4, 7), True, "清明"),  # Sunday worked
        (date(2024, 5, 11), True, "劳动节"),  # Saturday worked
        (date(2024, 6, 10), False, "端午"),
        (date(2024, 9, 14), True, "中秋"),  # Saturday worked
        (date(2024, 10, 12), True, "国庆节"),  # Saturday worked
        (date(2024, 6, 15), False, ""),  # plain Saturday
        (date(2024, 6, 12), True, ""),  # plain Wednesday
        (date(2025, 1, 1), False, "元旦"),
        (date(2025, 1, 26), True, "春节"),  # Sunday worked
        (date(2025, 1, 28), False, "春节"),  # New Year's Eve, a holiday from 2025
        (date(2025, 2, 8), True, "春节"),  # Saturday worked
        (date(2025, 4, 27), True, "劳动节"),  # Sunday worked
        (date(2025, 6, 2), False, "端午"),
        (date(2025, 10, 6), False, "中秋"),
        (date(2025, 10, 8), False, "国庆节"),
        (date(2025, 10, 11), True, "国庆节"),  # Saturday worked
        (date(2025, 12, 27), False, ""),  # plain Saturday
    ],
)
def test_seed_known_days_of_2024_and_2025(day, working, name_zh):
    entry = CalendarDay.objects.get(date=day)
    assert (entry.is_working_day, entry.name_zh) == (working, name_zh)
    assert is_working_day(day) is working


def test_seed_file_is_what_the_script_generates():
    spec = importlib.util.spec_from_file_location(
        "make_calendar_seed", REPO / "scripts" / "make_calendar_seed.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)

    committed = SEED.read_text(encoding="utf-8")
    assert script.dumps(script.build_calendar([2024, 2025, 2026])) == committed
    assert len(json.loads(committed)["days"]) == 366 + 365 + 365

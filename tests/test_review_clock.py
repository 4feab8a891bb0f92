"""The statutory clocks (licensing.clock): acceptance within 5 working days, decision within 45
working days of acceptance (Reg. 17) on China's official calendar, stopped while the exporter
answers, during identification, expert consultation and on-site checks, and without a limit while
a party is watch-listed.

Every expected date below was counted by hand on the official 2026 calendar (the State Council's
notice, as seeded from workdays/data/cn_calendar_2024_2026.json), not with the code under test:
- Spring Festival: rest Sun 15 - Mon 23 Feb; working Saturdays 14 Feb and 28 Feb.
- Qingming: rest Mon 6 Apr.  Labour Day: rest Fri 1 - Tue 5 May; working Saturday 9 May.
- Dragon Boat: rest Fri 19 Jun.  Mid-Autumn: rest Fri 25 Sep.
- National Day: rest Thu 1 - Wed 7 Oct (Thu 8 Oct is a working day: the notice gives 1-7 Oct, not
  1-8); working Sunday 20 Sep and Saturday 10 Oct.
A pause excludes the working days after its start up to and including its end (ClockPause).
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from licensing.clock import selectors as clock
from licensing.clock import services as clock_services
from licensing.clock.tasks import refresh_clocks
from licensing.models import Application, ClockPause, ClockState, PauseKind
from licensing.requests import services as rq
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are checked in English here (the portal's default language is Chinese)."""
    with translation.override("en"):
        yield

TZ = ZoneInfo("Asia/Shanghai")


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=TZ)


def dated(app, *, forwarded=None, accepted=None) -> Application:
    """Move a case's receipt and acceptance to the given days (the services stamp "now")."""
    fields = {}
    if forwarded:
        fields["forwarded_at"] = at(forwarded)
    if accepted:
        fields["accepted_at"] = at(accepted)
    Application.objects.filter(pk=app.pk).update(**fields)
    app.refresh_from_db()
    clock_services.refresh(app, accepted or forwarded)
    return app


def accepted_on(case_factory, day: date) -> Application:
    return dated(case_factory("accepted"), forwarded=day, accepted=day)


def fake_today(monkeypatch, day: date):
    """timezone.localdate() answers `day` (for pages and the API, which take no `today`)."""
    from django.utils import timezone

    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return real(value, timezone) if value is not None else day

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


def page_as(user, lang="en"):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = lang
    return client


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def check(app, today, *, state, due, used, left):
    s = clock.summary(app, today)
    assert (s.state, s.due, s.days_used, s.days_left) == (state, due, used, left), (today, s)
    return s


# ---------------------------------------------------------------- the decision clock


def test_accepted_before_spring_festival_then_rfi_then_identification_across_national_day(actors, case_factory):
    ministry, owner = actors.ministry, actors.owner
    app = accepted_on(case_factory, date(2026, 2, 13))  # a Friday
    # Working days after Fri 13 Feb: Sat 14 Feb (1); 15-23 Feb rest; 24-28 Feb incl. Sat 28 (2-6);
    # 2-6 Mar (7-11), 9-13 (12-16), 16-20 (17-21), 23-27 (22-26), 30 Mar-3 Apr (27-31); 6 Apr
    # rest; 7-10 Apr (32-35), 13-17 (36-40), 20-24 Apr (41-45): due Fri 24 Apr.
    check(app, date(2026, 2, 13), state="running", due=date(2026, 4, 24), used=0, left=45)
    check(app, date(2026, 2, 14), state="running", due=date(2026, 4, 24), used=1, left=44)
    check(app, date(2026, 2, 23), state="running", due=date(2026, 4, 24), used=1, left=44)  # still the holiday
    check(app, date(2026, 2, 28), state="running", due=date(2026, 4, 24), used=6, left=39)
    assert app.decision_due == date(2026, 4, 24) and app.clock_state == ClockState.RUNNING

    # Mon 2 Mar (day 7, counted: the day a stop starts counts) the officer asks a question.
    req = rq.rfi_ask(application_id=app.pk, actor=ministry, question="Who installs the motors?",
                     today=date(2026, 3, 2))
    app.refresh_from_db()
    assert (app.clock_state, app.clock_paused_since, app.decision_due) == ("paused", date(2026, 3, 2),
                                                                           date(2026, 4, 24))
    check(app, date(2026, 3, 2), state="paused", due=date(2026, 4, 24), used=7, left=38)
    # Fri 6 Mar, still open: 3-6 Mar not counted (4 days), so if it restarted today: day 45 + 4 = 49th
    # working day after acceptance = Thu 30 Apr.
    s = check(app, date(2026, 3, 6), state="paused", due=date(2026, 4, 30), used=7, left=38)
    assert s.paused_since == date(2026, 3, 2) and s.pause_kinds == ("rfi",)

    # Answered a week later, Mon 9 Mar: 3, 4, 5, 6 and 9 Mar are not counted (5 days). Due = the 50th
    # working day: 27-30 Apr (46-49); 1-5 May rest; Wed 6 May (50).
    rq.rfi_answer(application_id=app.pk, request_id=req.pk, actor=owner, answer="Our subsidiary.",
                  today=date(2026, 3, 9))
    app.refresh_from_db()
    assert (app.clock_state, app.clock_paused_since, app.decision_due) == ("running", None, date(2026, 5, 6))
    check(app, date(2026, 3, 9), state="running", due=date(2026, 5, 6), used=7, left=38)
    check(app, date(2026, 3, 10), state="running", due=date(2026, 5, 6), used=8, left=37)
    check(app, date(2026, 4, 24), state="running", due=date(2026, 5, 6), used=40, left=5)
    s = check(app, date(2026, 5, 6), state="running", due=date(2026, 5, 6), used=45, left=0)
    assert not s.is_overdue
    s = check(app, date(2026, 5, 7), state="running", due=date(2026, 5, 6), used=46, left=-1)
    assert s.is_overdue and s.overdue == 1

    # Mon 20 Apr (day 41 - 5 = 36 counted, 9 left) the items go for identification (鉴别).
    pause = rq.pause_start(application_id=app.pk, actor=ministry, kind=PauseKind.IDENTIFICATION,
                           note="Samples to the test centre", today=date(2026, 4, 20))
    check(app, date(2026, 4, 20), state="paused", due=date(2026, 5, 6), used=36, left=9)
    # Wed 30 Sep, still stopped: restarting today, the 9 days left would be Thu 8 Oct (1-7 Oct rest),
    # Fri 9, Sat 10 (working), 12-16 Oct, Mon 19 Oct (9).
    check(app, date(2026, 9, 30), state="paused", due=date(2026, 10, 19), used=36, left=9)
    check(app, date(2026, 10, 3), state="paused", due=date(2026, 10, 19), used=36, left=9)  # in the holiday
    # The beat task moves the stored due date of the paused case on.
    assert clock_services.refresh_open_cases(today=date(2026, 9, 30)) == 1
    app.refresh_from_db()
    assert (app.clock_state, app.decision_due, app.clock_paused_since) == ("paused", date(2026, 10, 19),
                                                                           date(2026, 4, 20))
    assert clock_services.refresh_open_cases(today=date(2026, 9, 30)) == 0  # idempotent

    # Restarted Fri 9 Oct (not counted): the 9 days are Sat 10 Oct, 12-16 Oct, 19, 20, Wed 21 Oct.
    # The stop covered 116 working days: Apr 21-30 (8), May (19, with Sat 9 May), Jun (21),
    # Jul (23), Aug (21), Sep (22, with Sun 20 Sep, without Fri 25), Oct 8-9 (2).
    rq.pause_end(application_id=app.pk, pause_id=pause.pk, actor=ministry, today=date(2026, 10, 9))
    app.refresh_from_db()
    assert (app.clock_state, app.decision_due) == ("running", date(2026, 10, 21))
    check(app, date(2026, 10, 9), state="running", due=date(2026, 10, 21), used=36, left=9)
    check(app, date(2026, 10, 10), state="running", due=date(2026, 10, 21), used=37, left=8)
    check(app, date(2026, 10, 11), state="running", due=date(2026, 10, 21), used=37, left=8)
    check(app, date(2026, 10, 21), state="running", due=date(2026, 10, 21), used=45, left=0)
    s = check(app, date(2026, 10, 22), state="running", due=date(2026, 10, 21), used=46, left=-1)
    assert s.is_overdue
    history = {row.kind: row for row in s.history}
    assert history["rfi"].working_days == 5 and history["identification"].working_days == 116
    assert (history["identification"].started_on, history["identification"].ended_on) == (
        date(2026, 4, 20), date(2026, 10, 9))


def test_a_short_identification_across_national_day_stops_one_working_day(case_factory):
    # Accepted Tue 1 Sep; 45 working days: 2-4 Sep (3), 7-11 (8), 14-18 (13), Sun 20 (14), 21-24
    # (18), 28-30 (21), Thu 8 Oct (22), 9 (23), Sat 10 (24), 12-16 (29), 19-23 (34), 26-30 (39),
    # 2-6 Nov (44), Mon 9 Nov (45).
    app = accepted_on(case_factory, date(2026, 9, 1))
    check(app, date(2026, 9, 1), state="running", due=date(2026, 11, 9), used=0, left=45)
    ClockPause.objects.create(application=app, kind=PauseKind.IDENTIFICATION, started_on=date(2026, 9, 30))
    # Stopped Wed 30 Sep (counted, day 21); during the holiday no working day passes.
    check(app, date(2026, 10, 3), state="paused", due=date(2026, 11, 9), used=21, left=24)
    check(app, date(2026, 10, 7), state="paused", due=date(2026, 11, 9), used=21, left=24)
    ClockPause.objects.filter(application=app).update(ended_on=date(2026, 10, 8))
    # Restarted Thu 8 Oct: only 8 Oct was not counted, so the due date moves one working day.
    check(app, date(2026, 10, 8), state="running", due=date(2026, 11, 10), used=21, left=24)
    check(app, date(2026, 10, 9), state="running", due=date(2026, 11, 10), used=22, left=23)
    check(app, date(2026, 10, 10), state="running", due=date(2026, 11, 10), used=23, left=22)


def test_overlapping_stops_are_not_counted_twice(case_factory):
    app = accepted_on(case_factory, date(2026, 2, 13))
    ClockPause.objects.create(application=app, kind=PauseKind.RFI, started_on=date(2026, 3, 2),
                              ended_on=date(2026, 3, 9))
    ClockPause.objects.create(application=app, kind=PauseKind.EXPERT, started_on=date(2026, 3, 5),
                              ended_on=date(2026, 3, 12))
    # Not counted: 3-6 and 9-12 Mar = 8 days. Due = the 53rd working day after 13 Feb: Wed 6 May is
    # the 50th (see above), Thu 7 (51), Fri 8 (52), Sat 9 May, a working Saturday (53). By Fri 20
    # Mar: 7 days to 2 Mar, then 13 Mar and 16-20 Mar = 13 used.
    check(app, date(2026, 3, 20), state="running", due=date(2026, 5, 9), used=13, left=32)


def test_a_stop_begun_after_the_deadline_does_not_move_it(case_factory):
    app = accepted_on(case_factory, date(2026, 2, 13))
    ClockPause.objects.create(application=app, kind=PauseKind.ONSITE, started_on=date(2026, 4, 29),
                              ended_on=date(2026, 5, 12))
    # Due Fri 24 Apr; the on-site check started after it, so it stays overdue from Mon 27 Apr.
    s = clock.summary(app, date(2026, 5, 20))
    assert s.due == date(2026, 4, 24) and s.is_overdue and s.days_left < 0


def test_watch_listed_party_means_no_time_limit(actors, case_factory, monkeypatch):
    app = accepted_on(case_factory, date(2026, 3, 2))
    rq.pause_start(application_id=app.pk, actor=actors.ministry, kind=PauseKind.WATCH_LIST,
                   note="End user on the watch list since 2026-02", today=date(2026, 3, 4))
    app.refresh_from_db()
    assert (app.clock_state, app.decision_due, app.clock_paused_since) == ("no_limit", None, date(2026, 3, 4))
    assert clock.is_watch_listed(app)
    s = clock.summary(app, date(2026, 6, 1))
    assert s.state == "no_limit" and s.due is None and s.days_left is None and s.days_used == 2
    assert "watch list" in s.no_limit_reason

    fake_today(monkeypatch, date(2026, 6, 1))
    page = page_as(actors.ministry).get(f"/cases/{app.pk}/").content.decode()
    assert 'id="no-limit"' in page and "No statutory time limit" in page and "watch list" in page
    assert 'data-due=""' in page.split('id="decision-deadline"')[1][:200]
    exporter_page = page_as(actors.owner).get(f"/cases/{app.pk}/").content.decode()
    assert "No statutory time limit" in exporter_page
    assert "End user on the watch list since" not in exporter_page  # the officer's note stays internal
    body = api_as(actors.ministry).get(f"/api/applications/{app.pk}/").json()
    assert body["clock_state"] == "no_limit" and body["decision_due"] is None and body["days_left"] is None
    assert body["pause_kinds"] == ["watch_list"]
    listed = api_as(actors.ministry).get("/api/applications/").json()["results"]
    row = next(r for r in listed if r["id"] == app.pk)
    assert row["clock_state"] == "no_limit" and row["decision_due"] is None and row["days_left"] is None
    clock_api = api_as(actors.owner).get(f"/api/applications/{app.pk}/clock/").json()
    assert clock_api["state"] == "no_limit" and clock_api["due"] is None
    assert clock_api["history"][0]["note"] == ""  # not for the exporter

    # Taken off the watch list on Fri 13 Mar: the clock runs again, the days in between not counted.
    pause = app.pauses.get()
    rq.pause_end(application_id=app.pk, pause_id=pause.pk, actor=actors.ministry, today=date(2026, 3, 13))
    app.refresh_from_db()
    # Accepted Mon 2 Mar; 3 and 4 Mar counted; 5-13 Mar not (7 days); so due on the 52nd working
    # day after 2 Mar: 3-6 Mar (1-4), 9-13 (5-9), 16-20 (10-14), 23-27 (15-19), 30 Mar-3 Apr (20-24),
    # 7-10 Apr (25-28), 13-17 (29-33), 20-24 (34-38), 27-30 (39-42), 6-8 May (43-45), Sat 9 May
    # (46), 11-15 May (47-51), Mon 18 May (52).
    assert app.clock_state == "running" and app.decision_due == date(2026, 5, 18)


def test_state_council_referral_is_no_limit_too(actors, case_factory):
    app = accepted_on(case_factory, date(2026, 3, 2))
    rq.pause_start(application_id=app.pk, actor=actors.ministry, kind=PauseKind.STATE_COUNCIL,
                   today=date(2026, 3, 3))
    s = clock.summary(app, date(2026, 3, 10))
    assert s.state == "no_limit" and s.due is None and "State Council" in s.no_limit_reason


def test_decided_case_stops_the_clock(actors, case_factory):
    app = accepted_on(case_factory, date(2026, 2, 13))
    clock_services.case_decided(app, on=date(2026, 3, 2))
    app.refresh_from_db()
    assert app.clock_state == "stopped" and app.decision_due == date(2026, 4, 24)
    Application.objects.filter(pk=app.pk).update(decided_at=at(date(2026, 3, 2)))
    app.refresh_from_db()
    s = clock.summary(app, date(2026, 6, 1))
    assert s.state == "stopped" and s.as_of == date(2026, 3, 2) and s.days_used == 7


def test_missing_calendar_year_is_shown_not_a_crash(actors, case_factory, monkeypatch):
    # Accepted Mon 23 Nov 2026: the 45th working day lies in 2027, whose calendar is not entered.
    app = accepted_on(case_factory, date(2026, 11, 23))
    s = clock.summary(app, date(2026, 11, 24))
    assert s.due is None and "2027" in s.problem
    assert s.days_used == 1 and s.days_left == 44  # what can be counted still is
    assert app.decision_due is None and app.clock_state == "running"
    fake_today(monkeypatch, date(2026, 11, 24))
    page = page_as(actors.ministry).get(f"/cases/{app.pk}/")
    assert page.status_code == 200 and "No working-day calendar for 2027" in page.content.decode()
    body = api_as(actors.ministry).get(f"/api/applications/{app.pk}/clock/")
    assert body.status_code == 200 and "2027" in body.json()["problem"]


def test_missing_year_filled_in_later_by_the_beat_task(case_factory, calendar_2027):
    app = case_factory("accepted")
    Application.objects.filter(pk=app.pk).update(decision_due=None)
    refresh_clocks.delay()
    app.refresh_from_db()
    assert app.decision_due is not None


# ---------------------------------------------------------------- acceptance


def test_acceptance_within_five_working_days_of_receipt(actors, case_factory, monkeypatch):
    app = dated(case_factory("forwarded"), forwarded=date(2026, 2, 13))
    # Received Fri 13 Feb: Sat 14 Feb (1), 24 (2), 25 (3), 26 (4), Fri 27 Feb (5).
    assert app.acceptance_due == date(2026, 2, 27)
    for today, left in [(date(2026, 2, 13), 5), (date(2026, 2, 16), 4), (date(2026, 2, 27), 0),
                        (date(2026, 2, 28), -1), (date(2026, 3, 2), -2)]:
        a = clock.acceptance(app, today)
        assert (a.due, a.days_left, a.is_overdue) == (date(2026, 2, 27), left, left < 0), today

    fake_today(monkeypatch, date(2026, 2, 24))
    page = page_as(actors.ministry).get(f"/cases/{app.pk}/").content.decode()
    assert 'id="acceptance-clock"' in page and "2026-02-27" in page and "3 working days left" in page
    row = next(r for r in api_as(actors.ministry).get("/api/applications/").json()["results"] if r["id"] == app.pk)
    assert (row["acceptance_due"], row["acceptance_days_left"], row["acceptance_overdue"]) == ("2026-02-27", 3, False)

    fake_today(monkeypatch, date(2026, 3, 2))
    page = page_as(actors.ministry).get(f"/cases/{app.pk}/").content.decode()
    assert 'id="acceptance-flag"' in page and "2 working days late" in page
    body = api_as(actors.ministry).get(f"/api/applications/{app.pk}/").json()
    assert body["acceptance_overdue"] is True and body["acceptance_days_left"] == -2
    row = next(r for r in api_as(actors.ministry).get("/api/applications/").json()["results"] if r["id"] == app.pk)
    assert row["acceptance_overdue"] is True and row["acceptance_days_left"] == -2


def test_corrections_stop_the_acceptance_clock_and_it_runs_again_from_the_answer(actors, case_factory):
    app = dated(case_factory("forwarded"), forwarded=date(2026, 2, 13))
    rq.corrections_request(application_id=app.pk, actor=actors.ministry, items=["Signed contract"],
                           respond_by=date(2026, 3, 13), today=date(2026, 2, 26))
    app.refresh_from_db()
    assert app.status == "correcting" and app.acceptance_due is None
    a = clock.acceptance(app, date(2026, 3, 5))
    assert a.waiting_since == date(2026, 2, 26) and a.respond_by == date(2026, 3, 13)
    assert a.days_left == 1 and not a.is_overdue  # asked in time, on the 4th of 5 days
    # Answered Tue 10 Mar: 5 working days from then are 11, 12, 13, 16, Tue 17 Mar.
    rq.corrections_answer(application_id=app.pk, actor=actors.owner, answer="Attached.", today=date(2026, 3, 10))
    app.refresh_from_db()
    assert app.status == "forwarded" and app.acceptance_due == date(2026, 3, 17)
    a = clock.acceptance(app, date(2026, 3, 10))
    assert (a.restarted_on, a.due, a.days_left) == (date(2026, 3, 10), date(2026, 3, 17), 5)
    a = clock.acceptance(app, date(2026, 3, 18))
    assert a.is_overdue and a.overdue == 1
    s = clock.summary(app, date(2026, 3, 18))
    assert s.state == "not_started" and [row.kind for row in s.history] == ["correction"]
    assert s.history[0].before_acceptance


# ---------------------------------------------------------------- pages, API, queues


def test_case_page_shows_days_used_left_and_why_the_clock_is_stopped(actors, case_factory, monkeypatch):
    app = accepted_on(case_factory, date(2026, 2, 13))
    rq.rfi_ask(application_id=app.pk, actor=actors.ministry, question="Who installs the motors?",
               today=date(2026, 3, 2))
    fake_today(monkeypatch, date(2026, 3, 6))
    page = page_as(actors.owner).get(f"/cases/{app.pk}/").content.decode()
    assert 'id="clock-paused"' in page and "since 2026-03-02" in page and "Waiting for the exporter" in page
    assert "2026-04-30" in page and "38 working days left" in page and "7 of 45 working days used" in page
    assert 'id="clock-history"' in page
    clock_api = api_as(actors.ministry).get(f"/api/applications/{app.pk}/clock/").json()
    assert (clock_api["state"], clock_api["due"], clock_api["days_used"], clock_api["days_left"],
            clock_api["paused_since"]) == ("paused", "2026-04-30", 7, 38, "2026-03-02")
    assert clock_api["history"][0]["kind"] == "rfi" and clock_api["history"][0]["working_days"] == 4
    detail = api_as(actors.ministry).get(f"/api/applications/{app.pk}/").json()
    assert (detail["days_used"], detail["days_left"], detail["paused_since"]) == (7, 38, "2026-03-02")
    assert detail["decision_deadline"]["due"] == "2026-04-30"


def test_api_list_shows_clock_fields_without_a_query_per_row(actors, case_factory, monkeypatch,
                                                             django_assert_max_num_queries):
    fake_today(monkeypatch, date(2026, 3, 6))
    first = accepted_on(case_factory, date(2026, 2, 13))
    rq.rfi_ask(application_id=first.pk, actor=actors.ministry, question="Q?", today=date(2026, 3, 2))
    clock_services.refresh_open_cases(today=date(2026, 3, 6))
    client = api_as(actors.ministry)
    with django_assert_max_num_queries(9):
        rows = client.get("/api/applications/").json()["results"]
    for _ in range(4):
        app = accepted_on(case_factory, date(2026, 2, 13))
        rq.pause_start(application_id=app.pk, actor=actors.ministry, kind="expert", today=date(2026, 3, 2))
    clock_services.refresh_open_cases(today=date(2026, 3, 6))
    with django_assert_max_num_queries(9):
        rows = client.get("/api/applications/").json()["results"]
    assert len(rows) == 5
    row = next(r for r in rows if r["id"] == first.pk)
    assert (row["clock_state"], row["decision_due"], row["days_left"], row["days_used"], row["paused_since"],
            row["pause_kinds"]) == ("paused", "2026-04-30", 38, 7, "2026-03-02", ["rfi"])
    assert row["assigned_to"]["id"] == actors.ministry.pk


def test_clock_endpoint_permissions(actors, case_factory):
    app = accepted_on(case_factory, date(2026, 2, 13))
    url = f"/api/applications/{app.pk}/clock/"
    staff = type(actors.owner).objects.create_user(username="nostaff", organisation=actors.owner.organisation,
                                                   role="exporter_staff", password=PASSWORD)
    for who in (actors.outsider, actors.other_province, actors.agency, actors.customs, staff):
        assert api_as(who).get(url).status_code == 404, who.role
    assert APIClient().get(url).status_code == 403
    for who in (actors.owner, actors.colleague, actors.province, actors.ministry):
        assert api_as(who).get(url).status_code == 200, who.role


def test_refresh_task_is_registered_and_in_the_beat_schedule(settings):
    from portal.celery import app as celery_app

    assert "licensing.refresh_clocks" in celery_app.tasks
    assert any(entry["task"] == "licensing.refresh_clocks" for entry in settings.CELERY_BEAT_SCHEDULE.values())


def test_decision_deadline_keeps_its_reading_for_other_callers(case_factory):
    app = accepted_on(case_factory, date(2026, 1, 5))
    deadline = clock.summary(app, date(2026, 3, 31))
    # 45 working days after Mon 5 Jan (Sun 4 Jan is a working day but before it): due Fri 13 Mar;
    # 31 Mar is 12 working days later.
    assert (deadline.due, deadline.days_left, deadline.overdue) == (date(2026, 3, 13), -12, 12)
    assert clock.summary(app, date(2026, 3, 31) + timedelta(days=0)).is_overdue

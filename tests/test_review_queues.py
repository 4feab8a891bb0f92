"""Review queues: membership, filters, sorting, counts, permissions, query counts, assign/take."""

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from audit.models import AuditEvent
from licensing.models import (
    Application,
    ApplicationItem,
    ClockState,
    Referral,
    ReferralState,
    Status,
)
from licensing.queues import selectors as queues
from licensing.queues import services as assignment
from notifications.models import Notification
from portal.errors import InvalidTransition, NotAllowed, NotFound, StaleVersion, ValidationFailed
from tests.factories import UserFactory, authority
from workdays.services import add_working_days, working_days_between

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)
NOW = timezone.now()


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def more(actors):
    """Actors beyond conftest's: a second officer, an agency lead, a reviewer of another agency."""
    return type("More", (), dict(
        officer2=UserFactory(organisation=authority("MOFCOM"), role=Role.MINISTRY_OFFICER, first_name="Second"),
        lead=UserFactory(organisation=authority("MIIT"), role=Role.AGENCY_LEAD),
        caea=UserFactory(organisation=authority("CAEA"), role=Role.AGENCY_REVIEWER),
    ))


def make_app(actors, *, status, code="1C902.a", codes=(), destination="DE", province="31", age_days=0,
             **fields):
    """A case row as the review would have left it (reads only: no service runs here)."""
    n = next(_serial)
    forwarded = NOW - timedelta(days=age_days) + timedelta(seconds=n)  # made later: newer
    app = Application.objects.create(
        exporter=actors.owner.organisation, created_by=actors.owner, province_id=province,
        reference=f"DU2026-7{n:05d}", status=status, destination=destination, submitted_at=forwarded,
        forwarded_at=forwarded, **fields)
    for value in (code, *codes):
        ApplicationItem.objects.create(application=app, control_code=value, description="item",
                                       quantity=1, unit="kg", value_rmb=100)
    return app


def refer(app, agency_code, *, state=ReferralState.SENT, due_on=None, sent=True):
    return Referral.objects.create(application=app, agency=authority(agency_code), state=state,
                                   sent_at=NOW if sent else None, due_on=due_on)


def api(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    # These tests judge bodies and flows; 428 and If-Match are tested in tests/test_api_manners.py.
    client.credentials(HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_MATCH="*")
    return client


def page(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def names(user, queue, params=None, today=None):
    fs = queues.ministry_queue(user, queue, params or {}, today=today)
    assert fs.is_valid(), fs.form.errors
    return [a.reference for a in fs.qs]


def api_refs(user, queue, **params):
    resp = api(user).get(f"/api/queues/{queue}/", params)
    assert resp.status_code == 200, resp.content
    return [row["reference"] for row in resp.json()["results"]]


# ---------------------------------------------------------------- membership and counts


@pytest.fixture
def board(actors, today, calendar_2027):
    """One case in each state, plus overdue and assigned ones."""
    soon = add_working_days(today, 3)
    later = add_working_days(today, 30)
    past = today - timedelta(days=7)
    cases = {
        "forwarded": make_app(actors, status=Status.FORWARDED, acceptance_due=soon),
        "forwarded_mine": make_app(actors, status=Status.FORWARDED, acceptance_due=soon,
                                   assigned_to=actors.ministry),
        "forwarded_late": make_app(actors, status=Status.FORWARDED, acceptance_due=past),
        "correcting": make_app(actors, status=Status.CORRECTING, acceptance_due=past),
        "accepted": make_app(actors, status=Status.ACCEPTED, clock_state=ClockState.RUNNING,
                             decision_due=later, assigned_to=actors.ministry),
        "with_agencies": make_app(actors, status=Status.WITH_AGENCIES, clock_state=ClockState.RUNNING,
                                  decision_due=later),
        "awaiting_decision": make_app(actors, status=Status.AWAITING_DECISION, clock_state=ClockState.RUNNING,
                                      decision_due=past),
        "paused_late": make_app(actors, status=Status.WITH_AGENCIES, clock_state=ClockState.PAUSED,
                                decision_due=past, clock_paused_since=past - timedelta(days=3)),
        "no_limit_late": make_app(actors, status=Status.AWAITING_DECISION, clock_state=ClockState.NO_LIMIT,
                                  decision_due=past),
        "countersign": make_app(actors, status=Status.AWAITING_COUNTERSIGN, clock_state=ClockState.RUNNING,
                                decision_due=soon),
        "approved": make_app(actors, status=Status.APPROVED, clock_state=ClockState.STOPPED, decision_due=past,
                             assigned_to=actors.ministry),
        "refused": make_app(actors, status=Status.REFUSED, clock_state=ClockState.STOPPED, decision_due=past),
    }
    # Never forwarded: the ministry does not see it at all.
    Application.objects.create(exporter=actors.owner.organisation, created_by=actors.owner, province_id="31",
                               reference="DU2026-000999", status=Status.SUBMITTED, submitted_at=NOW)
    return {key: app.reference for key, app in cases.items()}


EXPECTED = {
    "new": {"forwarded", "forwarded_late"},
    "acceptance": {"forwarded", "forwarded_mine", "forwarded_late", "correcting"},
    "agencies": {"with_agencies", "paused_late"},
    "decision": {"accepted", "awaiting_decision", "no_limit_late"},
    "countersign": {"countersign"},
    "overdue": {"forwarded_late", "awaiting_decision", "paused_late"},
    "mine": {"forwarded_mine", "accepted"},
}


@pytest.mark.parametrize("queue", list(EXPECTED))
def test_each_queue_holds_the_cases_of_its_states(actors, board, queue):
    expected = {board[key] for key in EXPECTED[queue]}
    assert set(names(actors.ministry, queue)) == expected
    assert set(api_refs(actors.ministry, queue)) == expected


def test_mine_and_overdue_sort_on_the_clock_that_runs(actors, board):
    assert api_refs(actors.ministry, "mine") == [board["forwarded_mine"], board["accepted"]]
    overdue = api_refs(actors.ministry, "overdue")
    app = {key: Application.objects.get(reference=ref) for key, ref in board.items()}
    due = {ref: (app[key].acceptance_due if app[key].status == Status.FORWARDED else app[key].decision_due)
           for key, ref in board.items()}
    assert [due[ref] for ref in overdue] == sorted(due[ref] for ref in overdue)


def test_dashboard_counts_every_queue_in_one_query(actors, board, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = queues.ministry_counts(actors.ministry)
    assert counts == {queue: len(keys) for queue, keys in EXPECTED.items()}
    # Another officer's "mine" is their own.
    assert queues.ministry_counts(actors.senior)["mine"] == 0

    resp = page(actors.ministry).get("/review/")
    assert resp.status_code == 200
    html = resp.content.decode()
    for queue in EXPECTED:
        assert f'id="count-{queue}"' in html
        assert f'/review/queues/{queue}/' in html
    assert 'id="count-overdue" class="alert"' in html
    data = api(actors.ministry).get("/api/queues/").json()
    assert {row["name"]: row["count"] for row in data["queues"]} == {q: len(k) for q, k in EXPECTED.items()}


def test_rows_show_deadline_days_used_and_left(actors, board, today):
    resp = api(actors.ministry).get("/api/queues/acceptance/")
    rows = {row["reference"]: row for row in resp.json()["results"]}
    late = rows[board["forwarded_late"]]["clock"]
    assert late["kind"] == "acceptance" and late["overdue"] is True and late["days_left"] < 0
    assert rows[board["correcting"]]["clock"]["overdue"] is False  # the exporter has the case
    assert rows[board["forwarded"]]["clock"]["days_left"] == 3

    rows = {row["reference"]: row for row in api(actors.ministry).get("/api/queues/decision/").json()["results"]}
    accepted = rows[board["accepted"]]
    left = working_days_between(today, add_working_days(today, 30))
    assert accepted["clock"] == {"kind": "decision", "due": add_working_days(today, 30).isoformat(),
                                 "days_left": left, "days_used": 45 - left, "paused": False, "overdue": False,
                                 "reason": ""}
    assert accepted["assigned_to"] == actors.ministry.pk and accepted["first_code"] == "1C902.a"
    assert rows[board["no_limit_late"]]["clock"]["kind"] == "no_limit"
    assert rows[board["no_limit_late"]]["clock"]["overdue"] is False

    rows = {row["reference"]: row for row in api(actors.ministry).get("/api/queues/agencies/").json()["results"]}
    paused = rows[board["paused_late"]]["clock"]
    # licensing.clock keeps a paused case's decision_due at "if it resumed today": days are
    # counted from today, like a running clock.
    app = Application.objects.get(reference=board["paused_late"])
    assert paused["paused"] is True and paused["overdue"] is True
    assert paused["days_left"] == -working_days_between(app.decision_due, today)


def test_days_left_need_the_calendar_of_the_deadline_year(actors, today):
    """Without the next year's calendar the count is unknown, not a guess."""
    app = make_app(actors, status=Status.WITH_AGENCIES, clock_state=ClockState.RUNNING,
                   decision_due=today.replace(year=today.year + 1))
    row = api(actors.ministry).get("/api/queues/agencies/").json()["results"][0]
    assert row["reference"] == app.reference and row["clock"]["days_left"] is None
    assert b"calendar missing" in page(actors.ministry).get("/review/queues/agencies/").content
    resp = api(actors.ministry).get("/api/queues/agencies/", {"days_left": 60})
    assert resp.status_code == 400 and "days_left" in resp.json()["fields"]


# ---------------------------------------------------------------- filters and sorting


@pytest.fixture
def mixed(actors, today, calendar_2027):
    def due(n):
        return add_working_days(today, n)

    apps = {
        "sh_1c9_de": make_app(actors, status=Status.WITH_AGENCIES, decision_due=due(20), code="1C902.a",
                              clock_state=ClockState.RUNNING),
        "gd_1c9_us": make_app(actors, status=Status.WITH_AGENCIES, decision_due=due(5), code="1C910",
                              province="44", destination="US", clock_state=ClockState.RUNNING),
        "sh_3a_de": make_app(actors, status=Status.WITH_AGENCIES, decision_due=due(2), code="3A001.a",
                             codes=["5A002"], clock_state=ClockState.RUNNING, assigned_to=actors.ministry),
        "sh_nodue": make_app(actors, status=Status.WITH_AGENCIES, decision_due=None, code="2B001",
                             clock_state=ClockState.NOT_STARTED, age_days=30),
    }
    refer(apps["sh_1c9_de"], "MIIT", due_on=due(3))
    refer(apps["gd_1c9_us"], "CAEA", due_on=due(3))
    refer(apps["sh_3a_de"], "MIIT", state=ReferralState.PROPOSED, sent=False)  # not sent: not referred yet
    return {key: app.reference for key, app in apps.items()}


@pytest.mark.parametrize("params,expected", [
    ({"province": "44"}, ["gd_1c9_us"]),
    ({"code": "1c9"}, ["gd_1c9_us", "sh_1c9_de"]),
    ({"code": "1C902.A"}, ["sh_1c9_de"]),
    ({"code": "5A"}, ["sh_3a_de"]),  # any item, not only the first
    ({"destination": "us"}, ["gd_1c9_us"]),
    ({"agency": "MIIT"}, ["sh_1c9_de"]),
    ({"agency": "CAEA", "province": "44"}, ["gd_1c9_us"]),
    ({"officer": "ME"}, ["sh_3a_de"]),
    ({"officer": "null"}, ["gd_1c9_us", "sh_1c9_de", "sh_nodue"]),
    ({"days_left": "5"}, ["sh_3a_de", "gd_1c9_us"]),
    ({"days_left": "0"}, []),
    ({"q": "7"}, ["sh_3a_de", "gd_1c9_us", "sh_1c9_de", "sh_nodue"]),
    ({}, ["sh_3a_de", "gd_1c9_us", "sh_1c9_de", "sh_nodue"]),  # deadline first, no deadline last
    ({"sort": "oldest"}, ["sh_nodue", "sh_1c9_de", "gd_1c9_us", "sh_3a_de"]),
    ({"sort": "newest"}, ["sh_3a_de", "gd_1c9_us", "sh_1c9_de", "sh_nodue"]),
])
def test_filters_and_sorting(actors, mixed, params, expected):
    params = {k: (str(actors.ministry.pk) if v == "ME" else v) for k, v in params.items()}
    want = [mixed[key] for key in expected]
    assert api_refs(actors.ministry, "agencies", **params) == want
    html = page(actors.ministry).get("/review/queues/agencies/", params).content.decode()
    shown = [ref for ref in mixed.values() if f'data-reference="{ref}"' in html]
    assert sorted(shown) == sorted(want)


def test_search_by_case_number(actors, mixed):
    assert api_refs(actors.ministry, "agencies", q=mixed["gd_1c9_us"].lower()) == [mixed["gd_1c9_us"]]


@pytest.mark.parametrize("params,field", [
    ({"province": "99"}, "province"),
    ({"province": "x" * 50}, "province"),
    ({"code": "1C9%"}, "code"),
    ({"code": "x" * 40}, "code"),
    ({"destination": "XX"}, "destination"),
    ({"destination": "纳尼亚"}, "destination"),  # a name is accepted (德国), an unknown one is not
    ({"destination": "x" * 80}, "destination"),
    ({"agency": "NOPE"}, "agency"),
    ({"agency": "MOFCOM"}, "agency"),  # an organisation, but not an agency
    ({"officer": "abc"}, "officer"),
    ({"officer": "99999999999999999999999"}, "officer"),
    ({"officer": "EXPORTER"}, "officer"),  # a user, but not a ministry officer
    ({"days_left": "-1"}, "days_left"),
    ({"days_left": "abc"}, "days_left"),
    ({"days_left": "100000"}, "days_left"),
    ({"sort": "price"}, "sort"),
])
def test_bad_filter_values_are_400_in_the_api_and_a_form_error_on_the_page(actors, mixed, params, field):
    params = {k: (str(actors.owner.pk) if v == "EXPORTER" else v) for k, v in params.items()}
    resp = api(actors.ministry).get("/api/queues/agencies/", params)
    assert resp.status_code == 400, resp.content
    body = resp.json()
    assert body["code"] == "validation_failed" and field in body["fields"]
    assert set(body["messages"]) == {"zh-hans", "en"}

    resp = page(actors.ministry).get("/review/queues/agencies/", params)
    assert resp.status_code == 400
    html = resp.content.decode()
    assert 'class="errorlist' in html and "Some filters are not valid" in html
    assert not any(f'data-reference="{ref}"' in html for ref in mixed.values())


def test_unknown_queue_is_404(actors):
    assert api(actors.ministry).get("/api/queues/nope/").status_code == 404
    assert page(actors.ministry).get("/review/queues/nope/").status_code == 404


# ---------------------------------------------------------------- pagination and query counts


def _many(actors, today, n):
    made = [make_app(actors, status=Status.WITH_AGENCIES, clock_state=ClockState.RUNNING,
                     decision_due=add_working_days(today, 1 + i % 40), code=f"1C9{i % 10:02d}",
                     assigned_to=actors.ministry if i % 2 else None, province="31" if i % 3 else "44",
                     destination="DE" if i % 2 else "US")
            for i in range(n)]
    for i, app in enumerate(made):
        refer(app, "MIIT", due_on=add_working_days(today, 1 + i % 9))
        if i % 2:
            refer(app, "CAEA", due_on=add_working_days(today, 2))
    return made


def test_pagination_50_a_page(actors, today, calendar_2027):
    made = _many(actors, today, 60)
    first = api(actors.ministry).get("/api/queues/agencies/").json()
    assert first["count"] == 60 and first["pages"] == 2 and len(first["results"]) == 50
    assert first["next"].endswith("page=2") and first["previous"] is None
    second = api(actors.ministry).get(first["next"]).json()
    assert len(second["results"]) == 10
    assert {r["id"] for r in first["results"]} | {r["id"] for r in second["results"]} == {a.pk for a in made}
    assert api(actors.ministry).get("/api/queues/agencies/", {"page": 3}).status_code == 404
    assert api(actors.ministry).get("/api/queues/agencies/", {"page": "x"}).status_code == 404
    html = page(actors.ministry).get("/review/queues/agencies/?province=31&page=2").content.decode()
    assert html.count('data-reference="') == 40 and 'id="pager"' not in html  # 40 in province 31
    html = page(actors.ministry).get("/review/queues/agencies/?sort=oldest").content.decode()
    assert html.count('data-reference="') == 50 and "sort=oldest&amp;page=2" in html


QUEUE_PAGE_QUERIES = 15
QUEUE_API_QUERIES = 10


@pytest.mark.parametrize("rows", [3, 60])
def test_queue_query_count_does_not_grow_with_rows(actors, today, calendar_2027, rows,
                                                    django_assert_max_num_queries):
    _many(actors, today, rows)
    client, senior, agency = page(actors.ministry), page(actors.senior), page(actors.agency)
    client.get("/review/queues/agencies/")  # warm the session and the calendar cache
    params = {"province": "31", "code": "1c9", "agency": "MIIT", "officer": str(actors.ministry.pk),
              "days_left": "40", "destination": "DE", "sort": "deadline"}
    with django_assert_max_num_queries(QUEUE_PAGE_QUERIES):
        resp = client.get("/review/queues/agencies/", params)
    assert resp.status_code == 200
    assert resp.content.count(b'data-reference="') == len(names(actors.ministry, "agencies", params)) > 0
    with django_assert_max_num_queries(QUEUE_PAGE_QUERIES):
        resp = senior.get("/review/queues/agencies/")  # with the assign form's officer list
    assert resp.content.count(b'data-reference="') == min(rows, 50)
    with django_assert_max_num_queries(QUEUE_API_QUERIES):
        resp = api(actors.ministry).get("/api/queues/agencies/")
    assert len(resp.json()["results"]) == min(rows, 50)
    with django_assert_max_num_queries(QUEUE_PAGE_QUERIES):
        resp = agency.get("/review/agency/")
    assert resp.content.count(b'data-reference="') == min(rows, 50)
    with django_assert_max_num_queries(QUEUE_API_QUERIES):
        resp = api(actors.agency).get("/api/agency-queue/")
    assert len(resp.json()["results"]) == min(rows, 50)


def test_query_count_is_the_same_for_3_and_60_rows(actors, today, calendar_2027):
    """Not just under a bound: exactly equal (the calendar read included)."""
    def count(path, user):
        client = page(user)
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    _many(actors, today, 3)
    few = count("/review/queues/agencies/", actors.senior), count("/review/agency/", actors.agency)
    _many(actors, today, 57)
    assert (count("/review/queues/agencies/", actors.senior), count("/review/agency/", actors.agency)) == few


# ---------------------------------------------------------------- agencies and provinces


def test_agency_sees_only_cases_referred_to_it(actors, more, mixed, today):
    rows = api(actors.agency).get("/api/agency-queue/").json()
    assert [r["reference"] for r in rows["results"]] == [mixed["sh_1c9_de"]]  # not the unsent referral
    assert rows["counts"] == {"open": 1, "due_soon": 0, "overdue": 0}
    assert rows["results"][0]["days_left"] == 3
    caea = api(more.caea).get("/api/agency-queue/").json()
    assert [r["reference"] for r in caea["results"]] == [mixed["gd_1c9_us"]]
    html = page(actors.agency).get("/review/agency/").content.decode()
    assert f'data-reference="{mixed["sh_1c9_de"]}"' in html
    assert mixed["gd_1c9_us"] not in html and mixed["sh_3a_de"] not in html
    # A non-referred agency sees nothing.
    sca = UserFactory(organisation=authority("SCA"), role=Role.AGENCY_REVIEWER)
    assert api(sca).get("/api/agency-queue/").json()["results"] == []
    assert b'data-reference="' not in page(sca).get("/review/agency/").content


def test_agency_tabs_counts_and_lead_flags(actors, more, today, calendar_2027):
    late = make_app(actors, status=Status.WITH_AGENCIES)
    soon = make_app(actors, status=Status.WITH_AGENCIES)
    done = make_app(actors, status=Status.AWAITING_DECISION)
    refer(late, "MIIT", due_on=today - timedelta(days=5))
    refer(soon, "MIIT", due_on=add_working_days(today, 1))
    refer(done, "MIIT", state=ReferralState.ANSWERED, due_on=today)
    Referral.objects.filter(application=late).update(escalated_at=NOW)
    Referral.objects.filter(application=done).update(answered_at=NOW)
    data = api(more.lead).get("/api/agency-queue/").json()
    assert data["counts"] == {"open": 2, "due_soon": 1, "overdue": 1}
    assert [r["reference"] for r in data["results"]] == [late.reference, soon.reference]
    assert data["results"][0]["overdue"] is True and data["results"][0]["days_left"] < 0
    assert [r["reference"] for r in api(more.lead).get("/api/agency-queue/", {"tab": "done"}).json()["results"]] \
        == [done.reference]
    assert api(more.lead).get("/api/agency-queue/", {"tab": "nope"}).status_code == 400
    lead_html = page(more.lead).get("/review/agency/").content.decode()
    reviewer_html = page(actors.agency).get("/review/agency/").content.decode()
    assert "Reminded / escalated" in lead_html and "Reminded / escalated" not in reviewer_html
    assert page(more.lead).get("/review/agency/?tab=nope").status_code == 400
    dashboard = page(more.lead).get("/review/").content.decode()
    assert 'data-count="2"' in dashboard and 'id="count-overdue" class="alert"' in dashboard


def test_province_queue_and_counts(actors, case_factory):
    submitted = case_factory("submitted")
    forwarded = case_factory("forwarded")
    html = page(actors.province).get("/review/province/").content.decode()
    assert f'data-reference="{submitted.reference}"' in html and forwarded.reference not in html
    assert 'data-count="1"' in html
    html = page(actors.province).get("/review/province/?tab=forwarded").content.decode()
    assert f'data-reference="{forwarded.reference}"' in html
    other = page(actors.other_province).get("/review/province/").content.decode()
    assert submitted.reference not in other
    assert page(actors.province).get("/review/").status_code == 200
    assert page(actors.province).get("/review/province/?tab=nope").status_code == 400


# ---------------------------------------------------------------- permissions


MINISTRY_PAGES = ["/review/queues/new/", "/review/queues/overdue/"]
MINISTRY_APIS = ["/api/queues/", "/api/queues/new/"]


@pytest.mark.parametrize("who", ["owner", "colleague", "province", "agency", "customs"])
def test_only_the_ministry_sees_its_queues(actors, board, who):
    user = getattr(actors, who)
    for path in MINISTRY_PAGES:
        assert page(user).get(path).status_code == 403, path
    for path in MINISTRY_APIS:
        assert api(user).get(path).status_code == 403, path


@pytest.mark.parametrize("who", ["owner", "province", "ministry", "senior", "customs"])
def test_only_agencies_see_agency_queues(actors, who):
    user = getattr(actors, who)
    assert page(user).get("/review/agency/").status_code == 403
    assert api(user).get("/api/agency-queue/").status_code == 403


def test_anonymous_is_sent_to_sign_in(actors):
    for path in ["/review/", "/review/queues/new/", "/review/agency/", "/review/province/"]:
        resp = Client().get(path)
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"], path
    for path in MINISTRY_APIS + ["/api/agency-queue/"]:
        assert APIClient().get(path).status_code == 403, path
    assert Client().post("/cases/1/take/").status_code == 302


def test_exporters_and_customs_have_no_dashboard(actors):
    assert page(actors.owner).get("/review/").status_code == 403
    assert page(actors.customs).get("/review/").status_code == 403


def test_home_and_nav_lead_each_role_to_its_queue(actors):
    assert page(actors.ministry).get("/")["Location"] == "/review/"
    assert page(actors.agency).get("/")["Location"] == "/review/agency/"
    nav = page(actors.ministry).get("/review/").content.decode()
    assert 'id="nav-review"' in nav and 'id="nav-agency-queue"' not in nav
    nav = page(actors.agency).get("/review/agency/").content.decode()
    assert 'id="nav-agency-queue"' in nav and 'id="nav-review"' not in nav
    assert 'id="nav-province-queue"' in page(actors.province).get("/review/province/").content.decode()


# ---------------------------------------------------------------- assign and take


@pytest.fixture
def forwarded(case_factory):
    return case_factory("forwarded")


def assign_events(app):
    return AuditEvent.objects.filter(object_id=str(app.pk), action="application.assign").count()


def test_officer_takes_an_unassigned_case_once(actors, forwarded, django_capture_on_commit_callbacks):
    version = forwarded.version
    app = assignment.case_take(application_id=forwarded.pk, actor=actors.ministry, expected_version=version)
    assert app.assigned_to == actors.ministry and app.version == version + 1
    # Double click (the same stale form again): the same result, one audit event.
    again = assignment.case_take(application_id=forwarded.pk, actor=actors.ministry, expected_version=version)
    assert again.version == version + 1
    assert assign_events(forwarded) == 1
    event = AuditEvent.objects.get(object_id=str(forwarded.pk), action="application.assign")
    assert event.actor == actors.ministry and event.after["taken"] is True
    assert not Notification.objects.filter(recipient=actors.ministry).exists()  # no need to tell oneself
    assert forwarded.reference in names(actors.ministry, "mine")
    assert forwarded.reference not in names(actors.ministry, "new")


def test_an_officer_cannot_steal_a_colleagues_case(actors, more, forwarded):
    assignment.case_take(application_id=forwarded.pk, actor=actors.ministry)
    version = Application.objects.get(pk=forwarded.pk).version
    with pytest.raises(InvalidTransition):
        assignment.case_take(application_id=forwarded.pk, actor=more.officer2, expected_version=version)
    with pytest.raises(InvalidTransition):
        assignment.case_assign(application_id=forwarded.pk, actor=more.officer2, officer_id=more.officer2.pk)
    with pytest.raises(NotAllowed):
        assignment.case_assign(application_id=forwarded.pk, actor=actors.ministry, officer_id=more.officer2.pk)
    resp = api(more.officer2).post(f"/api/applications/{forwarded.pk}/take/", {"version": version}, format="json")
    assert resp.status_code == 409 and "assigned to" in resp.json()["detail"]
    resp = page(more.officer2).post(f"/cases/{forwarded.pk}/take/", {"version": version, "next": "/review/"})
    assert resp.status_code == 409 and b'href="/review/"' in resp.content
    assert Application.objects.get(pk=forwarded.pk).assigned_to == actors.ministry
    assert assign_events(forwarded) == 1


def test_a_senior_assigns_and_the_assignee_is_told(actors, more, forwarded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        resp = api(actors.senior).post(f"/api/applications/{forwarded.pk}/assign/",
                                       {"officer_id": more.officer2.pk, "version": forwarded.version},
                                       format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["assigned_to"] == more.officer2.pk and resp.json()["version"] == forwarded.version + 1
    note = Notification.objects.get(recipient=more.officer2)
    assert note.kind == "assignment" and forwarded.reference in note.title_en and note.url == f"/cases/{forwarded.pk}/"
    # A senior may reassign, also to themselves.
    resp = page(actors.senior).post(f"/cases/{forwarded.pk}/assign/", {
        "officer_id": actors.ministry.pk, "version": forwarded.version + 1, "next": "/review/queues/new/?x=1"})
    assert resp.status_code == 302 and resp["Location"] == "/review/queues/new/?x=1"
    assert Application.objects.get(pk=forwarded.pk).assigned_to == actors.ministry
    assert assign_events(forwarded) == 2


def test_stale_version_is_409_and_changes_nothing(actors, more, forwarded):
    stale = forwarded.version - 1
    with pytest.raises(StaleVersion):
        assignment.case_take(application_id=forwarded.pk, actor=actors.ministry, expected_version=stale)
    resp = api(actors.senior).post(f"/api/applications/{forwarded.pk}/assign/",
                                   {"officer_id": more.officer2.pk, "version": stale}, format="json")
    assert resp.status_code == 409 and resp.json()["code"] == "stale"
    assert page(actors.ministry).post(f"/cases/{forwarded.pk}/take/", {"version": stale}).status_code == 409
    assert Application.objects.get(pk=forwarded.pk).assigned_to is None and assign_events(forwarded) == 0


@pytest.mark.parametrize("body", [{}, {"officer_id": "abc"}, {"officer_id": 0}, {"officer_id": 10**30},
                                  {"officer_id": True}, {"officer_id": [1]}, {"version": "x", "officer_id": 1}])
def test_bad_assign_input_is_400(actors, forwarded, body):
    resp = api(actors.senior).post(f"/api/applications/{forwarded.pk}/assign/", body, format="json")
    assert resp.status_code == 400, resp.content
    assert Application.objects.get(pk=forwarded.pk).assigned_to is None


def test_assign_to_someone_who_is_not_an_officer_is_400(actors, more, forwarded):
    for user in (actors.owner, more.lead):
        with pytest.raises(ValidationFailed) as exc:
            assignment.case_assign(application_id=forwarded.pk, actor=actors.senior, officer_id=user.pk)
        assert "officer_id" in exc.value.fields
    inactive = UserFactory(organisation=authority("MOFCOM"), role=Role.MINISTRY_OFFICER, is_active=False)
    resp = api(actors.senior).post(f"/api/applications/{forwarded.pk}/assign/", {"officer_id": inactive.pk},
                                   format="json")
    assert resp.status_code == 400 and "officer_id" in resp.json()["fields"]
    assert page(actors.senior).post(f"/cases/{forwarded.pk}/assign/", {"officer_id": "x"}).status_code == 400


def test_wrong_actors_cannot_assign(actors, forwarded, case_factory):
    draft = case_factory("draft")
    # Visible but the wrong role: 403. Invisible: 404.
    assert api(actors.owner).post(f"/api/applications/{forwarded.pk}/take/", {}, format="json").status_code == 403
    assert api(actors.province).post(f"/api/applications/{forwarded.pk}/take/", {}, format="json").status_code == 403
    assert page(actors.owner).post(f"/cases/{forwarded.pk}/take/").status_code == 403
    for who in ("outsider", "agency", "customs", "other_province"):
        user = getattr(actors, who)
        assert api(user).post(f"/api/applications/{forwarded.pk}/take/", {}, format="json").status_code == 404
        assert page(user).post(f"/cases/{forwarded.pk}/assign/", {"officer_id": user.pk}).status_code == 404
    assert api(actors.ministry).post(f"/api/applications/{draft.pk}/take/", {}, format="json").status_code == 404
    with pytest.raises(NotFound):
        assignment.case_take(application_id=draft.pk, actor=actors.senior)
    assert page(actors.ministry).get(f"/cases/{forwarded.pk}/take/").status_code == 405
    assert Application.objects.get(pk=forwarded.pk).assigned_to is None


def test_closed_cases_are_not_assigned(actors):
    closed = make_app(actors, status=Status.APPROVED)
    with pytest.raises(InvalidTransition):
        assignment.case_take(application_id=closed.pk, actor=actors.ministry)


def test_queue_rows_offer_take_or_assign(actors, more, board):
    officer_html = page(actors.ministry).get("/review/queues/acceptance/").content.decode()
    assert officer_html.count('class="inline take-form"') == 3  # the unassigned ones
    assert 'class="inline assign-form"' not in officer_html
    senior_html = page(actors.senior).get("/review/queues/acceptance/").content.decode()
    assert senior_html.count('class="inline assign-form"') == 4
    assert f'value="{more.officer2.pk}"' in senior_html


def test_take_from_the_queue_page(actors, forwarded):
    client = page(actors.ministry)
    html = client.get("/review/queues/new/").content.decode()
    assert f'action="/cases/{forwarded.pk}/take/"' in html
    resp = client.post(f"/cases/{forwarded.pk}/take/", {"version": forwarded.version,
                                                          "next": "/review/queues/new/"}, follow=True)
    assert resp.status_code == 200 and b"is now handled by" in resp.content
    assert forwarded.reference.encode() not in resp.content.split(b'id="queue-table"')[1]
    # An off-site "next" is not followed.
    resp = client.post(f"/cases/{forwarded.pk}/take/", {"next": "https://evil.example/"})
    assert resp.status_code == 302 and resp["Location"] == "/review/"


# ---------------------------------------------------------------- the schema, as the ministry and an agency


@pytest.fixture
def fuzz_tokens(actors, more):
    from rest_framework.authtoken.models import Token

    def header(user):
        return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}

    return {"ministry": header(actors.ministry), "senior": header(actors.senior), "lead": header(more.lead)}


OWN_OPERATIONS = ["GET /api/queues/", "GET /api/queues/{name}/", "GET /api/agency-queue/",
                  "POST /api/applications/{id}/assign/", "POST /api/applications/{id}/take/",
                  "GET /api/notifications/", "POST /api/notifications/read/"]


@pytest.mark.parametrize("label", OWN_OPERATIONS)
@pytest.mark.parametrize("who", ["senior", "lead"])
def test_generated_requests_as_the_people_the_endpoints_are_for(actors, board, fuzz_tokens, label, who):
    """tests/test_api_fuzz.py signs in as an exporter, who mostly gets 403 here: this runs the same
    checks as the users these endpoints serve."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
    )

    from tests.test_api_fuzz import OPERATIONS, _rolled_back, error_shape_problems

    operation = next(op for op in OPERATIONS if op.label == label)
    headers = fuzz_tokens[who]
    case_id = Application.objects.get(reference=board["forwarded"]).pk
    path = {k: v for k, v in {"id": case_id, "name": "acceptance"}.items()
            if k in {p.name for p in operation.path_parameters}}
    strategy = st.one_of([operation.as_strategy(mode) for mode in GenerationMode]
                         + ([operation.as_strategy(GenerationMode.POSITIVE, path_parameters=path)] if path else []))

    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case):
        with _rolled_back():
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error], headers=headers)
            assert str(response.status_code) in operation.definition.raw["responses"] or (
                operation.body and response.status_code == 415), (response.status_code, response.text[:300])
            case.validate_response(response, checks=[content_type_conformance, response_schema_conformance],
                                   headers=headers)
            if 400 <= response.status_code < 500 and response.headers.get("content-type", [""])[0].startswith(
                    "application/json"):
                assert not error_shape_problems(response.json())

    check()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officers_taking_at_once_one_wins(actors, more, case_factory):
    from tests.test_concurrency import race

    app = case_factory("forwarded")
    results = race(
        lambda: assignment.case_take(application_id=app.pk, actor=actors.ministry, expected_version=app.version),
        lambda: assignment.case_take(application_id=app.pk, actor=more.officer2, expected_version=app.version),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    # The loser finds the case taken (or its form stale): a clear 409 either way.
    assert len(errors) == 1 and isinstance(errors[0], InvalidTransition | StaleVersion), results
    app.refresh_from_db()
    assert app.assigned_to in (actors.ministry, more.officer2) and assign_events(app) == 1


def test_case_page_panel_offers_take_or_assign(actors, more, forwarded, rf):
    """templates/licensing/queues/case_panel.html, for the case page (licensing/queues/panels.py)."""
    from django.template.loader import render_to_string

    from licensing.queues.panels import panel_context

    def panel(user):
        request = rf.get(f"/cases/{forwarded.pk}/")
        request.user = user
        return render_to_string("licensing/queues/case_panel.html",
                                {"app": forwarded, **panel_context(request, forwarded)}, request=request)

    assert 'id="take-form"' in panel(actors.ministry)
    senior = panel(actors.senior)
    assert 'id="assign-form"' in senior and f'value="{more.officer2.pk}"' in senior
    assert panel(actors.owner).strip() == "" and panel(actors.agency).strip() == ""
    assignment.case_take(application_id=forwarded.pk, actor=actors.ministry)
    forwarded.refresh_from_db()
    assert 'id="take-form"' not in panel(more.officer2)  # a colleague's case: nothing to take

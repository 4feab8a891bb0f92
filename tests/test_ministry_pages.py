"""Issue 12, section 7 (and the province's queue of section 3): the case page leads with the next
step, folds secondary actions away, asks to confirm a decision or countersignature; the company's
registration and credit record are shown; queues show names and values and filter by names; a
provisional due date and a banner while next year's calendar is missing."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from accounts.models import Role, Verification
from licensing.clock import selectors as clock
from licensing.models import Application, Recommendation
from tests.factories import UserFactory, authority
from workdays.models import CalendarYear
from workdays.services import (
    NoCalendarError,
    add_working_days,
    calendar_changed,
    calendar_year_fill_weekdays,
    provisional_add_working_days,
    provisional_working_days_between,
    working_days_between,
)

pytestmark = pytest.mark.django_db

QUEUE_PAGE_QUERIES = 15  # as tests/test_review_queues.py


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def get(user, url, lang="en") -> str:
    client = page(user)
    client.cookies["django_language"] = lang
    resp = client.get(url, follow=True)
    assert resp.status_code == 200, resp.status_code
    return resp.content.decode()


def next_step(body) -> str:
    found = re.search(r'id="next-step" data-step="([^"]+)"', body)
    return found.group(1) if found else ""


# ---------------------------------------------------------------- the next step


def test_the_next_step_follows_the_case_and_the_role(actors, case_factory):
    draft = case_factory("draft")
    assert next_step(get(actors.owner, f"/cases/{draft.pk}/")) == "form-submit"
    submitted = case_factory("submitted")
    assert next_step(get(actors.province, f"/cases/{submitted.pk}/")) == "form-forward"
    assert next_step(get(actors.owner, f"/cases/{submitted.pk}/")) == "waiting"
    forwarded = case_factory("forwarded")
    assert next_step(get(actors.ministry, f"/cases/{forwarded.pk}/")) == "assignment-panel"
    Application.objects.filter(pk=forwarded.pk).update(assigned_to=actors.ministry)
    body = get(actors.ministry, f"/cases/{forwarded.pk}/")
    assert next_step(body) == "form-accept" and 'id="form-accept"' in body
    accepted = case_factory("accepted")
    assert next_step(get(actors.ministry, f"/cases/{accepted.pk}/")) == "referrals-panel"
    deciding = case_factory("awaiting_decision")
    assert next_step(get(actors.ministry, f"/cases/{deciding.pk}/")) == "form-recommend"


def test_countersigning_is_the_seniors_next_step_not_the_recommenders(actors, case_factory):
    app = case_factory("awaiting_decision")
    from licensing.decisions import services as decisions

    rec = decisions.decision_recommend(application_id=app.pk, actor=actors.ministry, outcome="approve", reasons="ok")
    assert rec.state == "awaiting_countersign"
    assert next_step(get(actors.senior, f"/cases/{app.pk}/")) == "decision-pending"
    assert next_step(get(actors.ministry, f"/cases/{app.pk}/")) == "waiting"


def test_questions_and_pauses_are_folded_away(actors, case_factory):
    app = case_factory("accepted")
    body = get(actors.ministry, f"/cases/{app.pk}/")
    folded = body[body.index('<details id="secondary-actions"'):]
    folded = folded[:folded.index("</details>")]
    assert 'id="rfi-form"' in folded and 'id="pause-form"' in folded
    assert 'id="secondary-actions" open' not in body
    assert 'id="secondary-actions"' not in get(actors.owner, f"/cases/{app.pk}/")


# ---------------------------------------------------------------- confirming a decision


def test_a_recommendation_without_confirmation_changes_nothing(actors, case_factory):
    app = case_factory("awaiting_decision")
    form = {"version": app.version, "outcome": "refuse", "factors": ["end_user"], "reasons": "Diversion risk"}
    client = page(actors.ministry)
    client.cookies["django_language"] = "en"
    resp = client.post(f"/cases/{app.pk}/decision/recommend/", form)
    body = resp.content.decode()
    assert resp.status_code == 400 and 'id="confirm-error"' in body and "Diversion risk" in body
    assert not Recommendation.objects.filter(application=app).exists()
    assert Application.objects.get(pk=app.pk).status == "awaiting_decision"
    assert 'id="confirm-recommend" required' in body
    resp = page(actors.ministry).post(f"/cases/{app.pk}/decision/recommend/", {**form, "confirm": "1"})
    assert resp.status_code == 302


def test_a_countersignature_without_confirmation_changes_nothing(actors, case_factory):
    app = case_factory("awaiting_decision")
    from licensing.decisions import services as decisions

    decisions.decision_recommend(application_id=app.pk, actor=actors.ministry, outcome="approve", reasons="ok")
    app.refresh_from_db()
    assert 'id="confirm-countersign" required' in get(actors.senior, f"/cases/{app.pk}/")
    resp = page(actors.senior).post(f"/cases/{app.pk}/decision/countersign/", {"version": app.version})
    assert resp.status_code == 400
    assert Application.objects.get(pk=app.pk).status == "awaiting_countersign"
    resp = page(actors.senior).post(f"/cases/{app.pk}/decision/countersign/", {"version": app.version,
                                                                                "confirm": "1"})
    assert resp.status_code == 302 and Application.objects.get(pk=app.pk).status == "approved"


@pytest.mark.parametrize("who,expected", [("owner", 403), ("province", 403), ("agency", 404), ("outsider", 404),
                                          ("customs", 404)])
def test_the_wrong_actor_is_refused_before_the_confirmation_is_checked(actors, case_factory, who, expected):
    app = case_factory("awaiting_decision")
    client = page(getattr(actors, who))
    assert client.post(f"/cases/{app.pk}/decision/recommend/", {"outcome": "approve",
                                                                "reasons": "x"}).status_code == expected
    assert client.post(f"/cases/{app.pk}/decision/countersign/", {}).status_code == expected
    assert Application.objects.get(pk=app.pk).status == "awaiting_decision"


# ---------------------------------------------------------------- the company


def test_the_ministry_sees_the_companys_registration_and_credit_record(actors, case_factory):
    app = case_factory("forwarded")
    body = get(actors.ministry, f"/cases/{app.pk}/")
    assert 'id="company-verification" data-verified="1"' in body and "Verified" in body
    assert 'id="company-credit-record"' in body
    app.exporter.verification = Verification.REJECTED
    app.exporter.save()
    assert 'data-verified="0"' in get(actors.ministry, f"/cases/{app.pk}/")
    owner = get(actors.owner, f"/cases/{app.pk}/")
    assert 'id="company-verification"' not in owner and 'id="company-credit-record"' not in owner


# ---------------------------------------------------------------- queues


@pytest.fixture
def queued(actors, case_factory):
    app = case_factory("forwarded")
    Application.objects.filter(pk=app.pk).update(total_value_rmb=1234567)
    other = case_factory("forwarded")
    Application.objects.filter(pk=other.pk).update(destination="US")
    return app, other


def test_the_ministry_queue_shows_names_and_values(actors, queued):
    app, other = queued
    body = get(actors.ministry, "/review/queues/acceptance/")
    row = body[body.index(f'id="row-{app.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "Germany" in row and "Motorenwerk München GmbH" in row and "1,234,567.00" in row
    zh = get(actors.ministry, "/review/queues/acceptance/", lang="zh-hans")
    assert "德国" in zh


@pytest.mark.parametrize("typed", ["DE", "de", "Germany", "germany", "德国"])
def test_the_destination_filter_takes_names(actors, queued, typed, django_assert_max_num_queries):
    app, other = queued
    client = page(actors.ministry)
    with django_assert_max_num_queries(QUEUE_PAGE_QUERIES):
        body = client.get(f"/review/queues/acceptance/?destination={typed}").content.decode()
    assert f'id="row-{app.pk}"' in body and f'id="row-{other.pk}"' not in body


def test_the_search_takes_exporter_and_end_user_names(actors, queued):
    app, other = queued
    Application.objects.filter(pk=other.pk).update(end_user=None)
    body = get(actors.ministry, "/review/queues/acceptance/?q=Motorenwerk")
    assert f'id="row-{app.pk}"' in body and f'id="row-{other.pk}"' not in body
    body = get(actors.ministry, f"/review/queues/acceptance/?q={app.exporter.name_zh}")
    assert f'id="row-{app.pk}"' in body
    resp = page(actors.ministry).get("/review/queues/acceptance/?destination=Atlantis")
    assert resp.status_code == 400


def test_the_province_queue_shows_the_working_days_waited(actors, case_factory, django_assert_max_num_queries):
    apps = [case_factory("submitted") for _ in range(3)]
    today = timezone.localdate()
    submitted_on = today - timedelta(days=10)
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(
        submitted_at=timezone.make_aware(datetime.combine(submitted_on, datetime.min.time().replace(hour=10))))
    for year in {submitted_on.year, today.year}:  # the days counted must be entered, whatever today is
        if not CalendarYear.objects.filter(year=year, complete=True).exists():
            calendar_year_fill_weekdays(year=year)
            CalendarYear.objects.filter(year=year).update(complete=True)
            calendar_changed(years=[year])
    expected = working_days_between(submitted_on, today)
    client = page(actors.province)
    client.cookies["django_language"] = "en"
    with django_assert_max_num_queries(12):
        body = client.get("/review/province/").content.decode()
    for app in apps:
        row = body[body.index(f'id="row-{app.pk}"'):]
        assert f'data-waited="{expected}"' in row[:row.index("</tr>")]
    assert "Waited (working days)" in body


def test_only_the_province_opens_its_queue(actors):
    for who in ("owner", "ministry", "agency", "customs"):
        assert page(getattr(actors, who)).get("/review/province/").status_code in (403, 404)


# ---------------------------------------------------------------- provisional due dates


def test_provisional_counting_uses_weekdays_only_where_the_calendar_is_missing(db):
    assert provisional_add_working_days(date(2026, 12, 1), 2) == (add_working_days(date(2026, 12, 1), 2), False)
    with pytest.raises(NoCalendarError):
        add_working_days(date(2026, 12, 30), 5)
    due, provisional = provisional_add_working_days(date(2026, 12, 30), 5)
    assert provisional and due == date(2027, 1, 6)  # Dec 31, then Jan 1, 4, 5, 6: weekdays
    assert provisional_working_days_between(date(2026, 12, 30), date(2027, 1, 6)) == (5, True)


def test_the_case_page_shows_a_provisional_decision_date(actors, case_factory):
    app = case_factory("accepted")
    accepted = timezone.make_aware(datetime(2026, 12, 1, 10))
    Application.objects.filter(pk=app.pk).update(accepted_at=accepted)
    app.refresh_from_db()
    summary = clock.summary(app, date(2026, 12, 2))
    assert summary.due is None and summary.problem
    assert summary.provisional_due == provisional_add_working_days(date(2026, 12, 1), 45)[0]
    assert summary.provisional_due.weekday() < 5
    if timezone.localdate().year != 2026:
        return  # the page counts from today
    for lang, word in (("en", "provisional"), ("zh-hans", 'data-provisional="1"')):
        body = get(actors.owner, f"/cases/{app.pk}/", lang=lang)
        assert word in body and summary.provisional_due.isoformat() in body


def test_no_provisional_date_once_the_calendar_is_in(actors, case_factory, calendar_2027):
    app = case_factory("accepted")
    Application.objects.filter(pk=app.pk).update(accepted_at=timezone.make_aware(datetime(2026, 12, 1, 10)))
    app.refresh_from_db()
    summary = clock.summary(app, date(2026, 12, 2))
    assert summary.due is not None and summary.provisional_due is None and not summary.problem


# ---------------------------------------------------------------- the banner


@pytest.fixture
def on_day(monkeypatch):
    def set_day(day):
        cache.clear()
        monkeypatch.setattr("workdays.context_processors.timezone.localdate", lambda: day)
    yield set_day
    cache.clear()


def test_the_banner_from_1_november_for_administrators_and_ministry(actors, on_day):
    admin = UserFactory(organisation=authority("MOFCOM"), role=Role.MINISTRY_OFFICER, is_staff=True)
    on_day(date(2026, 11, 1))
    for user in (actors.ministry, actors.senior, admin):
        body = get(user, "/")
        assert 'id="calendar-banner"' in body and "2027" in body
    with translation.override("zh-hans"):
        assert 'id="calendar-banner"' in get(actors.ministry, "/", lang="zh-hans")
    for user in (actors.owner, actors.province, actors.agency, actors.customs):
        assert 'id="calendar-banner"' not in get(user, "/")
    on_day(date(2026, 10, 31))
    assert 'id="calendar-banner"' not in get(actors.ministry, "/")


def test_the_banner_goes_once_next_years_calendar_is_in(actors, on_day, calendar_2027):
    on_day(date(2026, 12, 7))
    assert 'id="calendar-banner"' not in get(actors.ministry, "/")


def test_queue_rows_show_a_provisional_due_date_while_the_calendar_is_missing(actors, case_factory,
                                                                            django_assert_max_num_queries):
    apps = [case_factory("accepted") for _ in range(3)]
    accepted = timezone.make_aware(datetime(2026, 12, 1, 10))
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(accepted_at=accepted, decision_due=None)
    expected = provisional_add_working_days(date(2026, 12, 1), 45)[0]
    client = page(actors.ministry)
    client.cookies["django_language"] = "en"
    with django_assert_max_num_queries(QUEUE_PAGE_QUERIES):
        body = client.get("/review/queues/decision/").content.decode()
    for app in apps:
        row = body[body.index(f'id="row-{app.pk}"'):]
        row = row[:row.index("</tr>")]
        assert expected.isoformat() in row and "provisional" in row


def test_no_provisional_date_in_the_queue_once_the_calendar_is_in(actors, case_factory, calendar_2027):
    app = case_factory("accepted")
    client = page(actors.ministry)
    client.cookies["django_language"] = "en"
    body = client.get("/review/queues/decision/").content.decode()
    row = body[body.index(f'id="row-{app.pk}"'):]
    assert "provisional" not in row[:row.index("</tr>")]

"""Who may see the statistics (page, CSV, API), the API's figures and scoping, a constant number of
queries, and bad filter input (a 400 with a message, never a 500)."""

import pytest
from django.utils import translation

from compliance.statistics import services
from tests import statistics_cases
from tests.factories import UserFactory, authority

PAGE = "/compliance/statistics/"
API = "/api/compliance/statistics/"
PERIOD = {"from": "2026-01", "to": "2026-06"}
ALLOWED = ("province", "other_province", "ministry", "senior")
REFUSED = ("owner", "colleague", "outsider", "agency", "customs", "sysadmin", "agency_lead")


@pytest.fixture
def people(actors):
    from accounts.models import Role

    actors.sysadmin = UserFactory(organisation=authority("OPERATOR"), role=Role.SYSTEM_ADMIN)
    actors.agency_lead = UserFactory(organisation=authority("MIIT"), role=Role.AGENCY_LEAD)
    return actors


@pytest.fixture
def built(db):
    data = statistics_cases.build()
    services.statistics_refresh()
    return data


@pytest.mark.parametrize("who", ALLOWED)
def test_allowed_roles_see_page_csv_and_api(built, client, people, who):
    client.force_login(getattr(people, who))
    assert client.get(PAGE, PERIOD).status_code == 200
    assert client.get(PAGE, {**PERIOD, "table": "months"}).status_code == 200
    assert client.get(API, PERIOD).status_code == 200


@pytest.mark.parametrize("who", REFUSED)
def test_other_roles_are_refused(built, client, people, who):
    client.force_login(getattr(people, who))
    assert client.get(PAGE, PERIOD).status_code == 403
    response = client.get(PAGE, {**PERIOD, "table": "months"})
    assert response.status_code == 403 and response["Content-Type"].startswith("text/html")
    response = client.get(API, PERIOD)
    assert response.status_code == 403 and response.json()["code"] == "not_allowed"


def test_anonymous(db, client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert client.get(PAGE, {"table": "months"}).status_code == 302
    assert client.get(API).status_code in (401, 403)


def test_inactive_officer_is_refused(built, client, people):
    people.ministry.is_active = False
    people.ministry.save(update_fields=["is_active"])
    client.force_login(people.ministry)
    assert client.get(API).status_code in (401, 403)


def test_api_gives_the_same_figures(built, client, people):
    client.force_login(people.ministry)
    body = client.get(API, {**PERIOD, "lang": "en"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["period"] == {"from_month": "2026-01", "to_month": "2026-06"}
    assert body["province"] is None and body["refreshed_at"]
    assert [m["submitted"] for m in body["months"]] == [2, 1, 3, 0, 0, 0]
    assert body["processing"] == {"measured": 4, "p50": 4, "p90": 10, "unmeasured": 1}
    assert {r["key"]: (r["approved"], r["refused"]) for r in body["agency"]} == {"MIIT": (1, 1), "MFA": (0, 1)}
    assert {r["key"]: r["approval_rate"] for r in body["province_rows"]} == {"31": 66.7, "44": 100.0}
    assert body["overdue_cases"] == {"total": 1, "rows": [body["overdue_cases"]["rows"][0]]}
    assert body["overdue_cases"]["rows"][0]["key"] == "44"
    assert body["overdue_referrals"]["total"] == 1


def test_api_is_scoped_to_the_province(built, client, people):
    client.force_login(people.province)
    body = client.get(API, PERIOD).json()
    assert body["province"] == "31"
    assert [r["key"] for r in body["province_rows"]] == ["31"]
    assert body["overdue_cases"]["total"] == 0 and body["processing"]["unmeasured"] == 0
    assert [m["submitted"] for m in body["months"]][:3] == [2, 0, 2]


def test_api_default_period_is_twelve_months(built, client, people):
    client.force_login(people.senior)
    body = client.get(API).json()
    assert len(body["months"]) == 12


@pytest.mark.parametrize("params", [
    {"from": "2026-13"}, {"from": "26-01"}, {"to": "abc"}, {"from": "2026-06", "to": "2026-01"},
    {"from": "1999-01"}, {"from": "2000-01", "to": "2026-01"}, {"from": "2026-01\u00e9"}, {"table": "nope"},
    {"format": "csv"}, {"from": "9" * 5000},
])
def test_bad_filters_are_a_400_with_a_message(built, client, people, params):
    client.force_login(people.ministry)
    client.cookies["django_language"] = "en"
    response = client.get(PAGE, params)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    if "table" not in params and "format" not in params:
        body = client.get(API, params).json()
        assert client.get(API, params).status_code == 400 and body["code"] == "validation_failed"
        assert body["fields"]


def test_null_character_is_refused(built, client, people):
    client.force_login(people.ministry)
    assert client.get(API + "?from=%00").status_code == 400
    assert client.get(PAGE + "?from=%00").status_code == 400


def _query_counts(client, people) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for who in ("ministry", "province"):
        client.force_login(getattr(people, who))
        client.get(PAGE, PERIOD)
        for path in (PAGE, API):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path, PERIOD).status_code == 200
            counts[(who, path)] = len(queries)
    return counts


def test_query_count_does_not_grow_with_the_data(db, client, people, django_assert_max_num_queries):
    from licensing.models import Application

    statistics_cases.build()
    services.statistics_refresh()
    client.force_login(people.ministry)
    client.get(PAGE, PERIOD)  # warm the session and caches
    with django_assert_max_num_queries(12):
        assert client.get(PAGE, PERIOD).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(API, PERIOD).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(PAGE, {**PERIOD, "table": "agency"}).status_code == 200
    before = _query_counts(client, people)
    # Twice the cases, to more destinations: the same number of queries.
    statistics_cases.build(offset=100)
    Application.objects.filter(reference__gte="STAT-0100").update(destination="BR")
    services.statistics_refresh()
    after = _query_counts(client, people)
    assert before == after and max(after.values()) <= 14


def test_page_in_chinese(built, client, people):
    client.force_login(people.ministry)
    with translation.override("zh-hans"):
        response = client.get(PAGE, PERIOD)
    assert response.status_code == 200


def test_the_menu_links_the_dashboard_for_those_who_may_see_it(db, client, people):
    for who, shown in (("ministry", True), ("province", True), ("agency", False), ("owner", False)):
        client.force_login(getattr(people, who))
        assert ('id="nav-statistics"' in client.get("/inbox/").content.decode()) is shown, who


def test_a_provincial_officer_without_a_province_sees_nothing(built, client):
    from accounts.models import Organisation, OrgKind, Role

    nowhere = Organisation.objects.create(kind=OrgKind.PROVINCE, code="PROV-NONE", name_zh="无", name_en="None")
    client.force_login(UserFactory(organisation=nowhere, role=Role.PROVINCIAL_OFFICER))
    assert client.get(PAGE).status_code == 403
    assert client.get(API).status_code == 403

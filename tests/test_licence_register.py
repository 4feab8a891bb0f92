"""The licence register: the ministry's list of every licence with its filters, an exporter's own
list, a customs officer's lookup by number, the CSV export, the same list in the API, and a query
count that does not grow with the rows."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from licensing.models import Application, Licence, LicenceItem, LicenceStatus
from tests.factories import PASSWORD
from tests.test_licence_lifecycle import ROLES, make_licence

pytestmark = pytest.mark.django_db


def page_as(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    return client


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _numbers(resp) -> set[str]:
    html = resp.content.decode()
    return {n for n in Licence.objects.values_list("number", flat=True) if f'id="licence-{n}"' in html}


@pytest.fixture
def three(actors, case_factory):
    """Ours to Germany (1C902.a); ours to Japan, suspended, item 5A002, ending in 10 days; the other
    exporter's (Guangdong) to Germany."""
    ours = make_licence(case_factory)
    japan = make_licence(case_factory, valid_until=timezone.localdate() + timedelta(days=10))
    Licence.objects.filter(pk=japan.pk).update(status=LicenceStatus.SUSPENDED)
    Application.objects.filter(pk=japan.application_id).update(destination="JP")
    LicenceItem.objects.filter(licence=japan).update(control_code="5A002")
    theirs = make_licence(case_factory)
    Application.objects.filter(pk=theirs.application_id).update(exporter=actors.outsider.organisation)
    Licence.objects.filter(pk=theirs.pk).update(exporter=actors.outsider.organisation)
    return ours, japan, theirs


@pytest.mark.parametrize("who", ROLES)
def test_who_may_open_the_register(actors, three, who):
    resp = page_as(getattr(actors, who)).get("/licences/")
    expected = {"owner": 200, "colleague": 200, "outsider": 200, "ministry": 200, "senior": 200, "customs": 200}
    assert resp.status_code == expected.get(who, 403)


@pytest.mark.parametrize("who", ROLES)
def test_api_list_per_role(actors, three, who):
    ours, japan, theirs = three
    resp = api_as(getattr(actors, who)).get("/api/licences/")
    if who in {"province", "other_province", "agency"}:
        assert resp.status_code == 403
        return
    assert resp.status_code == 200
    numbers = {row["number"] for row in resp.json()["results"]}
    expected = {"owner": {ours.number, japan.number}, "colleague": {ours.number, japan.number},
                "outsider": {theirs.number}, "ministry": {ours.number, japan.number, theirs.number},
                "senior": {ours.number, japan.number, theirs.number}, "customs": set()}[who]
    assert numbers == expected


def test_the_ministry_sees_every_licence_and_filters(actors, three):
    ours, japan, theirs = three
    client = page_as(actors.ministry)
    assert _numbers(client.get("/licences/")) == {ours.number, japan.number, theirs.number}
    assert _numbers(client.get("/licences/", {"status": "suspended"})) == {japan.number}
    assert _numbers(client.get("/licences/", {"destination": "JP"})) == {japan.number}
    assert _numbers(client.get("/licences/", {"control_code": "5a"})) == {japan.number}
    assert _numbers(client.get("/licences/", {"control_code": "1C902"})) == {ours.number, theirs.number}
    assert _numbers(client.get("/licences/", {"province": "44"})) == {theirs.number}
    assert _numbers(client.get("/licences/", {"exporter": actors.outsider.organisation.code})) == {theirs.number}
    name = actors.owner.organisation.name_zh
    assert _numbers(client.get("/licences/", {"exporter": name})) == {ours.number, japan.number}
    assert _numbers(client.get("/licences/", {"exporter": "english name"})) == set()
    assert _numbers(client.get("/licences/", {"expiring_within": 30})) == {japan.number}
    assert _numbers(client.get("/licences/", {"expiring_within": 5})) == set()
    assert _numbers(client.get("/licences/", {"number": japan.number[:-1]})) == {japan.number}
    assert _numbers(client.get("/licences/", {"status": "issued", "province": "31"})) == {ours.number}


@pytest.mark.parametrize("params", [{"status": "nonsense"}, {"expiring_within": "-1"}, {"province": "99"},
                                    {"destination": "XX"}, {"expiring_within": "many"}])
def test_bad_filters_are_400(actors, three, params):
    assert page_as(actors.ministry).get("/licences/", params).status_code == 400
    resp = api_as(actors.ministry).get("/api/licences/", params)
    assert resp.status_code == 400 and resp.json()["code"] == "validation_failed"


def test_an_exporter_sees_its_own_list_without_other_companies_filters(actors, three):
    ours, japan, theirs = three
    resp = page_as(actors.owner).get("/licences/")
    assert _numbers(resp) == {ours.number, japan.number}
    html = resp.content.decode()
    assert 'name="province"' not in html and 'name="exporter"' not in html
    assert _numbers(page_as(actors.outsider).get("/licences/")) == {theirs.number}
    # A filter it may not use is ignored, never a way to see more.
    assert _numbers(page_as(actors.owner).get("/licences/", {"province": "44"})) == {ours.number, japan.number}


def test_customs_looks_up_one_licence_by_its_number(actors, three):
    ours, japan, theirs = three
    client = page_as(actors.customs)
    assert _numbers(client.get("/licences/")) == set()
    assert _numbers(client.get("/licences/", {"number": theirs.number.lower()})) == {theirs.number}
    assert _numbers(client.get("/licences/", {"number": theirs.number[:-2]})) == set()  # exact numbers only
    assert 'id="licence-csv"' not in client.get("/licences/", {"number": theirs.number}).content.decode()
    assert client.get("/licences/", {"format": "csv"}).status_code == 403
    rows = api_as(actors.customs).get("/api/licences/", {"number": ours.number}).json()["results"]
    assert [row["number"] for row in rows] == [ours.number]


def _csv(resp) -> list[list[str]]:
    body = b"".join(resp.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_export_of_the_filtered_list(actors, three):
    ours, japan, theirs = three
    resp = page_as(actors.ministry).get("/licences/", {"status": "issued", "format": "csv"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    assert resp.streaming and "attachment" in resp["Content-Disposition"]
    rows = _csv(resp)
    assert rows[0][0] == "licence_number"
    assert {row[0] for row in rows[1:]} == {ours.number, theirs.number}
    mine = next(row for row in rows[1:] if row[0] == ours.number)
    assert actors.owner.organisation.name_zh in mine and "DE" in mine and "1C902.a" in mine[-1]


def test_an_exporters_csv_holds_its_own_licences_only(actors, three):
    ours, japan, theirs = three
    rows = _csv(page_as(actors.owner).get("/licences/", {"format": "csv"}))
    assert {row[0] for row in rows[1:]} == {ours.number, japan.number}


def test_csv_cells_cannot_be_formulas(actors, three):
    ours, _japan, _theirs = three
    LicenceItem.objects.filter(licence=ours).update(unit="=HYPERLINK(1)")
    ours.exporter.name_en = "=cmd|' /C calc'!A0"
    ours.exporter.save()
    rows = _csv(page_as(actors.ministry).get("/licences/", {"format": "csv"}))
    for row in rows[1:]:
        assert all(not cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_the_register_query_count_does_not_grow_with_rows(actors, case_factory, django_assert_max_num_queries):
    make_licence(case_factory)
    make_licence(case_factory)
    client = page_as(actors.ministry)
    client.get("/licences/")  # sessions, caches warm
    with CaptureQueriesContext(connection) as few:
        assert client.get("/licences/").status_code == 200
    api = api_as(actors.ministry)
    with CaptureQueriesContext(connection) as few_api:
        assert api.get("/api/licences/").status_code == 200
    for _ in range(4):
        make_licence(case_factory)
    with django_assert_max_num_queries(len(few)):
        resp = client.get("/licences/")
    assert resp.status_code == 200 and len(_numbers(resp)) == 6
    with django_assert_max_num_queries(len(few_api)):
        assert len(api.get("/api/licences/").json()["results"]) == 6
    with django_assert_max_num_queries(len(few)):
        assert len(_csv(client.get("/licences/", {"format": "csv"}))) == 7


def test_the_register_pages(actors, case_factory, monkeypatch):
    from licensing.licences import register

    for _ in range(3):
        make_licence(case_factory)
    monkeypatch.setattr(register, "PAGE_SIZE", 2)
    client = page_as(actors.ministry)
    first = client.get("/licences/")
    second = client.get("/licences/", {"page": 2})
    assert len(_numbers(first)) == 2 and len(_numbers(second)) == 1
    assert 'id="next-page"' in first.content.decode()


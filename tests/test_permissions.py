"""Who may see and do what: the wrong actor gets 403/404 on every page and API of a case."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from licensing.models import Application
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

STRANGERS = ["outsider", "other_province", "agency", "customs"]


def api_as(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def page_as(user):
    client = Client()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def urls(app):
    doc = app.documents.get()
    return {
        "api": [f"/api/applications/{app.pk}/", f"/api/applications/{app.pk}/documents/{doc.pk}/",
                f"/api/applications/{app.pk}/licence/"],
        "pages": [f"/cases/{app.pk}/", f"/cases/{app.pk}/documents/{doc.pk}/",
                  f"/cases/{app.pk}/licence.pdf", f"/cases/{app.pk}/edit/"],
    }


@pytest.fixture
def approved_case(case_factory, calendar_2027, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        app = case_factory("approved")
    assert app.licence.pdf
    return app


@pytest.mark.parametrize("who", STRANGERS)
def test_strangers_get_404_on_case_documents_and_licence(actors, approved_case, who):
    user = getattr(actors, who)
    paths = urls(approved_case)
    for path in paths["api"]:
        assert api_as(user).get(path).status_code == 404, path
    for path in paths["pages"]:
        assert page_as(user).get(path).status_code == 404, path
    listed = api_as(user).get("/api/applications/").json()["results"]
    assert approved_case.pk not in [row["id"] for row in listed]
    assert approved_case.reference.encode() not in page_as(user).get("/cases/?status=all").content


def test_anonymous_gets_nothing(approved_case):
    paths = urls(approved_case)
    for path in paths["api"]:
        assert APIClient().get(path).status_code == 403, path
    for path in paths["pages"]:
        resp = Client().get(path)
        assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/"), path
    assert APIClient().get("/api/applications/").status_code == 403


@pytest.mark.parametrize("who", STRANGERS + ["colleague", "province", "ministry"])
def test_nobody_but_the_exporter_edits_or_submits(actors, case_factory, who):
    app = case_factory("draft")
    user = getattr(actors, who)
    expected = {"colleague": 200}.get(who, 404)
    resp = api_as(user).patch(f"/api/applications/{app.pk}/", {"end_use": "changed", "version": app.version},
                              format="json")
    assert resp.status_code == expected
    app.refresh_from_db()
    assert (app.end_use == "changed") == (expected == 200)


def test_exporter_and_ministry_see_the_licence_the_province_does_not(actors, approved_case):
    path = f"/api/applications/{approved_case.pk}/licence/"
    assert api_as(actors.owner).get(path).status_code == 200
    assert api_as(actors.colleague).get(path).status_code == 200
    assert api_as(actors.ministry).get(path).status_code == 200
    assert api_as(actors.province).get(path).status_code == 404
    assert page_as(actors.province).get(f"/cases/{approved_case.pk}/licence.pdf").status_code == 404
    assert api_as(actors.province).get(f"/api/applications/{approved_case.pk}/").json()["licence"] is None


@pytest.mark.parametrize("action,who,status", [
    ("forward", "owner", 403),          # an exporter cannot forward its own case
    ("forward", "other_province", 404),  # another province never sees it
    ("forward", "ministry", 404),        # not yet forwarded: invisible to the ministry
    ("return", "owner", 403),
    ("accept", "province", 403),
])
def test_transitions_by_the_wrong_actor_change_nothing(actors, case_factory, action, who, status):
    app = case_factory("submitted")
    resp = api_as(getattr(actors, who)).post(f"/api/applications/{app.pk}/{action}/",
                                             {"reason": "x"}, format="json")
    assert resp.status_code == status, resp.content
    app.refresh_from_db()
    assert app.status == "submitted"


def test_ministry_sees_only_forwarded_cases(actors, case_factory):
    submitted = case_factory("submitted")
    forwarded = case_factory("forwarded")
    ids = [row["id"] for row in api_as(actors.ministry).get("/api/applications/").json()["results"]]
    assert forwarded.pk in ids and submitted.pk not in ids


def test_province_sees_only_its_own_province_and_no_drafts(actors, case_factory):
    draft = case_factory("draft")
    submitted = case_factory("submitted")
    mine = [row["id"] for row in api_as(actors.province).get("/api/applications/").json()["results"]]
    theirs = [row["id"] for row in api_as(actors.other_province).get("/api/applications/").json()["results"]]
    assert submitted.pk in mine and draft.pk not in mine
    assert theirs == []
    assert Application.objects.visible_to(actors.agency).count() == 0


def test_only_the_company_admin_invites_staff(actors):
    assert api_as(actors.owner).post("/api/invitations/", {"email": "x@example.com"},
                                     format="json").status_code == 403
    assert page_as(actors.owner).get("/staff/").status_code == 403
    assert page_as(actors.colleague).get("/staff/").status_code == 200
    assert api_as(actors.ministry).post("/api/invitations/", {"email": "x@example.com"},
                                        format="json").status_code == 403


def test_queue_pages_list_cases_without_n_plus_one(actors, case_factory, django_assert_max_num_queries):
    for _ in range(3):
        case_factory("submitted")
    client = page_as(actors.province)
    with django_assert_max_num_queries(12):
        first = client.get("/cases/")
    for _ in range(6):
        case_factory("submitted")
    with django_assert_max_num_queries(12):
        second = client.get("/cases/")
    assert first.status_code == second.status_code == 200
    assert second.content.count(b"status-submitted") == 9


def test_api_list_query_count_does_not_grow(actors, case_factory, django_assert_max_num_queries):
    client = api_as(actors.province)
    case_factory("submitted")
    with django_assert_max_num_queries(6):
        assert client.get("/api/applications/").status_code == 200
    for _ in range(8):
        case_factory("submitted")
    with django_assert_max_num_queries(6):
        rows = client.get("/api/applications/").json()["results"]
    assert len(rows) == 9

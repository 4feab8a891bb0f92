"""Licence changes on pages and in the API: the exporter's form (the route split), the ministry's
queue and decision, the licence's panel, versions on writes, and who may do what (every actor on
every page and endpoint)."""

import pytest
import yaml
from django.test import Client
from rest_framework.test import APIClient

from licensing.changes import services
from licensing.models import Application, Licence, LicenceChange
from tests.conftest import make_case
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

EVERYONE = ["owner", "colleague", "outsider", "province", "other_province", "ministry", "senior", "agency",
            "customs"]
SEES_LICENCE = {"owner", "colleague", "ministry", "senior", "customs"}
SEES_CHANGES = {"owner", "colleague", "ministry", "senior"}
EXPORTERS = {"owner", "colleague"}
MINISTRY = {"ministry", "senior"}


def page_as(user):
    client = Client()
    client.cookies["django_language"] = "en"
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def api_as(user):
    client = APIClient()
    client.cookies["django_language"] = "en"
    client.force_authenticate(user)
    return client


@pytest.fixture
def licence(actors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        app = make_case(actors, "approved")
    return Licence.objects.get(application=app)


@pytest.fixture
def change(actors, licence):
    return services.change_request(actor=actors.owner, licence_id=licence.pk, data={"contract_number": "C-9"},
                                   reason="New contract")


# ---------------------------------------------------------------- the exporter's form


def test_the_form_makes_a_change_request(actors, licence):
    client = page_as(actors.owner)
    form = client.get(f"/licences/{licence.number}/change/")
    body = form.content.decode()
    assert form.status_code == 200 and "Start a new application from this licence" in body
    assert 'name="quantity_1"' in body
    data = {"version": licence.version, "contract_number": "C-NEW", "quantity_1": "20", "reason": "Smaller order",
            "token": "6f1b3c1e-2f8a-4b8e-9d3c-0a1b2c3d4e5f"}
    resp = client.post(f"/licences/{licence.number}/change/", data)
    change = LicenceChange.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/licence-changes/{change.pk}/"
    assert set(change.changes) == {"contract_number", "quantity:1"}
    assert client.post(f"/licences/{licence.number}/change/", data).status_code == 302  # double click
    assert LicenceChange.objects.count() == 1
    page = client.get(f"/licence-changes/{change.pk}/").content.decode()
    assert "C-NEW" in page and "working days left" in page and "Withdraw the request" in page


def test_the_form_refuses_a_key_element_and_offers_a_new_application(actors, licence):
    client = page_as(actors.owner)
    resp = client.post(f"/licences/{licence.number}/change/", {"version": licence.version, "key_elements": ["items"],
                                                               "contract_number": "X", "reason": "r"})
    assert resp.status_code == 400 and "needs a new application" in resp.content.decode()
    assert not LicenceChange.objects.exists()
    resp = client.post(f"/licences/{licence.number}/change/new-application/", {})
    draft = Application.objects.get(replaces_licence=licence)
    assert resp.status_code == 302 and resp["Location"] == f"/cases/{draft.pk}/edit/"


def test_the_form_shows_a_larger_quantity_and_a_missing_reason_as_errors(actors, licence):
    client = page_as(actors.owner)
    resp = client.post(f"/licences/{licence.number}/change/", {"version": licence.version, "quantity_1": "30",
                                                               "reason": "r"})
    assert resp.status_code == 400 and "can only be made smaller" in resp.content.decode()
    resp = client.post(f"/licences/{licence.number}/change/", {"version": licence.version, "contract_number": "Y"})
    assert resp.status_code == 400 and not LicenceChange.objects.exists()


def test_the_ministry_decides_from_the_queue_and_the_licence_panel(actors, licence, change):
    client = page_as(actors.ministry)
    queue = client.get("/licence-changes/")
    assert queue.status_code == 200 and licence.number in queue.content.decode()
    panel = client.get(f"/licences/{licence.number}/changes/", HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and 'value="approve"' in panel.content.decode()
    assert "<html" not in panel.content.decode()
    stale = client.post(f"/licence-changes/{change.pk}/decide/", {"outcome": "approve", "version": 9})
    assert stale.status_code == 409
    resp = client.post(f"/licence-changes/{change.pk}/decide/", {"outcome": "approve", "version": 1})
    assert resp.status_code == 302
    change.refresh_from_db()
    assert change.state == "approved" and change.new_licence.replaces_id == licence.pk
    page = client.get(f"/licence-changes/{change.pk}/").content.decode()
    assert change.new_licence.number in page
    assert client.get("/licence-changes/?state=approved").content.decode().count(licence.number) == 1


def test_the_queue_reads_a_fixed_number_of_queries(actors, licence, change, django_assert_max_num_queries):
    client = page_as(actors.ministry)
    client.get("/licence-changes/")
    with django_assert_max_num_queries(12):
        assert client.get("/licence-changes/").status_code == 200


# ---------------------------------------------------------------- who may do what, on pages


@pytest.mark.parametrize("who", EVERYONE)
def test_pages_for_every_actor(actors, licence, change, who):
    user = getattr(actors, who)
    client = page_as(user)
    form = client.get(f"/licences/{licence.number}/change/").status_code
    assert form == (200 if who in EXPORTERS else 403 if who in SEES_LICENCE else 404)
    assert client.get("/licence-changes/").status_code == (200 if who in MINISTRY else 403)
    assert client.get(f"/licence-changes/{change.pk}/").status_code == (200 if who in SEES_CHANGES else 404)
    assert client.get(f"/licences/{licence.number}/changes/").status_code == (200 if who in SEES_CHANGES else 404)
    panel = client.get(f"/licences/{licence.number}/changes/", HTTP_HX_REQUEST="true")
    assert panel.status_code == (200 if who in SEES_LICENCE else 404)
    if who == "customs":
        assert panel.content == b""  # customs sees the licence, not requests to change it
    withdraw = client.post(f"/licence-changes/{change.pk}/withdraw/", {"version": 1}).status_code
    assert withdraw == (302 if who in EXPORTERS else 403 if who in SEES_CHANGES else 404)
    change.refresh_from_db()
    if who in EXPORTERS:
        assert change.state == "withdrawn"
        return
    decide = client.post(f"/licence-changes/{change.pk}/decide/", {"outcome": "refuse", "reason": "no",
                                                                    "version": 1}).status_code
    assert decide == (302 if who in MINISTRY else 404)
    new_app = client.post(f"/licences/{licence.number}/change/new-application/", {}).status_code
    assert new_app == (403 if who in SEES_LICENCE else 404)
    change.refresh_from_db()
    assert change.state == ("refused" if who in MINISTRY else "pending")


def test_anonymous_is_sent_to_log_in(licence, change):
    for path in (f"/licences/{licence.number}/change/", "/licence-changes/", f"/licence-changes/{change.pk}/",
                 f"/licences/{licence.number}/changes/"):
        resp = Client().get(path)
        assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/"), path
    for path in ("/api/licence-changes/", f"/api/licence-changes/{change.pk}/"):
        assert APIClient().get(path).status_code == 403


# ---------------------------------------------------------------- the API


def test_api_request_needs_a_version_and_refuses_key_elements(actors, licence):
    client = api_as(actors.owner)
    url = f"/api/licences/{licence.number}/changes/"
    assert client.post(url, {"contract_number": "X", "reason": "r"}, format="json").status_code == 428
    assert client.post(url, {"contract_number": "X", "reason": "r"}, format="json",
                       HTTP_IF_MATCH='"99"').status_code == 412
    key = client.post(url, {"destination": "FR", "reason": "r", "version": licence.version}, format="json")
    assert key.status_code == 400 and key.json()["code"] == "key_element_change"
    assert set(key.json()["messages"]) == {"zh-hans", "en"} and "new application" in key.json()["messages"]["en"]
    bad = client.post(url, {"quantities": {"1": "99"}, "reason": "r", "version": licence.version}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "quantity_increase"
    made = client.post(url, {"contract_number": "X", "reason": "r"}, format="json", HTTP_IF_MATCH=f'"{licence.version}"')
    assert made.status_code == 201 and made.json()["state"] == "pending"
    assert made.json()["clock"]["limit"] == 20
    again = client.post(url, {"contract_number": "Y", "reason": "r", "version": licence.version}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "change_pending"
    assert [c["id"] for c in client.get(url).json()] == [made.json()["id"]]


def test_api_withdraw_and_decide_with_versions(actors, licence, change):
    owner, ministry = api_as(actors.owner), api_as(actors.ministry)
    url = f"/api/licence-changes/{change.pk}/"
    got = ministry.get(url)
    assert got.status_code == 200 and got["ETag"] == '"1"'
    assert ministry.post(url + "decide/", {"outcome": "approve"}, format="json").status_code == 428
    assert ministry.post(url + "decide/", {"outcome": "approve"}, format="json",
                         HTTP_IF_MATCH='"7"').status_code == 412
    assert ministry.post(url + "decide/", {"outcome": "approve", "version": 7}, format="json").status_code == 409
    done = ministry.post(url + "decide/", {"outcome": "approve"}, format="json", HTTP_IF_MATCH='"1"')
    assert done.status_code == 200 and done.json()["state"] == "approved" and done.json()["new_licence_number"]
    late = owner.post(url + "withdraw/", {"version": 2}, format="json")
    assert late.status_code == 409


def test_api_replacement_makes_a_draft_once_per_token(actors, licence):
    client = api_as(actors.owner)
    url = f"/api/licences/{licence.number}/replacement/"
    token = "0d0c8f1e-7f2a-4c3b-9e1d-5a6b7c8d9e0f"
    first = client.post(url, {"client_token": token}, format="json")
    second = client.post(url, {"client_token": token}, format="json")
    assert (first.status_code, second.status_code) == (201, 200) and first.json()["id"] == second.json()["id"]
    assert Application.objects.get(pk=first.json()["id"]).replaces_licence_id == licence.pk


@pytest.mark.parametrize("who", EVERYONE)
def test_api_for_every_actor(actors, licence, change, who):
    client = api_as(getattr(actors, who))
    listed = client.get("/api/licence-changes/")
    assert listed.status_code == 200 and listed.json()["count"] == (1 if who in SEES_CHANGES else 0)
    assert client.get(f"/api/licence-changes/{change.pk}/").status_code == (200 if who in SEES_CHANGES else 404)
    of_licence = client.get(f"/api/licences/{licence.number}/changes/")
    assert of_licence.status_code == (200 if who in SEES_LICENCE else 404)
    create = client.post(f"/api/licences/{licence.number}/changes/", {"contract_number": "Z", "reason": "r",
                                                                      "version": licence.version}, format="json")
    assert create.status_code == (409 if who in EXPORTERS else 404 if who == "outsider" else 403)
    replacement = client.post(f"/api/licences/{licence.number}/replacement/", {}, format="json").status_code
    assert replacement == (201 if who in EXPORTERS else 404 if who == "outsider" else 403)
    decide = client.post(f"/api/licence-changes/{change.pk}/decide/", {"outcome": "refuse", "reason": "no",
                                                                       "version": 1}, format="json").status_code
    assert decide == (200 if who in MINISTRY else 403)  # refused by role before the body is read
    withdraw = client.post(f"/api/licence-changes/{change.pk}/withdraw/", {"version": 1}, format="json")
    assert withdraw.status_code == (200 if who in EXPORTERS else 404 if who == "outsider" else 403)


def test_the_schema_lists_the_endpoints(client):
    paths = yaml.safe_load(client.get("/api/schema/").content)["paths"]
    for path in ("/api/licence-changes/", "/api/licence-changes/{id}/", "/api/licence-changes/{id}/withdraw/",
                 "/api/licence-changes/{id}/decide/", "/api/licences/{number}/changes/",
                 "/api/licences/{number}/replacement/"):
        assert path in paths, path
    assert "post" in paths["/api/licences/{number}/changes/"]

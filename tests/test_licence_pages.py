"""The licence page and its API: what each role sees, the status-change forms (hidden version, a
stale form's 409, a double click), the link from the case page, and the API's answers (403 before
the body, 404 for an invisible licence, 409 for a stale version or a wrong state)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from licensing.licences import lifecycle, services
from licensing.models import CustomsPort, Licence, LicenceEvent, LicenceStatus, WriteOff
from tests.browser import chromium_available, sign_in
from tests.factories import PASSWORD
from tests.test_licence_lifecycle import ROLES, make_licence

pytestmark = pytest.mark.django_db

SEE = {"owner", "colleague", "ministry", "senior", "customs"}


def page_as(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    return client


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def licence(case_factory):
    return make_licence(case_factory)


@pytest.mark.parametrize("who", ROLES)
def test_who_sees_the_licence_page(actors, licence, who):
    resp = page_as(getattr(actors, who)).get(f"/licences/{licence.number}/")
    assert resp.status_code == (200 if who in SEE else 404)


def test_anonymous_is_sent_to_sign_in(licence):
    resp = Client().get(f"/licences/{licence.number}/")
    assert resp.status_code == 302 and "login" in resp["Location"]


def test_the_page_shows_the_record(actors, licence):
    item = licence.items.first()
    item.tolerance_percent = 5
    item.used_quantity = 1
    item.save()
    port = CustomsPort.objects.first()
    WriteOff.objects.create(licence=licence, item=item, declaration_number="223320260000012345", line=1,
                            quantity=1, value_rmb=100, shipped_on=datetime.date(2026, 3, 2), port=port,
                            message_hash="x" * 64)
    services.licence_suspend(actor=actors.ministry, licence_id=licence.pk, reason="Checking the end user")
    html = page_as(actors.owner).get(f"/licences/{licence.number}/").content.decode()
    assert licence.number in html and "Suspended" in html
    assert 'id="licence-type"' in html and "Individual licence" in html
    assert "223320260000012345" in html and port.code in html
    assert item.control_code in html and "+5%" in html
    assert "Checking the end user" in html
    assert (actors.ministry.get_full_name() or actors.ministry.username) in html
    assert f"/cases/{licence.application_id}/licence.pdf" in html
    assert "one shipment" in html
    # Other parts add their sections here.
    assert "licence_extras" not in html


@pytest.mark.parametrize(("who", "forms"), [
    ("owner", set()), ("colleague", {"surrender"}), ("ministry", {"suspend"}), ("senior", {"suspend", "revoke"}),
    ("customs", set()),
])
def test_each_role_is_offered_only_its_steps(actors, licence, who, forms):
    html = page_as(getattr(actors, who)).get(f"/licences/{licence.number}/").content.decode()
    for action in ("suspend", "restore", "revoke", "surrender"):
        assert (f'id="form-licence-{action}"' in html) == (action in forms), action
    if forms:
        assert f'name="version" value="{licence.version}"' in html


def test_customs_sees_the_record_read_only_without_the_pdf(actors, licence):
    html = page_as(actors.customs).get(f"/licences/{licence.number}/").content.decode()
    assert "licence.pdf" not in html and "<form method=\"post\" action=\"/licences/" not in html


def test_the_case_page_links_to_the_licence_page(actors, licence):
    html = page_as(actors.owner).get(f"/cases/{licence.application_id}/").content.decode()
    assert f'href="/licences/{licence.number}/"' in html


@pytest.mark.parametrize("who", ["ministry", "senior", "owner", "colleague"])
def test_the_register_is_in_the_header(actors, who):
    html = page_as(getattr(actors, who)).get("/licences/").content.decode()
    assert 'id="nav-licences"' in html


def test_the_ministry_suspends_and_restores_from_the_page(actors, licence):
    client = page_as(actors.ministry)
    resp = client.post(f"/licences/{licence.number}/suspend/", {"version": 1, "reason": "Diversion suspected"})
    assert resp.status_code == 302 and resp["Location"] == f"/licences/{licence.number}/"
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.SUSPENDED
    resp = client.post(f"/licences/{licence.number}/restore/", {"version": 2, "reason": "Cleared"})
    assert resp.status_code == 302
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ISSUED and licence.version == 3


def test_a_stale_form_gets_a_clear_409(actors, licence):
    services.licence_suspend(actor=actors.ministry, licence_id=licence.pk, reason="first")
    services.licence_restore(actor=actors.ministry, licence_id=licence.pk, reason="again")
    resp = page_as(actors.senior).post(f"/licences/{licence.number}/suspend/", {"version": 1, "reason": "x"})
    assert resp.status_code == 409
    html = resp.content.decode()
    assert "Someone changed this licence after you opened it" in html
    assert 'name="version" value="3"' in html  # the page as it is now, ready to try again
    assert Licence.objects.get(pk=licence.pk).status == LicenceStatus.ISSUED


def test_a_double_click_on_the_page_is_harmless(actors, licence):
    client = page_as(actors.ministry)
    first = client.post(f"/licences/{licence.number}/suspend/", {"version": 1, "reason": "x"})
    second = client.post(f"/licences/{licence.number}/suspend/", {"version": 1, "reason": "x"})
    assert first.status_code == second.status_code == 302
    assert LicenceEvent.objects.filter(licence=licence, kind="suspended").count() == 1


def test_the_page_requires_a_reason_and_a_factor(actors, licence):
    client = page_as(actors.senior)
    resp = client.post(f"/licences/{licence.number}/suspend/", {"version": 1, "reason": ""})
    assert resp.status_code == 400
    resp = client.post(f"/licences/{licence.number}/revoke/", {"version": 1, "reason": "Diversion"})
    assert resp.status_code == 400 and 'id="form-licence-revoke"' in resp.content.decode()
    assert Licence.objects.get(pk=licence.pk).status == LicenceStatus.ISSUED
    resp = client.post(f"/licences/{licence.number}/revoke/",
                       {"version": 1, "reason": "Diversion", "factor": "end_user"})
    assert resp.status_code == 302
    assert Licence.objects.get(pk=licence.pk).status == LicenceStatus.REVOKED
    assert "End user and end use" in client.get(f"/licences/{licence.number}/").content.decode()


@pytest.mark.parametrize("action", ["suspend", "restore", "revoke", "surrender"])
@pytest.mark.parametrize("who", ROLES)
def test_page_steps_refuse_every_role_the_table_does_not_name(actors, licence, action, who):
    user = getattr(actors, who)
    rule = lifecycle.TRANSITIONS[action]
    Licence.objects.filter(pk=licence.pk).update(status=sorted(rule.sources)[0])
    resp = page_as(user).post(f"/licences/{licence.number}/{action}/",
                              {"version": 1, "reason": "r", "factor": "end_user"})
    if who not in SEE:
        assert resp.status_code == 404
    elif user.role in rule.roles:
        assert resp.status_code == 302
        assert Licence.objects.get(pk=licence.pk).status == rule.target
    else:
        assert resp.status_code == 403
        assert Licence.objects.get(pk=licence.pk).version == 1


def test_an_unknown_step_or_number_is_404(actors, licence):
    client = page_as(actors.ministry)
    assert client.post(f"/licences/{licence.number}/exhaust/", {"version": 1}).status_code == 404
    assert client.get("/licences/2026MC999999Z/").status_code == 404


# ---------------------------------------------------------------- API


@pytest.mark.parametrize("who", ROLES)
def test_api_detail_is_for_those_who_see_the_licence(actors, licence, who):
    resp = api_as(getattr(actors, who)).get(f"/api/licences/{licence.number}/")
    assert resp.status_code == (200 if who in SEE else 404)
    if who in SEE:
        body = resp.json()
        assert body["number"] == licence.number and body["status"] == "issued"
        assert resp["ETag"] == '"1"'
        item = body["items"][0]
        assert {"quantity", "used_quantity", "remaining_quantity", "tolerance_percent"} <= set(item)
        assert [e["kind"] for e in body["events"]] == ["issued"]
        assert body["write_offs"] == []


def test_api_steps_with_version_in_the_body_or_if_match(actors, licence):
    client = api_as(actors.ministry)
    resp = client.post(f"/api/licences/{licence.number}/suspend/", {"version": 1, "reason": "Diversion"},
                       format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "suspended" and resp["ETag"] == '"2"'
    resp = client.post(f"/api/licences/{licence.number}/restore/", {"reason": "Cleared"}, format="json",
                       HTTP_IF_MATCH='"2"')
    assert resp.status_code == 200 and resp.json()["status"] == "issued"
    events = resp.json()["events"]
    assert [e["kind"] for e in events] == ["issued", "suspended", "restored"]
    assert events[1]["reason"] == "Diversion" and events[1]["actor"]


def test_api_stale_version_and_wrong_state_are_409(actors, licence):
    client = api_as(actors.ministry)
    resp = client.post(f"/api/licences/{licence.number}/suspend/", {"version": 7, "reason": "x"}, format="json")
    assert resp.status_code == 409 and resp.json()["code"] == "stale"
    resp = client.post(f"/api/licences/{licence.number}/suspend/", {"reason": "x"}, format="json",
                       HTTP_IF_MATCH='"7"')
    assert resp.status_code == 409
    resp = client.post(f"/api/licences/{licence.number}/restore/", {"version": 1, "reason": "x"}, format="json")
    assert resp.status_code == 409 and resp.json()["code"] == "invalid_transition"
    assert set(resp.json()["messages"]) == {"zh-hans", "en"}
    assert Licence.objects.get(pk=licence.pk).version == 1


def test_api_step_without_any_version_is_428(actors, licence):
    resp = api_as(actors.ministry).post(f"/api/licences/{licence.number}/suspend/", {"reason": "x"}, format="json")
    assert resp.status_code == 428


def test_api_revoke_needs_a_factor_and_a_reason(actors, licence):
    client = api_as(actors.senior)
    resp = client.post(f"/api/licences/{licence.number}/revoke/", {"version": 1, "reason": "x"}, format="json")
    assert resp.status_code == 400 and "factor" in resp.json()["fields"]
    resp = client.post(f"/api/licences/{licence.number}/revoke/", {"version": 1, "factor": "end_user"},
                       format="json")
    assert resp.status_code == 400 and "reason" in resp.json()["fields"]
    assert Licence.objects.get(pk=licence.pk).status == LicenceStatus.ISSUED


@pytest.mark.parametrize("action", ["suspend", "restore", "revoke", "surrender"])
@pytest.mark.parametrize("who", ROLES)
def test_api_steps_per_role(actors, licence, action, who):
    user = getattr(actors, who)
    rule = lifecycle.TRANSITIONS[action]
    Licence.objects.filter(pk=licence.pk).update(status=sorted(rule.sources)[0])
    # An empty body: a role that may never act hears 403 before the body is read.
    empty = api_as(user).post(f"/api/licences/{licence.number}/{action}/", {}, format="json")
    if user.role not in rule.roles:
        assert empty.status_code == 403
        return
    if who not in SEE:
        assert empty.status_code == 404
        return
    resp = api_as(user).post(f"/api/licences/{licence.number}/{action}/",
                             {"version": 1, "reason": "r", "factor": "end_user"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == rule.target


def test_api_another_exporters_licence_is_404_for_its_admin(actors, licence):
    resp = api_as(actors.outsider).post(f"/api/licences/{licence.number}/surrender/", {"version": 1},
                                        format="json")
    assert resp.status_code == 404
    assert Licence.objects.get(pk=licence.pk).status == LicenceStatus.ISSUED


def test_the_endpoints_are_in_the_openapi_schema():
    import yaml

    schema = yaml.safe_load(Client().get("/api/schema/").content)
    paths = schema["paths"]
    assert "get" in paths["/api/licences/"] and "get" in paths["/api/licences/{number}/"]
    for action in ("suspend", "restore", "revoke", "surrender"):
        assert "post" in paths[f"/api/licences/{{number}}/{action}/"]
    revoke = paths["/api/licences/{number}/revoke/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "Revoke" in revoke["$ref"]


def test_the_detail_reports_used_and_remaining(actors, licence):
    item = licence.items.first()
    item.used_quantity = item.quantity / 4
    item.save()
    body = api_as(actors.customs).get(f"/api/licences/{licence.number}/").json()
    line = body["items"][0]
    assert float(line["used_quantity"]) == float(item.quantity / 4)
    assert float(line["remaining_quantity"]) == float(item.quantity - item.quantity / 4)
    assert body["allowed_actions"] == []
    assert timezone.localdate().isoformat() == body["valid_from"]


# ---------------------------------------------------------------- in a browser


def _axe_and_labels(page):
    from tests.test_accessibility import UNLABELLED_CONTROLS, serious_violations

    return serious_violations(page), page.evaluate(UNLABELLED_CONTROLS)


@pytest.mark.skipif(not chromium_available(),
                    reason="Debian's Chromium (/usr/bin/chromium) is not installed; scripts/test installs it")
@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("live_server_serves_no_media")
def test_the_licence_pages_have_no_serious_accessibility_problem(live_server, browser, actors, case_factory):
    licence = make_licence(case_factory)
    services.licence_suspend(actor=actors.ministry, licence_id=licence.pk, reason="Checking the end user")
    problems = {}
    for who, paths in (("senior", [f"/licences/{licence.number}/", "/licences/"]),
                       ("owner", [f"/licences/{licence.number}/", "/licences/"]),
                       (None, [f"/verify/{licence.number}/?t={licence.verify_token}", f"/verify/{licence.number}/"])):
        context = browser.new_context()
        page = context.new_page()
        if who:
            sign_in(page, live_server.url, getattr(actors, who).username, PASSWORD)
        for path in paths:
            page.goto(live_server.url + path)
            violations, unlabelled = _axe_and_labels(page)
            if violations or unlabelled:
                problems[f"{who} {path}"] = {"axe": violations, "unlabelled": unlabelled}
        context.close()
    assert not problems, problems

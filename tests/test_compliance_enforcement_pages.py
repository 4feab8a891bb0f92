"""Pages and API of enforcement, penalties and the credit record (issue 14 items 4-6): every role
on every new page and endpoint, the forms' bad input, and the credit record shown to the ministry
only (its own page, the enforcement case page and the licensing case page)."""

import json

import pytest
from django.test import Client

from compliance.enforcement.models import EnforcementCase, EnforcementStep, Penalty, PenaltyStatus
from compliance.enforcement.services import note_add
from compliance.penalties import services as penalties
from tests.enforcement_helpers import add_step, open_case
from tests.factories import pdf_upload
from tests.test_customs_api import sysadmin

pytestmark = pytest.mark.django_db

ROLES = ["owner", "colleague", "outsider", "province", "other_province", "ministry", "senior", "agency", "customs",
         "sysadmin"]
MINISTRY = {"ministry", "senior"}
EXPORTERS = {"owner", "colleague"}


def user_of(actors, role):
    return sysadmin() if role == "sysadmin" else getattr(actors, role)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def world(actors):
    case = open_case(actors)
    inspection = add_step(actors, case, kind="inspection", uploads=[pdf_upload("evidence.pdf")])
    rfi = add_step(actors, case, kind="rfi", text="Send the contracts")
    letter = add_step(actors, case, kind="warning_letter", text="Warned")
    pending = penalties.penalty_submit(actor=actors.ministry, reference=case.reference, head="licence_forgery",
                                       turnover=10_000, amount=1, reasons="Forged", justification="Poor company")
    return {"case": case, "inspection": inspection, "rfi": rfi, "letter": letter, "pending": pending,
            "org": actors.owner.organisation}


def page_expectations(w):
    ref, org = w["case"].reference, w["org"].pk
    rest = {"province", "other_province", "agency", "customs", "sysadmin"}
    return [
        ("/compliance/enforcement/", {**dict.fromkeys(MINISTRY | EXPORTERS | {"outsider"}, 200),
                                      **dict.fromkeys(rest, 403)}),
        ("/compliance/enforcement/new/", {**dict.fromkeys(MINISTRY, 200),
                                          **dict.fromkeys(set(ROLES) - MINISTRY, 403)}),
        (f"/compliance/enforcement/{ref}/", {**dict.fromkeys(MINISTRY | EXPORTERS, 200),
                                             **dict.fromkeys(set(ROLES) - MINISTRY - EXPORTERS, 404)}),
        (f"/compliance/enforcement/{ref}/penalty/", {**dict.fromkeys(MINISTRY, 200),
                                                     **dict.fromkeys(set(ROLES) - MINISTRY, 403)}),
        (f"/compliance/enforcement/{ref}/criminal/", {**dict.fromkeys(MINISTRY, 200),
                                                      **dict.fromkeys(set(ROLES) - MINISTRY, 403)}),
        ("/compliance/enforcement/penalties/countersign/", {**{"senior": 200},
                                                            **dict.fromkeys(set(ROLES) - {"senior"}, 403)}),
        ("/compliance/enforcement/penalties/range/?head=licence_fraud&turnover=5",
         {**dict.fromkeys(MINISTRY, 200), **dict.fromkeys(set(ROLES) - MINISTRY, 404)}),
        (f"/compliance/exporters/{org}/credit/", {**dict.fromkeys(MINISTRY, 200),
                                                  **dict.fromkeys(EXPORTERS | {"outsider"}, 404),
                                                  **dict.fromkeys(rest, 403)}),
        (f"/compliance/enforcement/{ref}/steps/{w['letter'].pk}/pdf/",
         {**dict.fromkeys(MINISTRY | EXPORTERS, 200), **dict.fromkeys(set(ROLES) - MINISTRY - EXPORTERS, 404)}),
        (f"/compliance/enforcement/{ref}/steps/{w['inspection'].pk}/documents/"
         f"{w['inspection'].documents.get().pk}/",
         {**dict.fromkeys(MINISTRY, 200), **dict.fromkeys(set(ROLES) - MINISTRY, 404)}),
    ]


def test_every_role_on_every_page(actors, world):
    for role in ROLES:
        client = client_for(user_of(actors, role))
        for url, want in page_expectations(world):
            assert client.get(url).status_code == want[role], (role, url)


def api_expectations(w):
    ref, org = w["case"].reference, w["org"].pk
    rest = {"province", "other_province", "agency", "customs", "sysadmin"}
    return [
        ("/api/compliance/enforcement/", {**dict.fromkeys(MINISTRY | EXPORTERS | {"outsider"}, 200),
                                          **dict.fromkeys(rest, 403)}),
        (f"/api/compliance/enforcement/{ref}/", {**dict.fromkeys(MINISTRY | EXPORTERS, 200), "outsider": 404,
                                                 **dict.fromkeys(rest, 403)}),
        ("/api/compliance/enforcement/penalties/range/?head=licence_fraud&turnover=5",
         {**dict.fromkeys(MINISTRY, 200), **dict.fromkeys(set(ROLES) - MINISTRY, 403)}),
        ("/api/compliance/enforcement/penalties/countersign/", {"senior": 200,
                                                                 **dict.fromkeys(set(ROLES) - {"senior"}, 403)}),
        (f"/api/compliance/exporters/{org}/credit/", {**dict.fromkeys(MINISTRY, 200),
                                                      **dict.fromkeys(EXPORTERS | {"outsider"}, 404),
                                                      **dict.fromkeys(rest, 403)}),
        (f"/api/compliance/enforcement/{ref}/steps/{w['letter'].pk}/pdf/",
         {**dict.fromkeys(MINISTRY | EXPORTERS, 200), "outsider": 404, **dict.fromkeys(rest, 403)}),
        (f"/api/compliance/enforcement/{ref}/steps/{w['inspection'].pk}/pdf/",
         {**dict.fromkeys(MINISTRY | EXPORTERS, 404), "outsider": 404, **dict.fromkeys(rest, 403)}),
    ]


def test_every_role_on_every_api_read(actors, world):
    for role in ROLES:
        client = client_for(user_of(actors, role))
        for url, want in api_expectations(world):
            assert client.get(url).status_code == want[role], (role, url)
    assert Client().get("/api/compliance/enforcement/").status_code in (401, 403)


def test_the_exporter_sees_only_the_steps_addressed_to_it(actors, world):
    body = client_for(actors.owner).get(f"/api/compliance/enforcement/{world['case'].reference}/").json()
    assert [s["kind"] for s in body["steps"]] == ["rfi", "warning_letter"]
    assert body["notes"] is None and body["penalties"] is None
    html = client_for(actors.owner).get(f"/compliance/enforcement/{world['case'].reference}/").content.decode()
    assert "Send the contracts" in html and "evidence.pdf" not in html and "credit-record-panel" not in html
    assert "Suspected export" not in html  # the ministry's summary
    ministry = client_for(actors.ministry).get(f"/api/compliance/enforcement/{world['case'].reference}/").json()
    assert [s["kind"] for s in ministry["steps"]] == ["inspection", "rfi", "warning_letter"]
    assert ministry["penalties"][0]["status"] == "awaiting_countersign"


def write_calls(w):
    ref, rfi, pending = w["case"].reference, w["rfi"].pk, w["pending"].pk
    return [
        ("/api/compliance/enforcement/", {"origin": "manual", "summary": "x", "exporter": w["org"].pk}),
        (f"/api/compliance/enforcement/{ref}/steps/", {"kind": "rfi", "text": "q", "answer_days": 3}),
        (f"/api/compliance/enforcement/{ref}/steps/{rfi}/minutes/", {"minutes": "m"}),
        (f"/api/compliance/enforcement/{ref}/notes/", {"kind": "cooperation", "text": "t"}),
        (f"/api/compliance/enforcement/{ref}/penalties/", {"head": "licence_fraud", "turnover": "0",
                                                           "amount": "300000", "reasons": "r"}),
        (f"/api/compliance/enforcement/{ref}/criminal/", {"head": "licence_fraud", "court": "c",
                                                          "judgment_reference": "j", "decided_on": "2026-01-05",
                                                          "reasons": "r"}),
        (f"/api/compliance/enforcement/penalties/{pending}/countersign/", {}),
        (f"/api/compliance/enforcement/penalties/{pending}/send-back/", {"note": "n"}),
        (f"/api/compliance/enforcement/penalties/{pending}/withdraw/", {}),
        (f"/api/compliance/enforcement/{ref}/close/", {}),
    ]


@pytest.mark.parametrize("role", sorted(set(ROLES) - MINISTRY))
def test_no_other_role_writes_anything_through_the_api(actors, world, role):
    client = client_for(user_of(actors, role))
    before = (EnforcementCase.objects.count(), EnforcementStep.objects.count(), Penalty.objects.count())
    for url, body in write_calls(world):
        status = client.post(url, body, content_type="application/json").status_code
        assert status in (403, 404), (role, url, status)
    pages = ["/compliance/enforcement/new/", f"/compliance/enforcement/{world['case'].reference}/steps/",
             f"/compliance/enforcement/{world['case'].reference}/notes/",
             f"/compliance/enforcement/{world['case'].reference}/close/",
             f"/compliance/enforcement/{world['case'].reference}/penalty/",
             f"/compliance/enforcement/{world['case'].reference}/criminal/",
             f"/compliance/enforcement/penalties/{world['pending'].pk}/countersign/",
             f"/compliance/enforcement/penalties/{world['pending'].pk}/withdraw/"]
    for url in pages:
        status = client.post(url, {"kind": "rfi", "text": "q", "answer_days": 3, "origin": "manual",
                                   "summary": "x", "exporter": world["org"].pk}).status_code
        assert status in (403, 404), (role, url, status)
    assert before == (EnforcementCase.objects.count(), EnforcementStep.objects.count(), Penalty.objects.count())
    assert Penalty.objects.get(pk=world["pending"].pk).status == PenaltyStatus.AWAITING_COUNTERSIGN


def test_the_api_flow_for_the_ministry_and_the_exporter(actors, world):
    ministry = client_for(actors.ministry)
    resp = ministry.post("/api/compliance/enforcement/", {"origin": "manual", "summary": "API case",
                                                          "exporter": world["org"].pk}, content_type="application/json")
    assert resp.status_code == 201, resp.content
    ref = resp.json()["reference"]
    resp = ministry.post(f"/api/compliance/enforcement/{ref}/steps/",
                         {"kind": "rfi", "text": "Question", "answer_days": "4", "documents": [pdf_upload()]})
    assert resp.status_code == 201, resp.content
    step = resp.json()
    assert step["respond_by"] and len(step["documents"]) == 1
    owner = client_for(actors.owner)
    resp = owner.post(f"/api/compliance/enforcement/{ref}/steps/{step['id']}/answer/",
                      {"answer": "Here", "documents": [pdf_upload("a.pdf")]})
    assert resp.status_code == 200 and resp.json()["response"] == "Here" and not resp.json()["late"]
    resp = owner.post(f"/api/compliance/enforcement/{ref}/steps/{step['id']}/answer/", {"answer": "Again"})
    assert resp.status_code == 409
    key = "8b6e7c9e-4f0e-4a3c-9a7e-3c1d2e5f6a7b"
    body = {"head": "licence_fraud", "turnover": "0", "amount": "300000", "reasons": "Bribery"}
    resp = ministry.post(f"/api/compliance/enforcement/{ref}/penalties/", body, content_type="application/json",
                         headers={"Idempotency-Key": key})
    assert resp.status_code == 201 and resp.json()["status"] == "decided"
    resp = ministry.post(f"/api/compliance/enforcement/{ref}/penalties/", body, content_type="application/json",
                         headers={"Idempotency-Key": key})
    assert resp.status_code == 409
    resp = ministry.post(f"/api/compliance/enforcement/{ref}/penalties/", {**body, "amount": "1"},
                         content_type="application/json")
    assert resp.status_code == 400 and "justification" in resp.json()["fields"]
    resp = ministry.get("/api/compliance/enforcement/penalties/range/?head=licence_fraud&turnover=200000")
    assert resp.json()["min"] == 1_000_000 and resp.json()["band"] == "multiple"
    assert ministry.get("/api/compliance/enforcement/penalties/range/?head=x").status_code == 400
    assert ministry.get("/api/compliance/enforcement/?status=bogus").status_code == 400
    assert ministry.post(f"/api/compliance/enforcement/{ref}/close/", {}, content_type="application/json") \
        .status_code == 200
    assert ministry.post(f"/api/compliance/enforcement/{ref}/close/", {}, content_type="application/json") \
        .status_code == 409


def test_countersign_through_the_api_by_another_senior(actors, world):
    pending = world["pending"]
    url = f"/api/compliance/enforcement/penalties/{pending.pk}/countersign/"
    assert client_for(actors.ministry).post(url, {}, content_type="application/json").status_code == 403
    queue = client_for(actors.senior).get("/api/compliance/enforcement/penalties/countersign/").json()
    assert [p["id"] for p in queue] == [pending.pk]
    resp = client_for(actors.senior).post(url, {"version": pending.version}, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["status"] == "decided"
    assert client_for(actors.senior).post(url, {}, content_type="application/json").status_code == 409
    assert client_for(actors.senior).post("/api/compliance/enforcement/penalties/999999/countersign/", {},
                                          content_type="application/json").status_code == 404


@pytest.mark.parametrize("body", [{"origin": "manual", "summary": 5, "exporter": 1}, {"origin": "zzz", "summary": "x"},
                                  {"origin": "challenge", "summary": "x", "source_reference": "nope"}, {}])
def test_bad_input_to_the_open_endpoint(actors, body):
    resp = client_for(actors.ministry).post("/api/compliance/enforcement/", body, content_type="application/json")
    assert resp.status_code == 400 and not EnforcementCase.objects.exists()
    resp = client_for(actors.ministry).post("/api/compliance/enforcement/", "{bad", content_type="application/json")
    assert resp.status_code == 400


def test_pages_open_a_case_record_steps_and_answer(actors):
    ministry = client_for(actors.ministry)
    assert ministry.post("/compliance/enforcement/new/", {"origin": "manual", "summary": ""}).status_code == 400
    resp = ministry.post("/compliance/enforcement/new/", {"origin": "challenge", "summary": "x",
                                                          "source_reference": "ZY0"})
    assert resp.status_code == 400 and b"Nothing of this kind has this reference" in resp.content
    resp = ministry.post("/compliance/enforcement/new/", {"origin": "manual", "summary": "By hand",
                                                          "exporter": actors.owner.organisation_id})
    assert resp.status_code == 302
    case = EnforcementCase.objects.get()
    resp = ministry.post(f"/compliance/enforcement/{case.reference}/steps/",
                         {"kind": "talk", "text": "Come on Monday", "answer_days": "3", "version": case.version,
                          "documents": [pdf_upload()]})
    assert resp.status_code == 302
    assert ministry.post(f"/compliance/enforcement/{case.reference}/steps/",
                         {"kind": "rfi", "text": "q", "answer_days": "999"}).status_code == 400
    assert ministry.post(f"/compliance/enforcement/{case.reference}/steps/",
                         {"kind": "rfi", "text": "q", "answer_days": "3", "version": 1}).status_code == 409
    step = EnforcementStep.objects.get()
    owner = client_for(actors.owner)
    assert b"Come on Monday" in owner.get("/compliance/enforcement/").content or \
        case.reference.encode() in owner.get("/compliance/enforcement/").content
    assert owner.post(f"/compliance/enforcement/{case.reference}/steps/{step.pk}/answer/",
                      {"answer": ""}).status_code == 400
    resp = owner.post(f"/compliance/enforcement/{case.reference}/steps/{step.pk}/answer/",
                      {"answer": "We will come", "documents": [pdf_upload()]})
    assert resp.status_code == 302
    assert owner.post(f"/compliance/enforcement/{case.reference}/steps/{step.pk}/answer/",
                      {"answer": "again"}).status_code == 409
    assert ministry.post(f"/compliance/enforcement/{case.reference}/steps/{step.pk}/minutes/",
                         {"minutes": "Minutes"}).status_code == 302
    assert ministry.post(f"/compliance/enforcement/{case.reference}/notes/",
                         {"kind": "cooperation", "text": "Came on time"}).status_code == 302
    assert ministry.post(f"/compliance/enforcement/{case.reference}/notes/",
                         {"kind": "x", "text": ""}).status_code == 400
    html = ministry.get(f"/compliance/enforcement/{case.reference}/").content.decode()
    assert "We will come" in html and "Minutes" in html and "Came on time" in html


def test_the_penalty_form_shows_the_range_and_blocks_outside_amounts(actors, world):
    ministry = client_for(actors.ministry)
    ref = world["case"].reference
    note_add(actor=actors.ministry, reference=ref, kind="remediation", text="Rebuilt the ICP")
    html = ministry.get(f"/compliance/enforcement/{ref}/penalty/?head=unlicensed_export&turnover=600000") \
        .content.decode()
    assert 'data-min="3000000" data-max="6000000"' in html and "Export Control Law Art. 34" in html
    assert "Rebuilt the ICP" in html
    post = {"head": "unlicensed_export", "turnover": "100", "amount": "1", "reasons": "r"}
    resp = ministry.post(f"/compliance/enforcement/{ref}/penalty/", {**post, "recompute": "1"})
    assert resp.status_code == 200 and b'data-min="500000" data-max="5000000"' in resp.content
    count = Penalty.objects.count()
    resp = ministry.post(f"/compliance/enforcement/{ref}/penalty/", post)
    assert resp.status_code == 400 and b"outside the statutory range" in resp.content
    assert Penalty.objects.count() == count
    resp = ministry.post(f"/compliance/enforcement/{ref}/penalty/", {**post, "justification": "Poverty"})
    assert resp.status_code == 302
    fragment = ministry.get("/compliance/enforcement/penalties/range/?head=obstructing_inspection").content
    assert b'data-min="100000" data-max="300000"' in fragment
    assert b"Choose the head" in ministry.get("/compliance/enforcement/penalties/range/?head=x").content


def test_the_countersign_queue_page(actors, world):
    from tests.factories import UserFactory, authority

    senior = client_for(actors.senior)
    html = senior.get("/compliance/enforcement/penalties/countersign/").content.decode()
    assert f'id="queue-penalty-{world["pending"].pk}"' in html and "Poor company" in html
    resp = senior.post(f"/compliance/enforcement/penalties/{world['pending'].pk}/send-back/", {"note": ""})
    assert resp.status_code == 400
    resp = senior.post(f"/compliance/enforcement/penalties/{world['pending'].pk}/countersign/",
                       {"next": "queue", "version": world["pending"].version})
    assert resp.status_code == 302 and Penalty.objects.get(pk=world["pending"].pk).status == "decided"
    assert senior.post(f"/compliance/enforcement/penalties/{world['pending'].pk}/countersign/").status_code == 409
    other = UserFactory(organisation=authority("MOFCOM"), role="ministry_senior")
    mine = penalties.penalty_submit(actor=other, reference=world["case"].reference, head="licence_fraud",
                                    turnover=0, amount=1, reasons="r", justification="j")
    assert f'id="queue-penalty-{mine.pk}"' not in client_for(other).get(
        "/compliance/enforcement/penalties/countersign/").content.decode()


def test_the_court_judgment_page(actors, world):
    ministry = client_for(actors.ministry)
    ref = world["case"].reference
    bad = ministry.post(f"/compliance/enforcement/{ref}/criminal/", {"head": "licence_fraud", "court": "",
                                                                     "decided_on": "x"})
    assert bad.status_code == 400
    resp = ministry.post(f"/compliance/enforcement/{ref}/criminal/", {
        "head": "licence_fraud", "court": "上海市第三中级人民法院", "judgment_reference": "(2026)沪03刑初1号",
        "decided_on": "2026-03-01", "amount": "0", "reasons": "Convicted"})
    assert resp.status_code == 302
    assert Penalty.objects.filter(kind="criminal", status="decided").count() == 1


# ---------------------------------------------------------------- the credit record


def test_credit_record_entries_and_its_own_page(actors, world):
    penalties.penalty_countersign(actor=actors.senior, penalty_id=world["pending"].pk)
    add_step(actors, world["case"], kind="talk", text="Regulatory talk on the ICP")
    html = client_for(actors.ministry).get(f"/compliance/exporters/{world['org'].pk}/credit/").content.decode()
    for kind in ("penalty", "warning_letter", "regulatory_talk"):
        assert f'data-kind="{kind}"' in html
    body = client_for(actors.senior).get(f"/api/compliance/exporters/{world['org'].pk}/credit/").json()
    assert sorted(e["kind"] for e in body["entries"]) == ["penalty", "regulatory_talk", "warning_letter"]
    other = client_for(actors.ministry).get(f"/api/compliance/exporters/{actors.outsider.organisation_id}/credit/")
    assert other.json()["entries"] == []
    assert client_for(actors.ministry).get(f"/compliance/exporters/{actors.province.organisation_id}/credit/") \
        .status_code == 404


def test_credit_record_on_the_licensing_case_page_for_every_role(actors, world, case_factory):
    penalties.penalty_countersign(actor=actors.senior, penalty_id=world["pending"].pk)
    app = case_factory("forwarded")
    for role in ROLES:
        resp = client_for(user_of(actors, role)).get(f"/cases/{app.pk}/")
        html = resp.content.decode()
        if role in MINISTRY:
            assert resp.status_code == 200
            assert 'id="credit-record-panel"' in html and 'data-kind="penalty"' in html
            assert 'id="company-credit-record" data-entries="2"' in html
        else:
            assert 'credit-record-panel' not in html and 'company-credit-record' not in html, role
            assert "Credit record" not in html, role


def test_credit_record_panel_on_the_enforcement_case_page(actors, world):
    for role in ROLES:
        resp = client_for(user_of(actors, role)).get(f"/compliance/enforcement/{world['case'].reference}/")
        assert ('id="credit-record-panel"' in resp.content.decode()) is (role in MINISTRY), role


def test_list_query_count(actors, django_assert_max_num_queries):
    for _ in range(5):
        add_step(actors, open_case(actors), kind="rfi")
    client = client_for(actors.ministry)
    with django_assert_max_num_queries(12):
        assert client.get("/compliance/enforcement/").status_code == 200
    assert json.loads(client.get("/api/compliance/enforcement/").content)["count"] == 5

"""Bad input gets a clear 4xx, in both languages, and changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Organisation, User
from audit.models import AuditEvent
from licensing.models import Application, Document
from tests.factories import DRAFT, PASSWORD, make_uscc, pdf_bytes, pdf_upload

pytestmark = pytest.mark.django_db

REGISTRATION = {
    "name_zh": "测试公司", "name_en": "Test Co", "province": "31", "address": "上海", "contact_name": "王",
    "contact_phone": "1", "email": "a@example.com", "username": "newco", "password": "Very-secret-2026",
}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("code,fragment", [
    ("91310115MA1H7XQK4Y", "check character"),       # wrong check character
    ("91310115MA1H7XQK4", "18 characters"),          # too short
    ("91310115MA1H7XQKIX", "not a unified social credit code"),  # I is not allowed
    ("", "uscc"),
])
def test_wrong_social_credit_code_is_refused(code, fragment):
    resp = APIClient().post("/api/exporters/register/", {**REGISTRATION, "uscc": code or " "}, format="json",
                            HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 400, resp.content
    body = resp.json()
    assert fragment in body.get("detail", "") + str(body), body
    assert not Organisation.objects.filter(kind="exporter").exists()
    assert not User.objects.filter(username="newco").exists()


def test_error_messages_come_in_both_languages():
    resp = APIClient().post("/api/exporters/register/", {**REGISTRATION, "uscc": "91310115MA1H7XQK4Y"},
                            format="json")
    messages = resp.json()["messages"]
    assert "check character" in messages["en"]
    assert "校验" in messages["zh-hans"] or messages["zh-hans"] != messages["en"]


def test_registration_page_shows_the_wrong_code(client):
    client.cookies["django_language"] = "en"
    resp = client.post("/register/", {**REGISTRATION, "uscc": "91310115MA1H7XQK4Y"})
    assert resp.status_code == 400
    assert b"check character" in resp.content
    assert not Organisation.objects.filter(kind="exporter").exists()


def test_valid_registration_then_duplicate_is_refused():
    ok = APIClient().post("/api/exporters/register/",
                          {**REGISTRATION, "uscc": make_uscc(77), "licence_scan": pdf_upload()}, format="multipart")
    assert ok.status_code == 201
    again = APIClient().post("/api/exporters/register/",
                             {**REGISTRATION, "uscc": make_uscc(77), "username": "other",
                              "licence_scan": pdf_upload()}, format="multipart")
    assert again.status_code == 400 and again.json()["code"] == "duplicate"
    assert Organisation.objects.filter(code=make_uscc(77)).count() == 1


@pytest.mark.parametrize("content,name,fragment", [
    (b"GIF89a not a pdf", "euc.pdf", b"Only PDF"),
    (b"%PDF-1.7\n garbage that is no pdf at all", "euc.pdf", b"damaged"),
    (b"", "euc.pdf", b"empty"),
])
def test_non_pdf_certificate_is_refused_and_nothing_stored(actors, case_factory, settings, content, name, fragment):
    app = case_factory("draft")
    before_docs = Document.objects.count()
    before_events = AuditEvent.objects.count()
    resp = api(actors.owner).post(
        f"/api/applications/{app.pk}/documents/",
        {"kind": "end_user_certificate", "file": SimpleUploadedFile(name, content, "application/pdf"),
         "version": app.version},
        format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 400, resp.content
    assert fragment in resp.content
    assert Document.objects.count() == before_docs
    assert AuditEvent.objects.count() == before_events
    stored = list((settings.MEDIA_ROOT / "documents" / str(app.pk)).glob("*"))
    assert len(stored) == before_docs  # only the certificate the factory uploaded


def test_oversized_certificate_is_refused(actors, case_factory, settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 2000
    app = case_factory("draft")
    big = pdf_bytes(pages=40)
    assert len(big) > 2000
    resp = api(actors.owner).post(f"/api/applications/{app.pk}/documents/",
                                  {"kind": "end_user_certificate", "file": SimpleUploadedFile("big.pdf", big),
                                   "version": app.version},
                                  format="multipart")
    assert resp.status_code == 400 and resp.json()["code"] == "too_large"
    assert app.documents.count() == 1


def test_huge_request_body_is_refused_before_it_is_read(actors, case_factory, settings):
    app = case_factory("draft")
    client = Client()
    client.force_login(actors.owner)
    resp = client.post(f"/cases/{app.pk}/documents/", data=b"x" * 10, content_type="application/pdf",
                       CONTENT_LENGTH=str(settings.PORTAL_MAX_REQUEST_BYTES + 1))
    assert resp.status_code == 413


@pytest.mark.parametrize("item,field", [
    ({**DRAFT["item"], "quantity": "-5"}, "quantity"),
    ({**DRAFT["item"], "quantity": "0"}, "quantity"),
    ({**DRAFT["item"], "quantity": "abc"}, "quantity"),
    ({**DRAFT["item"], "value_rmb": "-1"}, "value_rmb"),
    ({**DRAFT["item"], "control_code": "1X902"}, "control_code"),
    ({**DRAFT["item"], "control_code": "C1902"}, "control_code"),
    ({**DRAFT["item"], "control_code": "1C90"}, "control_code"),
])
def test_bad_items_are_refused(actors, case_factory, item, field):
    app = case_factory("draft")
    version = app.version
    resp = api(actors.owner).patch(f"/api/applications/{app.pk}/", {"item": item, "version": version},
                                   format="json")
    assert resp.status_code == 400, resp.content
    assert field in resp.content.decode()
    app.refresh_from_db()
    assert app.version == version
    assert str(app.items.get().quantity) == "25.000"


def test_wrong_types_are_refused(actors, case_factory):
    app = case_factory("draft")
    client = api(actors.owner)
    for payload in ({"item": "a string"}, {"importer": 5}, {"destination": "XX"}, {"end_use": ["x"]}):
        resp = client.patch(f"/api/applications/{app.pk}/", {**payload, "version": app.version}, format="json")
        assert resp.status_code == 400, (payload, resp.content)
    resp = client.post("/api/applications/", data="{not json", content_type="application/json")
    assert resp.status_code == 400
    assert Application.objects.count() == 1


def test_the_control_code_message_says_what_is_wrong(actors):
    resp = api(actors.owner).post("/api/applications/", {"item": {**DRAFT["item"], "control_code": "1F9"}},
                                  format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 400
    detail = resp.json()["detail"]
    assert "A-E" in detail and "three digits" in detail


def test_transition_from_the_wrong_state_is_409_and_changes_nothing(actors, case_factory):
    app = case_factory("draft")
    approve = {"outcome": "approve", "reasons": "ok"}
    resp = api(actors.ministry).post(f"/api/applications/{app.pk}/recommendation/", approve, format="json")
    assert resp.status_code == 404  # a draft is invisible to the ministry
    forwarded = case_factory("forwarded")
    resp = api(actors.ministry).post(f"/api/applications/{forwarded.pk}/recommendation/",
                                     {**approve, "version": forwarded.version}, format="json")
    assert resp.status_code == 409 and resp.json()["code"] == "invalid_transition"
    forwarded.refresh_from_db()
    assert forwarded.status == "forwarded" and forwarded.decided_at is None
    resp = api(actors.owner).patch(f"/api/applications/{forwarded.pk}/", {"end_use": "x", "version": forwarded.version},
                                   format="json")
    assert resp.status_code == 409


def test_submit_incomplete_is_refused_with_what_is_missing(actors):
    client = api(actors.owner)
    draft = client.post("/api/applications/", {"destination": "DE"}, format="json").json()
    app_id = draft["id"]
    resp = client.post(f"/api/applications/{app_id}/submit/", {"version": draft["version"]}, format="json",
                       HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 400 and resp.json()["code"] == "incomplete"
    assert "end-user certificate" in resp.json()["detail"]
    assert Application.objects.get(pk=app_id).status == "draft"


def test_refusal_and_return_need_a_reason(actors, case_factory):
    app = case_factory("submitted")
    resp = api(actors.province).post(f"/api/applications/{app.pk}/return/", {"reason": "  ", "version": app.version},
                                     format="json")
    assert resp.status_code == 400
    deciding = case_factory("awaiting_decision")
    path = f"/api/applications/{deciding.pk}/recommendation/"
    resp = api(actors.ministry).post(path, {"outcome": "refuse", "factors": ["end_user"], "version": deciding.version},
                                     format="json")
    assert resp.status_code == 400 and "reasons" in resp.json()["fields"]
    resp = api(actors.ministry).post(path, {"outcome": "refuse", "factors": ["end_user"], "reasons": "  ",
                                            "version": deciding.version},
                                     format="json")
    assert resp.status_code == 400 and "reasons" in resp.json()["fields"]
    deciding.refresh_from_db()
    assert deciding.status == "awaiting_decision" and not deciding.recommendations.exists()


def test_stale_form_is_refused(actors, case_factory):
    app = case_factory("submitted")
    stale = app.version
    assert api(actors.province).post(f"/api/applications/{app.pk}/return/", {"reason": "fix", "version": stale},
                                     format="json").status_code == 200
    client = Client()
    assert client.login(username=actors.province.username, password=PASSWORD)
    resp = client.post(f"/cases/{app.pk}/act/forward/", {"version": stale})
    assert resp.status_code == 409
    app.refresh_from_db()
    assert app.status == "returned"


def test_double_click_on_submit_in_the_browser_makes_one_case(actors, case_factory):
    app = case_factory("draft")
    client = Client()
    assert client.login(username=actors.owner.username, password=PASSWORD)
    first = client.post(f"/cases/{app.pk}/act/submit/", {"version": app.version})
    second = client.post(f"/cases/{app.pk}/act/submit/", {"version": app.version})
    assert first.status_code == second.status_code == 302
    app.refresh_from_db()
    assert app.status == "submitted" and app.reference
    submits = AuditEvent.objects.filter(object_id=str(app.pk), action="application.submit").count()
    assert submits == 1


def test_unknown_action_and_non_numeric_ids_are_404(actors, case_factory):
    app = case_factory("draft")
    client = Client()
    client.force_login(actors.owner)
    assert client.post(f"/cases/{app.pk}/act/explode/").status_code == 404
    assert api(actors.owner).get("/api/applications/abc/").status_code == 404


def test_non_integer_version_is_a_400_not_a_crash(actors, case_factory):
    app = case_factory("draft")
    client = api(actors.owner)
    resp = client.patch(f"/api/applications/{app.pk}/", {"end_use": "x", "version": "1.5"}, format="json")
    assert resp.status_code == 400
    resp = client.post(f"/api/applications/{app.pk}/documents/",
                       {"kind": "other", "file": SimpleUploadedFile("a.pdf", pdf_bytes()), "version": "abc"},
                       format="multipart")
    assert resp.status_code == 400
    assert app.documents.count() == 1


def test_json_numbers_zero_and_one_are_numbers(actors):
    resp = api(actors.owner).post("/api/applications/", {"item": {**DRAFT["item"], "quantity": 1, "value_rmb": 0}},
                                  format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["items"][0]["quantity"] == "1.000"


def test_astronomical_numbers_on_the_page_are_refused(actors):
    client = Client()
    client.force_login(actors.owner)
    resp = client.post("/cases/new/", {"item_control_code": "1C902.a", "item_description": "x",
                                       "item_quantity": "1e1000000", "item_unit": "kg", "item_value_rmb": "1"})
    assert resp.status_code == 400
    assert not Application.objects.exists()


def test_user_names_are_validated():
    resp = APIClient().post("/api/exporters/register/",
                            {**REGISTRATION, "uscc": make_uscc(78), "username": "<b>x</b> /../"}, format="json")
    assert resp.status_code == 400 and "username" in resp.json()["fields"]
    assert not Organisation.objects.filter(code=make_uscc(78)).exists()


def test_error_page_does_not_link_to_another_site(actors, case_factory):
    app = case_factory("submitted")
    client = Client()
    client.force_login(actors.owner)
    resp = client.get(f"/cases/{app.pk}/edit/", HTTP_REFERER="https://evil.example/x")
    assert resp.status_code == 409 and b"evil.example" not in resp.content


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/parties/?q=%00", "/api/licences/?exporter=a%00b", "/parties/?q=%00"])
def test_a_null_character_in_the_query_string_is_a_400_not_a_server_error(actors, path):
    """PostgreSQL refuses NUL in any text: the portal answers 400 before a search reaches it."""
    client = Client()
    client.force_login(actors.colleague)
    response = client.get(path)
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json()["code"] == "bad_request"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/companies/9223372036854775808/licence-scan/",
                                  "/api/registration/applications/99999999999999999999/file/",
                                  "/cases/9223372036854775808/", "/compliance/icp/9223372036854775808/"])
def test_an_id_beyond_any_database_id_is_a_404_not_a_server_error(actors, path):
    """SQLite cannot bind an integer over 2**63 - 1 (OverflowError): the path is answered 404 first."""
    client = Client()
    client.force_login(actors.colleague)
    response = client.post(path, {}) if path.endswith("/file/") else client.get(path)
    assert response.status_code == 404
    if path.startswith("/api/"):
        assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_the_largest_database_id_is_still_looked_up(actors):
    client = Client()
    client.force_login(actors.colleague)
    assert client.get("/api/companies/9223372036854775807/licence-scan/").status_code == 404  # looked up, none
    assert client.get(f"/cases/{2**63 - 1}/").status_code == 404

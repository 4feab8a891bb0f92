"""The whole thin case through the REST API, with token and session authentication."""

import uuid

import pytest
from rest_framework.test import APIClient

from accounts.models import Organisation, User
from audit.services import verify_chain
from licensing.models import Application, Licence
from outbox.models import OutboxMessage
from tests.factories import DRAFT, PASSWORD, make_uscc, pdf_bytes, pdf_upload

pytestmark = pytest.mark.django_db


def token_client(username, password=PASSWORD):
    client = APIClient()
    resp = client.post("/api/auth/token/", {"username": username, "password": password}, format="json")
    assert resp.status_code == 200, resp.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {resp.json()['token']}")
    return client


def test_whole_flow_through_the_api(actors, calendar_2027, django_capture_on_commit_callbacks):
    anon = APIClient()
    # An exporter registers itself through the API.
    resp = anon.post("/api/exporters/register/", {
        "uscc": make_uscc(9001), "name_zh": "杭州测试材料有限公司", "name_en": "Hangzhou Test Materials",
        "province": "31", "address": "上海市测试路 9 号", "contact_name": "王", "contact_phone": "021-1234",
        "email": "admin@hz.example", "username": "hz_admin", "password": "Very-secret-2026",
        "licence_scan": pdf_upload("business-licence.pdf"),
    }, format="multipart")
    assert resp.status_code == 201, resp.content
    assert resp.json()["organisation"]["verification"] == "pending"
    admin = token_client("hz_admin", "Very-secret-2026")
    province = token_client(actors.province.username)
    pending = province.get("/api/companies/", {"verification": "pending"}).json()
    company_id = next(c["id"] for c in pending if c["code"] == make_uscc(9001))

    # The admin invites a colleague, who accepts.
    with django_capture_on_commit_callbacks(execute=True):
        resp = admin.post("/api/invitations/", {"email": "staff@hz.example"}, format="json")
    assert resp.status_code == 201
    invitation = Organisation.objects.get(code=make_uscc(9001)).invitations.get()
    resp = anon.post(f"/api/invitations/{invitation.token}/accept/",
                     {"username": "hz_staff", "password": "Another-secret-2026"}, format="json")
    assert resp.status_code == 201, resp.content
    assert User.objects.get(username="hz_staff").role == "exporter_staff"
    staff = token_client("hz_staff", "Another-secret-2026")

    # Draft, retried create with the same Idempotency-Key gives one draft.
    key = str(uuid.uuid4())
    first = staff.post("/api/applications/", {"destination": "DE"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = staff.post("/api/applications/", {"destination": "DE"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    app_id = first.json()["id"]
    resp = staff.patch(f"/api/applications/{app_id}/", {**DRAFT, "version": first.json()["version"]},
                       format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["items"][0]["control_code"] == "1C902.a"

    resp = staff.post(f"/api/applications/{app_id}/documents/",
                      {"kind": "end_user_certificate", "file": _file()}, format="multipart",
                      HTTP_IF_MATCH=staff.get(f"/api/applications/{app_id}/")["ETag"])
    assert resp.status_code == 201, resp.content
    version = staff.get(f"/api/applications/{app_id}/").json()["version"]

    # The province has not verified the company yet: no submission.
    early = staff.post(f"/api/applications/{app_id}/submit/", {"version": version}, format="json")
    assert early.status_code == 400 and early.json()["code"] == "not_verified"
    assert province.post(f"/api/companies/{company_id}/verify/").json()["verification"] == "verified"

    # Submitting twice (a retried request) creates one case.
    r1 = staff.post(f"/api/applications/{app_id}/submit/", {"version": version}, format="json")
    r2 = staff.post(f"/api/applications/{app_id}/submit/", {"version": version}, format="json")
    assert r1.status_code == 200 and r2.status_code == 200, (r1.content, r2.content)
    assert r1.json()["reference"] == r2.json()["reference"]
    assert r1.json()["version"] == r2.json()["version"]
    assert Application.objects.filter(exporter__code=make_uscc(9001)).exclude(reference=None).count() == 1

    # The province returns it; the exporter corrects and resubmits; the province forwards.
    resp = province.post(f"/api/applications/{app_id}/return/", {"reason": "证书缺少签字 / unsigned", "version": r1.json()["version"]},
                         format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "returned"
    resp = staff.patch(f"/api/applications/{app_id}/", {"end_use": "Corrected end use",
                                                         "version": resp.json()["version"]}, format="json")
    assert resp.status_code == 200
    resp = staff.post(f"/api/applications/{app_id}/submit/", {"version": resp.json()["version"]}, format="json")
    assert resp.json()["status"] == "submitted"
    # A client may name the version by If-Match instead, with the ETag of its last read.
    etag = province.get(f"/api/applications/{app_id}/")["ETag"]
    assert etag == f'"{resp.json()["version"]}"'
    assert province.post(f"/api/applications/{app_id}/forward/", {}, format="json",
                         HTTP_IF_MATCH=etag).status_code == 200

    ministry = token_client(actors.ministry.username)
    resp = ministry.post(f"/api/applications/{app_id}/accept/", {}, format="json",
                         HTTP_IF_MATCH=ministry.get(f"/api/applications/{app_id}/")["ETag"])
    assert resp.status_code == 200
    assert resp.json()["decision_deadline"]["due"] is not None
    # No agency needs consulting; the officer recommends approval; 1C902.a (a 9xx item) needs a
    # senior officer's countersignature under the seeded rules.
    resp = ministry.post(f"/api/applications/{app_id}/referrals/skip/", {"reason": "无需会商 / none concerned",
                                                                          "version": resp.json()["version"]},
                         format="json")
    assert resp.status_code == 200, resp.content
    resp = ministry.post(f"/api/applications/{app_id}/recommendation/",
                         {"outcome": "approve", "reasons": "符合条件", "version": Application.objects.get(pk=app_id).version},
                         format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "awaiting_countersign", resp.content
    senior = token_client(actors.senior.username)
    with django_capture_on_commit_callbacks(execute=True):
        resp = senior.post(f"/api/applications/{app_id}/countersign/", {"version": resp.json()["version"]},
                           format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "approved"
    assert resp.json()["recommendation"]["countersigned_by"]["id"] == actors.senior.pk

    licence = Licence.objects.get(application_id=app_id)
    assert OutboxMessage.objects.filter(task="licensing.issue_licence", sent_at__isnull=False).exists()
    resp = staff.get(f"/api/applications/{app_id}/licence/")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert b"".join(resp.streaming_content if resp.streaming else [resp.content]).startswith(b"%PDF")
    assert staff.get(f"/api/applications/{app_id}/").json()["licence"]["number"] == licence.number
    # The province handled the case but may not download the licence.
    assert province.get(f"/api/applications/{app_id}/licence/").status_code == 404
    assert ministry.get(f"/api/applications/{app_id}/licence/").status_code == 200
    assert verify_chain().ok


def test_session_authentication_works_for_the_api(actors):
    client = APIClient()
    assert client.login(username=actors.owner.username, password=PASSWORD)
    assert client.get("/api/me/").json()["role"] == "exporter_staff"


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    body = schema.content.decode()
    assert "openapi: 3" in body and "/api/applications/{id}/submit/" in body
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def _file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("euc.pdf", pdf_bytes(), content_type="application/pdf")

"""Internal compliance programmes, the API twins of the pages under /api/compliance/icp/: every role
on every endpoint, the exporter administrator's writes, the ministry's evaluation steps (wrong
state and stale version 409), bad input 400 and the documented schema."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from compliance.icp import evaluations, services
from compliance.icp.models import EvidencePeriod, ICPElement, ICPEvaluation, ICPEvidence
from tests.factories import pdf_bytes, pdf_upload

pytestmark = pytest.mark.django_db

ROLES = ("owner", "colleague", "outsider", "province", "other_province", "ministry", "senior", "agency", "customs")


def api_as(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def expect(actors, call, table, default):
    got = {who: call(getattr(actors, who)) for who in ROLES}
    assert got == {who: table.get(who, default) for who in ROLES}


@pytest.fixture
def world(actors):
    org = actors.colleague.organisation
    doc = services.icp_evidence_add(actor=actors.colleague, organisation_id=org.pk, element="training",
                                    uploads=[pdf_upload("attendance.pdf")])[0]
    today = timezone.localdate()
    issued = evaluations.icp_evaluation_create(actor=actors.ministry, organisation_id=org.pk, evaluated_on=today)
    evaluations.icp_evaluation_update(actor=actors.ministry, organisation_id=org.pk, evaluation_id=issued.pk,
                                      rating="good", valid_until=today + timedelta(days=30), evaluated_on=today)
    issued = evaluations.icp_evaluation_issue(actor=actors.ministry, organisation_id=org.pk, evaluation_id=issued.pk)
    draft = evaluations.icp_evaluation_create(actor=actors.ministry, organisation_id=org.pk)
    return type("World", (), {"org": org, "doc": doc, "issued": issued, "draft": draft,
                              "base": f"/api/compliance/icp/{org.pk}/"})


def test_reads_for_every_role(actors, world):
    table = {"owner": 200, "colleague": 200, "outsider": 200, "province": 200, "other_province": 200,
             "ministry": 200, "senior": 200}
    expect(actors, lambda u: api_as(u).get("/api/compliance/icp/").status_code, table, 403)
    rows = api_as(actors.owner).get("/api/compliance/icp/").json()["results"]
    assert [r["exporter"] for r in rows] == [world.org.pk] and rows[0]["rating"] == "good" and rows[0]["has_icp"]
    assert world.org.pk not in [r["exporter"] for r in api_as(actors.other_province).get(
        "/api/compliance/icp/").json()["results"]]
    assert api_as(actors.ministry).get("/api/compliance/icp/?rating=excellent").status_code == 400
    assert api_as(None).get("/api/compliance/icp/").status_code in (401, 403)
    table = {"owner": 200, "colleague": 200, "province": 200, "ministry": 200, "senior": 200}
    expect(actors, lambda u: api_as(u).get(world.base).status_code, table, 404)
    expect(actors, lambda u: api_as(u).get(world.base + f"evidence/{world.doc.pk}/").status_code, table, 404)
    expect(actors, lambda u: api_as(u).get(world.base + "evaluations/").status_code, table, 404)
    expect(actors, lambda u: api_as(u).get(world.base + f"evaluations/{world.issued.pk}/").status_code, table, 404)
    expect(actors, lambda u: api_as(u).get(world.base + f"evaluations/{world.draft.pk}/").status_code,
           {"ministry": 200, "senior": 200}, 404)
    expect(actors, lambda u: api_as(u).get("/api/compliance/icp/periods/").status_code,
           {"ministry": 200, "senior": 200}, 403)
    detail = api_as(actors.owner).get(world.base).json()
    training = next(e for e in detail["elements"] if e["element"] == "training")
    assert len(detail["elements"]) == 9 and training["staleness"] == "not_reviewed" and training["version"] == 1
    assert training["evidence"][0]["download"] == world.base + f"evidence/{world.doc.pk}/"
    assert detail["current_evaluation"]["id"] == world.issued.pk
    assert [e["id"] for e in api_as(actors.owner).get(world.base + "evaluations/").json()["results"]] == [
        world.issued.pk]
    assert api_as(actors.owner).get(world.base + f"evidence/{world.doc.pk}/").content == pdf_bytes()


def test_element_patch_for_every_role_and_its_rules(actors, world):
    url = world.base + "elements/training/"
    table = {"colleague": 200, "owner": 403, "outsider": 404, "province": 403, "ministry": 403, "senior": 403,
             "other_province": 403, "agency": 403, "customs": 403}
    # Roles that may never write are refused before anything is read (403); an administrator of
    # another company does not learn the exporter exists (404).
    expect(actors, lambda u: api_as(u).patch(url, {"assessment": "missing"}, format="json").status_code, table, 404)
    row = ICPElement.objects.get(element="training")
    assert row.assessment == "missing" and row.version == 2
    client = api_as(actors.colleague)
    resp = client.patch(url, {"last_reviewed_on": "2026-01-01", "owner_user": actors.owner.pk, "version": 2},
                        format="json")
    assert resp.status_code == 200
    row.refresh_from_db()
    assert (row.assessment, row.owner_user, str(row.last_reviewed_on)) == ("missing", actors.owner, "2026-01-01")
    assert client.patch(url, {"assessment": "partly", "version": 2}, format="json").status_code == 409
    assert client.patch(url, {"assessment": "great"}, format="json").status_code == 400
    assert client.patch(url, {"owner_user": actors.outsider.pk}, format="json").status_code == 400
    assert client.patch(url, {"last_reviewed_on": "2999-01-01"}, format="json").status_code == 400
    assert client.patch(url, {"owner_name": 5}, format="json").status_code == 400
    assert client.patch(url, {"version": "3"}, format="json").status_code == 400
    assert client.patch(world.base + "elements/nonsense/", {}, format="json").status_code == 404
    assert client.patch(url, "{bad", content_type="application/json").status_code == 400
    row.refresh_from_db()
    assert row.version == 3 and row.assessment == "missing"


def test_evidence_upload_and_delete_for_every_role(actors, world, settings):
    url = world.base + "elements/audit/evidence/"
    table = {"colleague": 201, "outsider": 404}
    expect(actors, lambda u: api_as(u).post(url, {"documents": [pdf_upload("a.pdf")]}, format="multipart")
           .status_code, table, 403)
    assert ICPEvidence.objects.filter(element__element="audit").count() == 1
    client = api_as(actors.colleague)
    bad = client.post(url, {"documents": [pdf_upload("a.txt", b"not a pdf")]}, format="multipart")
    assert bad.status_code == 400 and bad.json()["code"] == "not_pdf"
    assert client.post(url, {}, format="multipart").status_code == 400
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024
    big = client.post(url, {"documents": [pdf_upload("big.pdf", pdf_bytes() + b"%" * 4096)]}, format="multipart")
    assert big.status_code in (400, 413)
    assert ICPEvidence.objects.filter(element__element="audit").count() == 1
    doc = world.base + f"evidence/{world.doc.pk}/"
    expect(actors, lambda u: api_as(u).delete(doc).status_code, {"colleague": 204, "outsider": 404}, 403)
    assert not ICPEvidence.objects.filter(pk=world.doc.pk).exists()


def test_evaluation_steps_for_every_role(actors, world):
    base = world.base + "evaluations/"
    table = {"ministry": 201, "senior": 201, "outsider": 403}
    expect(actors, lambda u: api_as(u).post(base, {"method": "on_site"}, format="json").status_code, table, 403)
    assert ICPEvaluation.objects.filter(method="on_site").count() == 2
    draft = base + f"{world.draft.pk}/"
    expect(actors, lambda u: api_as(u).patch(draft, {"summary": "x", "version": 999}, format="json").status_code,
           {"ministry": 409, "senior": 409}, 403)
    expect(actors, lambda u: api_as(u).post(draft + "issue/", {"version": 999}, format="json").status_code,
           {"ministry": 409, "senior": 409}, 403)
    expect(actors, lambda u: api_as(u).post(draft + "withdraw/", {"reason": "x", "version": 999}, format="json")
           .status_code, {"ministry": 409, "senior": 409}, 403)
    assert ICPEvaluation.objects.get(pk=world.draft.pk).status == "draft"


def test_a_draft_written_issued_and_withdrawn_through_the_api(actors, world):
    client = api_as(actors.ministry)
    base = world.base + "evaluations/"
    token = "5b4a3c52-4c55-4f5e-9a53-0cfd1b4c2d11"
    made = client.post(base, {"method": "paper"}, format="json", HTTP_IDEMPOTENCY_KEY=token).json()
    again = client.post(base, {"method": "paper"}, format="json", HTTP_IDEMPOTENCY_KEY=token).json()
    assert made["id"] == again["id"] and made["status"] == "draft" and made["version"] == 1
    url = base + f"{made['id']}/"
    today = timezone.localdate()
    body = {"rating": "adequate", "valid_until": (today + timedelta(days=400)).isoformat(),
            "evaluated_on": today.isoformat(), "findings": [
                {"element": "training", "severity": "minor", "text": "Train new staff"}], "version": 1}
    resp = client.patch(url, body, format="json")
    assert resp.status_code == 200 and resp.json()["findings"][0]["element"] == "training"
    resp = client.patch(url, {"summary": "Checked the records", "version": 2}, format="json")
    assert resp.json()["rating"] == "adequate" and len(resp.json()["findings"]) == 1  # kept what it did not name
    bad = client.patch(url, {"findings": [{"element": "x", "severity": "minor", "text": "t"}]}, format="json")
    assert bad.status_code == 400
    assert client.patch(url, {"rating": "excellent"}, format="json").status_code == 400
    assert api_as(actors.owner).get(url).status_code == 404  # a draft stays with the ministry
    resp = client.post(url + "issue/", {"version": 3}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "issued" and resp.json()["issued_at"]
    assert client.post(url + "issue/", {"version": 4}, format="json").status_code == 409
    mine = api_as(actors.owner).get(world.base).json()
    assert mine["current_evaluation"]["id"] == made["id"]
    assert [f["text"] for f in mine["findings_to_fix"]] == ["Train new staff"]
    assert api_as(actors.owner).get(base + f"{world.issued.pk}/").json()["superseded"] is True
    assert client.post(url + "withdraw/", {"version": 4}, format="json").status_code == 400
    resp = client.post(url + "withdraw/", {"reason": "Wrong company", "version": 4}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "withdrawn"
    assert api_as(actors.owner).get(world.base).json()["current_evaluation"] is None


def test_periods_for_every_role(actors, world):
    url = "/api/compliance/icp/periods/training/"
    expect(actors, lambda u: api_as(u).patch(url, {"months": 18}, format="json").status_code, {"senior": 200}, 403)
    assert EvidencePeriod.objects.get(element="training").months == 18
    client = api_as(actors.senior)
    for months in (0, 121, "x", None):
        assert client.patch(url, {"months": months}, format="json").status_code == 400
    assert client.patch("/api/compliance/icp/periods/nonsense/", {"months": 3}, format="json").status_code == 404
    assert EvidencePeriod.objects.get(element="training").months == 18


def test_the_schema_documents_the_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = [p for p in schema["paths"] if p.startswith("/api/compliance/icp/")]
    assert len(paths) == 11
    assert "ICPRatingEnum" in schema["components"]["schemas"] and "MethodEnum" in schema["components"]["schemas"]
    upload = schema["paths"]["/api/compliance/icp/{org_id}/elements/{element}/evidence/"]["post"]
    assert list(upload["requestBody"]["content"]) == ["multipart/form-data"]

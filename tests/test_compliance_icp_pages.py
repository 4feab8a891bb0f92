"""Internal compliance programmes, pages and API: who may open and do what (every role on every new
page and endpoint), what each sees (the exporter its own programme and issued evaluations, never a
draft; the ministry all; a province its province's exporters read-only; agencies and customs
nothing), bad input and stale writes."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from compliance.icp import evaluations, services
from compliance.icp.models import EvidencePeriod, ICPElement, ICPEvaluation, ICPEvidence
from tests.factories import ExporterFactory, pdf_bytes, pdf_upload

pytestmark = pytest.mark.django_db

ROLES = ("owner", "colleague", "outsider", "province", "other_province", "ministry", "senior", "agency", "customs")


def page_as(user):
    client = Client()
    client.cookies["django_language"] = "en"
    if user is not None:
        client.force_login(user)
    return client


def api_as(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def world(actors):
    """The company's ICP with one element and one evidence document, an issued evaluation and a draft."""
    org = actors.colleague.organisation
    services.icp_element_update(actor=actors.colleague, organisation_id=org.pk, element="training",
                                owner_name="HR", last_reviewed_on=date(2025, 1, 1), assessment="partly")
    doc = services.icp_evidence_add(actor=actors.colleague, organisation_id=org.pk, element="training",
                                    uploads=[pdf_upload("attendance.pdf")])[0]
    today = timezone.localdate()
    issued = evaluations.icp_evaluation_create(actor=actors.ministry, organisation_id=org.pk,
                                               evaluated_on=today)
    evaluations.icp_evaluation_update(
        actor=actors.ministry, organisation_id=org.pk, evaluation_id=issued.pk, rating="adequate",
        valid_until=today + timedelta(days=365), evaluated_on=today, summary="Training to improve",
        findings=[{"element": "training", "severity": "minor", "text": "Refresh the training FINDING-TO-FIX"}])
    issued = evaluations.icp_evaluation_issue(actor=actors.ministry, organisation_id=org.pk, evaluation_id=issued.pk)
    draft = evaluations.icp_evaluation_create(actor=actors.ministry, organisation_id=org.pk)
    evaluations.icp_evaluation_update(actor=actors.ministry, organisation_id=org.pk, evaluation_id=draft.pk,
                                      rating="poor", summary="DRAFT-SECRET")
    return type("World", (), {"org": org, "doc": doc, "issued": issued, "draft": ICPEvaluation.objects.get(
        pk=draft.pk)})


def expect(actors, call, table, default):
    got = {who: call(getattr(actors, who)) for who in ROLES}
    wanted = {who: table.get(who, default) for who in ROLES}
    assert got == wanted


# ---------------------------------------------------------------- pages: every role


def test_the_list_page(actors, world):
    table = {"owner": 302, "colleague": 302, "outsider": 302, "province": 200, "other_province": 200,
             "ministry": 200, "senior": 200}
    expect(actors, lambda u: page_as(u).get("/compliance/icp/").status_code, table, 403)
    assert page_as(actors.owner).get("/compliance/icp/")["Location"] == f"/compliance/icp/{world.org.pk}/"
    assert page_as(None).get("/compliance/icp/").status_code == 302
    assert f"icp-exporter-{world.org.pk}" in page_as(actors.province).get("/compliance/icp/").content.decode()
    assert f"icp-exporter-{world.org.pk}" not in page_as(actors.other_province).get("/compliance/icp/").content.decode()


def test_the_list_filters_and_does_not_grow_queries(actors, world, django_assert_max_num_queries):
    for _ in range(5):
        ExporterFactory()
    client = page_as(actors.ministry)
    with django_assert_max_num_queries(12):
        body = client.get("/compliance/icp/").content.decode()
    assert f'id="icp-exporter-{world.org.pk}" data-rating="adequate"' in body
    body = client.get("/compliance/icp/?rating=good").content.decode()
    assert f"icp-exporter-{world.org.pk}" not in body
    body = client.get("/compliance/icp/?rating=none").content.decode()
    assert f"icp-exporter-{world.org.pk}" not in body and f"icp-exporter-{actors.outsider.organisation_id}" in body
    body = client.get(f"/compliance/icp/?q={world.org.code}").content.decode()
    assert body.count('id="icp-exporter-') == 1
    assert client.get("/compliance/icp/?rating=excellent").status_code == 400


def test_the_detail_page(actors, world):
    url = f"/compliance/icp/{world.org.pk}/"
    table = {"owner": 200, "colleague": 200, "province": 200, "ministry": 200, "senior": 200}
    expect(actors, lambda u: page_as(u).get(url).status_code, table, 404)
    body = page_as(actors.owner).get(url).content.decode()
    assert 'id="icp-element-training" data-staleness="stale"' in body and "attendance.pdf" in body
    assert "FINDING-TO-FIX" in body and "DRAFT-SECRET" not in body and 'data-status="draft"' not in body
    assert 'id="icp-rating" data-rating="adequate"' in body
    assert f"/compliance/icp/{world.org.pk}/elements/training/" not in body  # staff reads, does not edit
    assert f"/compliance/icp/{world.org.pk}/elements/training/" in page_as(actors.colleague).get(url).content.decode()
    ministry = page_as(actors.ministry).get(url).content.decode()
    assert 'data-status="draft"' in ministry and "/evaluations/new/" in ministry
    assert page_as(actors.ministry).get("/compliance/icp/999999/").status_code == 404


def test_the_element_page_and_its_writes(actors, world):
    org = world.org.pk
    url = f"/compliance/icp/{org}/elements/training/"
    table = {"colleague": 200, "owner": 403, "province": 403, "ministry": 403, "senior": 403}
    expect(actors, lambda u: page_as(u).get(url).status_code, table, 404)
    assert page_as(actors.colleague).get(f"/compliance/icp/{org}/elements/nonsense/").status_code == 404
    data = {"version": 1, "owner_name": "Ms Li", "last_reviewed_on": "2026-01-05", "assessment": "in_place",
            "assessment_text": "Done"}
    table = {"colleague": 302, "owner": 403, "province": 403, "ministry": 403, "senior": 403}
    statuses = {}
    for who in ROLES:
        statuses[who] = page_as(getattr(actors, who)).post(url, {**data, "version": ICPElement.objects.get(
            element="training").version}).status_code
    assert statuses == {who: table.get(who, 404) for who in ROLES}
    row = ICPElement.objects.get(element="training")
    assert (row.owner_name, row.last_reviewed_on, row.assessment, row.version) == ("Ms Li", date(2026, 1, 5),
                                                                                  "in_place", 2)


def test_the_element_form_refuses_bad_input_and_a_stale_version(actors, world):
    url = f"/compliance/icp/{world.org.pk}/elements/training/"
    client = page_as(actors.colleague)
    resp = client.post(url, {"version": 1, "last_reviewed_on": "2999-01-01"})
    assert resp.status_code == 400 and "The date cannot be in the future." in resp.content.decode()
    assert client.post(url, {"version": 1, "owner_user": actors.outsider.pk}).status_code == 400
    resp = client.post(url, {"version": 0, "assessment": "missing"})
    assert resp.status_code == 409
    assert ICPElement.objects.get(element="training").assessment == "partly"


def test_evidence_upload_download_and_removal_pages(actors, world):
    org = world.org.pk
    add = f"/compliance/icp/{org}/elements/audit/evidence/"
    table = {"colleague": 302, "owner": 403, "province": 403, "ministry": 403, "senior": 403}
    expect(actors, lambda u: page_as(u).post(add, {"documents": [pdf_upload("audit.pdf")]}).status_code, table, 404)
    assert list(ICPEvidence.objects.filter(element__element="audit").values_list("original_name", flat=True)) == [
        "audit.pdf"]
    client = page_as(actors.colleague)
    resp = client.post(add, {"documents": [pdf_upload("notes.pdf", b"hello")]})
    assert resp.status_code == 400 and "Only PDF files are accepted." in resp.content.decode()
    assert ICPEvidence.objects.filter(element__element="audit").count() == 1
    get = f"/compliance/icp/{org}/evidence/{world.doc.pk}/"
    table = {"owner": 200, "colleague": 200, "province": 200, "ministry": 200, "senior": 200}
    expect(actors, lambda u: page_as(u).get(get).status_code, table, 404)
    assert page_as(actors.owner).get(get).content == pdf_bytes()
    outsider_org = actors.outsider.organisation_id
    assert page_as(actors.outsider).get(f"/compliance/icp/{outsider_org}/evidence/{world.doc.pk}/").status_code == 404
    remove = f"/compliance/icp/{org}/evidence/{world.doc.pk}/remove/"
    table = {"colleague": 302, "owner": 403, "province": 403, "ministry": 403, "senior": 403}
    expect(actors, lambda u: page_as(u).post(remove).status_code, table, 404)
    assert not ICPEvidence.objects.filter(pk=world.doc.pk).exists()


def test_too_large_evidence_upload_page(actors, world, settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024
    resp = page_as(actors.colleague).post(f"/compliance/icp/{world.org.pk}/elements/audit/evidence/",
                                          {"documents": [pdf_upload("big.pdf", pdf_bytes() + b"%" * 4096)]})
    assert resp.status_code in (400, 413) and not ICPEvidence.objects.filter(element__element="audit").exists()


def test_the_new_evaluation_page(actors, world):
    url = f"/compliance/icp/{world.org.pk}/evaluations/new/"
    table = {"ministry": 200, "senior": 200, "owner": 403, "colleague": 403, "province": 403}
    expect(actors, lambda u: page_as(u).get(url).status_code, table, 404)
    expect(actors, lambda u: page_as(u).post(url, {"method": "on_site", "evaluated_on": "2026-01-01"}).status_code,
           {**table, "ministry": 302, "senior": 302}, 404)
    assert ICPEvaluation.objects.filter(method="on_site").count() == 2
    resp = page_as(actors.ministry).post(url, {"method": "telepathy"})
    assert resp.status_code == 400


WRITE = {"method": "paper", "reason": "Wrong company"}  # valid for each of the three forms


def test_the_evaluation_pages(actors, world):
    org = world.org.pk
    issued, draft = f"/compliance/icp/{org}/evaluations/{world.issued.pk}/", \
        f"/compliance/icp/{org}/evaluations/{world.draft.pk}/"
    table = {"owner": 200, "colleague": 200, "province": 200, "ministry": 200, "senior": 200}
    expect(actors, lambda u: page_as(u).get(issued).status_code, table, 404)
    expect(actors, lambda u: page_as(u).get(draft).status_code, {"ministry": 200, "senior": 200}, 404)
    assert "FINDING-TO-FIX" in page_as(actors.owner).get(issued).content.decode()
    # Writes: the exporter and the province see an issued one but may not act (403); a draft they do not see.
    for action in ("edit", "issue", "withdraw"):
        expect(actors, lambda u, action=action: page_as(u).post(issued + f"{action}/", {**WRITE, "version": 1}).status_code,
               {"owner": 403, "colleague": 403, "province": 403, "ministry": 409, "senior": 409}, 404)
        expect(actors, lambda u, action=action: page_as(u).post(draft + f"{action}/", {**WRITE, "version": 999}).status_code,
               {"ministry": 409, "senior": 409}, 404)
    assert ICPEvaluation.objects.get(pk=world.draft.pk).status == "draft"


def test_write_issue_and_withdraw_from_the_pages(actors, world):
    org = world.org.pk
    url = f"/compliance/icp/{org}/evaluations/{world.draft.pk}/"
    client = page_as(actors.ministry)
    today = timezone.localdate()
    form = {"version": world.draft.version, "method": "on_site", "evaluated_on": today.isoformat(), "rating": "good",
            "valid_until": (today + timedelta(days=700)).isoformat(), "summary": "All good now",
            "severity_policy": "observation", "text_policy": "Sign it again"}
    assert client.post(url + "edit/", form).status_code == 302
    ev = ICPEvaluation.objects.get(pk=world.draft.pk)
    assert (ev.rating, ev.summary, [f.element for f in ev.findings.all()]) == ("good", "All good now", ["policy"])
    assert client.post(url + "edit/", form).status_code == 409  # the same form again: stale
    body = client.get(url).content.decode()
    assert 'name="severity_policy"' in body and "Sign it again" in body
    assert client.post(url + "issue/", {"version": ev.version}).status_code == 302
    assert client.post(url + "issue/", {"version": ev.version}).status_code == 409  # a double click
    world.issued.refresh_from_db()
    assert world.issued.superseded_by_id == ev.pk
    assert 'data-rating="good"' in page_as(actors.owner).get(f"/compliance/icp/{org}/").content.decode()
    resp = client.post(url + "withdraw/", {"version": ev.version + 1, "reason": ""})
    assert resp.status_code == 400
    assert client.post(url + "withdraw/", {"version": ev.version + 1, "reason": "Wrong company"}).status_code == 302
    assert ICPEvaluation.objects.get(pk=ev.pk).status == "withdrawn"


def test_an_incomplete_draft_is_not_issued_from_the_page(actors, world):
    url = f"/compliance/icp/{world.org.pk}/evaluations/{world.draft.pk}/issue/"
    resp = page_as(actors.ministry).post(url, {"version": world.draft.version})
    assert resp.status_code == 400 and "Give the date the evaluation is valid until." in resp.content.decode()


def test_the_periods_page(actors, world):
    table = {"ministry": 200, "senior": 200}
    expect(actors, lambda u: page_as(u).get("/compliance/icp/periods/").status_code, table, 403)
    assert 'name="months"' in page_as(actors.senior).get("/compliance/icp/periods/").content.decode()
    assert 'name="months"' not in page_as(actors.ministry).get("/compliance/icp/periods/").content.decode()
    expect(actors, lambda u: page_as(u).post("/compliance/icp/periods/", {"element": "training", "months": 6})
           .status_code, {"senior": 302}, 403)
    assert EvidencePeriod.objects.get(element="training").months == 6
    resp = page_as(actors.senior).post("/compliance/icp/periods/", {"element": "training", "months": 0})
    assert resp.status_code == 400 and EvidencePeriod.objects.get(element="training").months == 6


def test_the_nav_links_to_the_programmes(actors, world):
    for who in ("owner", "ministry", "province"):
        assert 'id="nav-icp"' in page_as(getattr(actors, who)).get("/compliance/icp/periods/" if who == "ministry"
                                                                   else f"/compliance/icp/{world.org.pk}/").content.decode()
    assert 'id="nav-icp"' not in page_as(actors.agency).get("/").content.decode()

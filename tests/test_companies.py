"""A registration is verified by the exporter's provincial department before the company files."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Organisation, Province
from audit.models import AuditEvent
from licensing.applications import services
from portal.errors import ValidationFailed
from tests.factories import DRAFT, PASSWORD, ExporterFactory, UserFactory, pdf_upload

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def newcomer(db):
    company = ExporterFactory(verification="pending")
    return UserFactory(organisation=company, role="exporter_admin")


def test_unverified_company_drafts_but_cannot_submit(newcomer):
    app, _ = services.application_create(actor=newcomer, data=DRAFT)
    services.document_add(application_id=app.pk, actor=newcomer, kind="end_user_certificate", upload=pdf_upload())
    with pytest.raises(ValidationFailed) as exc:
        services.application_submit(application_id=app.pk, actor=newcomer)
    assert exc.value.code == "not_verified"
    app.refresh_from_db()
    assert app.status == "draft" and app.reference is None


def test_province_verifies_and_the_company_can_submit(actors, newcomer):
    resp = api(actors.province).post(f"/api/companies/{newcomer.organisation_id}/verify/")
    assert resp.status_code == 200 and resp.json()["verification"] == "verified"
    again = api(actors.province).post(f"/api/companies/{newcomer.organisation_id}/verify/")
    assert again.status_code == 200  # a double click
    assert AuditEvent.objects.filter(action="organisation.verify").count() == 1
    app, _ = services.application_create(actor=newcomer, data=DRAFT)
    services.document_add(application_id=app.pk, actor=newcomer, kind="end_user_certificate", upload=pdf_upload())
    assert services.application_submit(application_id=app.pk, actor=newcomer).status == "submitted"


@pytest.mark.parametrize("who", ["other_province", "owner", "ministry", "agency", "customs"])
def test_only_the_companys_own_province_verifies(actors, newcomer, who):
    resp = api(getattr(actors, who)).post(f"/api/companies/{newcomer.organisation_id}/verify/")
    assert resp.status_code in (403, 404)
    newcomer.organisation.refresh_from_db()
    assert newcomer.organisation.verification == "pending"
    listed = api(getattr(actors, who)).get("/api/companies/").json()
    assert newcomer.organisation_id not in [c["id"] for c in listed]


def test_rejection_needs_a_reason_and_switches_the_accounts_off(actors, newcomer):
    client = api(actors.province)
    assert client.post(f"/api/companies/{newcomer.organisation_id}/reject/", {"reason": ""},
                       format="json").status_code == 400
    resp = client.post(f"/api/companies/{newcomer.organisation_id}/reject/", {"reason": "营业执照不符"},
                       format="json")
    assert resp.status_code == 200 and resp.json()["verification"] == "rejected"
    newcomer.refresh_from_db()
    assert not newcomer.is_active
    assert not Client().login(username=newcomer.username, password=PASSWORD)
    # A rejected registration cannot then be verified.
    assert client.post(f"/api/companies/{newcomer.organisation_id}/verify/").status_code == 409


def test_registrations_page_for_the_province(actors, newcomer):
    other = ExporterFactory(verification="pending", province=Province.objects.get(pk="44"))
    client = Client()
    client.force_login(actors.province)
    page = client.get("/companies/")
    assert page.status_code == 200
    assert newcomer.organisation.code.encode() in page.content and other.code.encode() not in page.content
    resp = client.post("/companies/", {"organisation": newcomer.organisation_id, "action": "verify"})
    assert resp.status_code == 302
    assert Organisation.objects.get(pk=newcomer.organisation_id).verification == "verified"
    assert client.post("/companies/", {"organisation": other.pk, "action": "verify"}).status_code == 404
    exporter = Client()
    exporter.force_login(actors.owner)
    assert exporter.get("/companies/").status_code == 403


def test_exporter_sees_that_its_registration_is_pending(newcomer):
    client = Client()
    client.force_login(newcomer)
    assert b'id="verification-pending"' in client.get("/cases/").content

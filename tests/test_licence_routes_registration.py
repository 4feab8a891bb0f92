"""The registration route (登记填报): a filing under a listed circumstance gets its export
certificate at once when every condition holds, and is refused with every reason otherwise; the
certificate is seen by the exporter, the ministry and customs (and verified by a customs system)."""

import pytest
from django.utils import translation

from accounts.models import Verification
from audit.models import AuditEvent
from licensing.applications import services
from licensing.models import Application, RegistrationCertificate
from licensing.registration import services as registration
from notifications.models import Notification
from portal.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from tests.compliance_routes import penalty, publish_listed
from tests.conftest import make_case
from tests.factories import pdf_upload
from tests.test_customs_api import customs_system

pytestmark = pytest.mark.django_db

EXHIBITION = {"route": "registration", "circumstance": "exhibition", "trade_mode": "2700", "export_port": "2200"}


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def filing(actors, data=None, documents=("end_user_certificate", "other")):
    return make_case(actors, data={**EXHIBITION, **(data or {})}, documents=documents)


def refused_with(actors, app) -> list[str]:
    with pytest.raises(ValidationFailed) as refused:
        registration.registration_file(actor=actors.owner, application_id=app.pk)
    assert refused.value.code == "registration_refused"
    app.refresh_from_db()
    assert app.status == "draft" and not RegistrationCertificate.objects.exists()
    return [str(reason) for reason in refused.value.fields["conditions"]]


def test_a_filing_that_meets_the_conditions_gets_its_certificate(actors):
    app = filing(actors)
    certificate = registration.registration_file(actor=actors.owner, application_id=app.pk,
                                                 expected_version=app.version)
    app.refresh_from_db()
    assert app.status == "registered" and app.reference.startswith("DU") and app.submitted_at
    assert registration.certificate_number_is_valid(certificate.number) and "DJ" in certificate.number
    assert certificate.content["circumstance"]["code"] == "exhibition"
    assert certificate.content["items"][0]["control_code"] == "1C902.a"
    assert certificate.content["end_user"]["name"] == app.end_user.name
    again = registration.registration_file(actor=actors.owner, application_id=app.pk)
    assert again.pk == certificate.pk and RegistrationCertificate.objects.count() == 1
    assert AuditEvent.objects.filter(action="registration_certificate.issue").count() == 1
    assert AuditEvent.objects.filter(action="application.register").count() == 1
    assert Notification.objects.filter(kind="registration.certificate", recipient=actors.owner).count() == 1
    assert app.forwarded_at is None  # no review: the province and the ministry's queues never see it


def test_no_circumstance(actors):
    reasons = refused_with(actors, filing(actors, {"circumstance": ""}))
    assert any("Choose the listed circumstance" in r for r in reasons)


def test_a_trade_mode_that_does_not_match(actors):
    reasons = refused_with(actors, filing(actors, {"trade_mode": "0110"}))
    assert reasons == ["The trade mode does not match the circumstance; it takes: 2700 Exhibition goods (展览品)."]


def test_items_the_circumstance_does_not_cover(actors):
    app = filing(actors, {"circumstance": "aircraft-spares", "trade_mode": "0110"},
                 documents=("end_user_certificate", "contract"))
    reasons = refused_with(actors, app)
    assert reasons == ["These items are not covered by the circumstance (9A, 7A): 1C902.a."]


def test_documents_the_circumstance_requires(actors):
    app = filing(actors, {"circumstance": "repair-return", "trade_mode": "4561"},
                 documents=("end_user_certificate", "other"))
    reasons = refused_with(actors, app)
    assert reasons == ["Documents required for this circumstance are not attached: Contract."]
    services.document_add(application_id=app.pk, actor=actors.owner, kind="contract", upload=pdf_upload())
    assert registration.registration_file(actor=actors.owner, application_id=app.pk).circumstance.code == \
        "repair-return"


def test_an_exporter_that_is_not_eligible(actors):
    penalty(actors.owner.organisation, actors, kind="criminal")
    reasons = refused_with(actors, filing(actors))
    assert reasons == ["A criminal penalty for an export-control offence (Reg. 20)."]


def test_an_unverified_exporter(actors):
    organisation = actors.owner.organisation
    organisation.verification = Verification.PENDING
    organisation.save()
    assert any("not yet been verified" in r for r in refused_with(actors, filing(actors)))


def test_a_listed_party(actors):
    app = filing(actors)
    publish_listed(actors, app.end_user.name, country="DE")
    reasons = refused_with(actors, app)
    assert any("Control List" in r for r in reasons)


def test_a_watch_listed_party(actors):
    app = filing(actors)
    publish_listed(actors, app.importer.name, list_kind="watch", country="DE")
    assert any("Watch List" in r for r in refused_with(actors, app))


def test_missing_fields_and_a_catch_all_item(actors):
    app = filing(actors, {"export_port": "", "item": {"catch_all": True, "control_code": "", "description": "x",
                                                      "quantity": "1", "unit": "kg", "value_rmb": "1"}})
    reasons = refused_with(actors, app)
    assert "Missing: customs port of export." in reasons
    assert "The registration route covers listed items only, not catch-all items." in reasons


def test_only_a_registration_draft_of_ones_own_is_filed(actors):
    with pytest.raises(InvalidTransition):
        registration.registration_file(actor=actors.owner, application_id=make_case(actors).pk)
    app = filing(actors)
    with pytest.raises(NotFound):
        registration.registration_file(actor=actors.outsider, application_id=app.pk)
    for role in ("province", "ministry", "customs", "agency"):
        with pytest.raises(NotAllowed):
            registration.registration_file(actor=getattr(actors, role), application_id=app.pk)
    assert Application.objects.get(pk=app.pk).status == "draft"


# ---------------------------------------------------------------- pages and API


@pytest.fixture
def certificate(actors):
    app = filing(actors)
    return registration.registration_file(actor=actors.owner, application_id=app.pk)


ROLES = ["owner", "colleague", "outsider", "province", "other_province", "ministry", "senior", "agency", "customs"]
SEE = {"owner", "colleague", "ministry", "senior", "customs"}


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_certificate(client, actors, certificate, role):
    client.force_login(getattr(actors, role))
    number = certificate.number
    page = client.get(f"/registration/certificates/{number}/")
    printed = client.get(f"/registration/certificates/{number}/print/")
    listing = client.get("/registration/certificates/")
    api = client.get(f"/api/registration/certificates/{number}/")
    api_list = client.get("/api/registration/certificates/")
    if role in SEE:
        assert page.status_code == 200 and number in page.content.decode()
        assert printed.status_code == 200 and "Export Certificate for Dual-use Items" in printed.content.decode()
        assert listing.status_code == 200 and number in listing.content.decode()
        assert api.status_code == 200 and api.json()["circumstance"] == "exhibition"
        assert [row["number"] for row in api_list.json()] == [number]
    else:
        assert page.status_code == 404 and printed.status_code == 404 and api.status_code == 404
        if role == "outsider":
            assert listing.status_code == 200 and number not in listing.content.decode()
            assert api_list.json() == []
        else:
            assert listing.status_code == 403 and api_list.status_code == 403


def test_the_filing_page(client, actors):
    app = filing(actors, {"trade_mode": "0110"})
    client.force_login(actors.owner)
    page = client.get(f"/cases/{app.pk}/register/")
    assert page.status_code == 200 and "does not match the circumstance" in page.content.decode()
    assert client.post(f"/cases/{app.pk}/register/", {"version": app.version}).status_code == 400
    services.application_update_draft(application_id=app.pk, actor=actors.owner, data={"trade_mode": "2700"})
    app.refresh_from_db()
    assert 'id="registration-ready"' in client.get(f"/cases/{app.pk}/register/").content.decode()
    case_page = client.get(f"/cases/{app.pk}/").content.decode()
    assert 'id="registration-file-link"' in case_page
    response = client.post(f"/cases/{app.pk}/register/", {"version": app.version})
    number = RegistrationCertificate.objects.get().number
    assert response.status_code == 302 and response.url.endswith(f"/registration/certificates/{number}/")
    assert client.get(f"/cases/{app.pk}/register/").status_code == 302  # filed: to the certificate
    assert 'id="registration-certificate-link"' in client.get(f"/cases/{app.pk}/").content.decode()


@pytest.mark.parametrize("role", ["outsider", "province", "ministry", "customs", "agency"])
def test_the_filing_page_is_the_exporters(client, actors, role):
    app = filing(actors)
    client.force_login(getattr(actors, role))
    assert client.get(f"/cases/{app.pk}/register/").status_code in (403, 404)
    assert client.post(f"/cases/{app.pk}/register/").status_code in (403, 404)
    assert client.post(f"/api/registration/applications/{app.pk}/file/", {},
                       content_type="application/json").status_code in (403, 404)
    assert not RegistrationCertificate.objects.exists()


def test_the_filing_api(client, actors):
    app = filing(actors)
    client.force_login(actors.owner)
    url = f"/api/registration/applications/{app.pk}/file/"
    assert client.post(url, {"version": "x"}, content_type="application/json").status_code == 400
    assert client.post(url, {"version": app.version + 5}, content_type="application/json").status_code == 409
    first = client.post(url, {"version": app.version}, content_type="application/json")
    assert first.status_code == 201, first.content
    again = client.post(url, {}, content_type="application/json")
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    refused = filing(actors, {"trade_mode": "0110"})
    response = client.post(f"/api/registration/applications/{refused.pk}/file/", {},
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "registration_refused"
    assert client.post("/api/registration/applications/99999999/file/", {},
                       content_type="application/json").status_code == 404


def test_customs_systems_verify_a_certificate(actors, certificate):
    _system, client, _token = customs_system()
    response = client.get(f"/api/customs/registration-certificates/{certificate.number}/")
    assert response.status_code == 200 and response.json()["valid"] is True
    assert client.get(f"/api/customs/registration-certificates/{certificate.number[:-1]}X/").status_code == 404
    assert client.get("/api/customs/registration-certificates/abc/").json()["code"] == \
        "certificate_number_malformed"
    _other, feed_only, _t = customs_system(code="feed-only", scopes=["feed"])
    assert feed_only.get(f"/api/customs/registration-certificates/{certificate.number}/").status_code == 403

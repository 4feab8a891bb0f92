"""Issue 5's permission matrix: for a case under review, a non-referred agency, another province,
another exporter, exporter staff of the same company without access and an anonymous visitor get
nothing of the case, its opinions or its documents, on any page or API; a referred agency sees its
own opinion and never another agency's."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Organisation, Role
from licensing.models import Document, Referral
from licensing.referrals import services as referrals
from licensing.requests import services as requests
from tests.factories import PASSWORD, UserFactory, pdf_upload

pytestmark = pytest.mark.django_db

MIIT_REASONS = "MIIT-ONLY: alloy fit for missile guidance parts"
MFA_REASONS = "MFA-ONLY: no foreign-policy objection"


@pytest.fixture
def review(actors, case_factory, django_capture_on_commit_callbacks):
    """A case with MIIT and MFA: both answered, an RFI answered with a PDF, awaiting decision."""
    with django_capture_on_commit_callbacks(execute=True):
        app = case_factory("accepted")
    mfa = UserFactory(organisation=Organisation.objects.get(code="MFA"), role=Role.AGENCY_REVIEWER)
    referrals.referral_add(application_id=app.pk, actor=actors.ministry,
                           agency_id=Organisation.objects.get(code="MFA").pk, reason="destination")
    referrals.referrals_send(application_id=app.pk, actor=actors.ministry)
    rfi = requests.rfi_ask(application_id=app.pk, actor=actors.ministry, question="Who installs it?")
    requests.rfi_answer(application_id=app.pk, request_id=rfi.pk, actor=actors.owner, answer="We do.",
                        uploads=[pdf_upload("installation.pdf")])
    miit = Referral.objects.get(application=app, agency__code="MIIT")
    referrals.opinion_give(referral_id=miit.pk, actor=actors.agency, opinion="objection", reasons=MIIT_REASONS)
    referrals.opinion_give(referral_id=Referral.objects.get(application=app, agency__code="MFA").pk,
                           actor=mfa, opinion="no_objection", reasons=MFA_REASONS)
    app.refresh_from_db()
    assert app.status == "awaiting_decision"
    return app, mfa


def _strangers(actors):
    company = actors.owner.organisation
    return {
        "outsider": actors.outsider,
        "other_province": actors.other_province,
        "non_referred_agency": UserFactory(organisation=Organisation.objects.get(code="CAEA"),
                                           role=Role.AGENCY_REVIEWER),
        "staff_without_access": UserFactory(organisation=company, role=Role.EXPORTER_STAFF),
        "customs": actors.customs,
    }


def _get_urls(app):
    docs = list(Document.objects.filter(application=app).values_list("pk", flat=True))
    assert len(docs) == 2  # the end-user certificate and the RFI answer
    pages = [f"/cases/{app.pk}/", *[f"/cases/{app.pk}/documents/{d}/" for d in docs]]
    apis = [f"/api/applications/{app.pk}/", f"/api/applications/{app.pk}/referrals/",
            f"/api/applications/{app.pk}/requests/", f"/api/applications/{app.pk}/clock/",
            f"/api/applications/{app.pk}/recommendations/", f"/api/applications/{app.pk}/refusal-letter/",
            *[f"/api/applications/{app.pk}/documents/{d}/" for d in docs]]
    return pages, apis


def _writes(app, miit_referral):
    body = {"question": "x", "reason": "x", "opinion": "no_objection", "reasons": "x", "kind": "expert",
            "outcome": "approve", "factors": [], "comment": "x"}
    return [(f"/api/applications/{app.pk}/requests/", body),
            (f"/api/applications/{app.pk}/pauses/", body),
            (f"/api/applications/{app.pk}/referrals/send/", body),
            (f"/api/referrals/{miit_referral.pk}/opinion/", body),
            (f"/api/applications/{app.pk}/recommendation/", body),
            (f"/api/applications/{app.pk}/countersign/", body)]


def test_strangers_get_nothing_of_a_case_under_review(actors, review):
    app, _mfa = review
    pages, apis = _get_urls(app)
    miit = Referral.objects.get(application=app, agency__code="MIIT")
    version = app.version
    for who, user in _strangers(actors).items():
        api = APIClient()
        api.force_authenticate(user)
        for path in apis:
            assert api.get(path).status_code in (403, 404), (who, path)
        page = Client()
        assert page.login(username=user.username, password=PASSWORD)
        for path in pages:
            assert page.get(path).status_code in (403, 404), (who, path)
        for path, body in _writes(app, miit):
            assert api.post(path, body, format="json").status_code in (403, 404), (who, path)
        listed = api.get("/api/applications/").json()["results"]
        assert app.pk not in [row["id"] for row in listed], who
    app.refresh_from_db()
    assert app.version == version and app.status == "awaiting_decision"


def test_anonymous_gets_nothing(review):
    app, _mfa = review
    pages, apis = _get_urls(app)
    for path in apis:
        assert APIClient().get(path).status_code in (401, 403), path
    for path in pages:
        response = Client().get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], path


def test_an_agency_sees_its_own_opinion_and_never_another(actors, review):
    app, mfa = review
    for user, own, other in [(actors.agency, MIIT_REASONS, MFA_REASONS), (mfa, MFA_REASONS, MIIT_REASONS)]:
        api = APIClient()
        api.force_authenticate(user)
        body = api.get(f"/api/applications/{app.pk}/referrals/").content.decode()
        assert own in body and other not in body
        page = Client()
        assert page.login(username=user.username, password=PASSWORD)
        html = page.get(f"/cases/{app.pk}/").content.decode()
        assert own in html and other not in html
        assert api.get(f"/api/applications/{app.pk}/recommendations/").status_code in (403, 404)


def test_the_exporter_and_province_see_no_opinion(actors, review):
    app, _mfa = review
    for user in (actors.owner, actors.colleague, actors.province):
        page = Client()
        assert page.login(username=user.username, password=PASSWORD)
        html = page.get(f"/cases/{app.pk}/").content.decode()
        assert MIIT_REASONS not in html and MFA_REASONS not in html
        api = APIClient()
        api.force_authenticate(user)
        response = api.get(f"/api/applications/{app.pk}/referrals/")
        assert response.status_code in (403, 404) or (MIIT_REASONS not in response.content.decode())


def test_the_ministry_sees_both_opinions(actors, review):
    app, _mfa = review
    page = Client()
    assert page.login(username=actors.ministry.username, password=PASSWORD)
    html = page.get(f"/cases/{app.pk}/").content.decode()
    assert MIIT_REASONS in html and MFA_REASONS in html

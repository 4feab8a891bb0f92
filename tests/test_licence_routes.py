"""The licence routes: the general licence (further end users, a validity of at most 3 years the
ministry may shorten, customs draw-downs with no cap unless the ministry set one), the 5-year bar
on new applications at submission, and eligibility enforced when a route is not open."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from enduser.models import Party
from licensing.applications import routes, services
from licensing.customs import services as customs
from licensing.licences.selectors import licence_pdf_data
from licensing.licences.services import licence_issue
from licensing.models import LicenceStatus
from portal.errors import InvalidTransition, ValidationFailed
from tests.compliance_routes import (
    GENERAL,
    eligible,
    export_record,
    general_case,
    good_icp,
    penalty,
    today,
)
from tests.conftest import decide, make_case, skip_referrals
from tests.factories import DRAFT, pdf_upload
from tests.test_customs_api import customs_system

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def further_party(actors, name="Second Motor Works GmbH"):
    return Party.objects.create(exporter=actors.owner.organisation, name=name, address="Ring 1, Köln", country="DE")


# ---------------------------------------------------------------- the route on the draft


def test_individual_stays_the_default(actors):
    app = make_case(actors)
    assert app.route == "individual" and app.requested_valid_until is None


def test_a_general_draft_names_further_end_users_and_a_validity(actors):
    other = further_party(actors)
    app = general_case(actors, data={"additional_end_users": [other.pk]})
    assert app.route == "general" and list(app.additional_end_users.all()) == [other]
    assert app.requested_valid_until == today() + timedelta(days=700)


@pytest.mark.parametrize("field,value", [
    ("route", "global"), ("route", 5),
    ("requested_valid_until", "tomorrow"), ("requested_valid_until", "2020-01-01"),
    ("additional_end_users", "1"), ("additional_end_users", [True]), ("additional_end_users", [0]),
    ("additional_end_users", list(range(1, 30))), ("circumstance", "holiday"), ("circumstance", 3),
])
def test_bad_route_fields_are_refused_and_nothing_is_made(actors, field, value):
    from licensing.models import Application

    with pytest.raises(ValidationFailed) as refused:
        services.application_create(actor=actors.owner, data={**DRAFT, **GENERAL, field: value})
    assert field in refused.value.fields and not Application.objects.exists()


def test_the_validity_is_at_most_three_years(actors):
    latest = routes.general_max_until(today())
    general_case(actors, valid_until=latest)
    with pytest.raises(ValidationFailed):
        general_case(actors, valid_until=latest + timedelta(days=1))


def test_another_companys_party_is_not_a_further_end_user(actors):
    theirs = Party.objects.create(exporter=actors.outsider.organisation, name="X", address="Y", country="DE")
    with pytest.raises(ValidationFailed) as refused:
        general_case(actors, data={"additional_end_users": [theirs.pk]})
    assert "additional_end_users" in refused.value.fields


def test_the_api_takes_and_shows_the_route_fields(client, actors):
    other = further_party(actors)
    client.force_login(actors.owner)
    body = {**DRAFT, **GENERAL, "additional_end_users": [other.pk],
            "requested_valid_until": (today() + timedelta(days=400)).isoformat()}
    response = client.post("/api/applications/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["route"] == "general" and data["additional_end_users"][0]["name"] == other.name
    assert data["requested_valid_until"] == body["requested_valid_until"]
    bad = client.post("/api/applications/", {**body, "route": "nope"}, content_type="application/json")
    assert bad.status_code == 400


def test_the_form_saves_the_route(client, actors):
    other = further_party(actors)
    client.force_login(actors.owner)
    until = (today() + timedelta(days=500)).isoformat()
    response = client.post("/cases/new/", {
        "route": "general", "requested_valid_until": until, "additional_end_users": [str(other.pk)],
        "destination": "DE", "end_use": "x", "end_user_name": "Motorenwerk München GmbH",
        "end_user_address": "Hansastr. 27", "end_user_country": "DE"})
    assert response.status_code == 302, response.content.decode()[:3000]
    from licensing.models import Application

    app = Application.objects.get()
    assert app.route == "general" and app.requested_valid_until.isoformat() == until
    assert list(app.additional_end_users.all()) == [other]
    page = client.get(f"/cases/{app.pk}/edit/").content.decode()
    assert 'value="general" selected' in page and "route-eligibility" in page


# ---------------------------------------------------------------- submission


def test_a_route_not_open_is_refused_at_submission_with_the_reasons(client, actors):
    app = general_case(actors)
    client.force_login(actors.owner)
    response = client.post(f"/api/applications/{app.pk}/submit/", {"version": app.version},
                           content_type="application/json")
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "route_not_open" and "No export record" in str(body)
    app.refresh_from_db()
    assert app.status == "draft" and app.reference is None


def test_a_watch_listed_further_end_user_is_screened_and_bars_the_general_licence(actors):
    from tests.compliance_routes import publish_listed

    eligible(actors)
    other = further_party(actors, "Watched Motors GmbH")
    publish_listed(actors, "Watched Motors GmbH", list_kind="watch", country="DE")
    app = general_case(actors, data={"additional_end_users": [other.pk]},
                       documents=("end_user_certificate", "risk_assessment", "compliance_undertaking"))
    with pytest.raises(InvalidTransition) as refused:
        services.application_submit(application_id=app.pk, actor=actors.owner)
    assert refused.value.code == "route_not_open" and "Watched Motors GmbH" in str(refused.value.message)


def test_a_registration_filing_is_not_submitted_for_review(actors):
    app = make_case(actors, data={"route": "registration"})
    with pytest.raises(InvalidTransition) as refused:
        services.application_submit(application_id=app.pk, actor=actors.owner)
    assert refused.value.code == "registration_route"


def test_the_five_year_bar_refuses_until_the_day_it_ends(actors, client):
    organisation = actors.owner.organisation
    bar = penalty(organisation, actors, bars_until=today() + timedelta(days=1))
    app = make_case(actors)
    with pytest.raises(InvalidTransition) as refused:
        services.application_submit(application_id=app.pk, actor=actors.owner)
    assert refused.value.code == "applications_barred"
    assert (today() + timedelta(days=1)).isoformat() in str(refused.value.message)
    with translation.override("zh-hans"):
        assert str(refused.value.message)  # a lazy message, rendered in either language
    client.force_login(actors.owner)
    response = client.post(f"/api/applications/{app.pk}/submit/", {"version": app.version},
                           content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "applications_barred"
    bar.bars_applications_until = today()  # the day it ends: new applications are taken again
    bar.save()
    services.application_submit(application_id=app.pk, actor=actors.owner)
    app.refresh_from_db()
    assert app.status == "submitted"


def test_an_undecided_or_withdrawn_penalty_does_not_bar(actors):
    for status in ("draft", "awaiting_countersign", "withdrawn"):
        penalty(actors.owner.organisation, actors, status=status, bars_until=today() + timedelta(days=900))
    make_case(actors, "submitted")


# ---------------------------------------------------------------- the general licence


@pytest.fixture
def general_licence(actors):
    eligible(actors)
    other = further_party(actors)
    export_record(actors, end_user_name=other.name)  # a stable end user: an approved case named it
    app = general_case(actors, "approved", data={"additional_end_users": [other.pk]})
    return licence_issue(application_id=app.pk)


def test_approval_issues_a_general_licence(actors, general_licence):
    licence = general_licence
    app = licence.application
    assert licence.licence_type == "general" and not licence.one_port and not licence.one_shipment
    assert licence.valid_until == app.requested_valid_until
    assert [item.capped for item in licence.items.all()] == [False]
    assert app.additional_end_users_snapshot[0]["name"] == "Second Motor Works GmbH"
    data = licence_pdf_data(licence)
    assert data["licence_type"] == {"zh": "通用许可", "en": "General License"}
    assert data["additional_end_users"][0]["name"] == "Second Motor Works GmbH"


def test_the_pdf_prints_the_type_and_the_end_users(general_licence):
    import io

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(general_licence.pdf))).pages)
    assert "General License" in text and "Second Motor Works GmbH" in text and "No cap" in text


def _ship(licence, n, quantity, port):
    return customs.shipment(declaration_number=f"22012026{n:010d}", line=1, licence_number=licence.number,
                            item_line=1, quantity=quantity, unit="kg", value_rmb="1000", shipped_on=today(),
                            port=port)


def test_draw_downs_without_a_cap_at_several_ports(actors, general_licence):
    system, _client, _token = customs_system()
    for n, port in enumerate(("2200", "5100", "2200", "0100"), start=1):
        customs.write_off_record(shipment=_ship(general_licence, n, "20", port), system=system)
    item = general_licence.items.get()
    assert item.used_quantity == Decimal(80) > item.quantity  # 25 kg applied for: no cap
    general_licence.refresh_from_db()
    assert general_licence.status == LicenceStatus.ISSUED and general_licence.write_offs.count() == 4


def test_a_cap_set_by_the_ministry_holds(actors):
    eligible(actors)
    app = general_case(actors, "awaiting_decision")
    item = app.items.get()
    decide(app.pk, actors, "approve", item_quantities={str(item.pk): "10"})
    licence = licence_issue(application_id=app.pk)
    line = licence.items.get()
    assert line.capped and line.quantity == Decimal(10)
    system, _client, _token = customs_system()
    customs.write_off_record(shipment=_ship(licence, 1, "6", "2200"), system=system)
    with pytest.raises(customs.Refused) as refused:
        customs.write_off_record(shipment=_ship(licence, 2, "5", "5100"), system=system)
    assert refused.value.code == "over_draw"
    customs.write_off_record(shipment=_ship(licence, 3, "4", "5100"), system=system)
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.EXHAUSTED


def test_customs_sees_no_cap_in_verify(actors, general_licence):
    _system, client, _token = customs_system()
    body = client.get(f"/api/customs/licences/{general_licence.number}/").json()
    assert body["licence_type"] == "general" and body["one_port"] is False
    assert body["items"][0]["capped"] is False and body["items"][0]["remaining_quantity"] is None


def test_the_ministry_may_shorten_the_validity(client, actors):
    eligible(actors)
    app = general_case(actors, "accepted")
    shorter = today() + timedelta(days=200)
    with pytest.raises(ValidationFailed):
        routes.general_validity_set(actor=actors.ministry, application_id=app.pk,
                                    valid_until=app.requested_valid_until + timedelta(days=1))
    url = f"/api/applications/{app.pk}/general-validity/"
    client.force_login(actors.owner)
    assert client.post(url, {"valid_until": shorter.isoformat(), "version": app.version},
                       content_type="application/json").status_code == 403
    client.force_login(actors.ministry)
    assert client.post(url, {"valid_until": shorter.isoformat()}, content_type="application/json").status_code == 428
    response = client.post(url, {"valid_until": shorter.isoformat(), "version": app.version},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["granted_valid_until"] == shorter.isoformat()
    assert client.post(url, {"valid_until": "x", "version": app.version + 1},
                       content_type="application/json").status_code == 400
    assert client.post(url, {"valid_until": shorter.isoformat(), "version": app.version},
                       content_type="application/json").status_code == 409  # stale
    skip_referrals(app.pk, actors.ministry)
    decide(app.pk, actors, "approve")
    assert licence_issue(application_id=app.pk).valid_until == shorter
    with pytest.raises(InvalidTransition):  # decided: no more changes
        routes.general_validity_set(actor=actors.ministry, application_id=app.pk, valid_until=shorter)


def test_the_validity_is_set_only_on_a_general_case_under_review(actors):
    from portal.errors import NotAllowed

    app = make_case(actors, "accepted")
    with pytest.raises(InvalidTransition):
        routes.general_validity_set(actor=actors.ministry, application_id=app.pk, valid_until=today())
    with pytest.raises(NotAllowed):
        routes.general_validity_set(actor=actors.owner, application_id=app.pk, valid_until=today())


def test_an_individual_licence_is_unchanged(actors):
    app = make_case(actors, "approved")
    licence = licence_issue(application_id=app.pk)
    assert licence.licence_type == "individual" and licence.one_port and licence.one_shipment
    assert licence.valid_until == timezone.localdate(licence.issued_at) + timedelta(days=364)
    assert all(item.capped for item in licence.items.all())
    assert licence_pdf_data(licence)["licence_type"]["en"] == "Individual License"


def test_a_copy_keeps_the_route_and_the_end_users(actors):
    other = further_party(actors)
    app = general_case(actors, data={"additional_end_users": [other.pk]})
    copy, _ = services.application_copy(application_id=app.pk, actor=actors.owner)
    assert copy.route == "general" and list(copy.additional_end_users.all()) == [other]


def test_the_case_page_shows_the_route_panel(client, actors):
    other = further_party(actors)
    app = general_case(actors, data={"additional_end_users": [other.pk]})
    client.force_login(actors.owner)
    page = client.get(f"/cases/{app.pk}/").content.decode()
    assert 'id="route-panel"' in page and "Second Motor Works GmbH" in page
    good_icp(actors.owner.organisation, actors)
    services.document_add(application_id=app.pk, actor=actors.owner, kind="contract", upload=pdf_upload())


@pytest.mark.parametrize("role", ["owner", "colleague", "outsider", "province", "agency", "customs"])
def test_only_the_ministry_shortens_the_validity_on_the_page(client, actors, role):
    app = general_case(actors)
    client.force_login(getattr(actors, role))
    response = client.post(f"/cases/{app.pk}/general-validity/",
                           {"valid_until": (today() + timedelta(days=30)).isoformat(), "version": app.version})
    assert response.status_code in (403, 404)
    app.refresh_from_db()
    assert app.granted_valid_until is None


def test_the_ministry_shortens_the_validity_on_the_page(client, actors):
    eligible(actors)
    app = general_case(actors, "accepted")
    client.force_login(actors.ministry)
    page = client.get(f"/cases/{app.pk}/").content.decode()
    assert 'id="general-validity-form"' in page
    day = today() + timedelta(days=30)
    response = client.post(f"/cases/{app.pk}/general-validity/", {"valid_until": day.isoformat(),
                                                                   "version": app.version})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.granted_valid_until == day
    bad = client.post(f"/cases/{app.pk}/general-validity/", {"valid_until": "soon", "version": app.version})
    assert bad.status_code == 400

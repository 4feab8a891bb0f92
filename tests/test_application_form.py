"""Issue 12, sections 1 and 2: the application carries what the real form and licence carry
(several items with HS code, customs unit, price, currency and USD value; consignee; shipment
fields), and the form guides the exporter (field checks, checklist, delete, copy, start from an
answer or an entry, my applications)."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from pypdf import PdfReader
from rest_framework.test import APIClient

from audit.models import AuditEvent
from controllist.models import Entry
from controllist.selectors import version_in_force
from enduser.models import Party
from enduser.parties.services import party_create
from licensing.applications import services
from licensing.applications.items import find_unit, usd_rate
from licensing.applications.models import CustomsPort, CustomsUnit, ExchangeRate
from licensing.licences.pdf import render_licence_pdf
from licensing.licences.services import licence_issue
from licensing.models import Application, ApplicationItem
from portal.errors import InvalidTransition, NotAllowed, NotFound, StaleVersion, ValidationFailed
from tests.conftest import decide, skip_referrals
from tests.factories import DRAFT, PASSWORD, pdf_upload

pytestmark = pytest.mark.django_db

ITEM = DRAFT["item"]
SECOND = {"control_code": "1C902.b", "description": "Neodymium-iron-boron magnets 钕铁硼磁体",
          "specification": "N52", "hs_code": "8505111000", "quantity": "10", "unit": "千克",
          "unit_price": "12.5", "currency": "EUR"}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def signed_in(user, language=None):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    if language:
        client.cookies["django_language"] = language
    return client


def draft_with(actors, **data):
    base = {k: v for k, v in DRAFT.items() if k != "item" or "items" not in data}
    app, _created = services.application_create(actor=actors.owner, data={**base, **data})
    return app


# ---------------------------------------------------------------- reference data


def test_the_reference_tables_are_seeded():
    assert CustomsUnit.objects.get(code="035").name_zh == "千克"
    assert CustomsPort.objects.get(code="2200").name_zh == "上海关区"
    assert usd_rate("EUR") is not None and usd_rate("CNY") is not None
    assert find_unit("kg").code == "035" and find_unit("PCS").code == "007" and find_unit("070").name_zh == "吨"
    assert find_unit("furlong") is None


def test_the_reference_lists_are_in_the_api(actors):
    client = api(actors.owner)
    units = client.get("/api/customs-units/").json()
    assert {"code": "035", "name_zh": "千克"}.items() <= next(u for u in units if u["code"] == "035").items()
    assert any(port["code"] == "2200" for port in client.get("/api/customs-ports/").json())
    assert any(rate["currency"] == "EUR" for rate in client.get("/api/exchange-rates/").json())
    assert APIClient().get("/api/customs-units/").status_code in (401, 403)


# ---------------------------------------------------------------- items


def test_several_items_through_the_api_with_prices_and_usd(actors):
    resp = api(actors.owner).post("/api/applications/", {**{k: v for k, v in DRAFT.items() if k != "item"},
                                                         "items": [ITEM, SECOND]}, format="json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert [item["control_code"] for item in body["items"]] == ["1C902.a", "1C902.b"]
    first, second = ApplicationItem.objects.order_by("pk")
    assert first.customs_unit_id == "035" and first.unit == "kg" and first.currency == "CNY"
    assert first.value_rmb == Decimal("180000") and first.total == Decimal("180000")
    cny, eur = usd_rate("CNY").usd_per_unit, usd_rate("EUR").usd_per_unit
    assert first.value_usd == (Decimal("180000") * cny).quantize(Decimal("0.01"))
    assert second.total == Decimal("125.00") and second.unit_price == Decimal("12.5")
    assert second.value_usd == (Decimal("125") * eur).quantize(Decimal("0.01"))
    assert second.value_rmb == (second.value_usd / cny).quantize(Decimal("0.01"))
    assert second.usd_rate_date == usd_rate("EUR").valid_from


def test_the_old_single_item_key_still_works_and_replaces_all_items(actors):
    app = draft_with(actors, items=[ITEM, SECOND])
    assert app.items.count() == 2
    resp = api(actors.owner).patch(f"/api/applications/{app.pk}/", {"item": ITEM, "version": app.version},
                                   format="json")
    assert resp.status_code == 200, resp.content
    assert app.items.count() == 1
    both = api(actors.owner).patch(f"/api/applications/{app.pk}/", {"item": ITEM, "items": [ITEM], "version": app.version + 1},
                                   format="json")
    assert both.status_code == 400


@pytest.mark.parametrize("change,field", [
    ({"hs_code": "85051110"}, "hs_code"),          # eight digits
    ({"hs_code": "85051110AB"}, "hs_code"),
    ({"unit": "furlong"}, "unit"),
    ({"currency": "XYZ", "unit_price": "1"}, "currency"),  # no ministry rate
    ({"currency": "EUR", "unit_price": ""}, "unit_price"),                    # a foreign currency needs a unit price
    ({"unit_price": "-1"}, "unit_price"),
    ({"unit_price": "1.00001"}, "unit_price"),
    ({"currency": "euro", "unit_price": "1"}, "currency"),
])
def test_bad_item_fields_are_refused_and_nothing_changes(actors, change, field):
    app = draft_with(actors)
    version = app.version
    resp = api(actors.owner).patch(f"/api/applications/{app.pk}/", {"items": [ITEM, {**SECOND, **change}],
                                                                     "version": app.version},
                                   format="json")
    assert resp.status_code == 400, resp.content
    assert f"items.1.{field}" in resp.json().get("fields", {}), resp.json()
    app.refresh_from_db()
    assert app.version == version and app.items.count() == 1


def test_too_many_items_are_refused(actors):
    resp = api(actors.owner).post("/api/applications/", {"items": [ITEM] * 51}, format="json")
    assert resp.status_code == 400
    assert not Application.objects.exists()


def test_an_hs_code_the_entry_does_not_name_is_a_warning_not_a_block(actors):
    named = Entry.objects.get(version=version_in_force(), code="1C902.a").hs_codes
    assert named, "the seeded list names HS codes for 1C902.a"
    app = draft_with(actors, item={**ITEM, "hs_code": "9999999999"})
    assert app.items.get().hs_code == "9999999999"
    body = api(actors.owner).get(f"/api/applications/{app.pk}/").json()
    assert body["item_warnings"] and body["item_warnings"][0]["item"] == 0
    assert named[0] in body["item_warnings"][0]["message"]
    good = draft_with(actors, item={**ITEM, "hs_code": named[0]})
    assert api(actors.owner).get(f"/api/applications/{good.pk}/").json()["item_warnings"] == []


def test_a_newer_rate_from_the_ministry_is_used_from_its_day(actors):
    today = datetime.date.today()
    services.exchange_rate_add(actor=actors.ministry, currency="EUR", valid_from=today.isoformat(),
                               usd_per_unit="2")
    services.exchange_rate_add(actor=actors.ministry, currency="EUR",
                               valid_from=(today + datetime.timedelta(days=30)).isoformat(), usd_per_unit="3")
    app = draft_with(actors, items=[SECOND])
    item = app.items.get()
    assert item.value_usd == Decimal("250.00") and item.usd_rate_date == today
    assert AuditEvent.objects.filter(action="exchange_rate.add").count() == 2


def test_only_the_ministry_adds_rates_and_twice_the_same_day_is_refused(actors):
    for user in (actors.owner, actors.province, actors.agency, actors.customs):
        with pytest.raises(NotAllowed):
            services.exchange_rate_add(actor=user, currency="EUR", valid_from="2026-12-01", usd_per_unit="1.1")
    services.exchange_rate_add(actor=actors.senior, currency="EUR", valid_from="2026-12-01", usd_per_unit="1.1")
    with pytest.raises(ValidationFailed):
        services.exchange_rate_add(actor=actors.ministry, currency="EUR", valid_from="2026-12-01", usd_per_unit="1.2")
    for bad in ({"currency": "E1R"}, {"valid_from": "yesterday"}, {"usd_per_unit": "0"}, {"usd_per_unit": "x"}):
        with pytest.raises(ValidationFailed):
            services.exchange_rate_add(actor=actors.ministry, **{"currency": "GBP", "valid_from": "2026-12-02",
                                                                 "usd_per_unit": "1.3", **bad})
    assert ExchangeRate.objects.filter(currency="EUR", valid_from="2026-12-01").count() == 1


def test_the_rates_page(actors):
    assert signed_in(actors.owner).get("/exchange-rates/").status_code == 200
    assert b'id="rate-form"' not in signed_in(actors.owner).get("/exchange-rates/").content
    assert signed_in(actors.owner).post("/exchange-rates/", {"currency": "EUR", "valid_from": "2026-12-03",
                                                             "usd_per_unit": "1"}).status_code == 403
    ministry = signed_in(actors.ministry)
    resp = ministry.post("/exchange-rates/", {"currency": "EUR", "valid_from": "2026-12-03", "usd_per_unit": "1.09"})
    assert resp.status_code == 302
    again = ministry.post("/exchange-rates/", {"currency": "EUR", "valid_from": "2026-12-03", "usd_per_unit": "1.1"})
    assert again.status_code == 400
    assert ExchangeRate.objects.filter(currency="EUR", valid_from="2026-12-03").count() == 1


# ---------------------------------------------------------------- shipment fields and the consignee

SHIPMENT = {"trade_mode": "0110", "export_port": "2200", "transport_mode": "sea", "payment_terms": "lc",
            "shipment_from": "2027-01-10", "shipment_until": "2027-03-31", "contract_number": "MM-2026-017"}


def test_shipment_fields_and_a_consignee_are_kept_and_filed(actors):
    consignee = {"name": "Transit Logistics B.V.", "address": "Havenweg 1, Rotterdam", "country": "NL"}
    resp = api(actors.owner).post("/api/applications/", {**DRAFT, **SHIPMENT, "consignee": consignee},
                                  format="json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["trade_mode"] == "0110" and body["export_port"] == "2200" and body["shipment_from"] == "2027-01-10"
    assert body["consignee"]["name"] == "Transit Logistics B.V."
    app = Application.objects.get()
    assert "consignee" in Party.objects.get(pk=app.consignee_id).roles
    services.document_add(application_id=app.pk, actor=actors.owner, kind="end_user_certificate", upload=pdf_upload())
    services.application_submit(application_id=app.pk, actor=actors.owner)
    app.refresh_from_db()
    assert app.consignee_snapshot["name"] == "Transit Logistics B.V."


@pytest.mark.parametrize("change,field", [
    ({"trade_mode": "0000"}, "trade_mode"), ({"export_port": "9999"}, "export_port"),
    ({"transport_mode": "teleport"}, "transport_mode"), ({"shipment_from": "2027-13-01"}, "shipment_from"),
    ({"shipment_from": "2027-03-01", "shipment_until": "2027-02-01"}, "shipment_until"),
])
def test_bad_shipment_fields_are_refused(actors, change, field):
    resp = api(actors.owner).post("/api/applications/", {**DRAFT, **SHIPMENT, **change}, format="json")
    assert resp.status_code == 400, resp.content
    assert field in str(resp.json())
    assert not Application.objects.exists()


def test_a_consignee_of_another_company_cannot_be_picked(actors):
    theirs, _created = party_create(actor=actors.outsider, data={"name": "Their Forwarder", "address": "x", "country": "NL"})
    resp = api(actors.owner).post("/api/applications/", {**DRAFT, "consignee_party": theirs.pk}, format="json")
    assert resp.status_code in (400, 404)
    assert not Application.objects.exists()


# ---------------------------------------------------------------- the page: formset, checks, checklist

PAGE = {
    "destination": "DE", "end_use": "Motors", "importer_name": "Magnetec Handels GmbH",
    "importer_address": "Industriestr. 5", "importer_country": "DE", "end_user_name": "Motorenwerk München GmbH",
    "end_user_address": "Hansastr. 27", "end_user_country": "DE", "end_use_category": "civil",
    "items-TOTAL_FORMS": "3", "items-INITIAL_FORMS": "0",
    "items-0-control_code": "1C902.a", "items-0-description": "SmCo alloy", "items-0-quantity": "25",
    "items-0-unit": "千克", "items-0-value_rmb": "180000", "items-0-currency": "CNY",
    "items-1-control_code": "", "items-1-description": "", "items-1-currency": "CNY",   # a blank row: left out
    "items-2-control_code": "1C902.b", "items-2-description": "NdFeB", "items-2-quantity": "10",
    "items-2-unit": "千克", "items-2-unit_price": "12.5", "items-2-currency": "EUR", "items-2-hs_code": "8505111000",
    **SHIPMENT,
}


def test_the_page_files_several_items_and_the_shipment(actors):
    resp = signed_in(actors.owner).post("/cases/new/", PAGE)
    assert resp.status_code == 302, resp.content.decode()[:3000]
    app = Application.objects.get()
    assert [item.control_code for item in app.items.all()] == ["1C902.a", "1C902.b"]
    assert app.export_port_id == "2200" and app.shipment_until == datetime.date(2027, 3, 31)
    edit = signed_in(actors.owner).get(f"/cases/{app.pk}/edit/").content.decode()
    assert 'name="items-1-control_code"' in edit and 'value="1C902.b"' in edit
    assert 'name="items-TOTAL_FORMS" value="2"' in edit


def test_an_error_in_the_third_row_is_shown_beside_that_row(actors):
    resp = signed_in(actors.owner).post("/cases/new/", {**PAGE, "items-2-hs_code": "123"})
    assert resp.status_code == 400
    rows = resp.context["rows"].forms
    assert "hs_code" in rows[2].errors and not rows[0].errors
    assert not Application.objects.exists()


def test_an_empty_draft_can_be_saved_and_the_checklist_says_what_is_missing(actors):
    client = signed_in(actors.owner)
    resp = client.post("/cases/new/", {"items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0"})
    assert resp.status_code == 302
    app = Application.objects.get()
    page = client.get(f"/cases/{app.pk}/").content.decode()
    assert 'id="submission-checklist"' in page and 'id="missing"' in page
    assert re.search(r'data-key="destination">\s*<span aria-hidden="true">☐', page)
    assert 'id="do-submit"' in page and "disabled" in page.split('id="do-submit"')[1][:80]
    assert 'id="submit-why"' in page


def test_the_checklist_ticks_itself_from_the_form_as_it_stands(actors):
    client = signed_in(actors.owner)
    empty = client.post("/cases/form/checklist/", {"items-TOTAL_FORMS": "1"}).content.decode()
    assert re.search(r'data-key="destination">\s*<span aria-hidden="true">☐', empty)
    filled = client.post("/cases/form/checklist/", PAGE).content.decode()
    for key in ("destination", "importer", "end_user", "end_use", "items", "trade_mode", "export_port"):
        assert re.search(rf'data-key="{key}">\s*<span aria-hidden="true">☑', filled), key
    assert re.search(r'data-key="certificate">\s*<span aria-hidden="true">☐', filled)
    assert not Application.objects.exists()  # nothing is saved by the checklist
    assert signed_in(actors.province).post("/cases/form/checklist/", PAGE).status_code == 403


@pytest.mark.parametrize("field,value,expect", [
    ("items-0-hs_code", "123", "10-digit"),
    ("items-0-control_code", "3A999", "not in the control list in force"),
    ("items-0-control_code", "1X9", "A-E"),
    ("items-0-unit", "furlong", "customs unit list"),
    ("items-0-quantity", "-2", "greater than zero"),
    ("items-0-currency", "XYZ", "no exchange rate"),
    ("destination", "", "Needed before submission"),
    ("shipment_until", "2027-01-01", "ends before it starts"),
    ("export_port", "9999", "customs port list"),
])
def test_each_field_is_checked_as_it_is_left(actors, field, value, expect):
    data = {**PAGE, field: value, "_field": field, "shipment_from": "2027-02-01"}
    resp = signed_in(actors.owner, "en").post("/cases/form/check/", data)
    assert resp.status_code == 200
    assert expect in resp.content.decode(), resp.content.decode()


def test_a_field_check_can_warn_and_can_say_all_is_well(actors):
    client = signed_in(actors.owner)
    warn = client.post("/cases/form/check/", {**PAGE, "_field": "items-0-hs_code", "items-0-hs_code": "9999999999"})
    assert "field-warning" in warn.content.decode()
    ok = client.post("/cases/form/check/", {**PAGE, "_field": "items-0-quantity"})
    assert "field-ok" in ok.content.decode()
    assert client.post("/cases/form/check/", {"_field": "password"}).status_code == 400
    assert client.post("/cases/form/check/", {"_field": "items-0-secret"}).status_code == 400
    assert signed_in(actors.ministry).post("/cases/form/check/", {"_field": "destination"}).status_code == 403
    assert Client().post("/cases/form/check/", {"_field": "destination"}).status_code == 302


def test_a_row_is_added_with_the_next_index(actors):
    client = signed_in(actors.owner)
    resp = client.get("/cases/form/item-row/", {"items-TOTAL_FORMS": "3"}).content.decode()
    assert 'name="items-3-control_code"' in resp
    assert 'id="id_items-TOTAL_FORMS"' in resp and 'value="4"' in resp and 'hx-swap-oob="true"' in resp
    assert client.get("/cases/form/item-row/", {"items-TOTAL_FORMS": "50"}).status_code == 400
    assert client.get("/cases/form/item-row/", {"items-TOTAL_FORMS": "x"}).status_code == 400
    assert signed_in(actors.agency).get("/cases/form/item-row/", {"items-TOTAL_FORMS": "1"}).status_code == 403


def test_more_than_fifty_rows_are_refused_on_the_page(actors):
    resp = signed_in(actors.owner).post("/cases/new/", {**PAGE, "items-TOTAL_FORMS": "51"})
    assert resp.status_code == 400
    assert not Application.objects.exists()


def test_a_stale_page_save_changes_nothing(actors):
    app = draft_with(actors)
    services.application_update_draft(application_id=app.pk, actor=actors.owner, data={"end_use": "newer"})
    resp = signed_in(actors.owner).post(f"/cases/{app.pk}/edit/", {**PAGE, "version": app.version})
    assert resp.status_code == 409
    assert app.items.count() == 1


def test_a_stale_api_save_changes_nothing(actors):
    app = draft_with(actors)
    services.application_update_draft(application_id=app.pk, actor=actors.owner, data={"end_use": "newer"})
    resp = api(actors.owner).patch(f"/api/applications/{app.pk}/", {"items": [ITEM, SECOND],
                                                                   "version": app.version}, format="json")
    assert resp.status_code == 409
    assert app.items.count() == 1


# ---------------------------------------------------------------- start from an answer or an entry


def test_an_application_starts_from_a_control_list_entry_or_an_answer(actors):
    client = signed_in(actors.owner)
    page = client.get("/cases/new/", {"control_code": "1C902.a", "hs_code": "2805301910"}).content.decode()
    assert re.search(r'name="items-0-control_code"[^>]*value="1C902.a"', page)
    assert re.search(r'name="items-0-hs_code"[^>]*value="2805301910"', page)
    two = client.get("/cases/new/?control_code=1C902.a&description=A&control_code=1C902.b&description=B")
    assert re.search(r'name="items-1-control_code"[^>]*value="1C902.b"', two.content.decode())
    entry = client.get(reverse("controllist-entry", args=[version_in_force().label, "1C902.a"]))
    assert 'id="apply-for-entry"' in entry.content.decode()
    assert "control_code=1C902.a" in entry.content.decode()
    assert signed_in(actors.ministry).get("/cases/new/", {"control_code": "1C902.a"}).status_code == 403


def test_a_licence_required_answer_links_to_a_new_application_with_its_codes(actors):
    body = {"items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "10", "destination": "DE", "items-0-control_code": "1C902.a",
            "items-0-description": "SmCo alloy", "items-1-control_code": "1C902.b", "items-1-description": "NdFeB"}
    html = signed_in(actors.owner).post("/controllist/determine/", body).content.decode()
    assert 'data-outcome="licence_required"' in html
    link = re.search(r'id="apply-from-answer" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert link.startswith("/cases/new/?") and "control_code=1C902.a" in link and "control_code=1C902.b" in link
    page = signed_in(actors.owner).get(link).content.decode()
    assert re.search(r'name="items-1-control_code"[^>]*value="1C902.b"', page)
    assert 'id="apply-from-answer"' not in signed_in(actors.ministry).post("/controllist/determine/",
                                                                           body).content.decode()


# ---------------------------------------------------------------- delete and copy


def test_the_owner_deletes_a_draft_and_the_audit_keeps_it(actors):
    app = draft_with(actors)
    services.document_add(application_id=app.pk, actor=actors.owner, kind="end_user_certificate", upload=pdf_upload())
    app.refresh_from_db()
    resp = signed_in(actors.owner).post(f"/cases/{app.pk}/delete/", {"version": app.version})
    assert resp.status_code == 302
    assert not Application.objects.exists()
    assert AuditEvent.objects.filter(action="application.delete", object_id=str(app.pk)).exists()


@pytest.mark.parametrize("who", ["outsider", "province", "ministry", "agency", "customs"])
def test_others_cannot_delete_or_copy_a_draft(actors, who):
    app = draft_with(actors)
    user = getattr(actors, who)
    with pytest.raises((NotFound, NotAllowed)):
        services.application_delete(application_id=app.pk, actor=user)
    with pytest.raises((NotFound, NotAllowed)):
        services.application_copy(application_id=app.pk, actor=user)
    assert api(user).delete(f"/api/applications/{app.pk}/").status_code in (403, 404)
    assert Application.objects.count() == 1


def test_a_colleague_administrator_may_delete_a_draft_but_not_a_filed_case(actors, case_factory):
    draft = draft_with(actors)
    assert api(actors.colleague).delete(f"/api/applications/{draft.pk}/",
                                        HTTP_IF_MATCH=f'"{draft.version}"').status_code == 204
    filed = case_factory("submitted")
    with pytest.raises(InvalidTransition):
        services.application_delete(application_id=filed.pk, actor=actors.owner)
    assert api(actors.owner).delete(f"/api/applications/{filed.pk}/", HTTP_IF_MATCH="*").status_code == 409


def test_a_stale_delete_is_refused(actors):
    app = draft_with(actors)
    services.application_update_draft(application_id=app.pk, actor=actors.owner, data={"end_use": "newer"})
    with pytest.raises(StaleVersion):
        services.application_delete(application_id=app.pk, actor=actors.owner, expected_version=app.version)
    assert api(actors.owner).delete(f"/api/applications/{app.pk}/?version={app.version}").status_code == 409
    assert Application.objects.filter(pk=app.pk).exists()


def test_an_earlier_application_is_copied_into_a_new_draft(actors, case_factory):
    filed = case_factory("submitted")
    services_app = Application.objects.get(pk=filed.pk)
    resp = signed_in(actors.owner).post(f"/cases/{filed.pk}/copy/", {"client_token": "0b5a3c2e-1f4d-4a8b-9c7d-6e5f4a3b2c1d"})
    assert resp.status_code == 302
    copy = Application.objects.exclude(pk=filed.pk).get()
    assert copy.status == "draft" and copy.reference is None and copy.submitted_at is None
    assert copy.importer_id == services_app.importer_id and copy.destination == services_app.destination
    assert [i.control_code for i in copy.items.all()] == [i.control_code for i in filed.items.all()]
    assert not copy.documents.exists()
    again = signed_in(actors.owner).post(f"/cases/{filed.pk}/copy/", {"client_token": "0b5a3c2e-1f4d-4a8b-9c7d-6e5f4a3b2c1d"})
    assert again.status_code == 302 and Application.objects.count() == 2  # a double click makes one copy
    api_copy = api(actors.owner).post(f"/api/applications/{filed.pk}/copy/", {}, format="json")
    assert api_copy.status_code == 201 and api_copy.json()["status"] == "draft"


# ---------------------------------------------------------------- my applications


def test_drafts_are_labelled_by_date_never_by_their_id(actors, case_factory):
    filed = case_factory("submitted")
    draft = draft_with(actors)
    page = signed_in(actors.owner).get("/cases/").content.decode()
    assert filed.reference in page
    assert f"#{draft.pk}" not in page
    assert re.search(r'class="case-label">\s*\S+ · \d{4}-\d\d-\d\d \d\d:\d\d', page)
    detail = signed_in(actors.owner).get(f"/cases/{draft.pk}/").content.decode()
    assert f"#{draft.pk}" not in detail.split("<h1>")[1].split("</h1>")[0]


def test_my_applications_search_and_filter(actors, case_factory):
    filed = case_factory("submitted")
    other = draft_with(actors, contract_number="HT-778899", item={**ITEM, "description": "Cobalt powder 钴粉"})
    client = signed_in(actors.owner)
    by_contract = client.get("/cases/", {"q": "HT-7788"}).content.decode()
    assert f"/cases/{other.pk}/" in by_contract and f"/cases/{filed.pk}/" not in by_contract
    by_item = client.get("/cases/", {"q": "钴粉"}).content.decode()
    assert f"/cases/{other.pk}/" in by_item
    by_number = client.get("/cases/", {"q": filed.reference}).content.decode()
    assert f"/cases/{filed.pk}/" in by_number and f"/cases/{other.pk}/" not in by_number
    none = client.get("/cases/", {"licence": "valid"}).content.decode()
    assert f"/cases/{filed.pk}/" not in none
    outsider = signed_in(actors.outsider).get("/cases/", {"q": filed.reference}).content.decode()
    assert f"/cases/{filed.pk}/" not in outsider


def test_my_applications_shows_the_licence_number_and_validity(actors, case_factory, calendar_2027):
    approved = case_factory("approved")
    licence = licence_issue(application_id=approved.pk)
    page = signed_in(actors.owner).get("/cases/", {"licence": "valid"}).content.decode()
    with translation.override("zh-hans"):  # the page's language: dates in its own form
        until = date_format(licence.valid_until, "SHORT_DATE_FORMAT")
    assert licence.number in page and until in page
    province = signed_in(actors.province).get("/cases/", {"status": "all"}).content.decode()
    assert licence.number not in province  # the province does not see licences


def test_the_list_does_not_query_per_row(actors, django_assert_max_num_queries):
    for _ in range(5):
        draft_with(actors, items=[ITEM, SECOND])
    client = signed_in(actors.owner)
    client.get("/cases/")
    with django_assert_max_num_queries(12):
        client.get("/cases/")


# ---------------------------------------------------------------- after submission


def test_after_submission_the_exporter_sees_what_happens_next(actors, case_factory):
    app = case_factory("submitted")
    page = signed_in(actors.owner, "en").get(f"/cases/{app.pk}/").content.decode()
    assert 'id="next-steps"' in page and "provincial commerce department" in page
    province = signed_in(actors.province).get(f"/cases/{app.pk}/").content.decode()
    assert 'id="next-steps"' not in province


# ---------------------------------------------------------------- the licence


def test_the_licence_prints_the_new_fields(actors, calendar_2027):
    app, _created = services.application_create(actor=actors.owner, data={
        **{k: v for k, v in DRAFT.items() if k != "item"}, **SHIPMENT, "items": [ITEM, SECOND],
        "consignee": {"name": "Transit Logistics B.V.", "address": "Havenweg 1", "country": "NL"}})
    services.document_add(application_id=app.pk, actor=actors.owner, kind="end_user_certificate", upload=pdf_upload())
    services.application_submit(application_id=app.pk, actor=actors.owner)
    services.application_forward(application_id=app.pk, actor=actors.province)
    services.application_accept(application_id=app.pk, actor=actors.ministry)
    skip_referrals(app.pk, actors.ministry)
    decide(app.pk, actors)
    licence = licence_issue(application_id=app.pk)
    text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(licence.pdf))).pages))
    for expected in ("贸易方式", "Trade mode", "0110", "MM-2026-017", "报关口岸", "上海关区", "水路运输",
                     "信用证", "中间收货人", "Transit Logistics B.V.", "2027-01-10", "8505111000", "N52",
                     "EUR 125.00", "总值折美元"):
        assert expected in text, expected


def test_a_25_item_licence_fits_on_two_pages():
    items = [{"control_code": "1C902.a.4", "hs_code": "8505111000",
              "description": f"烧结钐钴永磁体 Sintered samarium-cobalt magnet, grade {n}",
              "specification": "YXG-32 Ø10×5 mm", "quantity": Decimal(100 + n), "unit": "千克", "unit_en": "kilogram",
              "unit_price": Decimal("1234.5"), "currency": "EUR", "total": Decimal("123450.00"),
              "value_rmb": Decimal("959000.00"), "value_usd": Decimal("133326.00")} for n in range(25)]
    data = {
        "number": "2026MC0000017", "case_reference": "DU2026-000001", "issued_on": datetime.date(2026, 3, 2),
        "valid_from": datetime.date(2026, 3, 2), "valid_until": datetime.date(2027, 3, 1),
        "licence_type": {"zh": "单项许可", "en": "Individual License"},
        "exporter": {"name_zh": "福建省闽江新材料科技有限公司", "name_en": "Fujian Minjiang New Materials Technology Co., Ltd.",
                     "uscc": "91350100M000100Y43", "address": "福建省福州市鼓楼区五四路88号"},
        "importer": {"name": "Müller & Söhne Chemie GmbH", "address": "Industriestraße 12, 67059 Ludwigshafen",
                     "country_zh": "德国", "country_en": "Germany"},
        "end_user": {"name": "Müller & Söhne Chemie GmbH", "address": "Industriestraße 12, 67059 Ludwigshafen",
                     "country_zh": "德国", "country_en": "Germany"},
        "consignee": {"name": "Transit Logistics B.V.", "address": "Havenweg 1, Rotterdam", "country_zh": "荷兰",
                      "country_en": "Netherlands"},
        "shipment": {"trade_mode": "0110 General trade (一般贸易)", "contract_number": "MM-2026-017",
                     "export_port": "上海关区 Shanghai Customs (2200)", "transport_mode": "水路运输 Waterway",
                     "payment_terms": "信用证 L/C", "shipment_from": "2026-04-01", "shipment_until": "2026-09-30"},
        "destination": {"code": "DE", "zh": "德国", "en": "Germany"},
        "end_use": "用于永磁电机研究。Research on permanent-magnet motors.", "conditions": "不得转口。No re-export.",
        "items": items, "issuer": {"zh": "中华人民共和国商务部", "en": "Ministry of Commerce of the People's Republic of China"},
        "verify_url": "https://portal.example/verify/2026MC0000017?t=abc",
    }
    reader = PdfReader(io.BytesIO(render_licence_pdf(data)))
    assert len(reader.pages) == 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "grade 24" in text and "注意事项" in reader.pages[1].extract_text()
    assert "3,333,150.00" in re.sub(r"\s+", " ", text)  # the USD total of 25 x 133,326.00

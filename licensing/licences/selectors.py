"""Reads about licences: who may download one, the public check, and what the PDF prints."""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare

from licensing.models import (
    Application,
    DecisionOutcome,
    Licence,
    LicenceType,
    RecommendationState,
    TradeMode,
)
from portal import countries as portal_countries


def licence_visible_to(user, application: Application) -> bool:
    """Only the exporter and the ministry see a licence (the province does not)."""
    return bool(user.is_authenticated and (
        (user.is_exporter and application.exporter_id == user.organisation_id) or user.is_ministry))


def licence_token_ok(licence: Licence, token: str) -> bool:
    return constant_time_compare(licence.verify_token, token or "")


def licence_verify_url(licence: Licence) -> str:
    path = reverse("licence-verify", args=[licence.number])
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}?t={licence.verify_token}"


def country_names(code: str) -> tuple[str, str]:
    return portal_countries.names(code)


def party_lines(party, snapshot: dict | None = None) -> dict:
    """A party's lines on a document: as filed (the case's snapshot) when there is one."""
    if snapshot:
        zh, en = country_names(snapshot.get("country") or "")
        return {"name": snapshot.get("name", ""), "address": snapshot.get("address", ""), "country_zh": zh,
                "country_en": en}
    zh, en = country_names(party.country.code)
    return {"name": party.name, "address": party.address, "country_zh": zh, "country_en": en}


# The licence prints each choice in both languages, whatever the reader's language.
TRANSPORT_ZH = {"sea": "水路运输", "air": "航空运输", "rail": "铁路运输", "road": "公路运输", "post": "邮件运输", "other": "其他"}
TRANSPORT_EN = {"sea": "Waterway", "air": "Air", "rail": "Railway", "road": "Road", "post": "Postal", "other": "Other"}
PAYMENT_ZH = {"tt": "电汇", "lc": "信用证", "dp": "付款交单", "da": "承兑交单", "oa": "赊销", "other": "其他"}
PAYMENT_EN = {"tt": "T/T", "lc": "L/C", "dp": "D/P", "da": "D/A", "oa": "O/A", "other": "Other"}


def shipment_lines(app: Application) -> dict:
    trade = ""
    if app.trade_mode:
        with translation.override("en"):
            label = str(TradeMode(app.trade_mode).label)  # "General trade (一般贸易)": both languages already
        trade = f"{app.trade_mode} {label}"
    port = app.export_port
    return {
        "trade_mode": trade,
        "contract_number": app.contract_number,
        "export_port": f"{port.name_zh} {port.name_en} ({port.code})" if port else "",
        "transport_mode": f"{TRANSPORT_ZH[app.transport_mode]} {TRANSPORT_EN[app.transport_mode]}"
        if app.transport_mode else "",
        "payment_terms": f"{PAYMENT_ZH[app.payment_terms]} {PAYMENT_EN[app.payment_terms]}" if app.payment_terms else "",
        "shipment_from": app.shipment_from.isoformat() if app.shipment_from else "",
        "shipment_until": app.shipment_until.isoformat() if app.shipment_until else "",
    }


LICENCE_TYPE_LABELS = {"individual": {"zh": "单项许可", "en": "Individual License"},
                       "general": {"zh": "通用许可", "en": "General License"}}


def licence_pdf_data(licence: Licence) -> dict:
    app = licence.application
    dest_zh, dest_en = country_names(app.destination.code)
    # The items as approved: a smaller approved quantity is printed with its value pro rata; an
    # item approved at 0 is left off.
    items = []
    general = licence.licence_type == LicenceType.GENERAL
    for i in app.items.select_related("customs_unit"):
        quantity, value = i.quantity, i.value_rmb
        if i.approved_quantity is not None:
            if i.approved_quantity <= 0:
                continue
            quantity = i.approved_quantity
            value = (i.value_rmb * i.approved_quantity / i.quantity).quantize(Decimal("0.01"))
        share = quantity / i.quantity
        unit_zh, unit_en = (i.customs_unit.name_zh, i.customs_unit.name_en) if i.customs_unit else (i.unit, "")
        # A general licence's line has no cap unless the ministry approved a quantity (Reg. 19).
        capped = not general or i.approved_quantity is not None
        items.append({"capped": capped, "application_item": i.pk, "customs_unit": i.customs_unit_id, "unit_code": i.unit,
                      "control_code": i.control_code, "catch_all": i.catch_all, "description": i.description,
                      "specification": i.specification, "hs_code": i.hs_code, "quantity": quantity, "unit": unit_zh,
                      "unit_en": unit_en, "unit_price": i.unit_price, "currency": i.currency,
                      "total": None if i.total is None else (i.total * share).quantize(Decimal("0.01")),
                      "value_rmb": value,
                      "value_usd": None if i.value_usd is None else (i.value_usd * share).quantize(Decimal("0.01"))})
    conditions = (app.recommendations.filter(state=RecommendationState.FINAL, outcome=DecisionOutcome.APPROVE)
                  .order_by("-pk").values_list("conditions", flat=True).first())
    return {
        "number": licence.number,
        "case_reference": app.reference,
        "issued_on": timezone.localdate(licence.issued_at),
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "licence_type": LICENCE_TYPE_LABELS[licence.licence_type],
        "exporter": {"name_zh": app.exporter.name_zh, "name_en": app.exporter.name_en,
                     "uscc": app.exporter.code, "address": app.exporter.address},
        "importer": party_lines(app.importer, app.importer_snapshot),
        "end_user": party_lines(app.end_user, app.end_user_snapshot),
        "additional_end_users": [party_lines(None, snapshot) for snapshot in app.additional_end_users_snapshot or []],
        "destination": {"code": app.destination.code, "zh": dest_zh, "en": dest_en},
        "end_use": app.end_use,
        "consignee": party_lines(app.consignee, app.consignee_snapshot) if app.consignee_id else {},
        "shipment": shipment_lines(app),
        "items": items,
        "conditions": conditions or "",
        "issuer": {"zh": "中华人民共和国商务部",
                   "en": "Ministry of Commerce of the People's Republic of China"},
        "verify_url": licence_verify_url(licence),
    }

"""What a change request may change on a licence (Reg. 18) and how a changed licence prints.

The licence prints its case (licensing.licences.selectors.licence_pdf_data); a changed licence
keeps that case, so the approved changes on the way to it are laid over what the case says
(`pdf_data`). Its quantities are its own LicenceItem rows."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.licences.selectors import (
    PAYMENT_EN,
    PAYMENT_ZH,
    TRANSPORT_EN,
    TRANSPORT_ZH,
    licence_pdf_data,
    party_lines,
)
from licensing.models import Licence, LicenceChange, LicenceChangeState, PaymentTerms, TransportMode
from portal.errors import ValidationFailed, lazy_format
from portal.text import clean_text

VALIDITY_CAP_DAYS = 365  # Reg. 19: an individual licence is valid at most one year from its issue

# A change of these needs a new application, not a change request (Reg. 18).
KEY_ELEMENTS = ("items", "destination", "end_user", "end_use")
TEXT_FIELDS = {"contract_number": 100, "consignee_name": 200, "consignee_address": 500, "remarks": 1000}
CHOICE_FIELDS = {"payment_terms": PaymentTerms, "transport_mode": TransportMode}
FIELDS = (*TEXT_FIELDS, "shipment_until", *CHOICE_FIELDS)
FIELD_LABELS = {
    "contract_number": _("contract number"), "consignee_name": _("intermediate consignee"),
    "consignee_address": _("intermediate consignee's address"), "remarks": _("remarks"),
    "shipment_until": _("shipment until"), "payment_terms": _("payment terms"),
    "transport_mode": _("transport mode"), "quantity": _("quantity of line"),
}


class KeyElementChange(ValidationFailed):
    code = "key_element_change"
    default_message = _("A change of item, destination, end user or end use is not a change request: it needs "
                        "a new application (Reg. 18). Start one pre-filled from this licence; this licence is "
                        "cancelled when the new one is issued.")


def applied_changes(licence: Licence) -> list[LicenceChange]:
    """The approved changes that led to this licence, oldest first (none for a licence issued on
    its case)."""
    found, current = [], licence
    while current is not None:
        change = LicenceChange.objects.filter(new_licence=current, state=LicenceChangeState.APPROVED).first()
        if change is None:
            break
        found.append(change)
        current = Licence.objects.defer("pdf").filter(pk=change.licence_id).first()
    return found[::-1]


def original_licence(licence: Licence) -> Licence:
    changes = applied_changes(licence)
    return Licence.objects.defer("pdf").get(pk=changes[0].licence_id) if changes else licence


def validity_cap(licence: Licence) -> date:
    """The last day any licence of this line may be valid: one year from the original's issue
    (Reg. 19), and never past the validity it has. A general licence keeps its own validity (at most
    3 years, fixed when it was issued)."""
    if licence.licence_type == "general":
        return licence.valid_until
    first = timezone.localdate(original_licence(licence).issued_at)
    return min(first + timedelta(days=VALIDITY_CAP_DAYS - 1), licence.valid_until)


def current_terms(licence: Licence) -> dict:
    """What the licence says today of each field a change may touch, as text."""
    app = licence.application
    consignee = party_lines(app.consignee, app.consignee_snapshot) if app.consignee_id else {}
    terms = {"contract_number": app.contract_number, "consignee_name": consignee.get("name", ""),
             "consignee_address": consignee.get("address", ""), "remarks": "",
             "shipment_until": app.shipment_until.isoformat() if app.shipment_until else "",
             "payment_terms": app.payment_terms, "transport_mode": app.transport_mode}
    for change in applied_changes(licence):
        terms.update({k: v["new"] for k, v in change.changes.items() if not k.startswith("quantity:")})
    return terms


def _quantity(value, field: str) -> Decimal:
    try:
        quantity = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(fields={field: [_("Enter a number.")]}) from None
    if not quantity.is_finite() or quantity <= 0:
        raise ValidationFailed(fields={field: [_("Enter a quantity above zero.")]})
    if quantity != quantity.quantize(Decimal("0.001")):
        raise ValidationFailed(fields={field: [_("At most three decimal places.")]})
    return quantity


def _shipment_until(value, current: str, licence: Licence) -> str:
    field = "shipment_until"
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(fields={field: [_("Enter a date as YYYY-MM-DD.")]}) from None
    if current and day <= date.fromisoformat(current):
        raise ValidationFailed(fields={field: [_("The shipment period can only be made longer: choose a later "
                                                 "date.")]})
    if day < timezone.localdate():
        raise ValidationFailed(fields={field: [_("The date has passed.")]})
    cap = validity_cap(licence)
    if day > cap:
        message = lazy_format(_("A licence is valid at most one year from its first issue (Reg. 19): the latest "
                                "date is %(cap)s."), cap=cap.isoformat())
        raise ValidationFailed(message, code="validity_cap", fields={field: [message]})
    return day.isoformat()


def check_key_elements(data: dict) -> None:
    asked = [k for k in KEY_ELEMENTS if data.get(k) not in (None, "", [], {}, False)]
    if asked:
        message = KeyElementChange.default_message
        raise KeyElementChange(fields={k: [message] for k in asked})


def parse_changes(licence: Licence, data: dict) -> dict:
    """The changes asked for, as {field: {"old", "new"}}, only those that differ from the licence;
    a 400 naming the field for anything a change request cannot do."""
    check_key_elements(data)
    terms, changes = current_terms(licence), {}
    for field, limit in TEXT_FIELDS.items():
        if field in data and data[field] is not None:
            value = clean_text(data[field], field, limit=limit, required=False)
            if value != terms[field]:
                changes[field] = {"old": terms[field], "new": value}
    for field, choices in CHOICE_FIELDS.items():
        value = data.get(field)
        if value not in (None, ""):
            if value not in choices.values:
                raise ValidationFailed(fields={field: [_("Choose one of the listed values.")]})
            if value != terms[field]:
                changes[field] = {"old": terms[field], "new": value}
    if data.get("shipment_until") not in (None, ""):
        value = _shipment_until(data["shipment_until"], terms["shipment_until"], licence)
        if value != terms["shipment_until"]:
            changes["shipment_until"] = {"old": terms["shipment_until"], "new": value}
    quantities = data.get("quantities") or {}
    if not isinstance(quantities, dict):
        raise ValidationFailed(fields={"quantities": [_("Give the new quantities by line.")]})
    items = {str(item.line): item for item in licence.items.all()}
    for line, value in quantities.items():
        field = f"quantities.{line}"
        item = items.get(str(line))
        if item is None:
            raise ValidationFailed(fields={field: [_("The licence has no such line.")]})
        if value in (None, ""):
            continue
        quantity = _quantity(value, field)
        if quantity > item.quantity:
            message = _("A quantity can only be made smaller; a larger one needs a new application.")
            raise ValidationFailed(message, code="quantity_increase", fields={field: [message]})
        if quantity < item.used_quantity:
            message = lazy_format(_("%(used)s are already used on this line; the new quantity cannot be below it."),
                                  used=item.used_quantity.normalize())
            raise ValidationFailed(message, code="below_used", fields={field: [message]})
        if quantity != item.quantity:
            changes[f"quantity:{item.line}"] = {"old": str(item.quantity), "new": str(quantity)}
    if not changes:
        message = _("Nothing would change: give at least one new value.")
        raise ValidationFailed(message, code="no_change", fields={"changes": [message]})
    return changes


def new_quantity(change: LicenceChange, line: int):
    value = change.changes.get(f"quantity:{line}")
    return Decimal(value["new"]) if value else None


def pro_rata(value, share):
    return None if value is None else (Decimal(value) * share).quantize(Decimal("0.01"))


def pdf_data(licence: Licence) -> dict:
    """licence_pdf_data with the approved changes that led to this licence laid over it."""
    data = licence_pdf_data(licence)
    changes = applied_changes(licence)
    if not changes:
        return data
    terms = {}
    for change in changes:
        terms.update({k: v["new"] for k, v in change.changes.items()})
    shipment = data["shipment"]
    for field in ("contract_number", "shipment_until"):
        if field in terms:
            shipment[field] = terms[field]
    if "payment_terms" in terms:
        value = terms["payment_terms"]
        shipment["payment_terms"] = f"{PAYMENT_ZH[value]} {PAYMENT_EN[value]}" if value else ""
    if "transport_mode" in terms:
        value = terms["transport_mode"]
        shipment["transport_mode"] = f"{TRANSPORT_ZH[value]} {TRANSPORT_EN[value]}" if value else ""
    if "consignee_name" in terms or "consignee_address" in terms:
        consignee = {"name": "", "address": "", "country_zh": "", "country_en": "", **data["consignee"]}
        consignee["name"] = terms.get("consignee_name", consignee["name"])
        consignee["address"] = terms.get("consignee_address", consignee["address"])
        data["consignee"] = consignee
    if terms.get("remarks"):
        data["conditions"] = "\n".join(filter(None, [data["conditions"], terms["remarks"]]))
    lines = {item.line: item.quantity for item in licence.items.all()}
    for line, item in enumerate(data["items"], start=1):
        quantity = lines.get(line)
        if quantity is not None and quantity != item["quantity"]:
            share = quantity / Decimal(item["quantity"])
            item.update(quantity=quantity, value_rmb=pro_rata(item["value_rmb"], share),
                        total=pro_rata(item["total"], share), value_usd=pro_rata(item["value_usd"], share))
    old = changes[-1].licence.number
    data["case_reference"] = f"{data['case_reference']} · 取代许可证 {old} / Replaces licence {old}"
    return data

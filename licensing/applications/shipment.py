"""The shipment fields of a draft, as the ministry's form and the licence carry them: trade mode
(贸易方式), customs port of export (报关口岸), transport mode, payment terms and the planned
shipment period. The intermediate consignee is a party (licensing.applications.parties)."""

import datetime

from django.utils.translation import gettext_lazy as _

from licensing.applications.models import CustomsPort, PaymentTerms, TradeMode, TransportMode
from licensing.models import Application
from portal.errors import ValidationFailed, lazy_format

CHOICE_FIELDS = {"trade_mode": TradeMode, "transport_mode": TransportMode, "payment_terms": PaymentTerms}
DATE_FIELDS = ("shipment_from", "shipment_until")
FIELDS = (*CHOICE_FIELDS, "export_port", *DATE_FIELDS)


def parse_date(value, field):
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationFailed(fields={field: [_("Enter a date as YYYY-MM-DD.")]})


def clean(data: dict, cleaned: dict) -> None:
    for field, choices in CHOICE_FIELDS.items():
        if field in data:
            value = data[field] or ""
            if value and (not isinstance(value, str) or value not in choices.values):
                raise ValidationFailed(fields={field: [lazy_format(_("Choose one of: %(choices)s."),
                                                                   choices=", ".join(choices.values))]})
            cleaned[field] = value
    if "export_port" in data:
        port = data["export_port"] or ""
        if port and (not isinstance(port, str) or not CustomsPort.objects.filter(code=port, active=True).exists()):
            raise ValidationFailed(fields={"export_port": [_("Choose a port from the customs port list.")]})
        cleaned["export_port_id"] = port or None
    for field in DATE_FIELDS:
        if field in data:
            cleaned[field] = parse_date(data[field], field)


def check_period(app: Application) -> None:
    if app.shipment_from and app.shipment_until and app.shipment_until < app.shipment_from:
        message = _("The shipment period ends before it starts.")
        raise ValidationFailed(message, fields={"shipment_until": [message]})


def apply(app: Application, cleaned: dict) -> None:
    for field in (*CHOICE_FIELDS, "export_port_id", *DATE_FIELDS):
        if field in cleaned:
            setattr(app, field, cleaned[field])
    check_period(app)


def snapshot(app: Application) -> dict:
    return {"trade_mode": app.trade_mode, "export_port": app.export_port_id or "",
            "transport_mode": app.transport_mode, "payment_terms": app.payment_terms,
            "shipment_from": app.shipment_from.isoformat() if app.shipment_from else None,
            "shipment_until": app.shipment_until.isoformat() if app.shipment_until else None}


def as_data(app: Application) -> dict:
    """The same, for the API and the pages: codes and their labels."""
    return {**snapshot(app),
            "trade_mode_label": app.get_trade_mode_display() if app.trade_mode else "",
            "export_port_name": str(app.export_port) if app.export_port_id else "",
            "transport_mode_label": app.get_transport_mode_display() if app.transport_mode else "",
            "payment_terms_label": app.get_payment_terms_display() if app.payment_terms else ""}

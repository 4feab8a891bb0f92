"""What the application form tells the exporter as it is filled in: one field checked as it is
left (`check_field`), and the checklist of what submission still needs (`checklist`), from the
saved draft or from the form as it stands on the page."""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from controllist.codes import parse_control_code
from controllist.selectors import version_in_force
from licensing.applications import items as draft_items
from licensing.applications import shipment
from licensing.models import Application, DocumentKind
from portal.errors import DomainError

ITEM_FIELD = re.compile(r"^items-(\d{1,2})-([a-z_]+)$")
NEEDED = _("Needed before submission.")


@dataclass
class Check:
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    ok: bool = False


def _messages(exc: DomainError) -> list:
    found = [message for messages in (exc.fields or {}).values() for message in messages]
    return found or [exc.message]


def check_field(name: str, data) -> Check:
    """The message to show beside `name` given the form's values `data` (a QueryDict)."""
    value = (data.get(name) or "").strip()
    result = Check()
    try:
        match = ITEM_FIELD.match(name)
        if match:
            _check_item_field(match.group(2), value, lambda other: (data.get(f"items-{match.group(1)}-{other}") or ""),
                              result)
        elif name in ("destination", "end_use") and not value:
            result.errors.append(NEEDED)
        elif name in ("importer_name", "end_user_name") and not value:
            if not data.get(name.replace("_name", "_party")):
                result.errors.append(_("Needed before submission: choose one of your parties or type a new one."))
        elif name in shipment.FIELDS:
            cleaned = {}
            shipment.clean({name: value}, cleaned)
            start = shipment.parse_date(data.get("shipment_from") or "", "shipment_from") if name == "shipment_until" else None
            if start and cleaned.get("shipment_until") and cleaned["shipment_until"] < start:
                result.errors.append(_("The shipment period ends before it starts."))
    except DomainError as exc:
        result.errors.extend(_messages(exc))
    result.ok = not result.errors and bool(value)
    return result


def _check_item_field(name, value, row, result: Check) -> None:
    if name == "control_code":
        if row("catch_all") in ("on", "true", "1"):
            if value:
                result.errors.append(_("An item applied for under the catch-all is not on the list: leave the "
                                       "export control code empty, or untick the catch-all box."))
            return
        if not value:
            result.errors.append(NEEDED)
            return
        code = parse_control_code(value).code
        if draft_items.unlisted_codes([code]):
            result.errors.append(draft_items.not_listed_message([code], version_in_force()))
        hs_warning = draft_items.hs_code_warning(code, row("hs_code").strip())
        if hs_warning:
            result.warnings.append(hs_warning)
    elif name == "hs_code":
        problem = draft_items.hs_code_problem(value)
        if problem:
            result.errors.append(problem)
        else:
            code = row("control_code").strip()
            try:
                code = parse_control_code(code).code if code else ""
            except DomainError:
                code = ""
            warning = draft_items.hs_code_warning(code, value)
            if warning:
                result.warnings.append(warning)
    elif name in ("quantity", "unit_price", "value_rmb"):
        if value:
            draft_items.decimal_field(value, name, positive=name == "quantity", label=name)
        elif name == "quantity":
            result.errors.append(NEEDED)
    elif name == "unit":
        if not value:
            result.errors.append(NEEDED)
        elif draft_items.find_unit(value) is None:
            result.errors.append(_("Choose a unit from the customs unit list."))
    elif name == "currency" and value and value != "CNY" and draft_items.usd_rate(value) is None:
        result.errors.append(_("The ministry has no exchange rate for this currency; choose another currency."))
    elif name == "description" and not value:
        result.errors.append(NEEDED)


# ---------------------------------------------------------------- the checklist

REQUIRED = [
    ("destination", _("Destination country")),
    ("importer", _("Importer")),
    ("end_user", _("End user")),
    ("end_use", _("End-use statement")),
    ("items", _("At least one item (code, name, quantity, unit, value)")),
    ("certificate", _("The end-user certificate (PDF), uploaded on the case page")),
]
# What missing_for_submission says for the rows above (the checklist words them itself).
BASIC_MISSING = (_("destination country"), _("importer"), _("end user"), _("end-use statement"),
                 _("at least one item"), _("the end-user certificate (PDF)"))
PRINTED = [
    ("contract_number", _("Contract number")),
    ("hs_codes", _("An HS code for every item")),
    ("trade_mode", _("Trade mode")),
    ("export_port", _("Customs port of export")),
    ("transport_mode", _("Transport mode")),
    ("payment_terms", _("Payment terms")),
    ("shipment_period", _("Planned shipment period")),
]


def _from_app(app: Application) -> dict:
    items = list(app.items.all())
    return {"destination": bool(app.destination), "importer": app.importer_id is not None,
            "end_user": app.end_user_id is not None, "end_use": bool(app.end_use.strip()), "items": bool(items),
            "certificate": app.documents.filter(kind=DocumentKind.END_USER_CERTIFICATE).exists(),
            "contract_number": bool(app.contract_number), "hs_codes": bool(items) and all(i.hs_code for i in items),
            "trade_mode": bool(app.trade_mode), "export_port": bool(app.export_port_id),
            "transport_mode": bool(app.transport_mode), "payment_terms": bool(app.payment_terms),
            "shipment_period": bool(app.shipment_from and app.shipment_until)}


def _from_form(data, app: Application | None) -> dict:
    def filled(name):
        return bool((data.get(name) or "").strip())

    total = str(data.get("items-TOTAL_FORMS") or "0")
    rows = []
    for index in range(min(int(total) if total.isdigit() else 0, draft_items.MAX_ITEMS)):
        row = {name: (data.get(f"items-{index}-{name}") or "").strip()
               for name in ("control_code", "catch_all", "description", "quantity", "unit", "hs_code", "value_rmb",
                            "unit_price")}
        if any(row.values()):
            rows.append(row)
    return {"destination": filled("destination"),
            "importer": filled("importer_party") or filled("importer_name"),
            "end_user": filled("end_user_party") or filled("end_user_name"), "end_use": filled("end_use"),
            "items": bool(rows) and all((r["control_code"] or r["catch_all"]) and r["description"] and r["quantity"]
                                        and r["unit"] and (r["value_rmb"] or r["unit_price"]) for r in rows),
            "certificate": bool(app) and app.documents.filter(kind=DocumentKind.END_USER_CERTIFICATE).exists(),
            "contract_number": filled("contract_number"), "hs_codes": bool(rows) and all(r["hs_code"] for r in rows),
            **{name: filled(name) for name in ("trade_mode", "export_port", "transport_mode", "payment_terms")},
            "shipment_period": filled("shipment_from") and filled("shipment_until")}


def checklist(app: Application | None = None, data=None, problems=()) -> dict:
    """Rows {label, done} of what submission needs and of what the licence prints; `problems`
    (missing_for_submission's findings beyond the list, e.g. certificate mismatches) are added undone."""
    state = _from_form(data, app) if data is not None else _from_app(app)
    required = [{"key": key, "label": label, "done": state[key]} for key, label in REQUIRED]
    basic = {str(text) for text in BASIC_MISSING}
    extra = [{"key": "problem", "label": problem, "done": False} for problem in problems if str(problem) not in basic]
    return {"required": required + extra, "printed": [{"key": k, "label": label, "done": state[k]} for k, label in PRINTED],
            "ready": all(row["done"] for row in required) and not extra}



# ---------------------------------------------------------------- after submission

NEXT_STEPS = {
    "submitted": (_("Your provincial commerce department checks that the application is complete, then forwards "
                    "it to the ministry or returns it to you for correction."),
                  _("Usually a few working days. You are told when it moves on.")),
    "forwarded": (_("The ministry accepts the case or asks you once for everything still missing."),
                  _("Within 5 working days of receiving it.")),
    "correcting": (_("The ministry has asked for corrections: answer them on this page. The 5 working days for "
                     "acceptance start again from your answer."), None),
    "accepted": (_("The ministry reviews the case and may consult other departments."),
                 _("A decision is due within 45 working days of acceptance, not counting time waiting for you, "
                   "item identification, expert consultation or on-site checks (Regulations Art. 17).")),
    "with_agencies": (_("Other departments are giving their opinion on the case."),
                      _("A decision is due within 45 working days of acceptance, not counting stops (Regulations "
                        "Art. 17).")),
    "awaiting_decision": (_("The ministry is preparing its decision."),
                          _("A decision is due within 45 working days of acceptance, not counting stops "
                            "(Regulations Art. 17).")),
    "awaiting_countersign": (_("The ministry is preparing its decision."),
                             _("A decision is due within 45 working days of acceptance, not counting stops "
                               "(Regulations Art. 17).")),
    "approved": (_("The licence is issued on this page. Declare the export to customs with it before it expires."),
                 None),
}


def next_step(app: Application, user) -> dict | None:
    """What the exporter is told happens next, and the usual time for it."""
    if not (user.is_exporter and user.organisation_id == app.exporter_id) or app.status not in NEXT_STEPS:
        return None
    what, usual = NEXT_STEPS[app.status]
    return {"what": what, "usual": usual}

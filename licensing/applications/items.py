"""The items of a draft: checking what the exporter typed (control code, HS code, customs unit,
quantity, price, currency) and working out the totals in RMB and in US dollars at the ministry's
rate table. `clean_items` takes the API's `items` list or the older single `item` object."""

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, DecimalException

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from controllist.codes import parse_control_code
from controllist.controls.determination import temporary_controls_in_force
from controllist.models import Entry
from controllist.selectors import version_in_force
from licensing.applications.models import CustomsUnit, ExchangeRate
from portal.errors import ValidationFailed, lazy_format

MAX_ITEMS = 50
HS_CODE = re.compile(r"^\d{10}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
CENT = Decimal("0.01")


def decimal_field(value, field, *, positive: bool, label):
    number = None
    if value is not None and value != "" and not isinstance(value, bool):  # JSON 0 and 1 are numbers
        try:
            number = Decimal(str(value))
            if number.is_finite() and abs(number.adjusted()) > 30:
                raise ValidationFailed(fields={field: [_("The number is too large.")]})
            number = number.normalize()
        except DecimalException:
            number = None
    if number is None or not number.is_finite():
        raise ValidationFailed(fields={field: [_("Enter a number.")]})
    if positive and number <= 0:
        raise ValidationFailed(lazy_format(_("%(field)s must be greater than zero."), field=label),
                               fields={field: [_("Must be greater than zero.")]})
    if not positive and number < 0:
        raise ValidationFailed(lazy_format(_("%(field)s must not be negative."), field=label),
                               fields={field: [_("Must not be negative.")]})
    if abs(number) >= Decimal("1e15"):
        raise ValidationFailed(fields={field: [_("The number is too large.")]})
    return number


def unlisted_codes(codes, on=None) -> list[str]:
    """The codes that are neither an entry of the list version in force nor the code of a
    temporary control in force (Law 12(1): only those need, and can get, a licence)."""
    version = version_in_force(on)
    listed = set(Entry.objects.filter(version=version, code__in=codes).values_list("code", flat=True)
                 if version else [])
    listed |= {control.control_code for control in temporary_controls_in_force(on or timezone.localdate())}
    return [code for code in dict.fromkeys(codes) if code not in listed]


def not_listed_message(codes, version):
    if version is None:
        return lazy_format(_("%(codes)s: no control list is in force, so no code can be checked."),
                           codes=", ".join(codes))
    return lazy_format(
        _("%(codes)s is not in the control list in force (%(label)s, effective %(date)s). Search the "
          "list, or ask a classification question."),
        codes=", ".join(codes), label=version.label, date=version.effective_from.isoformat())


def find_unit(text) -> CustomsUnit | None:
    """The customs unit named by its code, its Chinese or English name or a usual alias."""
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        return None
    found = CustomsUnit.objects.filter(Q(code=text) | Q(name_zh=text) | Q(name_en__iexact=text)).first()
    if found:
        return found
    lowered = text.lower()
    return next((unit for unit in CustomsUnit.objects.all() if lowered in [a.lower() for a in unit.aliases]), None)


def usd_rate(currency: str, on: date | None = None) -> ExchangeRate | None:
    """The rate in force for `currency` on `on` (today): the latest entered from a day not after it."""
    return (ExchangeRate.objects.filter(currency=currency, valid_from__lte=on or timezone.localdate())
            .order_by("-valid_from").first())


def hs_code_problem(hs_code: str) -> str | None:
    if hs_code and not HS_CODE.match(hs_code):
        return _("An HS code is the 10-digit China customs commodity code, e.g. 8505111000.")
    return None


def hs_code_warning(control_code: str, hs_code: str):
    """A warning (never a block) when the list entry names HS codes and this one is not among them."""
    if not control_code or not hs_code or not HS_CODE.match(hs_code):
        return None
    version = version_in_force()
    entry = Entry.objects.filter(version=version, code=control_code).first() if version else None
    if entry is None or not entry.hs_codes:
        return None
    if any(hs_code.startswith(str(code)) for code in entry.hs_codes):
        return None
    return lazy_format(_("%(code)s usually goes with HS code %(hs)s; check %(given)s with your customs broker."),
                       code=control_code, hs=", ".join(entry.hs_codes), given=hs_code)


def _text(data, key, field, limit, message):
    value = data.get(key) or ""
    if not isinstance(value, str) or len(value) > limit:
        raise ValidationFailed(fields={f"{field}.{key}": [message]})
    return value.strip()


def clean_item(data, field: str = "item") -> dict | None:
    """One item; error keys are `<field>.<name>` (item.quantity, items.2.hs_code)."""
    if data in (None, ""):
        return None
    if not isinstance(data, dict):
        raise ValidationFailed(fields={field: [_("Expected an object describing the item.")]})
    catch_all = data.get("catch_all", False)
    if not isinstance(catch_all, bool):
        raise ValidationFailed(fields={f"{field}.catch_all": [_("Expected true or false.")]})
    raw_code = data.get("control_code")
    if catch_all:
        # Law 12(3), Reg. 14: an unlisted item needs a licence when the catch-all applies; it has
        # no code, and a listed item is never applied for this way.
        if raw_code not in (None, ""):
            message = _("An item applied for under the catch-all is not on the list: leave the "
                        "export control code empty, or untick the catch-all box.")
            raise ValidationFailed(message, code="catch_all_with_code", fields={f"{field}.control_code": [message]})
        code = ""
    else:
        code = parse_control_code(raw_code if isinstance(raw_code, str) else "").code
        unlisted = unlisted_codes([code])
        if unlisted:
            message = not_listed_message(unlisted, version_in_force())
            raise ValidationFailed(message, code="not_listed", fields={f"{field}.control_code": [message]})
    description = data.get("description")
    if not isinstance(description, str) or not description.strip() or len(description) > 500:
        raise ValidationFailed(fields={f"{field}.description": [_("Describe the item (at most 500 characters).")]})
    unit_text = data.get("unit")
    if not isinstance(unit_text, str) or not unit_text.strip() or len(unit_text) > 20:
        raise ValidationFailed(fields={f"{field}.unit": [_("Give the unit, e.g. kg or pieces.")]})
    unit = find_unit(unit_text)
    if unit is None:
        raise ValidationFailed(fields={f"{field}.unit": [_("Choose a unit from the customs unit list.")]})
    specification = _text(data, "specification", field, 200, _("At most 200 characters of text."))
    hs_code = _text(data, "hs_code", field, 10, hs_code_problem("x") or "")
    if hs_code_problem(hs_code):
        raise ValidationFailed(fields={f"{field}.hs_code": [hs_code_problem(hs_code)]})
    quantity = decimal_field(data.get("quantity"), f"{field}.quantity", positive=True, label=_("Quantity"))
    if quantity.as_tuple().exponent < -3:
        raise ValidationFailed(fields={f"{field}.quantity": [_("At most three decimal places.")]})
    money = _money(data, field, quantity)
    return {"control_code": code, "catch_all": catch_all, "description": description.strip(),
            "specification": specification, "quantity": quantity, "unit": unit_text.strip(),
            "customs_unit_id": unit.code, "hs_code": hs_code, **money}


def _money(data, field, quantity) -> dict:
    """Unit price and currency give the total; without a unit price the value in RMB is the total.
    Both are converted to US dollars at the rate in force today."""
    currency = data.get("currency") or "CNY"
    if not isinstance(currency, str) or not CURRENCY.match(currency.upper()):
        raise ValidationFailed(fields={f"{field}.currency": [_("A three-letter currency code, e.g. CNY or USD.")]})
    currency = currency.upper()
    unit_price = None
    if data.get("unit_price") not in (None, ""):
        unit_price = decimal_field(data.get("unit_price"), f"{field}.unit_price", positive=False,
                                   label=_("Unit price"))
        if unit_price.as_tuple().exponent < -4:
            raise ValidationFailed(fields={f"{field}.unit_price": [_("At most four decimal places.")]})
        total = (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
    elif currency != "CNY":
        raise ValidationFailed(fields={f"{field}.unit_price": [_("Give the unit price in the contract's currency.")]})
    else:
        total = decimal_field(data.get("value_rmb"), f"{field}.value_rmb", positive=False, label=_("Value (RMB)"))
        if total.as_tuple().exponent < -2:
            raise ValidationFailed(fields={f"{field}.value_rmb": [_("At most two decimal places.")]})
    if abs(total) >= Decimal("1e15"):
        raise ValidationFailed(fields={f"{field}.unit_price": [_("The number is too large.")]})
    rate, cny = usd_rate(currency), usd_rate("CNY")
    if currency != "CNY" and (rate is None or cny is None):
        message = lazy_format(_("The ministry has no exchange rate for %(currency)s; choose another currency."),
                              currency=currency)
        raise ValidationFailed(message, fields={f"{field}.currency": [message]})
    value_usd = (total * rate.usd_per_unit).quantize(CENT, rounding=ROUND_HALF_UP) if rate else None
    value_rmb = total if currency == "CNY" else (value_usd / cny.usd_per_unit).quantize(CENT, rounding=ROUND_HALF_UP)
    return {"unit_price": unit_price, "currency": currency, "total": total, "value_rmb": value_rmb,
            "value_usd": value_usd, "usd_rate_date": rate.valid_from if rate else None}


def clean_items(data: dict, cleaned: dict) -> None:
    """`items` (a list, replacing all items) or `item` (one, replacing all items), not both."""
    if "items" in data and "item" in data:
        message = _("Send either `items` or `item`, not both.")
        raise ValidationFailed(message, fields={"items": [message]})
    if "item" in data:
        item = clean_item(data["item"])
        cleaned["items"] = [] if item is None else [item]
    elif "items" in data:
        rows = data["items"]
        if rows is None:
            rows = []
        if not isinstance(rows, list):
            raise ValidationFailed(fields={"items": [_("Expected a list of items.")]})
        if len(rows) > MAX_ITEMS:
            raise ValidationFailed(fields={"items": [lazy_format(_("At most %(count)s items."), count=MAX_ITEMS)]})
        cleaned["items"] = [clean_item(row, f"items.{index}") for index, row in enumerate(rows)]
        if any(row is None for row in cleaned["items"]):
            raise ValidationFailed(fields={"items": [_("Expected an object describing the item.")]})


def warnings(items) -> list:
    """Non-blocking findings on saved items (ApplicationItem rows): HS codes the entry does not name."""
    found = []
    for index, item in enumerate(items):
        warning = hs_code_warning(item.control_code, item.hs_code)
        if warning:
            found.append((index, warning))
    return found


def same_customs_unit(text: str, item) -> bool:
    """Whether `text` ("kg") names the customs unit of `item` (an ApplicationItem: 千克)."""
    unit = find_unit(text) if item.customs_unit_id else None
    return unit is not None and unit.code == item.customs_unit_id

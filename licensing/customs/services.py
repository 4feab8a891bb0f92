"""Shipments drawn against licences at customs (核销) and their reversal, for a customs system over
the API and for a customs officer by hand: one function each, the same rules for both.

A write-off locks the licence row (lifecycle.lock_licence) and then its item, so concurrent
draw-downs on one licence run one after the other and each sees the quantity the one before it
used; the database's check constraint on LicenceItem is the last line of defence. (declaration
number, line) is the idempotency key: the same message again is answered as the first time and
counts once; a different message with that key is a conflict. Every refusal raises before anything
is written (the transaction rolls back). Token and system administration is in tokens.py,
challenges in challenges.py."""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from audit import services as audit
from licensing.licences import lifecycle
from licensing.licences import services as licences
from licensing.models import CustomsPort, Licence, LicenceItem, LicenceStatus, WriteOff
from portal.errors import DomainError, NotAllowed, NotFound, ValidationFailed, lazy_format

DECLARATION = re.compile(r"^[0-9A-Za-z-]{1,32}$")
Q3 = Decimal("0.001")
Q2 = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999999")  # 18 digits with 3 (or 2) decimals


class Refused(DomainError):
    """A refusal that carries facts the caller needs (the quantity left, the licence's port)."""

    status_code = 409

    def __init__(self, message, *, code, status=409, **extra):
        super().__init__(message, code=code)
        self.status_code = status
        self.extra = extra


# ---------------------------------------------------------------- input


def normalise_number(number) -> str:
    return str(number or "").strip().upper()


def check_number(number) -> str:
    """The number, normalised; 404 `licence_number_malformed` when its check character is wrong."""
    number = normalise_number(number)
    if len(number) > 20 or not licences.licence_number_is_valid(number):
        raise NotFound(_("This is not a licence number (the check character does not match)."),
                       code="licence_number_malformed")
    return number


def find_licence_id(number) -> int:
    """The licence's id for a number: 404 `licence_number_malformed` when the check character is
    wrong, 404 `licence_unknown` when no licence has it."""
    number = check_number(number)
    pk = Licence.objects.filter(number=number).values_list("pk", flat=True).first()
    if pk is None:
        raise NotFound(_("No licence has this number."), code="licence_unknown")
    return pk


def _decimal(value, field, places, *, positive):
    number = None
    if value is not None and not isinstance(value, bool):
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            number = None
    if number is None or not number.is_finite():
        raise ValidationFailed(fields={field: [_("Give a number.")]})
    if (positive and number <= 0) or number < 0:
        message = _("Must be more than zero.") if positive else _("Must not be negative.")
        raise ValidationFailed(fields={field: [message]})
    if number != number.quantize(places, rounding=ROUND_HALF_UP):
        raise ValidationFailed(fields={field: [lazy_format(_("At most %(n)s decimal places."),
                                                           n=-places.as_tuple().exponent)]})
    if number > MAX_AMOUNT:
        raise ValidationFailed(fields={field: [_("Too large.")]})
    return number.quantize(places)


@dataclass(frozen=True)
class Shipment:
    """A write-off message, checked and normalised (its hash tells a replay from a conflict)."""

    declaration_number: str
    line: int
    licence_number: str
    item_line: int | None
    control_code: str
    quantity: Decimal
    unit: str
    value_rmb: Decimal
    shipped_on: date
    port: str

    def digest(self) -> str:
        body = {k: str(v) if v is not None else None for k, v in self.__dict__.items()}
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def shipment(*, declaration_number, line, licence_number, quantity, unit, value_rmb, shipped_on, port,
             item_line=None, control_code="") -> Shipment:
    """Check a write-off message's fields (400 with field errors); no database rule yet."""
    errors = {}
    declaration_number = str(declaration_number or "").strip().upper()
    if not DECLARATION.match(declaration_number):
        errors["declaration_number"] = [_("Give the declaration number (letters, digits, at most 32).")]
    if isinstance(line, bool) or not isinstance(line, int) or not 1 <= line <= 999:
        errors["line"] = [_("Give the declaration line (1 to 999).")]
    if item_line is not None and (isinstance(item_line, bool) or not isinstance(item_line, int)
                                  or not 1 <= item_line <= 999):
        errors["item"] = [_("Give the licence's item line (1 to 999).")]
    control_code = str(control_code or "").strip().upper()
    if item_line is None and not control_code:
        errors["item"] = [_("Name the licence item: its line or its control code.")]
    unit = str(unit or "").strip()
    if not unit or len(unit) > 20:
        errors["unit"] = [_("Give the unit of the quantity.")]
    if not isinstance(shipped_on, date):
        errors["shipped_on"] = [_("Give the export date.")]
    elif shipped_on > timezone.localdate():
        errors["shipped_on"] = [_("The export date is in the future.")]
    port = str(port or "").strip()
    if not port or not CustomsPort.objects.filter(code=port, active=True).exists():
        errors["port"] = [_("No customs port has this code.")]
    for field, value, places, positive in (("quantity", quantity, Q3, True), ("value_rmb", value_rmb, Q2, False)):
        try:
            number = _decimal(value, field, places, positive=positive)
        except ValidationFailed as exc:
            errors.update(exc.fields)
            continue
        if field == "quantity":
            quantity = number
        else:
            value_rmb = number
    if errors:
        raise ValidationFailed(fields=errors)
    return Shipment(declaration_number=declaration_number, line=line, licence_number=normalise_number(licence_number),
                    item_line=item_line, control_code=control_code, quantity=quantity, unit=unit,
                    value_rmb=value_rmb, shipped_on=shipped_on, port=port)


# ---------------------------------------------------------------- rules


def usable_reason(status, valid_from, valid_until, today=None) -> str:
    """'' when a licence may be drawn on today, else why not (a stable code): its status, or
    `expired` / `not_yet_valid` for an issued licence outside its dates (before beat has run)."""
    today = today or timezone.localdate()
    if status != LicenceStatus.ISSUED:
        return status
    if today > valid_until:
        return "expired"
    if today < valid_from:
        return "not_yet_valid"
    return ""


REASON_LABELS = {"expired": _("past its last valid day"), "not_yet_valid": _("not valid yet")}


def _item(licence: Licence, s: Shipment) -> LicenceItem:
    items = LicenceItem.objects.select_for_update().filter(licence=licence)
    if s.item_line is not None:
        found = list(items.filter(line=s.item_line))
    else:
        found = list(items.filter(control_code__iexact=s.control_code))
    if len(found) != 1:
        message = (_("The licence has several items with this control code: name the item line.") if found
                   else _("The licence has no such item."))
        raise ValidationFailed(message, code="item_unknown", fields={"item": [message]})
    return found[0]


def _check_unit(item: LicenceItem, unit: str) -> None:
    wanted = {u.upper() for u in (item.customs_unit_id, item.unit) if u}
    if unit.upper() not in wanted:
        raise Refused(lazy_format(_("The licence's unit for this item is %(unit)s."),
                                  unit=item.customs_unit_id or item.unit),
                      code="unit_mismatch", status=400, unit=item.customs_unit_id or item.unit)


def _check_rules(licence: Licence, item: LicenceItem, s: Shipment) -> None:
    reason = usable_reason(licence.status, licence.valid_from, licence.valid_until)
    if reason:
        label = REASON_LABELS.get(reason) or LicenceStatus(reason).label
        raise Refused(lazy_format(_("The licence is not valid for use (%(reason)s)."), reason=label),
                      code="licence_not_valid", licence_status=licence.status, reason=reason)
    if licence.one_port and licence.export_port_id and s.port != licence.export_port_id:
        raise Refused(lazy_format(_("This licence is used only at customs port %(port)s."),
                                  port=licence.export_port_id),
                      code="wrong_port", licence_port=licence.export_port_id)
    if licence.one_shipment and licence.shipment_declaration and licence.shipment_declaration != s.declaration_number:
        raise Refused(lazy_format(_("This licence serves one shipment, already declared under %(declaration)s."),
                                  declaration=licence.shipment_declaration),
                      code="shipment_used", shipment_declaration=licence.shipment_declaration)
    _check_unit(item, s.unit)
    if not item.capped:
        return  # a general licence line with no cap (Reg. 19): any number of shipments in its validity
    remaining = item.remaining_quantity.quantize(Q3)
    if s.quantity > remaining:
        raise Refused(lazy_format(_("Only %(remaining)s %(unit)s are left on this item."),
                                  remaining=remaining, unit=item.unit),
                      code="over_draw", remaining_quantity=str(remaining))


@dataclass
class Outcome:
    write_off: WriteOff
    replayed: bool


def _same_sender(write_off: WriteOff, system, officer) -> bool:
    if system is not None:
        return write_off.system_id == system.pk
    return write_off.system_id is None


def _earlier(s: Shipment, digest: str, system, officer) -> Outcome | None:
    earlier = (WriteOff.objects.select_related("licence", "item", "port")
               .filter(declaration_number=s.declaration_number, line=s.line).first())
    if earlier is None:
        return None
    if earlier.message_hash != digest or not _same_sender(earlier, system, officer):
        raise Refused(_("This declaration line was already written off with different content."),
                      code="write_off_conflict", licence_number=earlier.licence.number)
    return Outcome(earlier, True)


def _sender_check(system, officer) -> None:
    if (system is None) == (officer is None):
        raise ValueError("a write-off comes from a customs system or a customs officer")
    if officer is not None and officer.role != Role.CUSTOMS_OFFICER:
        raise NotAllowed(_("Only customs records write-offs."))


@transaction.atomic
def write_off_record(*, shipment: Shipment, system=None, officer=None) -> Outcome:
    """Draw a shipment against a licence item. The same message again → the first answer
    (replayed); nothing is counted twice."""
    _sender_check(system, officer)
    s, digest = shipment, shipment.digest()
    earlier = _earlier(s, digest, system, officer)
    if earlier:
        return earlier
    licence = lifecycle.lock_licence(find_licence_id(s.licence_number), None)
    earlier = _earlier(s, digest, system, officer)  # the same message may have committed while we waited
    if earlier:
        return earlier
    item = _item(licence, s)
    _check_rules(licence, item, s)
    try:
        with transaction.atomic():
            write_off = WriteOff.objects.create(
                licence=licence, item=item, declaration_number=s.declaration_number, line=s.line,
                quantity=s.quantity, value_rmb=s.value_rmb, shipped_on=s.shipped_on, port_id=s.port,
                system=system, recorded_by=officer, message_hash=digest)
    except IntegrityError:  # the key was taken meanwhile on another licence
        earlier = _earlier(s, digest, system, officer)
        if earlier:
            return earlier
        raise
    item.used_quantity += s.quantity
    item.used_value += s.value_rmb
    item.save(update_fields=["used_quantity", "used_value"])
    if not licence.shipment_declaration:
        licence.shipment_declaration = s.declaration_number
        licence.save(update_fields=["shipment_declaration"])
    audit.record(actor=officer, action="customs.write_off", obj=write_off, after={
        "licence": licence.number, "item": item.line, "declaration": s.declaration_number, "line": s.line,
        "quantity": s.quantity, "unit": s.unit, "value_rmb": s.value_rmb, "port": s.port,
        "shipped_on": s.shipped_on, "system": system.code if system else None,
        "used_quantity": item.used_quantity})
    licences.licence_check_exhausted(licence)
    return Outcome(write_off, False)


@transaction.atomic
def write_off_reverse(*, declaration_number, line, system=None, officer=None, reason="") -> Outcome:
    """Give a write-off's quantity back (the declaration was withdrawn). Only its sender may: the
    customs system that sent it, or a customs officer for one recorded by hand. Twice is once."""
    _sender_check(system, officer)
    found = (WriteOff.objects.filter(declaration_number=str(declaration_number).strip().upper(), line=line)
             .values_list("pk", "licence_id").first())
    if found is None:
        raise NotFound(_("No write-off has this declaration number and line."), code="write_off_unknown")
    licence = lifecycle.lock_licence(found[1], None)
    write_off = WriteOff.objects.select_for_update().select_related("item").get(pk=found[0])
    if not _same_sender(write_off, system, officer):
        raise Refused(_("This write-off was recorded by another customs system; only it may reverse it."),
                      code="not_your_write_off", status=403)
    if write_off.reversed_at is not None:
        return Outcome(write_off, True)
    item = LicenceItem.objects.select_for_update().get(pk=write_off.item_id)
    item.used_quantity = max(item.used_quantity - write_off.quantity, Decimal(0))
    item.used_value = max(item.used_value - write_off.value_rmb, Decimal(0))
    item.save(update_fields=["used_quantity", "used_value"])
    write_off.reversed_at = timezone.now()
    write_off.reversed_by_system = system
    write_off.reversed_by = officer
    write_off.reversal_reason = str(reason or "")[:2000]
    write_off.save(update_fields=["reversed_at", "reversed_by_system", "reversed_by", "reversal_reason"])
    if (licence.shipment_declaration == write_off.declaration_number and not licence.write_offs.filter(
            declaration_number=write_off.declaration_number, reversed_at__isnull=True).exists()):
        licence.shipment_declaration = ""  # the one shipment never left: the licence serves another
        licence.save(update_fields=["shipment_declaration"])
    audit.record(actor=officer, action="customs.write_off_reverse", obj=write_off, after={
        "licence": licence.number, "item": item.line, "declaration": write_off.declaration_number,
        "line": write_off.line, "quantity": write_off.quantity, "system": system.code if system else None,
        "reason": write_off.reversal_reason, "used_quantity": item.used_quantity})
    licences.licence_check_reopened(licence)
    return Outcome(write_off, False)

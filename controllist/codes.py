"""Export control code format (出口管制编码): one digit (sector), one letter A-E (item type),
three digits, then optional dotted sub-items such as .a, .a.1, .b.2 (DOMAIN.md)."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from portal.errors import ValidationFailed, lazy_format

_CODE = re.compile(r"^[0-9][A-E][0-9]{3}(\.[a-z](\.[0-9]{1,2}(\.[a-z])?)?)?$")
_SUB = re.compile(r"^(\.[a-z0-9]{1,2})*$")

SECTORS = {
    "0": _("Other items"),
    "1": _("Special materials and related equipment, chemicals, microorganisms and toxins"),
    "2": _("Materials processing"),
    "3": _("Electronics"),
    "4": _("Computers"),
    "5": _("Telecommunications and information security"),
    "6": _("Sensors and lasers"),
    "7": _("Navigation and avionics"),
    "8": _("Marine"),
    "9": _("Aerospace and propulsion"),
}
ITEM_TYPES = {
    "A": _("Systems, equipment and components"),
    "B": _("Test, inspection and production equipment"),
    "C": _("Materials"),
    "D": _("Software"),
    "E": _("Technology"),
}


@dataclass(frozen=True)
class ControlCode:
    code: str

    @property
    def sector(self) -> str:
        return self.code[0]

    @property
    def item_type(self) -> str:
        return self.code[1]

    @property
    def regime_digit(self) -> str:
        return self.code[2]


def parse_control_code(raw: str) -> ControlCode:
    """Normalise and check a code; the error says what exactly is wrong."""
    code = (raw or "").strip()
    code = code[:2].upper() + code[2:]
    if not code:
        raise ValidationFailed(_("Enter an export control code, e.g. 1C902.a."))
    problems = []
    if not code[0].isdigit():
        problems.append(_("the first character must be a digit 0-9 (the sector)"))
    if len(code) < 2 or code[1] not in "ABCDE":
        problems.append(_("the second character must be a letter A-E (the item type)"))
    if len(code) < 5 or not code[2:5].isdigit():
        problems.append(_("characters 3-5 must be three digits"))
    elif not problems and (not _SUB.match(code[5:]) or not _CODE.match(code)):
        problems.append(_("sub-items must look like .a, .a.1 or .b.2"))
    if problems:
        message = lazy_format(
            _("“%(code)s” is not a valid export control code: %(problems)s."),
            code=raw, problems=problems,
        )
        raise ValidationFailed(message, code="bad_control_code")
    return ControlCode(code)


def sort_key(code: str) -> str:
    """Natural order of codes: numeric sub-items are zero-padded, so 1C902.a.2 sorts before
    1C902.a.10, and a parent sorts before its children."""
    head, *parts = code.split(".")
    return ".".join([head, *(part.zfill(2) if part.isdigit() else part for part in parts)])


def parent_code(code: str) -> str:
    """The code of the entry a sub-item belongs to ("" for a five-character code)."""
    return code.rsplit(".", 1)[0] if "." in code else ""

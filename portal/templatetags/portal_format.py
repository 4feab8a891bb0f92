"""Amounts and country names as people read them, in the active language."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats

from portal import countries

register = template.Library()


@register.filter
def amount(value, decimal_places=2):
    """An amount with thousands separators (1,234,567.50); '' for nothing, the value as it was if
    it is not a number."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    return formats.number_format(number, decimal_pos=int(decimal_places), use_l10n=True, force_grouping=True)


@register.filter
def quantity(value):
    """A quantity without trailing zeros, grouped (12,000 or 2.5)."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        return value
    places = max(0, -number.as_tuple().exponent)
    return formats.number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def country_name(code):
    """The name of a country or region given its ISO code (or a django-countries Country)."""
    code = getattr(code, "code", code)
    return countries.name(code) or code or ""


@register.filter
def country_names(codes):
    """A list of ISO codes as names, separated as the language separates a list."""
    from django.utils.translation import get_language

    separator = "、" if (get_language() or "").startswith("zh") else "; "  # "Taiwan, China; Singapore"
    return separator.join(country_name(code) for code in (codes or []))


def local_name_of(obj) -> str:
    """An organisation's, province's or rule's name in the active language: name_zh in Chinese,
    name_en (or name_zh where there is none) in English."""
    from django.utils.translation import get_language

    if obj in (None, ""):
        return ""
    zh, en = getattr(obj, "name_zh", "") or "", getattr(obj, "name_en", "") or ""
    if not zh and not en:
        return str(obj)
    return (zh or en) if (get_language() or "").startswith("zh") else (en or zh)


register.filter("local_name", local_name_of)

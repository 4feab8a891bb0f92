"""The bilingual licence PDF (两用物项和技术出口许可证), rendered from plain data.

``render_licence_pdf(data)`` is a pure function of ``data``: it needs Django settings (for the
template engine) but no database.  It renders ``licensing/licence_pdf.html`` with Django's
template engine and turns the HTML into PDF with WeasyPrint.

Performance notes (see shared/LICENCE-PDF.md):

* One WeasyPrint ``FontConfiguration`` per process, created lazily on first use and passed to
  every ``write_pdf``; renders are serialised by a lock so that it is never used by two threads
  at once. After a fork the child makes its own.
* The fonts are a GB2312 subset of Noto Sans CJK SC shipped in ``licensing/licences/fonts`` and declared
  with ``@font-face``; the system's full "Noto Sans CJK SC" is the fallback for rare characters.
* The system should have ``libharfbuzz-subset`` (``harfbuzz_subset_available()``); without it
  WeasyPrint subsets fonts with fontTools, 20-50x slower.
* The QR code is a PNG data URI made by segno with a fixed mask.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime
import os
import threading
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from django.template.loader import render_to_string

__all__ = [
    "FONTS_DIR",
    "QR_ERROR",
    "QR_MASK",
    "TEMPLATE_NAME",
    "build_context",
    "harfbuzz_subset_available",
    "make_qr",
    "qr_png_data_uri",
    "render_licence_pdf",
]

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
TEMPLATE_NAME = "licensing/licence_pdf.html"

#: QR parameters: a fixed mask avoids segno's mask evaluation (most of its cost) and is equally
#: valid; level M survives a stain or a fold on a printed copy.
QR_MASK = 0
QR_ERROR = "m"
QR_SCALE = 6  # pixels per module in the PNG (the PDF size is set by CSS)
QR_BORDER = 4  # quiet zone, in modules, as the QR standard asks

_CENT = Decimal("0.01")

_lock = threading.RLock()
_font_config: Any = None
_font_config_pid: int | None = None


# --------------------------------------------------------------------------- environment


@lru_cache(maxsize=1)
def harfbuzz_subset_available() -> bool:
    """Whether the system's libharfbuzz-subset can be loaded (WeasyPrint's fast font subsetting)."""
    names = [ctypes.util.find_library("harfbuzz-subset"), "libharfbuzz-subset.so.0"]
    for name in names:
        if not name:
            continue
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return True
    return False


def _get_font_config():
    """The process's FontConfiguration (call with ``_lock`` held)."""
    global _font_config, _font_config_pid
    pid = os.getpid()
    if _font_config is None or _font_config_pid != pid:
        if _font_config is not None:
            # Inherited across fork(): the parent owns its temporary font folder, so don't let
            # this copy's finaliser delete it.
            _font_config._folder = None
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
        _font_config_pid = pid
    return _font_config


def _url_fetcher():
    """A fetcher that only reads data: URIs and files from FONTS_DIR (no network, no SSRF)."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint < 66: keep its default fetcher
        return None

    fonts_uri = FONTS_DIR.as_uri() + "/"

    class _LicenceURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(("data:", fonts_uri)):
                raise ValueError(f"licence PDF may not load {url[:80]!r}")
            return super().fetch(url, headers)

    return _LicenceURLFetcher(allowed_protocols=("data", "file"))


# --------------------------------------------------------------------------- QR code


def make_qr(text: str) -> segno.QRCode:
    """The QR code the licence carries for ``text`` (fixed mask, level M)."""
    return segno.make_qr(text, error=QR_ERROR, mask=QR_MASK, boost_error=False)


def qr_png_data_uri(text: str) -> str:
    """``data:image/png;base64,...`` of the QR code for ``text``."""
    return make_qr(text).png_data_uri(scale=QR_SCALE, border=QR_BORDER)


# --------------------------------------------------------------------------- formatting


def _format_date(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if value is None or value == "":
        return Decimal(0)
    return Decimal(str(value).replace(",", "").strip())


def _format_quantity(value: Any) -> str:
    """1500.000 -> '1,500'; 0.250 -> '0.25' (no exponent, no trailing zeros)."""
    number = _decimal(value)
    normalized = number.normalize()
    if normalized == normalized.to_integral_value():
        normalized = normalized.quantize(Decimal(1))
    return f"{normalized:,f}"


def _format_money(value: Decimal) -> str:
    return f"{value.quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"


def _format_price(value: Any) -> str:
    """Unit prices keep up to four decimals, at least two: 12.5 -> '12.50', 0.1234 -> '0.1234'."""
    number = _decimal(value)
    if number.as_tuple().exponent >= -2:
        return _format_money(number)
    return f"{number.normalize():,f}"


def build_context(data: dict) -> dict:
    """The template context for ``data`` (dates and numbers formatted, QR made, totals added)."""
    items = []
    total = Decimal(0)
    total_usd = Decimal(0)
    usd_complete = True
    for index, item in enumerate(data.get("items") or [], start=1):
        value = _decimal(item.get("value_rmb"))
        total += value
        currency = item.get("currency") or "CNY"
        amount = value if item.get("total") in (None, "") else _decimal(item.get("total"))
        usd = None if item.get("value_usd") in (None, "") else _decimal(item.get("value_usd"))
        if usd is None:
            usd_complete = False
        else:
            total_usd += usd
        items.append({
            "index": index,
            "control_code": item.get("control_code", ""),
            "catch_all": bool(item.get("catch_all")),
            "hs_code": item.get("hs_code", ""),
            "description": item.get("description", ""),
            "specification": item.get("specification", ""),
            "quantity": _format_quantity(item.get("quantity")),
            "capped": item.get("capped", True),
            "unit": item.get("unit", ""),
            "unit_en": item.get("unit_en", ""),
            "unit_price": "" if item.get("unit_price") in (None, "") else _format_price(item.get("unit_price")),
            "currency": currency,
            "amount": _format_money(amount),
            "value_rmb": _format_money(value),
            "value_usd": "" if usd is None else _format_money(usd),
        })
    verify_url = data.get("verify_url", "")
    return {
        "number": data["number"],
        "case_reference": data.get("case_reference", ""),
        "issued_on": _format_date(data.get("issued_on")),
        "valid_from": _format_date(data.get("valid_from")),
        "valid_until": _format_date(data.get("valid_until")),
        "licence_type": data.get("licence_type") or {},
        "exporter": data.get("exporter") or {},
        "importer": data.get("importer") or {},
        "end_user": data.get("end_user") or {},
        "additional_end_users": data.get("additional_end_users") or [],
        "destination": data.get("destination") or {},
        "end_use": data.get("end_use", ""),
        "conditions": data.get("conditions", ""),
        "consignee": data.get("consignee") or {},
        "shipment": data.get("shipment") or {},
        "items": items,
        "total_value_rmb": _format_money(total),
        "total_value_usd": _format_money(total_usd) if items and usd_complete else "",
        "issuer": data.get("issuer") or {},
        "verify_url": verify_url,
        "qr_data_uri": qr_png_data_uri(verify_url),
    }


# --------------------------------------------------------------------------- rendering


def render_licence_pdf(data: dict) -> bytes:
    """Render the licence described by ``data`` and return the PDF bytes (not signed)."""
    from weasyprint import HTML

    html = render_to_string(TEMPLATE_NAME, build_context(data))
    document = HTML(
        string=html,
        base_url=FONTS_DIR.as_uri() + "/",
        url_fetcher=_url_fetcher(),
    )
    with _lock:
        return document.write_pdf(font_config=_get_font_config())


def render_template_pdf(template_name: str, context: dict) -> bytes:
    """Render another portal document (e.g. the refusal letter) exactly as the licence is rendered:
    same fonts, font configuration, lock and URL fetcher."""
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=FONTS_DIR.as_uri() + "/", url_fetcher=_url_fetcher())
    with _lock:
        return document.write_pdf(font_config=_get_font_config())

"""Reads for licence pages and the API: the register (every list starts from
Licence.objects.visible_to), one licence with what was drawn against it and its history, and the
register as CSV. Query counts do not grow with the number of rows."""

import csv
from datetime import timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from accounts.models import Role
from licensing.models import (
    Licence,
    LicenceEvent,
    LicenceItem,
    LicenceNotice,
    LicenceStatus,
    WriteOff,
)

PAGE_SIZE = 50
LIVE = (LicenceStatus.ISSUED, LicenceStatus.SUSPENDED)


def register_rows(user, filters: dict):
    """The licences `user` sees that match the cleaned register filters, newest first, with the
    exporter, port and items loaded in a fixed number of queries. A customs officer searches by
    number only and sees nothing without one."""
    rows = (Licence.objects.visible_to(user).defer("pdf")
            .select_related("exporter", "exporter__province", "application", "export_port")
            .only("number", "licence_type", "status", "valid_from", "valid_until", "issued_at", "version",
                  "exporter__name_zh", "exporter__name_en", "exporter__code", "exporter__province__name_zh",
                  "exporter__province__name_en", "exporter__province__code", "application__destination",
                  "application__reference", "export_port__code", "export_port__name_zh", "export_port__name_en")
            .prefetch_related(Prefetch("items", queryset=LicenceItem.objects.only(
                "licence_id", "line", "control_code", "catch_all", "quantity", "used_quantity", "unit",
                "tolerance_percent"))))
    number = filters.get("number") or ""
    if getattr(user, "role", None) == Role.CUSTOMS_OFFICER:
        return rows.filter(number=number) if number else rows.none()
    if number:
        rows = rows.filter(number__startswith=number)
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    if filters.get("exporter"):
        text = filters["exporter"]
        rows = rows.filter(Q(exporter__name_zh__icontains=text) | Q(exporter__name_en__icontains=text)
                           | Q(exporter__code__iexact=text))
    if filters.get("province"):
        rows = rows.filter(exporter__province=filters["province"])
    if filters.get("control_code"):
        rows = rows.filter(Exists(LicenceItem.objects.filter(
            licence=OuterRef("pk"), control_code__startswith=filters["control_code"])))
    if filters.get("destination"):
        rows = rows.filter(application__destination=filters["destination"])
    if filters.get("expiring_within") is not None:
        today = timezone.localdate()
        rows = rows.filter(status__in=LIVE, valid_until__gte=today,
                           valid_until__lte=today + timedelta(days=filters["expiring_within"]))
    return rows.order_by("-issued_at", "-pk")


def licence_for(user, number: str) -> Licence | None:
    """One licence `user` may see, by number, with its items, write-offs, events and notices."""
    number = (number or "").strip().upper()[:20]
    if not number:
        return None
    return (Licence.objects.visible_to(user).defer("pdf")
            .select_related("application", "exporter", "export_port", "replaces")
            .prefetch_related(
                "items",
                Prefetch("write_offs", queryset=WriteOff.objects.select_related("item", "port", "system")
                         .order_by("shipped_on", "pk")),
                Prefetch("events", queryset=LicenceEvent.objects.select_related("actor").order_by("seq")),
                Prefetch("notices", queryset=LicenceNotice.objects.defer("pdf")))
            .filter(number=number).first())


def notice_for(user, number: str, notice_id) -> LicenceNotice | None:
    """A notice of a licence, for the exporter's people who see the licence and the ministry (customs
    follows the licence's status, not the letters to the exporter)."""
    if not (user.is_authenticated and (user.is_exporter or user.is_ministry)):
        return None
    try:
        notice_id = int(notice_id)
    except (TypeError, ValueError, OverflowError):
        return None
    licence = Licence.objects.visible_to(user).filter(number=(number or "").upper()[:20]).only("pk").first()
    if licence is None:
        return None
    return LicenceNotice.objects.filter(licence=licence, pk=notice_id).first()


def item_codes(licence: Licence) -> list[str]:
    return [i.control_code for i in licence.items.all() if i.control_code]


# ---------------------------------------------------------------- CSV


CSV_HEADER = ["licence_number", "licence_type", "status", "exporter_name_zh", "exporter_name_en",
              "exporter_credit_code", "province", "destination", "export_port", "valid_from", "valid_until",
              "issued_at", "items"]


def _cell(value) -> str:
    """Text for a spreadsheet: a cell that Excel would read as a formula starts with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value):
        return value


def register_csv_lines(rows):
    """The register as CSV lines (UTF-8 with a byte-order mark so Excel reads the Chinese), row by
    row in chunks, for a streaming response."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for licence in rows.iterator(chunk_size=500):
        items = "; ".join(
            f"{i.line}:{i.control_code or 'catch-all'} {i.used_quantity}/{i.quantity} {i.unit}" for i in licence.items.all())
        port = licence.export_port
        yield writer.writerow([_cell(v) for v in (
            licence.number, licence.licence_type, licence.status, licence.exporter.name_zh, licence.exporter.name_en,
            licence.exporter.code, licence.exporter.province.code if licence.exporter.province_id else "",
            licence.application.destination.code if licence.application.destination else "",
            port.code if port else "", licence.valid_from.isoformat(), licence.valid_until.isoformat(),
            timezone.localtime(licence.issued_at).isoformat(timespec="seconds"), items)])

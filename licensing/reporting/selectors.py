"""Reads of licence reports: every list and page starts from Licence.objects.visible_to (through
the visible_to of the report models), so the exporter sees its own licences' and the ministry all."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count
from django.utils import timezone

from accounts.models import Organisation
from licensing.models import Licence, LicenceReport, ReportKind, ReportRequirement

PAGE_SIZE = 50


def licence_for(user, number) -> Licence | None:
    """The licence by number, if `user` may see its reports (the exporter's people who see it, the
    ministry)."""
    number = str(number or "").upper()[:20]
    if not (user.is_authenticated and (user.is_exporter or user.is_ministry)) or not number:
        return None
    return (Licence.objects.visible_to(user).defer("pdf").select_related("application", "exporter")
            .filter(number=number).first())


@dataclass
class Due:
    requirement: ReportRequirement
    state: str  # "filed", "overdue", "due"
    days_left: int


def requirements_of(licence: Licence, *, today: date | None = None) -> list[Due]:
    today = today or timezone.localdate()
    rows = []
    for req in licence.report_requirements.select_related("set_by", "fulfilled_report").order_by("due_on", "kind"):
        state = "filed" if req.fulfilled_report_id else ("overdue" if req.due_on < today else "due")
        rows.append(Due(req, state, (req.due_on - today).days))
    return rows


def reports_of(licence: Licence) -> list[LicenceReport]:
    return list(licence.reports.select_related("filed_by").annotate(document_count=Count("documents"))
                .order_by("-filed_at", "-pk"))


def report_for(user, licence: Licence, pk) -> LicenceReport | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError, OverflowError):
        return None
    return (LicenceReport.objects.visible_to(user).filter(licence=licence, pk=pk)
            .select_related("filed_by", "corrects").prefetch_related("documents", "corrections").first())


def overdue_queue(user, *, exporter: int | None = None, kind: str = "", today: date | None = None):
    """Reports not filed by their due date, oldest due first, on licences `user` sees (the caller
    checks that it is the ministry); unknown filter values are the caller's 400."""
    today = today or timezone.localdate()
    rows = (ReportRequirement.objects.visible_to(user).open().filter(due_on__lt=today)
            .select_related("licence", "licence__exporter").defer("licence__pdf"))
    if exporter:
        rows = rows.filter(licence__exporter_id=exporter)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("due_on", "pk")


def overdue_exporters(user, *, today: date | None = None) -> list[Organisation]:
    """The exporters with an overdue report (the queue's filter choices), in one query."""
    today = today or timezone.localdate()
    ids = ReportRequirement.objects.visible_to(user).open().filter(due_on__lt=today).values("licence__exporter_id")
    return list(Organisation.objects.filter(pk__in=ids).order_by("name_zh", "pk"))


def kind_ok(kind: str) -> bool:
    return not kind or kind in ReportKind.values

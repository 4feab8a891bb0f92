"""Reads of end-use change reports: every list and page starts from EndUseReport.objects.visible_to."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count

from licensing.models import EndUseReport, EndUseReportKind, EndUseReportState

PAGE_SIZE = 50


def reports_for(user):
    return (EndUseReport.objects.visible_to(user)
            .select_related("application", "application__exporter", "created_by", "reviewed_by", "closed_by"))


def reports_queue(user, *, state: str = "", kind: str = ""):
    """The reports `user` sees, newest first, filtered by state and kind (unknown values are the
    caller's 400); with the number of documents of each, in the same query."""
    rows = reports_for(user).annotate(document_count=Count("documents"))
    if state:
        rows = rows.filter(state=state)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-created_at", "-pk")


def queue_filters_ok(state: str, kind: str) -> bool:
    return (not state or state in EndUseReportState.values) and (not kind or kind in EndUseReportKind.values)


def report_for(user, pk) -> EndUseReport | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError, OverflowError):
        return None
    return (reports_for(user).select_related("application__licence").defer("application__licence__pdf")
            .prefetch_related("documents").filter(pk=pk).first())


def licence_of(report: EndUseReport):
    """The licence issued on the report's case, if any (loaded by report_for, without its PDF)."""
    try:
        return report.application.licence
    except ObjectDoesNotExist:
        return None


def reports_of_case(user, app) -> list[EndUseReport]:
    return list(reports_for(user).filter(application=app).prefetch_related("documents").order_by("-created_at", "-pk"))


def open_counts(user) -> dict:
    """Reports awaiting the ministry, per state (for the navigation and the dashboard)."""
    rows = (EndUseReport.objects.visible_to(user).exclude(state=EndUseReportState.CLOSED)
            .values("state").annotate(n=Count("pk")))
    return {row["state"]: row["n"] for row in rows}

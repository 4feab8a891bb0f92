"""The statistics dashboard page and its CSV downloads. Views only translate HTTP to
compliance.statistics calls; the charts are drawn by static/compliance/statistics.js from the
data handed over with json_script, and every chart has its table (the page works without JS)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from compliance.statistics import exports, selectors
from compliance.statistics.forms import PeriodForm
from portal.errors import NotAllowed
from portal.pages import domain_errors_as_pages

TEMPLATE = "compliance/statistics/dashboard.html"
CHART_ROWS = 15  # a chart shows the largest rows; its table and CSV have all of them


def _breakdown_chart(rows):
    rows = rows[:CHART_ROWS]
    return {"type": "bar", "horizontal": True, "stacked": True, "labels": [r["label"] for r in rows],
            "series": [{"label": _("Approved"), "values": [r["approved"] for r in rows]},
                       {"label": _("Refused"), "values": [r["refused"] for r in rows]}]}


def _count_chart(rows, label):
    rows = rows[:CHART_ROWS]
    return {"type": "bar", "horizontal": True, "labels": [r["label"] for r in rows],
            "series": [{"label": label, "values": [r["count"] for r in rows]}]}


def charts(board: selectors.Dashboard) -> dict:
    months = [m["month"] for m in board.months]
    return {
        "months": {"type": "bar", "labels": months, "series": [
            {"label": _("Applications submitted"), "values": [m["submitted"] for m in board.months]},
            {"label": _("Licences issued"), "values": [m["issued"] for m in board.months]},
            {"label": _("Refused"), "values": [m["refused"] for m in board.months], "type": "line"}]},
        "processing": {"type": "line", "labels": months, "series": [
            {"label": _("p50 (working days)"), "values": [m["p50"] for m in board.months]},
            {"label": _("p90 (working days)"), "values": [m["p90"] for m in board.months]}]},
        "sector": _breakdown_chart(board.sector),
        "destination": _breakdown_chart(board.destination),
        "province": _breakdown_chart(board.province_rows),
        "agency": _breakdown_chart(board.agency),
        "overdue_cases": _count_chart(board.overdue_cases, _("Overdue cases")),
        "overdue_referrals": _count_chart(board.overdue_referrals, _("Overdue referrals")),
    }


@login_required
@require_GET
@domain_errors_as_pages
def statistics_dashboard(request):
    if not selectors.can_see_statistics(request.user):
        raise NotAllowed()
    today = timezone.localdate()
    form = PeriodForm(request.GET, today=today)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form, "board": None}, status=400)
    first, last = form.cleaned_data["first"], form.cleaned_data["last"]
    board = selectors.dashboard(request.user, first=first, last=last, today=today)
    table = form.cleaned_data.get("table")
    if request.GET.get("format") == "csv" or table:
        if not table:
            form.add_error(None, _("Choose the table to download."))
            return render(request, TEMPLATE, {"form": form, "board": None}, status=400)
        response = HttpResponse(exports.table_csv(board, table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="statistics-{table}-{first:%Y-%m}-{last:%Y-%m}.csv"')
        return response
    period = f"from={first:%Y-%m}&to={last:%Y-%m}"
    return render(request, TEMPLATE, {
        "form": form, "board": board, "period": period, "charts": {"charts": charts(board)},
        "from_value": f"{first:%Y-%m}", "to_value": f"{last:%Y-%m}"})

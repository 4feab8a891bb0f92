"""Pages of licence reports: a licence's reports (the panel the licence page also shows), the
exporter's form, a report with its documents, the ministry's requirement forms and its queue of
overdue reports. Views only translate HTTP to licensing.reporting calls."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from licensing.models import ReportDefault, ReportKind
from licensing.reporting import selectors, services
from licensing.reporting.forms import (
    DefaultForm,
    OverdueFilterForm,
    RemoveForm,
    ReportForm,
    RequirementForm,
)
from licensing.reporting.panels import panel_context
from portal.errors import DomainError, NotAllowed, NotFound
from portal.pages import domain_errors_as_pages
from portal.pdf import pdf_response


def _licence(request, number):
    """403 for a role that never sees reports (customs, provinces, agencies), 404 for a licence
    the user does not see."""
    user = request.user
    if not (user.is_exporter or user.is_ministry):
        raise NotAllowed()
    licence = selectors.licence_for(user, number)
    if licence is None:
        raise NotFound()
    return licence


def _reports_page(request, licence, *, requirement_form=None, status=200):
    return render(request, "licensing/reporting/licence_reports.html", {
        "licence": licence, **panel_context(request.user, licence, requirement_form=requirement_form)},
        status=status)


def _form_errors(request, form, exc: DomainError):
    for field, errors in exc.fields.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, str(error))
    messages.error(request, exc.message)


@login_required
@require_GET
@domain_errors_as_pages
def licence_reports(request, number):
    return _reports_page(request, _licence(request, number))


def _form_page(request, licence, form, status=200):
    return render(request, "licensing/reporting/new.html", {
        "licence": licence, "form": form, "event_labels": services.EVENT_LABELS}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def report_new(request, number):
    licence = _licence(request, number)
    if not services.may(request.user, "file"):
        raise NotAllowed(_("Only the licence holder files reports."))
    if request.method == "GET":
        initial = {"token": uuid.uuid4(), "kind": request.GET.get("kind") if request.GET.get("kind") in
                   ReportKind.values else None}
        corrects = selectors.report_for(request.user, licence, request.GET.get("corrects"))
        if corrects is not None:
            initial.update(corrects=corrects.pk, kind=corrects.kind, event_on=corrects.event_on, text=corrects.text)
        return _form_page(request, licence, ReportForm(initial=initial))
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _form_page(request, licence, form, status=400)
    try:
        report = services.licence_report_file(
            actor=request.user, licence_id=licence.pk, kind=form.cleaned_data["kind"], text=form.cleaned_data["text"],
            event_on=form.cleaned_data["event_on"], uploads=request.FILES.getlist("documents"),
            corrects_id=form.cleaned_data["corrects"], client_token=form.cleaned_data["token"])
    except NotFound:
        raise
    except DomainError as exc:
        _form_errors(request, form, exc)
        return _form_page(request, licence, form, status=exc.status_code)
    messages.success(request, _("Your report is filed with the ministry."))
    return redirect("licence-report", number=licence.number, pk=report.pk)


def _report(request, licence, pk):
    report = selectors.report_for(request.user, licence, pk)
    if report is None:
        raise Http404()
    return report


@login_required
@require_GET
@domain_errors_as_pages
def report_page(request, number, pk):
    licence = _licence(request, number)
    report = _report(request, licence, pk)
    return render(request, "licensing/reporting/detail.html", {
        "licence": licence, "report": report, "event_label": services.EVENT_LABELS[report.kind],
        "can_file": services.may(request.user, "file")})


@login_required
@require_GET
@domain_errors_as_pages
def document_download(request, number, pk, doc_pk):
    report = _report(request, _licence(request, number), pk)
    doc = next((d for d in report.documents.all() if d.pk == doc_pk), None)
    if doc is None:
        raise Http404()
    return pdf_response(doc.file.read(), doc.original_name)


@login_required
@require_POST
@domain_errors_as_pages
def requirement_set(request, number):
    licence = _licence(request, number)
    if not services.may(request.user, "require"):
        raise NotAllowed(_("Only the ministry sets which reports a licence needs."))
    form = RequirementForm(request.POST)
    if not form.is_valid():
        return _reports_page(request, licence, requirement_form=form, status=400)
    try:
        services.report_requirement_set(actor=request.user, licence_id=licence.pk, kind=form.cleaned_data["kind"],
                                        due_on=form.cleaned_data["due_on"], reason=form.cleaned_data["reason"])
    except NotFound:
        raise
    except DomainError as exc:
        _form_errors(request, form, exc)
        return _reports_page(request, licence, requirement_form=form, status=exc.status_code)
    messages.success(request, _("The report is required by that date; the exporter is told."))
    return redirect("licence-reports", number=licence.number)


@login_required
@require_POST
@domain_errors_as_pages
def requirement_remove(request, number, kind):
    licence = _licence(request, number)
    if not services.may(request.user, "waive"):
        raise NotAllowed(_("Only the ministry sets which reports a licence needs."))
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason; the exporter sees it."))
        return _reports_page(request, licence, status=400)
    services.report_requirement_remove(actor=request.user, licence_id=licence.pk, kind=kind,
                                       reason=form.cleaned_data["reason"])
    messages.success(request, _("The report is no longer required; the exporter is told."))
    return redirect("licence-reports", number=licence.number)


@login_required
@require_GET
@domain_errors_as_pages
def overdue_queue(request):
    if not request.user.is_ministry:
        raise NotAllowed()
    filters = OverdueFilterForm(request.GET, exporters=selectors.overdue_exporters(request.user))
    if not filters.is_valid():
        return render(request, "licensing/reporting/overdue.html", {"filters": filters, "page": None}, status=400)
    rows = selectors.overdue_queue(request.user, exporter=filters.cleaned_data["exporter"],
                                   kind=filters.cleaned_data["kind"])
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "licensing/reporting/overdue.html", {
        "filters": filters, "params": params.urlencode(),
        "page": Paginator(rows, selectors.PAGE_SIZE).get_page(request.GET.get("page"))})


def _defaults_page(request, *, bound=None, status=200):
    rows = list(ReportDefault.objects.order_by("licence_type", "kind"))
    can_edit = services.may(request.user, "edit_defaults")
    forms = [(row, bound if bound is not None and bound.prefix == f"d{row.pk}" else DefaultForm(
        prefix=f"d{row.pk}", initial={"required": row.required, "anchor": row.anchor, "days": row.days}))
        for row in rows]
    return render(request, "licensing/reporting/defaults.html", {"rows": forms, "can_edit": can_edit},
                  status=status)


@login_required
@require_GET
@domain_errors_as_pages
def defaults(request):
    if not request.user.is_ministry:
        raise NotAllowed()
    return _defaults_page(request)


@login_required
@require_POST
@domain_errors_as_pages
def default_update(request, pk):
    if not services.may(request.user, "edit_defaults"):
        raise NotAllowed(_("Only a senior ministry officer changes the default reports."))
    if not ReportDefault.objects.filter(pk=pk).exists():
        raise NotFound()
    form = DefaultForm(request.POST, prefix=f"d{pk}")
    if not form.is_valid():
        return _defaults_page(request, bound=form, status=400)
    try:
        services.report_default_update(actor=request.user, default_id=pk, **form.cleaned_data)
    except NotFound:
        raise
    except DomainError as exc:
        _form_errors(request, form, exc)
        return _defaults_page(request, bound=form, status=exc.status_code)
    messages.success(request, _("Saved: licences issued from now on get these reports."))
    return redirect("licence-report-defaults")

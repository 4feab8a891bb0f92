"""Pages of end-use change reports: the exporter's form on its case, the ministry's queue, a
report's page with its documents and the ministry's steps."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from licensing.applications import page
from licensing.applications import selectors as case_selectors
from licensing.enduse import selectors, services
from licensing.enduse.forms import CloseForm, QueueFilterForm, ReportForm, ReviewForm
from portal.errors import DomainError, NotAllowed, NotFound
from portal.pages import domain_errors_as_pages
from portal.pdf import pdf_response


def _form_page(request, app, form, status=200):
    return render(request, "licensing/enduse/new.html", {"app": app, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def report_new(request, pk):
    app = page.visible_case(request, pk)
    if not request.user.is_exporter:
        raise NotAllowed(_("Only the exporter of the case reports a change of end use."))
    if request.method == "GET":
        if not services.can_file(app, request.user):
            raise NotAllowed(_("A change of end use is reported for a case once it is submitted, and not while it "
                               "is returned for correction."))
        return _form_page(request, app, ReportForm(initial={"token": uuid.uuid4()}))
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _form_page(request, app, form, status=400)
    try:
        report = services.enduse_report_file(
            actor=request.user, application_id=app.pk, kind=form.cleaned_data["kind"],
            description=form.cleaned_data["description"], uploads=request.FILES.getlist("documents"),
            client_token=form.cleaned_data["token"])
    except NotFound:
        raise
    except DomainError as exc:
        for field, errors in exc.fields.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, str(error))
        messages.error(request, exc.message)
        return _form_page(request, app, form, status=exc.status_code)
    messages.success(request, _("Your report is filed with the ministry."))
    return redirect("enduse-report", pk=report.pk)


@login_required
@require_GET
@domain_errors_as_pages
def report_queue(request):
    if not request.user.is_ministry:
        raise NotAllowed()
    filters = QueueFilterForm(request.GET)
    if not filters.is_valid():
        return render(request, "licensing/enduse/queue.html", {"filters": filters, "page": None}, status=400)
    rows = selectors.reports_queue(request.user, state=filters.cleaned_data["state"],
                                   kind=filters.cleaned_data["kind"])
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "licensing/enduse/queue.html", {
        "filters": filters, "params": params.urlencode(),
        "page": Paginator(rows, selectors.PAGE_SIZE).get_page(request.GET.get("page"))})


def _visible(request, pk):
    report = selectors.report_for(request.user, pk)
    if report is None:
        raise Http404()
    return report


def _detail(request, report, *, review_form=None, close_form=None, status=200):
    user = request.user
    initial = {"version": report.version}
    return render(request, "licensing/enduse/detail.html", {
        "report": report, "app": report.application, "licence": selectors.licence_of(report),
        "case_visible": case_selectors.applications_for(user).filter(pk=report.application_id).exists(),
        "can_review": services.can_act(report, user, "review"),
        "can_close": services.can_act(report, user, "close"),
        "review_form": review_form or ReviewForm(initial=initial),
        "close_form": close_form or CloseForm(initial=initial),
    }, status=status)


@login_required
@require_GET
def report_page(request, pk):
    return _detail(request, _visible(request, pk))


def _step(request, pk, form_class, func, form_key, done):
    report = _visible(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        return _detail(request, report, **{form_key: form}, status=400)
    try:
        func(actor=request.user, report_id=report.pk, note=form.cleaned_data["note"],
             expected_version=form.cleaned_data["version"])
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return _detail(request, _visible(request, pk), **{form_key: form}, status=exc.status_code)
    messages.success(request, done)
    return redirect("enduse-report", pk=report.pk)


@login_required
@require_POST
def report_review(request, pk):
    return _step(request, pk, ReviewForm, services.enduse_report_review, "review_form",
                 _("The report is under review; the exporter is told."))


@login_required
@require_POST
def report_close(request, pk):
    return _step(request, pk, CloseForm, services.enduse_report_close, "close_form",
                 _("The report is closed; the exporter is told."))


@login_required
@require_GET
def document_download(request, pk, doc_pk):
    report = _visible(request, pk)
    doc = next((d for d in report.documents.all() if d.pk == doc_pk), None)
    if doc is None:
        raise Http404()
    return pdf_response(doc.file.read(), doc.original_name)

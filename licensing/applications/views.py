"""Pages for applications: exporters edit and submit, provinces forward or return, the ministry
accepts and decides. Every read starts from visible_to; every write goes through a service."""

import uuid
from itertools import zip_longest

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from compliance.eligibility.selectors import route_eligibility
from controllist.questions.services import classification_suggestions
from enduser.exceptions import forms as exception_forms
from enduser.exceptions import selectors as exception_selectors
from enduser.exceptions import services as exception_services
from enduser.parties import selectors as party_selectors
from licensing.applications import guidance, page, selectors, services, sharing
from licensing.applications.forms import (
    ApplicationForm,
    DocumentForm,
    ExchangeRateForm,
    ItemForm,
    ItemFormSet,
    ReasonForm,
    is_form_field,
    item_formset,
)
from licensing.models import EXPORTER_STATUS_LABELS, Route, Status
from licensing.workflow import EDITABLE_STATES
from portal.errors import DomainError, InvalidTransition, NotAllowed, ValidationFailed
from portal.pages import domain_errors_as_pages
from portal.pdf import pdf_response

QUEUE_DEFAULTS = {
    "provincial_officer": [Status.SUBMITTED],
    "ministry_officer": [Status.FORWARDED, Status.ACCEPTED],
    "ministry_senior": [Status.FORWARDED, Status.ACCEPTED],
}


@login_required
@require_GET
def case_list(request):
    qs = selectors.applications_for(request.user)
    status = request.GET.get("status", "")
    if status == "all":
        pass
    elif status in Status.values:
        qs = qs.filter(status=status)
    elif request.user.role in QUEUE_DEFAULTS:
        status = "queue"
        qs = qs.filter(status__in=QUEUE_DEFAULTS[request.user.role])
    else:
        status = "all"
    query = request.GET.get("q", "").strip()[:100]
    qs = selectors.search(qs, query, licence=request.GET.get("licence", ""))
    order = "submitted_at" if request.user.role in QUEUE_DEFAULTS and status != "all" else "-created_at"
    page = Paginator(qs.order_by(order, "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "licensing/case_list.html", {
        "page": page, "status": status, "statuses": [(value, label) for value, label in Status.choices if not (
            request.user.is_exporter and value in EXPORTER_STATUS_LABELS)], "q": query,
        "licence_filter": request.GET.get("licence", ""),
        "is_queue": request.user.role in QUEUE_DEFAULTS, "can_create": request.user.is_exporter,
        "show_licence": request.user.is_exporter or request.user.is_ministry,
    })


@login_required
@domain_errors_as_pages
def case_new(request):
    if not request.user.is_exporter:
        raise NotAllowed()
    if request.method == "POST":
        return _save(request, None)
    # Started from a "do I need a licence?" answer or a control-list entry: the codes are filled in,
    # one row per item (?control_code=…&description=…&hs_code=…, repeated).
    form = ApplicationForm(initial={"client_token": uuid.uuid4(),
                                    "destination": request.GET.get("destination", "")[:2].upper()},
                           parties=_book(request))
    starts = [{name: value[:limit] for name, value, limit in (("control_code", code, 16), ("description", text, 500),
                                                            ("hs_code", hs, 10)) if value}
              for code, text, hs in zip_longest(*(request.GET.getlist(key)[:50] for key in
                                                  ("control_code", "description", "hs_code")), fillvalue="")]
    rows = item_formset(initial=[start for start in starts if start] or None)
    return _form_page(request, form, rows, None)


@login_required
@domain_errors_as_pages
def case_edit(request, pk):
    app = page.visible_case(request, pk)
    if not request.user.is_exporter:
        raise NotAllowed()
    if request.method == "POST":
        return _save(request, app)
    if app.status not in EDITABLE_STATES:
        raise InvalidTransition(_("Only a draft or a returned application can be edited."))
    return _form_page(request, ApplicationForm(initial=ApplicationForm.initial_from(app), parties=_book(request, app)),
                      item_formset(app=app), app)


def _save(request, app):
    """Save the form and its items table through the service (create or update the draft)."""
    form = ApplicationForm(request.POST, parties=_book(request, app))
    rows = item_formset(request.POST)
    if not (form.is_valid() and rows.is_valid()):
        return _form_page(request, form, rows, app, status=400)
    data = {**form.service_data(), "items": rows.service_items()}
    try:
        if app is None:
            app, _created = services.application_create(actor=request.user, data=data,
                                                        client_token=form.cleaned_data.get("client_token"))
        else:
            services.application_update_draft(application_id=app.pk, actor=request.user, data=data,
                                              expected_version=form.cleaned_data.get("version"))
    except DomainError as exc:
        if exc.status_code != 400:
            raise
        form.add_service_errors(exc.fields)
        rows.add_service_errors(exc.fields)
        messages.error(request, exc.message)
        return _form_page(request, form, rows, app, status=400)
    messages.success(request, _("Draft saved. The checklist shows what submission still needs."))
    return redirect("case-detail", pk=app.pk)


def _book(request, app=None):
    """The exporter's own parties it may pick (and those the draft names already)."""
    keep = (app.importer_id, app.end_user_id, app.consignee_id,
            *app.additional_end_users.values_list("pk", flat=True)) if app else ()
    return party_selectors.book_choices(request.user.organisation_id, keep=keep)


def _form_page(request, form, rows, app, status=200):
    """The application form, with the ministry's earlier answers on similar items of this
    exporter (classification questions, Reg. 14) offered for the first item described."""
    first = rows.forms[0] if rows.forms else None
    description = (first["description"].value() if first else "") or ""
    suggestions = classification_suggestions(exporter=request.user.organisation_id, description=description)
    if request.method == "POST" or app is None:
        checklist = guidance.checklist(app, request.POST)
    else:
        checklist = guidance.checklist(app, problems=services.missing_for_submission(app))
    routes = route_eligibility(request.user.organisation, application=app)
    return render(request, "licensing/case_form.html", {
        "form": form, "rows": rows, "app": app, "question_suggestions": suggestions, "checklist": checklist,
        "first_code_id": first["control_code"].auto_id if first else "",
        "routes": [(Route(route).label, route, routes[route]) for route in Route.values],
    }, status=status)


@login_required
@require_POST
def case_field_check(request):
    """htmx: one field of the application form, checked as it is left; the message goes beside it."""
    if not request.user.is_exporter:
        raise PermissionDenied
    name = request.POST.get("_field", "")
    if not is_form_field(name):
        return HttpResponseBadRequest()
    return render(request, "licensing/applications/field_check.html",
                  {"check": guidance.check_field(name, request.POST), "name": name})


@login_required
@require_POST
def case_checklist(request):
    """htmx: the checklist of what submission needs, from the form as it stands (nothing saved)."""
    if not request.user.is_exporter:
        raise PermissionDenied
    app = None
    if request.POST.get("_case", "").isdigit():
        app = selectors.applications_for(request.user).filter(pk=int(request.POST["_case"])).first()
    return render(request, "licensing/applications/checklist.html",
                  {"checklist": guidance.checklist(app, request.POST)})


@login_required
@require_GET
def case_item_row(request):
    """htmx: one more row for the items table (and the formset's new row count)."""
    if not request.user.is_exporter:
        raise PermissionDenied
    total = request.GET.get("items-TOTAL_FORMS", "")
    if not total.isdigit() or int(total) >= ItemFormSet.max_num:
        return HttpResponseBadRequest(_("At most 50 items."))
    row = ItemForm(prefix=f"items-{int(total)}", initial={"currency": "CNY"})
    return render(request, "licensing/applications/item_row.html",
                  {"row": row, "index": int(total), "total": int(total) + 1, "oob": True})


@login_required
@require_POST
@domain_errors_as_pages
def case_delete(request, pk):
    form = ReasonForm(request.POST)
    form.is_valid()
    services.application_delete(application_id=pk, actor=request.user,
                                expected_version=form.cleaned_data.get("version"))
    messages.success(request, _("Draft deleted."))
    return redirect("case-list")


@login_required
@require_POST
@domain_errors_as_pages
def case_copy(request, pk):
    token = request.POST.get("client_token", "")
    try:
        token = uuid.UUID(token) if token else None
    except ValueError:
        token = None
    app, _created = services.application_copy(application_id=pk, actor=request.user, client_token=token)
    messages.success(request, _("A new draft with the earlier application's details. Check them, then save."))
    return redirect("case-edit", pk=app.pk)


@login_required
@require_GET
def case_detail(request, pk):
    app = page.visible_case(request, pk)
    return render(request, "licensing/case_detail.html", page.detail_context(request, app))


ACTIONS = {
    "submit": (services.application_submit, False,
               gettext_lazy("Submitted to the provincial department.")),
    "return": (services.application_return, True, gettext_lazy("Returned to the exporter for correction.")),
    "forward": (services.application_forward, False, gettext_lazy("Forwarded to the ministry.")),
    "accept": (services.application_accept, False,
               gettext_lazy("Case accepted. The decision clock has started; referrals are being proposed.")),
}


@login_required
@require_POST
def case_act(request, pk, action):
    if action not in ACTIONS:
        raise Http404()
    func, with_reason, done = ACTIONS[action]
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return page.case_error(request, pk, ValidationFailed())
    kwargs = {"application_id": pk, "actor": request.user,
              "expected_version": form.cleaned_data.get("version")}
    if with_reason:
        kwargs["reason"] = form.cleaned_data.get("reason", "")
    if action == "forward":
        kwargs["opinion"] = request.POST.get("opinion", "")
    try:
        func(**kwargs)
    except DomainError as exc:
        return page.case_error(request, pk, exc)
    messages.success(request, done)
    return redirect("case-detail", pk=pk)


@login_required
@require_POST
def document_upload(request, pk):
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return page.case_error(request, pk, ValidationFailed(fields=form.errors))
    try:
        services.document_add(application_id=pk, actor=request.user, kind=form.cleaned_data["kind"],
                              upload=request.FILES.get("file"),
                              expected_version=form.cleaned_data.get("version"))
    except DomainError as exc:
        return page.case_error(request, pk, exc)
    messages.success(request, _("Document uploaded."))
    return redirect("case-detail", pk=pk)


@login_required
@require_POST
def document_delete(request, pk, doc_pk):
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.document_remove(application_id=pk, document_id=doc_pk, actor=request.user,
                                 expected_version=form.cleaned_data.get("version"))
    except DomainError as exc:
        return page.case_error(request, pk, exc)
    messages.success(request, _("Document removed."))
    return redirect("case-detail", pk=pk)


@login_required
@require_GET
def document_download(request, pk, doc_pk):
    app = page.visible_case(request, pk)
    doc = get_object_or_404(app.documents, pk=doc_pk)
    return pdf_response(doc.file.read(), doc.original_name)


@login_required
@require_POST
def case_share(request, pk, op):
    if op not in ("share", "unshare"):
        raise Http404()
    func = sharing.application_share if op == "share" else sharing.application_unshare
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return page.case_error(request, pk, ValidationFailed())
    try:
        func(application_id=pk, actor=request.user, user_id=request.POST.get("user_id"),
             expected_version=form.cleaned_data.get("version"))
    except DomainError as exc:
        return page.case_error(request, pk, exc)
    messages.success(request, _("Access updated."))
    return redirect("case-detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def case_exception_new(request, pk):
    """The exporter applies for exceptions to the Control List (Law 18) for the case's parties:
    they are screened read-only (nothing recorded) and each Control List match gets a form."""
    app = page.visible_case(request, pk)
    user = request.user
    if not user.is_exporter or user.organisation_id != app.exporter_id:
        raise NotAllowed(_("Only the exporter applies for an exception to the Control List."))
    if app.status not in EDITABLE_STATES:
        raise InvalidTransition(_("Exceptions are applied for before the application is submitted."))
    parties = {"importer": app.importer, "end_user": app.end_user}
    form, status = None, 200
    if request.method == "POST":
        form = exception_forms.RequestForm(request.POST)
        if form.is_valid():
            try:
                exception_services.exception_request(
                    actor=user, application_party=parties[form.cleaned_data["party"]],
                    listed_id=form.cleaned_data["listed"], reasons=form.cleaned_data["reasons"],
                    client_token=form.cleaned_data["token"])
            except DomainError as exc:
                messages.error(request, exc.message)
                status = exc.status_code
            else:
                messages.success(request, _("Your application for an exception is sent to the ministry."))
                return redirect("case-detail", pk=app.pk)
        else:
            status = 400
    matches = [(role, match) for role, party in parties.items() for match in exception_selectors.control_matches(party)]
    live = exception_selectors.live_exceptions(app.exporter_id, [match.key for _role, match in matches])
    rows = []
    for role, match in matches:
        auto_id = f"id_{role}_{match.listed.pk}_%s"
        posted = form is not None and form.data.get("party") == role and form.data.get("listed") == str(match.listed.pk)
        rows.append({"role": role, "match": match, "live": live.get(match.key),
                     "form": exception_forms.RequestForm(request.POST, auto_id=auto_id) if posted else
                     exception_forms.RequestForm(initial={"party": role, "listed": match.listed.pk,
                                                          "token": uuid.uuid4()}, auto_id=auto_id)})
    return render(request, "enduser/exceptions/new.html", {"app": app, "rows": rows}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def exchange_rates(request):
    """The ministry's rate table: everyone signed in reads it, the ministry adds rates."""
    can_edit = request.user.is_ministry
    form, status = (ExchangeRateForm() if can_edit else None), 200
    if request.method == "POST":
        if not can_edit:
            raise NotAllowed(_("Only the ministry keeps the exchange rates."))
        form = ExchangeRateForm(request.POST)
        if form.is_valid():
            try:
                services.exchange_rate_add(actor=request.user, **form.cleaned_data)
            except ValidationFailed as exc:
                for key, errors in (exc.fields or {}).items():
                    for error in errors:
                        form.add_error(key if key in form.fields else None, error)
                status = 400
            else:
                messages.success(request, _("Rate saved."))
                return redirect("exchange-rates")
        else:
            status = 400
    return render(request, "licensing/applications/exchange_rates.html",
                  {"rates": selectors.exchange_rates(), "form": form}, status=status)

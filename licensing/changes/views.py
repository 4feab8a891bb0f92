"""Pages of licence changes: the exporter's request from the licence, the route to a new
application for a key element, the ministry's queue, and a request's page with its clock and the
decision or withdrawal."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from licensing.changes import selectors, services, terms
from licensing.changes.forms import ChangeForm, DecideForm, NewApplicationForm, WithdrawForm
from licensing.models import LicenceChangeState
from portal.errors import DomainError, NotAllowed, NotFound
from portal.pages import domain_errors_as_pages


def _licence(request, number):
    licence = selectors.licence_for(request.user, number)
    if licence is None:
        raise Http404()
    return licence


def _form_page(request, licence, form, *, key_element=False, status=200):
    return render(request, "licensing/changes/new.html", {
        "licence": licence, "form": form, "key_element": key_element, "terms": terms.current_terms(licence),
        "new_application_form": NewApplicationForm(initial={"token": uuid.uuid4()}),
        "limit": services.DECISION_LIMIT_WORKING_DAYS}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def change_new(request, number):
    licence = _licence(request, number)
    if not request.user.is_exporter:
        raise NotAllowed(_("Only the exporter holding the licence asks to change it."))
    items = list(licence.items.all())
    if request.method == "GET":
        if not services.can_request(licence, request.user):
            raise NotAllowed(_("Only a valid licence can be changed."))
        form = ChangeForm(initial={"token": uuid.uuid4(), "version": licence.version}, items=items)
        return _form_page(request, licence, form)
    form = ChangeForm(request.POST, items=items)
    if not form.is_valid():
        return _form_page(request, licence, form, status=400)
    try:
        change = services.change_request(actor=request.user, licence_id=licence.pk, data=form.service_data(),
                                         reason=form.cleaned_data["reason"], client_token=form.cleaned_data["token"],
                                         expected_version=form.cleaned_data["version"])
    except NotFound:
        raise
    except terms.KeyElementChange as exc:
        messages.error(request, exc.message)
        return _form_page(request, licence, form, key_element=True, status=exc.status_code)
    except DomainError as exc:
        for field, errors in exc.fields.items():
            name = field.replace("quantities.", "quantity_")
            for error in errors:
                form.add_error(name if name in form.fields else None, str(error))
        messages.error(request, exc.message)
        return _form_page(request, licence, form, status=exc.status_code)
    messages.success(request, _("Your change request is with the ministry."))
    return redirect("licence-change", pk=change.pk)


@login_required
@require_POST
@domain_errors_as_pages
def change_new_application(request, number):
    licence = _licence(request, number)
    form = NewApplicationForm(request.POST)
    token = form.cleaned_data["token"] if form.is_valid() else None
    app, _created = services.change_new_application(actor=request.user, licence_id=licence.pk, client_token=token)
    messages.success(request, _("A new application pre-filled from the licence's case. Change what needs changing, "
                                "then submit it; the licence is cancelled when the new one is issued."))
    return redirect("case-edit", pk=app.pk)


@login_required
@require_GET
@domain_errors_as_pages
def change_queue(request):
    if not request.user.is_ministry:
        raise NotAllowed()
    state = request.GET.get("state", LicenceChangeState.PENDING)
    if state not in LicenceChangeState.values:
        state = LicenceChangeState.PENDING
    rows = selectors.changes_queue(request.user, state=state)
    page = Paginator(rows, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "licensing/changes/queue.html", {
        "page": page, "state": state, "states": LicenceChangeState.choices,
        "entries": [(change, selectors.queue_clock(change)) for change in page]})


@login_required
@require_GET
def licence_changes(request, number):
    """The changes of one licence: a panel on the licence page (loaded with htmx), or a page."""
    licence = _licence(request, number)
    user = request.user
    rows = [(change, selectors.change_clock(change), services.can_act(change, user, "approve"))
            for change in selectors.changes_of_licence(user, licence)]
    if not rows and not services.can_request(licence, user):
        if request.htmx:
            return HttpResponse("")
        raise Http404()
    template = "licensing/changes/licence_panel.html" if request.htmx else "licensing/changes/licence_changes.html"
    return render(request, template, {"licence": licence, "rows": rows,
                                      "can_request": services.can_request(licence, user)})


def _visible(request, pk):
    change = selectors.change_for(request.user, pk)
    if change is None:
        raise Http404()
    return change


def _detail(request, change, *, decide_form=None, status=200):
    user = request.user
    return render(request, "licensing/changes/detail.html", {
        "change": change, "licence": change.licence, "rows": selectors.change_rows(change),
        "clock": selectors.change_clock(change),
        "can_decide": services.can_act(change, user, "approve"),
        "can_withdraw": services.can_act(change, user, "withdraw"),
        "decide_form": decide_form or DecideForm(initial={"version": change.version}),
        "withdraw_form": WithdrawForm(initial={"version": change.version}),
    }, status=status)


@login_required
@require_GET
def change_page(request, pk):
    return _detail(request, _visible(request, pk))


@login_required
@require_POST
def change_decide(request, pk):
    change = _visible(request, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _detail(request, change, decide_form=form, status=400)
    try:
        services.change_decide(actor=request.user, change_id=change.pk, outcome=form.cleaned_data["outcome"],
                               reason=form.cleaned_data["reason"], expected_version=form.cleaned_data["version"])
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return _detail(request, _visible(request, pk), decide_form=form, status=exc.status_code)
    messages.success(request, _("Decided; the exporter is told."))
    return redirect("licence-change", pk=change.pk)


@login_required
@require_POST
def change_withdraw(request, pk):
    change = _visible(request, pk)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        services.change_withdraw(actor=request.user, change_id=change.pk,
                                 expected_version=form.cleaned_data.get("version"))
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return _detail(request, _visible(request, pk), status=exc.status_code)
    messages.success(request, _("Your change request is withdrawn."))
    return redirect("licence-change", pk=change.pk)

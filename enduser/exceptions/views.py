"""Pages of exceptions to the Control List: the ministry's queue and decision page (the exporter
sees its own there too) and the exporter's withdrawal. The exporter applies from its case
(licensing's page `/cases/<pk>/exceptions/new/`, which calls these services)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enduser.exceptions import selectors, services
from enduser.exceptions.forms import DecideForm, WithdrawForm
from enduser.models import ExceptionState
from portal.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from portal.pages import domain_errors_as_pages

PAGE_SIZE = 50


@login_required
@require_GET
@domain_errors_as_pages
def exception_list(request):
    if not (request.user.is_ministry or request.user.is_exporter):
        raise NotAllowed()
    page = Paginator(selectors.exceptions_queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enduser/exceptions/list.html", {"page": page})


def _visible(request, pk):
    row = (selectors.exceptions_visible_to(request.user).select_related("exporter", "listed", "party", "decided_by",
                                                                       "created_by").filter(pk=pk).first())
    if row is None:
        raise NotFound()
    return row


def _detail(request, row, form=None, status=200):
    matches = selectors.control_matches(row.party) if row.state == ExceptionState.REQUESTED else []
    return render(request, "enduser/exceptions/detail.html", {
        "row": row,
        "match": next((m for m in matches if m.listed.pk == row.listed_id), None),
        "can_decide": request.user.is_ministry and row.state == ExceptionState.REQUESTED,
        "can_withdraw": (request.user.is_exporter and row.state == ExceptionState.REQUESTED),
        "form": form or DecideForm(initial={"version": row.version}),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def exception_page(request, pk):
    row = _visible(request, pk)
    if request.method == "GET":
        return _detail(request, row)
    if not request.user.is_ministry:
        raise NotAllowed(_("Only the ministry decides exceptions to the Control List."))
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _detail(request, row, form, status=400)
    try:
        row = services.exception_decide(actor=request.user, exception_id=row.pk,
                                        grant=form.cleaned_data["decision"] == "grant",
                                        reasons=form.cleaned_data["reasons"],
                                        expected_version=form.cleaned_data["version"])
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return _detail(request, _visible(request, pk), form, status=exc.status_code)
    messages.success(request, _("The exception is %(state)s.") % {"state": row.get_state_display()})
    return redirect("list-exception", pk=row.pk)


@login_required
@require_POST
@domain_errors_as_pages
def exception_withdraw(request, pk):
    row = _visible(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(fields=form.errors)
    services.exception_withdraw(actor=request.user, exception_id=row.pk, expected_version=form.cleaned_data["version"])
    messages.success(request, _("The application for an exception is withdrawn."))
    return redirect("list-exception", pk=row.pk)

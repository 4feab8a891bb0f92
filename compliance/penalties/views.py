"""Pages of penalties: the penalty form on an enforcement case with the statutory range shown live
(htmx, or the plain "Show the range" button), the court's judgment, the senior officers'
countersignature queue and their countersign / send back."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from compliance.enforcement import selectors
from compliance.enforcement.forms import CountersignForm, CriminalForm, PenaltyForm
from compliance.enforcement.models import CaseStatus, Penalty, PenaltyStatus
from compliance.penalties import services
from compliance.penalties.calculator import PenaltyInputError, penalty_range
from portal.errors import DomainError, InvalidTransition, NotAllowed, NotFound
from portal.pages import domain_errors_as_pages


def _ministry_case(request, reference):
    if not request.user.is_ministry:
        raise NotAllowed()
    case = selectors.case_for(request.user, reference)
    if case is None:
        raise Http404()
    return case


def range_for(head, turnover):
    try:
        return penalty_range(head, turnover or 0)
    except PenaltyInputError:
        return None


def _form_errors(form, exc):
    for field, errors in (exc.fields or {}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, str(error))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def _penalty_page(request, case, form, penalty=None, status=200):
    data = form.data if form.is_bound else form.initial
    return render(request, "compliance/penalties/form.html", {
        "case": case, "form": form, "penalty": penalty, "range": range_for(data.get("head"), data.get("turnover")),
        "mitigating": services.mitigating_factors(case)}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def penalty_form(request, reference, penalty_id=None):
    case = _ministry_case(request, reference)
    penalty = None
    if penalty_id is not None:
        penalty = case.penalties.filter(pk=penalty_id).first()
        if penalty is None:
            raise Http404()
        if penalty.status != PenaltyStatus.DRAFT:
            return redirect("enforcement-case", reference=case.reference)
    if case.status != CaseStatus.OPEN:
        raise InvalidTransition(_("This enforcement case is closed."))
    if request.method == "GET":
        initial = {"token": uuid.uuid4(), "head": request.GET.get("head", ""), "turnover": request.GET.get("turnover", 0)}
        if penalty is not None:
            initial.update(head=penalty.head, turnover=penalty.turnover, amount=penalty.amount, reasons=penalty.reasons,
                           justification=penalty.justification, serious=penalty.serious,
                           bar_applications=penalty.bar_applications, version=penalty.version)
        return _penalty_page(request, case, PenaltyForm(initial=initial), penalty)
    form = PenaltyForm(request.POST)
    if "recompute" in request.POST:  # the plain "Show the range" button: nothing is saved
        return _penalty_page(request, case, form, penalty)
    if not form.is_valid():
        return _penalty_page(request, case, form, penalty, status=400)
    data = form.cleaned_data
    try:
        penalty = services.penalty_submit(
            actor=request.user, reference=case.reference, head=data["head"], turnover=data["turnover"],
            amount=data["amount"], reasons=data["reasons"], justification=data["justification"],
            serious=data["serious"], bar_applications=data["bar_applications"],
            penalty_id=penalty.pk if penalty else None, client_token=data["token"], version=data["version"])
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        _form_errors(form, exc)
        messages.error(request, exc.message)
        return _penalty_page(request, case, form, penalty, status=exc.status_code)
    if penalty.status == PenaltyStatus.DECIDED:
        messages.success(request, _("The penalty is decided; the signed decision is issued to the exporter."))
    else:
        messages.success(request, _("The amount is outside the statutory range: the penalty awaits a senior "
                                    "officer's countersignature."))
    return redirect("enforcement-case", reference=case.reference)


@login_required
@require_GET
def range_fragment(request):
    """The statutory range for the form's head and turnover (htmx swaps it in)."""
    if not request.user.is_ministry:
        raise Http404()
    return render(request, "compliance/penalties/range.html",
                  {"range": range_for(request.GET.get("head"), request.GET.get("turnover"))})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def criminal_form(request, reference):
    case = _ministry_case(request, reference)
    if request.method == "GET":
        return render(request, "compliance/penalties/criminal.html",
                      {"case": case, "form": CriminalForm(initial={"token": uuid.uuid4()})})
    form = CriminalForm(request.POST)
    if not form.is_valid():
        return render(request, "compliance/penalties/criminal.html", {"case": case, "form": form}, status=400)
    data = form.cleaned_data
    try:
        services.penalty_record_criminal(actor=request.user, reference=case.reference, head=data["head"],
                                         court=data["court"], judgment_reference=data["judgment_reference"],
                                         decided_on=data["decided_on"], reasons=data["reasons"],
                                         amount=data["amount"], client_token=data["token"])
    except DomainError as exc:
        _form_errors(form, exc)
        return render(request, "compliance/penalties/criminal.html", {"case": case, "form": form},
                      status=exc.status_code)
    messages.success(request, _("The court's judgment is recorded."))
    return redirect("enforcement-case", reference=case.reference)


@login_required
@require_GET
@domain_errors_as_pages
def countersign_queue(request):
    if request.user.role != Role.MINISTRY_SENIOR:
        raise NotAllowed(_("Only a ministry senior officer countersigns penalties."))
    rows = list(selectors.countersign_queue(request.user))
    return render(request, "compliance/penalties/queue.html", {"rows": rows, "form": CountersignForm()})


def _act(request, penalty_id, action):
    if not request.user.is_ministry:
        raise NotAllowed()
    penalty = Penalty.objects.select_related("case").filter(pk=penalty_id).first()
    if penalty is None:
        raise Http404()
    form = CountersignForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"note": "", "version": None}
    if action == "countersign":
        services.penalty_countersign(actor=request.user, penalty_id=penalty.pk, note=data["note"],
                                     version=data["version"])
        messages.success(request, _("Countersigned: the penalty is decided."))
    elif action == "send_back":
        services.penalty_send_back(actor=request.user, penalty_id=penalty.pk, note=data["note"],
                                   version=data["version"])
        messages.success(request, _("The penalty is sent back to the officer."))
    else:
        services.penalty_withdraw(actor=request.user, penalty_id=penalty.pk, version=data["version"])
        messages.success(request, _("The penalty is withdrawn."))
    if action != "withdraw" and request.POST.get("next") == "queue":
        return redirect("enforcement-countersign")
    return redirect("enforcement-case", reference=penalty.case.reference)


@login_required
@require_POST
@domain_errors_as_pages
def penalty_countersign(request, penalty_id):
    return _act(request, penalty_id, "countersign")


@login_required
@require_POST
@domain_errors_as_pages
def penalty_send_back(request, penalty_id):
    return _act(request, penalty_id, "send_back")


@login_required
@require_POST
@domain_errors_as_pages
def penalty_withdraw(request, penalty_id):
    return _act(request, penalty_id, "withdraw")

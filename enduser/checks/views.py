"""Pages of end-use checks: the ministry's list (filtered by state, overdue) and its proposals, the
open form reached from a case page, the check page (the exporter answers there with documents;
the ministry records the visit, closes, and decides the Watch List proposal), and the exporter's
list of the checks addressed to it."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enduser.checks import cases, selectors, services
from enduser.checks.forms import (
    AcceptForm,
    AnswerForm,
    CloseForm,
    DismissForm,
    FilterForm,
    OpenForm,
    VisitForm,
)
from enduser.models import CheckMethod, CheckState, Party, ProposalState
from portal.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from portal.pages import domain_errors_as_pages
from portal.pdf import pdf_response


def _require_ministry(request) -> None:
    if not request.user.is_ministry:
        raise NotAllowed()


@login_required
@require_GET
@domain_errors_as_pages
def check_list(request):
    if request.user.is_exporter:
        return redirect("enduse-checks-ours")
    _require_ministry(request)
    form = FilterForm(request.GET)
    state, overdue = "", False
    if form.is_valid():
        state, overdue = form.cleaned_data["state"], form.cleaned_data["overdue"]
    today = timezone.localdate()
    page = Paginator(selectors.checks_list(request.user, state=state, overdue=overdue, today=today),
                     selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enduser/checks/list.html", {
        "page": page, "form": form, "today": today,
        "pending_proposals": selectors.pending_proposals(request.user).count()})


@login_required
@require_GET
@domain_errors_as_pages
def checks_ours(request):
    if not request.user.is_exporter:
        raise NotAllowed()
    page = Paginator(selectors.checks_list(request.user), selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enduser/checks/ours.html", {"page": page, "today": timezone.localdate()})


@login_required
@require_GET
@domain_errors_as_pages
def proposal_list(request):
    _require_ministry(request)
    page = Paginator(selectors.proposals_queue(request.user), selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enduser/checks/proposals.html", {"page": page})


def _case_party(value) -> tuple[cases.CaseParty, Party]:
    case = cases.unsign(value)
    party = Party.objects.select_related("exporter").filter(pk=case.party_id).first() if case else None
    if party is None:
        raise ValidationFailed(_("Open the check from the case page of the party."))
    return case, party


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def check_new(request):
    _require_ministry(request)
    data = request.POST if request.method == "POST" else None
    form = OpenForm(data, initial={"case": request.GET.get("case", ""), "token": uuid.uuid4(),
                                   "method": CheckMethod.DOCUMENTS})
    case, party = _case_party(request.POST.get("case") if data else request.GET.get("case"))
    context = {"form": form, "case": case, "party": party}
    if request.method == "GET":
        return render(request, "enduser/checks/new.html", context)
    if not form.is_valid():
        return render(request, "enduser/checks/new.html", context, status=400)
    try:
        row = services.check_open(actor=request.user, party_id=party.pk, method=form.cleaned_data["method"],
                                  questions=form.cleaned_data["questions"], deadline=form.cleaned_data["deadline"],
                                  application_id=case.application_id, case_number=case.case_number,
                                  client_token=form.cleaned_data["token"])
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return render(request, "enduser/checks/new.html", context, status=exc.status_code)
    messages.success(request, _("The end-use check is opened; the exporter is told."))
    return redirect("enduse-check", pk=row.pk)


def _visible(request, pk):
    row = (selectors.checks_visible_to(request.user).select_related("exporter", "party", "opened_by", "closed_by",
                                                                    "answered_by", "visit_recorded_by")
           .filter(pk=pk).first())
    if row is None:
        raise NotFound()
    return row


def _detail(request, row, status=200, **forms):
    user = request.user
    proposal = getattr(row, "proposal", None) if user.is_ministry else None
    can_answer = user.is_exporter and row.state == CheckState.OPEN
    can_act = user.is_ministry and row.state != CheckState.CLOSED
    version = {"version": row.version}
    return render(request, "enduser/checks/detail.html", {
        "row": row,
        "documents": row.documents.all(),
        "today": timezone.localdate(),
        "overdue": row.is_overdue(timezone.localdate()),
        "proposal": proposal,
        "can_answer": can_answer,
        "can_visit": can_act and row.method == CheckMethod.ON_SITE,
        "can_close": can_act,
        "can_decide": proposal is not None and proposal.state == ProposalState.PROPOSED,
        "answer_form": forms.get("answer_form") or AnswerForm(initial=version),
        "visit_form": forms.get("visit_form") or VisitForm(initial={**version, "visit_on": row.visit_on,
                                                                    "place": row.visit_place,
                                                                    "findings": row.visit_findings}),
        "close_form": forms.get("close_form") or CloseForm(initial=version),
        "accept_form": forms.get("accept_form") or AcceptForm(initial={
            "version": proposal.version if proposal else None, "announced_on": timezone.localdate()}),
        "dismiss_form": forms.get("dismiss_form") or DismissForm(initial={
            "version": proposal.version if proposal else None}),
    }, status=status)


@login_required
@require_GET
@domain_errors_as_pages
def check_page(request, pk):
    return _detail(request, _visible(request, pk))


def _post(request, pk, form_class, form_name, action, done_message):
    """Check the form, call the service, and show the page again with the error, or go back to it."""
    row = _visible(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        return _detail(request, row, status=400, **{form_name: form})
    try:
        action(row, form.cleaned_data)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return _detail(request, _visible(request, pk), status=exc.status_code, **{form_name: form})
    messages.success(request, done_message)
    return redirect("enduse-check", pk=row.pk)


@login_required
@require_POST
@domain_errors_as_pages
def check_answer(request, pk):
    if not request.user.is_exporter:
        raise NotAllowed(_("Only the exporter the check is addressed to answers it."))
    return _post(request, pk, AnswerForm, "answer_form", lambda row, data: services.check_answer(
        actor=request.user, check_id=row.pk, answer=data["answer"], uploads=request.FILES.getlist("documents"),
        expected_version=data["version"]), _("Your answer is sent to the ministry."))


@login_required
@require_POST
@domain_errors_as_pages
def check_visit(request, pk):
    _require_ministry(request)
    return _post(request, pk, VisitForm, "visit_form", lambda row, data: services.check_record_visit(
        actor=request.user, check_id=row.pk, visit_on=data["visit_on"], place=data["place"],
        findings=data["findings"], expected_version=data["version"]), _("The visit is recorded."))


@login_required
@require_POST
@domain_errors_as_pages
def check_close(request, pk):
    _require_ministry(request)
    return _post(request, pk, CloseForm, "close_form", lambda row, data: services.check_close(
        actor=request.user, check_id=row.pk, outcome=data["outcome"], findings=data["findings"],
        expected_version=data["version"]), _("The check is closed."))


def _proposal_id(row) -> int:
    proposal = getattr(row, "proposal", None)
    if proposal is None:
        raise NotFound()
    return proposal.pk


@login_required
@require_POST
@domain_errors_as_pages
def proposal_accept(request, pk):
    _require_ministry(request)
    return _post(request, pk, AcceptForm, "accept_form", lambda row, data: services.proposal_accept(
        actor=request.user, proposal_id=_proposal_id(row), announcement=data["announcement"],
        announced_on=data["announced_on"], effective_on=data["effective_on"], expected_version=data["version"]),
        _("The party is published on the Watch List."))


@login_required
@require_POST
@domain_errors_as_pages
def proposal_dismiss(request, pk):
    _require_ministry(request)
    return _post(request, pk, DismissForm, "dismiss_form", lambda row, data: services.proposal_dismiss(
        actor=request.user, proposal_id=_proposal_id(row), note=data["note"], expected_version=data["version"]),
        _("The proposal is dismissed."))


@login_required
@require_GET
@domain_errors_as_pages
def document_download(request, pk, doc_pk):
    row = _visible(request, pk)
    doc = get_object_or_404(row.documents, pk=doc_pk)
    return pdf_response(doc.file.read(), doc.original_name)

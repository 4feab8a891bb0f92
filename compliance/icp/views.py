"""Pages of internal compliance programmes: the exporter's programme (an element's form, its
evidence, staleness), the ministry's list of exporters with their rating, an evaluation's page (the
draft's form, issue, withdraw) and the evidence periods. Views only translate HTTP to
compliance.icp calls."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from compliance.icp import evaluations, selectors, services
from compliance.icp.forms import (
    ElementForm,
    EvaluationForm,
    EvaluationNewForm,
    FilterForm,
    IssueForm,
    PeriodForm,
    WithdrawForm,
)
from compliance.icp.models import Element, EvidencePeriod
from portal.errors import DomainError, NotAllowed, NotFound
from portal.pages import domain_errors_as_pages
from portal.pdf import pdf_response


def _exporter(request, org_id):
    org = selectors.visible_exporter(request.user, org_id)
    if org is None:
        raise NotFound()
    return org


def _form_errors(request, form, exc: DomainError):
    for field, errors in exc.fields.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, str(error))
    messages.error(request, exc.message)


@login_required
@require_GET
@domain_errors_as_pages
def icp_home(request):
    user = request.user
    if user.is_exporter:
        return redirect("icp-detail", org_id=user.organisation_id)
    if not selectors.may_read_icps(user):
        raise NotAllowed()
    filters = FilterForm(request.GET)
    if not filters.is_valid():
        return render(request, "compliance/icp/list.html", {"filters": filters, "page": None}, status=400)
    rows = selectors.exporters_list(user, rating=filters.cleaned_data["rating"], q=filters.cleaned_data["q"])
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "compliance/icp/list.html", {
        "filters": filters, "params": params.urlencode(),
        "page": Paginator(rows, selectors.PAGE_SIZE).get_page(request.GET.get("page"))})


@login_required
@require_GET
@domain_errors_as_pages
def icp_detail(request, org_id):
    org = _exporter(request, org_id)
    icp = selectors.icp_for(org)
    current = selectors.current_evaluation(org)
    return render(request, "compliance/icp/detail.html", {
        "org": org, "icp": icp, "rows": selectors.element_rows(icp), "current": current,
        "to_fix": selectors.findings_to_fix(current), "evaluations": selectors.evaluations_of(request.user, org),
        "can_edit": services.can_edit(request.user, org.pk), "can_evaluate": request.user.is_ministry,
        "remind_days": selectors.REMIND_DAYS_BEFORE})


def _element_page(request, org, element, form, status=200):
    icp = selectors.icp_for(org)
    row = next(r for r in selectors.element_rows(icp) if r.element == element)
    return render(request, "compliance/icp/element.html", {"org": org, "row": row, "form": form,
                                                            "max_documents": services.MAX_DOCUMENTS}, status=status)


def _element(request, org_id, element):
    org = _exporter(request, org_id)
    if element not in Element.values:
        raise NotFound()
    if not services.can_edit(request.user, org.pk):
        raise NotAllowed(_("Only the company's administrator keeps its internal compliance programme."))
    return org


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def element_edit(request, org_id, element):
    org = _element(request, org_id, element)
    if request.method == "GET":
        row = selectors.icp_for(org)
        row = next((r for r in row.elements.all() if r.element == element), None) if row else None
        initial = {"version": row.version if row else 0}
        if row:
            initial.update(owner_user=row.owner_user_id, owner_name=row.owner_name,
                           last_reviewed_on=row.last_reviewed_on, assessment=row.assessment,
                           assessment_text=row.assessment_text)
        return _element_page(request, org, element, ElementForm(initial=initial, organisation_id=org.pk))
    form = ElementForm(request.POST, organisation_id=org.pk)
    if not form.is_valid():
        return _element_page(request, org, element, form, status=400)
    data = form.cleaned_data
    try:
        services.icp_element_update(
            actor=request.user, organisation_id=org.pk, element=element,
            owner_user_id=data["owner_user"].pk if data["owner_user"] else None, owner_name=data["owner_name"],
            last_reviewed_on=data["last_reviewed_on"], assessment=data["assessment"],
            assessment_text=data["assessment_text"], expected_version=data["version"])
    except NotFound:
        raise
    except DomainError as exc:
        _form_errors(request, form, exc)
        return _element_page(request, org, element, form, status=exc.status_code)
    messages.success(request, _("The element is saved."))
    return redirect("icp-detail", org_id=org.pk)


@login_required
@require_POST
@domain_errors_as_pages
def evidence_add(request, org_id, element):
    org = _element(request, org_id, element)
    services.icp_evidence_add(actor=request.user, organisation_id=org.pk, element=element,
                              uploads=request.FILES.getlist("documents"))
    messages.success(request, _("The evidence is attached."))
    return redirect("icp-element", org_id=org.pk, element=element)


@login_required
@require_GET
def evidence_download(request, org_id, doc_id):
    org = selectors.visible_exporter(request.user, org_id)
    doc = selectors.evidence_for(request.user, org, doc_id) if org else None
    if doc is None:
        raise Http404()
    return pdf_response(doc.file.read(), doc.original_name)


@login_required
@require_POST
@domain_errors_as_pages
def evidence_remove(request, org_id, doc_id):
    org = _exporter(request, org_id)
    services.icp_evidence_remove(actor=request.user, organisation_id=org.pk, evidence_id=doc_id)
    messages.success(request, _("The evidence is removed."))
    return redirect("icp-detail", org_id=org.pk)


# ---------------------------------------------------------------- evaluations


def _ministry_on(request, org_id):
    org = _exporter(request, org_id)
    if not request.user.is_ministry:
        raise NotAllowed(_("Only the ministry evaluates internal compliance programmes."))
    return org


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def evaluation_new(request, org_id):
    org = _ministry_on(request, org_id)
    if request.method == "GET":
        form = EvaluationNewForm(initial={"token": uuid.uuid4(), "method": "paper"})
        return render(request, "compliance/icp/evaluation_new.html", {"org": org, "form": form})
    form = EvaluationNewForm(request.POST)
    if not form.is_valid():
        return render(request, "compliance/icp/evaluation_new.html", {"org": org, "form": form}, status=400)
    try:
        ev = evaluations.icp_evaluation_create(
            actor=request.user, organisation_id=org.pk, method=form.cleaned_data["method"],
            evaluated_on=form.cleaned_data["evaluated_on"], client_token=form.cleaned_data["token"])
    except NotFound:
        raise
    except DomainError as exc:
        _form_errors(request, form, exc)
        return render(request, "compliance/icp/evaluation_new.html", {"org": org, "form": form},
                      status=exc.status_code)
    messages.success(request, _("The draft evaluation is made; write the findings and the rating."))
    return redirect("icp-evaluation", org_id=org.pk, pk=ev.pk)


def _evaluation(request, org_id, pk):
    org = _exporter(request, org_id)
    ev = selectors.evaluation_for(request.user, org, pk)
    if ev is None:
        raise NotFound()
    return org, ev


def _evaluation_page(request, org, ev, *, form=None, issue_form=None, withdraw_form=None, status=200):
    user = request.user
    initial = {"version": ev.version}
    return render(request, "compliance/icp/evaluation.html", {
        "org": org, "ev": ev, "findings": list(ev.findings.all()),
        "can_update": evaluations.can_act(ev, user, "update"),
        "can_issue": evaluations.can_act(ev, user, "issue"),
        "can_withdraw": evaluations.can_act(ev, user, "withdraw"),
        "form": form or EvaluationForm(initial=EvaluationForm.initial_for(ev)),
        "issue_form": issue_form or IssueForm(initial=initial),
        "withdraw_form": withdraw_form or WithdrawForm(initial=initial)}, status=status)


@login_required
@require_GET
@domain_errors_as_pages
def evaluation_page(request, org_id, pk):
    org, ev = _evaluation(request, org_id, pk)
    return _evaluation_page(request, org, ev)


def _evaluation_step(request, org_id, pk, form_class, form_key, call, done):
    org, ev = _evaluation(request, org_id, pk)
    if not request.user.is_ministry:
        raise NotAllowed(_("Only the ministry evaluates internal compliance programmes."))
    form = form_class(request.POST)
    if not form.is_valid():
        return _evaluation_page(request, org, ev, **{form_key: form}, status=400)
    try:
        call(form, org, ev)
    except NotFound:
        raise
    except DomainError as exc:
        _form_errors(request, form, exc)
        org, ev = _evaluation(request, org_id, pk)
        return _evaluation_page(request, org, ev, **{form_key: form}, status=exc.status_code)
    messages.success(request, done)
    return redirect("icp-evaluation", org_id=org.pk, pk=ev.pk)


@login_required
@require_POST
@domain_errors_as_pages
def evaluation_edit(request, org_id, pk):
    def call(form, org, ev):
        data = form.cleaned_data
        evaluations.icp_evaluation_update(
            actor=request.user, organisation_id=org.pk, evaluation_id=ev.pk, rating=data["rating"],
            valid_until=data["valid_until"], method=data["method"], evaluated_on=data["evaluated_on"],
            summary=data["summary"], findings=form.findings(), expected_version=data["version"])
    return _evaluation_step(request, org_id, pk, EvaluationForm, "form", call, _("The draft is saved."))


@login_required
@require_POST
@domain_errors_as_pages
def evaluation_issue(request, org_id, pk):
    def call(form, org, ev):
        evaluations.icp_evaluation_issue(actor=request.user, organisation_id=org.pk, evaluation_id=ev.pk,
                                         expected_version=form.cleaned_data["version"])
    return _evaluation_step(request, org_id, pk, IssueForm, "issue_form", call,
                            _("The evaluation is issued; the exporter is told."))


@login_required
@require_POST
@domain_errors_as_pages
def evaluation_withdraw(request, org_id, pk):
    def call(form, org, ev):
        evaluations.icp_evaluation_withdraw(actor=request.user, organisation_id=org.pk, evaluation_id=ev.pk,
                                            reason=form.cleaned_data["reason"],
                                            expected_version=form.cleaned_data["version"])
    return _evaluation_step(request, org_id, pk, WithdrawForm, "withdraw_form", call,
                            _("The evaluation is withdrawn."))


# ---------------------------------------------------------------- periods


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def periods(request):
    user = request.user
    if not user.is_ministry:
        raise NotAllowed()
    status, failed = 200, None
    if request.method == "POST":
        if user.role != Role.MINISTRY_SENIOR:
            raise NotAllowed(_("Only a ministry senior officer sets the evidence periods."))
        element = request.POST.get("element", "")
        form = PeriodForm(request.POST, auto_id=f"id_{element}_%s" if element in Element.values else "id_%s")
        if form.is_valid():
            try:
                services.evidence_period_update(actor=user, element=form.cleaned_data["element"],
                                                months=form.cleaned_data["months"])
            except DomainError as exc:
                _form_errors(request, form, exc)
                status, failed = exc.status_code, form
            else:
                messages.success(request, _("The period is saved."))
                return redirect("icp-periods")
        else:
            status, failed = 400, form
    rows = []
    for period in EvidencePeriod.objects.select_related("updated_by"):
        bound = failed if failed is not None and failed.data.get("element") == period.element else None
        rows.append((period, bound or PeriodForm(initial={"element": period.element, "months": period.months},
                                                   auto_id=f"id_{period.element}_%s")))
    return render(request, "compliance/icp/periods.html", {
        "rows": rows, "can_edit": user.role == Role.MINISTRY_SENIOR}, status=status)

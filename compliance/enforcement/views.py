"""Pages of enforcement cases: the list (the ministry's, or the exporter's own), opening a case,
the case page with its steps and the forms of each step, the exporter's answers, documents and
the signed letters."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Organisation, OrgKind
from compliance.credit.selectors import credit_record, may_see_credit_record
from compliance.enforcement import selectors, services
from compliance.enforcement.forms import (
    AnswerForm,
    CloseForm,
    MinutesForm,
    NoteForm,
    OpenCaseForm,
    StepForm,
)
from compliance.enforcement.models import CaseStatus
from portal.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from portal.pages import domain_errors_as_pages
from portal.pdf import pdf_response


def _exporters():
    return Organisation.objects.filter(kind=OrgKind.EXPORTER).order_by("name_zh").only("pk", "name_zh", "code")


def _may_list(user):
    return user.is_ministry or user.is_exporter


@login_required
@require_GET
@domain_errors_as_pages
def case_list(request):
    if not _may_list(request.user):
        raise NotAllowed()
    status = request.GET.get("status", "")
    rows = selectors.cases_visible_to(request.user)
    if status in CaseStatus.values:
        rows = rows.filter(status=status)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "compliance/enforcement/list.html", {
        "page": Paginator(rows, selectors.PAGE_SIZE).get_page(request.GET.get("page")), "status": status,
        "statuses": CaseStatus.choices, "params": params.urlencode()})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def case_new(request):
    if not request.user.is_ministry:
        raise NotAllowed(_("Only the ministry opens an enforcement case."))
    if request.method == "GET":
        initial = {"origin": request.GET.get("origin", "manual"), "source_reference": request.GET.get("source", "")}
        form = OpenCaseForm(initial=initial, exporters=_exporters())
        return render(request, "compliance/enforcement/new.html", {"form": form})
    form = OpenCaseForm(request.POST, exporters=_exporters())
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(actor=request.user, origin=data["origin"], summary=data["summary"],
                                      source_reference=data["source_reference"], exporter_id=data["exporter"])
        except NotFound:
            raise
        except DomainError as exc:
            _form_errors(form, exc)
            return render(request, "compliance/enforcement/new.html", {"form": form}, status=exc.status_code)
        messages.success(request, _("Enforcement case %(ref)s opened.") % {"ref": case.reference})
        return redirect("enforcement-case", reference=case.reference)
    return render(request, "compliance/enforcement/new.html", {"form": form}, status=400)


def _form_errors(form, exc):
    for field, errors in (exc.fields or {}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, str(error))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def visible_case(request, reference):
    case = selectors.case_for(request.user, reference)
    if case is None:
        raise Http404()
    return case


def case_context(request, case, **forms):
    user = request.user
    steps = list(selectors.steps_for(user, case))
    context = {"case": case, "steps": steps, "ministry": user.is_ministry,
               "open": case.status == CaseStatus.OPEN}
    if user.is_ministry:
        context.update(
            notes=list(case.notes.select_related("created_by")),
            penalties=list(case.penalties.select_related("created_by", "countersigned_by").order_by("pk")),
            step_form=forms.get("step_form") or StepForm(initial={"version": case.version}),
            minutes_form=MinutesForm(), note_form=forms.get("note_form") or NoteForm(),
            close_form=CloseForm(initial={"version": case.version}),
        )
        if may_see_credit_record(user):
            context["credit"] = {"exporter": case.exporter, "entries": credit_record(case.exporter_id)}
    else:
        context["answer_form"] = forms.get("answer_form") or AnswerForm()
    return context


@login_required
@require_GET
def case_page(request, reference):
    case = visible_case(request, reference)
    return render(request, "compliance/enforcement/detail.html", case_context(request, case))


def _error(request, case, exc, **forms):
    if isinstance(exc, NotFound):
        raise Http404()
    messages.error(request, exc.message)
    return render(request, "compliance/enforcement/detail.html", case_context(request, case, **forms),
                  status=exc.status_code)


@login_required
@require_POST
def step_add(request, reference):
    case = visible_case(request, reference)
    form = StepForm(request.POST)
    if not form.is_valid():
        if not request.user.is_ministry:
            raise Http404()
        return render(request, "compliance/enforcement/detail.html", case_context(request, case, step_form=form),
                      status=400)
    data = form.cleaned_data
    try:
        step = services.step_add(actor=request.user, reference=case.reference, kind=data["kind"], text=data["text"],
                                 occurred_on=data["occurred_on"], place=data["place"], findings=data["findings"],
                                 answer_days=data["answer_days"], uploads=request.FILES.getlist("documents"),
                                 version=data["version"])
    except DomainError as exc:
        _form_errors(form, exc)
        return _error(request, case, exc, step_form=form)
    messages.success(request, _("%(step)s recorded.") % {"step": step.get_kind_display()})
    return redirect("enforcement-case", reference=case.reference)


@login_required
@require_POST
def step_minutes(request, reference, step_id):
    case = visible_case(request, reference)
    form = MinutesForm(request.POST)
    try:
        if not form.is_valid():
            services.require_ministry(request.user)
            raise ValidationFailed(fields=form.errors)
        services.step_record_minutes(actor=request.user, reference=case.reference, step_id=step_id,
                                     minutes=form.cleaned_data["minutes"], uploads=request.FILES.getlist("documents"))
    except DomainError as exc:
        return _error(request, case, exc)
    messages.success(request, _("Minutes recorded."))
    return redirect("enforcement-case", reference=case.reference)


@login_required
@require_POST
def step_answer(request, reference, step_id):
    case = visible_case(request, reference)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            if not request.user.is_exporter:
                raise NotFound()
            raise ValidationFailed(fields=form.errors)
        services.step_answer(actor=request.user, reference=case.reference, step_id=step_id,
                             answer=form.cleaned_data["answer"], uploads=request.FILES.getlist("documents"))
    except DomainError as exc:
        return _error(request, case, exc, answer_form=form)
    messages.success(request, _("Your answer is sent to the ministry."))
    return redirect("enforcement-case", reference=case.reference)


@login_required
@require_POST
def note_add(request, reference):
    case = visible_case(request, reference)
    form = NoteForm(request.POST)
    try:
        if not form.is_valid():
            services.require_ministry(request.user)
            raise ValidationFailed(fields=form.errors)
        services.note_add(actor=request.user, reference=case.reference, **form.cleaned_data)
    except DomainError as exc:
        return _error(request, case, exc, note_form=form)
    messages.success(request, _("Note recorded."))
    return redirect("enforcement-case", reference=case.reference)


@login_required
@require_POST
def case_close(request, reference):
    case = visible_case(request, reference)
    form = CloseForm(request.POST)
    try:
        if not form.is_valid():
            services.require_ministry(request.user)
            raise ValidationFailed(fields=form.errors)
        services.case_close(actor=request.user, reference=case.reference, **form.cleaned_data)
    except DomainError as exc:
        return _error(request, case, exc)
    messages.success(request, _("The enforcement case is closed."))
    return redirect("enforcement-case", reference=case.reference)


@login_required
@require_GET
def step_pdf(request, reference, step_id):
    case = visible_case(request, reference)
    step = selectors.step_for(request.user, case, step_id)
    if step is None or not step.number:
        raise Http404()
    content = type(step).objects.values_list("pdf", flat=True).get(pk=step.pk)
    if not content:
        raise Http404()
    return pdf_response(bytes(content), f"{step.number}.pdf")


@login_required
@require_GET
def step_document(request, reference, step_id, doc_id):
    case = visible_case(request, reference)
    step = selectors.step_for(request.user, case, step_id)
    doc = step.documents.filter(pk=doc_id).first() if step is not None else None
    if doc is None:
        raise Http404()
    with doc.file.open("rb") as handle:
        return pdf_response(handle.read(), doc.original_name)

"""Pages for corrections (补正), requests for information and clock pauses: forms on the case page
(templates/licensing/panels/requests.html) that post here. Views parse, call licensing.requests,
and redirect; a refused form comes back on the case page with its message and the right 4xx."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from licensing.applications import page
from licensing.requests import certification, services
from licensing.requests.forms import (
    AnswerForm,
    CertificationForm,
    CertifiedAnswerForm,
    CorrectionsForm,
    PauseForm,
    RfiForm,
    VersionForm,
)
from portal.errors import DomainError, NotFound, ValidationFailed

# ---------------------------------------------------------------- forms


# ---------------------------------------------------------------- the panel on the case page


# ---------------------------------------------------------------- views


def _refused(request, pk, exc: DomainError, **forms_back):
    """The case page again, with the message, the form as it was typed and the right status."""
    if isinstance(exc, NotFound):
        raise Http404()
    app = page.visible_case(request, pk)
    for form in forms_back.values():
        if form.is_bound:
            for field, problems in (exc.fields or {}).items():
                name = field if field in form.fields else None
                for problem in problems:
                    form.add_error(name, problem)
    messages.error(request, exc.message)
    return render(request, "licensing/case_detail.html", page.detail_context(request, app, **forms_back),
                  status=exc.status_code)


def _form_invalid(request, pk, form_key, form):
    return _refused(request, pk, ValidationFailed(), **{form_key: form})


def _done(request, pk, message):
    messages.success(request, message)
    return redirect("case-detail", pk=pk)


@login_required
@require_POST
def corrections_request(request, pk):
    form = CorrectionsForm(request.POST, prefix="corr")
    if not form.is_valid():
        return _form_invalid(request, pk, "rq_corrections_form", form)
    try:
        services.corrections_request(application_id=pk, actor=request.user, items=form.item_lines(),
                                     respond_by=form.cleaned_data["respond_by"], note=form.cleaned_data["note"],
                                     expected_version=form.cleaned_data.get("version"))
    except DomainError as exc:
        return _refused(request, pk, exc, rq_corrections_form=form)
    return _done(request, pk, _("The request for corrections was sent to the exporter. The case "
                                "comes back once they answer."))


@login_required
@require_POST
def corrections_answer(request, pk):
    form = AnswerForm(request.POST, prefix="answer")
    if not form.is_valid():
        return _form_invalid(request, pk, "rq_answer_form", form)
    try:
        services.corrections_answer(application_id=pk, actor=request.user, answer=form.cleaned_data["answer"],
                                    uploads=request.FILES.getlist("answer-documents"),
                                    expected_version=form.cleaned_data.get("version"))
    except DomainError as exc:
        return _refused(request, pk, exc, rq_answer_form=form)
    return _done(request, pk, _("Your corrections were sent to the ministry."))


@login_required
@require_POST
def rfi_ask(request, pk):
    form = RfiForm(request.POST, prefix="rfi")
    if not form.is_valid():
        return _form_invalid(request, pk, "rq_rfi_form", form)
    try:
        services.rfi_ask(application_id=pk, actor=request.user, question=form.cleaned_data["question"],
                         respond_by=form.cleaned_data.get("respond_by"),
                         expected_version=form.cleaned_data.get("version"))
    except DomainError as exc:
        return _refused(request, pk, exc, rq_rfi_form=form)
    return _done(request, pk, _("The question was sent to the exporter. The decision clock stops until "
                                "they answer."))


@login_required
@require_POST
def rfi_answer(request, pk, request_id):
    form = AnswerForm(request.POST, prefix="answer")
    if not form.is_valid():
        return _form_invalid(request, pk, "rq_answer_form", form)
    try:
        services.rfi_answer(application_id=pk, request_id=request_id, actor=request.user,
                            answer=form.cleaned_data["answer"], uploads=request.FILES.getlist("answer-documents"),
                            expected_version=form.cleaned_data.get("version"))
    except DomainError as exc:
        return _refused(request, pk, exc, rq_answer_form=form)
    return _done(request, pk, _("Your answer was sent to the ministry."))


@login_required
@require_POST
def rfi_withdraw(request, pk, request_id):
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, ValidationFailed())
    try:
        services.rfi_withdraw(application_id=pk, request_id=request_id, actor=request.user,
                              reason=form.cleaned_data.get("reason", ""),
                              expected_version=form.cleaned_data.get("version"))
    except DomainError as exc:
        return _refused(request, pk, exc)
    return _done(request, pk, _("The request for information was withdrawn; the decision clock runs again."))


@login_required
@require_POST
def pause_start(request, pk):
    form = PauseForm(request.POST, prefix="pause")
    if not form.is_valid():
        return _form_invalid(request, pk, "rq_pause_form", form)
    try:
        services.pause_start(application_id=pk, actor=request.user, kind=form.cleaned_data["kind"],
                             note=form.cleaned_data["note"], expected_version=form.cleaned_data.get("version"))
    except DomainError as exc:
        return _refused(request, pk, exc, rq_pause_form=form)
    return _done(request, pk, _("The decision clock is stopped."))


@login_required
@require_POST
def pause_end(request, pk, pause_id):
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, ValidationFailed())
    try:
        services.pause_end(application_id=pk, pause_id=pause_id, actor=request.user,
                           expected_version=form.cleaned_data.get("version"))
    except DomainError as exc:
        return _refused(request, pk, exc)
    return _done(request, pk, _("The decision clock runs again."))


@login_required
@require_POST
def certification_require(request, pk):
    form = CertificationForm(request.POST, prefix="cert")
    if not form.is_valid():
        return _form_invalid(request, pk, "rq_certification_form", form)
    try:
        certification.certification_require(application_id=pk, actor=request.user, text=form.cleaned_data["text"],
                                            respond_by=form.cleaned_data.get("respond_by"),
                                            expected_version=form.cleaned_data.get("version"))
    except DomainError as exc:
        return _refused(request, pk, exc, rq_certification_form=form)
    return _done(request, pk, _("Government certification of the end-user certificate is required. The decision "
                                "clock stops until the exporter gives it."))


@login_required
@require_POST
def certification_answer(request, pk, request_id):
    form = CertifiedAnswerForm(request.POST, prefix="answer")
    if not form.is_valid():
        return _form_invalid(request, pk, "rq_certified_form", form)
    try:
        certification.certification_answer(application_id=pk, request_id=request_id, actor=request.user,
                                           answer=form.cleaned_data["answer"],
                                           uploads=request.FILES.getlist("answer-documents"),
                                           expected_version=form.cleaned_data.get("version"))
    except DomainError as exc:
        return _refused(request, pk, exc, rq_certified_form=form)
    return _done(request, pk, _("The certified certificate was sent to the ministry."))


@login_required
@require_POST
def certification_withdraw(request, pk, request_id):
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, ValidationFailed())
    try:
        certification.certification_withdraw(application_id=pk, request_id=request_id, actor=request.user,
                                             reason=form.cleaned_data.get("reason", ""),
                                             expected_version=form.cleaned_data.get("version"))
    except DomainError as exc:
        return _refused(request, pk, exc)
    return _done(request, pk, _("The request for government certification was withdrawn; the decision clock "
                                "runs again."))

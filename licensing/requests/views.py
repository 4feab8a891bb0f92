"""Pages for corrections (补正), requests for information and clock pauses: forms on the case page
(templates/licensing/panels/requests.html) that post here. Views parse, call licensing.requests,
and redirect; a refused form comes back on the case page with its message and the right 4xx."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from licensing.clock import selectors as clock
from licensing.models import PauseKind, Status
from licensing.requests import services
from portal.errors import DomainError, NotFound, ValidationFailed

# ---------------------------------------------------------------- forms


class CorrectionsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    items = forms.CharField(
        label=_("What is missing (one item per line)"), max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Corrections are asked for once only: list everything missing, at most 30 items."))
    respond_by = forms.DateField(label=_("Answer by"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note to the exporter (optional)"), required=False,
                           max_length=services.NOTE_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respond_by"].widget.attrs["min"] = _tomorrow()

    def item_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


def _tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


class RfiForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    question = forms.CharField(label=_("Question to the exporter"), max_length=services.REQUEST_TEXT_MAX_CHARS,
                               widget=forms.Textarea(attrs={"rows": 4}))
    respond_by = forms.DateField(label=_("Answer by (optional)"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respond_by"].widget.attrs["min"] = _tomorrow()


class AnswerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    answer = forms.CharField(label=_("Your answer"), max_length=services.ANSWER_MAX_CHARS,
                             widget=forms.Textarea(attrs={"rows": 5}))


class PauseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Why the clock stops"),
                             choices=[(kind, PauseKind(kind).label) for kind in services.OFFICER_PAUSE_KINDS])
    note = forms.CharField(label=_("Note (ministry only)"), required=False, max_length=services.NOTE_MAX_CHARS,
                           widget=forms.Textarea(attrs={"rows": 2}))


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(required=False, max_length=services.NOTE_MAX_CHARS)


# ---------------------------------------------------------------- the panel on the case page


def panel_context(request, app) -> dict:
    """Extra context for templates/licensing/panels/requests.html on the case page."""
    user = request.user
    requests = services.case_requests(app)
    summary = clock.page_summary(app)
    is_ministry, is_exporter = user.is_ministry, user.is_exporter
    open_requests = [r for r in requests if r.is_open]
    initial = {"version": app.version}
    context = {
        "case_clock": summary,
        "rq_requests": requests,
        "rq_open_for_exporter": open_requests if is_exporter else [],
        "rq_is_ministry": is_ministry,
        "rq_can_correct": services.can_request_corrections(app, user),
        "rq_can_ask": services.can_ask_rfi(app, user, requests),
        "rq_can_pause": services.can_pause(app, user),
        "rq_officer_pauses": [row for row in summary.history
                              if row.is_open and row.kind in services.OFFICER_PAUSE_KINDS] if is_ministry else [],
        "rq_corrections_form": CorrectionsForm(initial=initial, prefix="corr"),
        "rq_rfi_form": RfiForm(initial=initial, prefix="rfi"),
        "rq_pause_form": PauseForm(initial=initial, prefix="pause"),
        "rq_answer_form": AnswerForm(initial=initial, prefix="answer"),
        "rq_show_acceptance": app.status in (Status.FORWARDED, Status.CORRECTING),
    }
    return context


# ---------------------------------------------------------------- views


def _refused(request, pk, exc: DomainError, **forms_back):
    """The case page again, with the message, the form as it was typed and the right status."""
    from licensing.applications import (
        views as case_views,  #@@  # the case page's module imports this one
    )

    if isinstance(exc, NotFound):
        raise Http404()
    app = case_views._visible_case(request, pk)
    for form in forms_back.values():
        if form.is_bound:
            for field, problems in (exc.fields or {}).items():
                name = field if field in form.fields else None
                for problem in problems:
                    form.add_error(name, problem)
    messages.error(request, exc.message)
    return render(request, "licensing/case_detail.html", case_views._detail_context(request, app, **forms_back),
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


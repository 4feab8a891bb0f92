"""Pages of classification questions (咨询, Reg. 14): exporters ask and reply, the ministry asks
for information and answers. Every read starts from visible_to; every write goes through a
service."""

import re
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from controllist.models import QuestionStatus
from controllist.questions import services
from portal.errors import DomainError, NotAllowed, NotFound, lazy_format
from portal.pages import domain_errors_as_pages
from portal.pdf import pdf_response

# ---------------------------------------------------------------- forms


class MultiplePdfInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PdfFilesField(forms.FileField):
    """Several files at once; the service checks each (PDF, size, readable)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultiplePdfInput(attrs={"accept": "application/pdf,.pdf"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        return list(data) if isinstance(data, (list, tuple)) else [data]


def _textarea(rows=4):
    return forms.Textarea(attrs={"rows": rows})


DOCUMENTS_HELP = lazy_format(gettext_lazy("PDF only, at most %(n)s files."), n=services.MAX_DOCUMENTS_PER_MESSAGE)


class ServiceErrorsMixin:
    def add_service_errors(self, fields: dict) -> None:
        for name, errors in (fields or {}).items():
            for error in errors:
                self.add_error(name if name in self.fields else None, error)


class QuestionForm(ServiceErrorsMixin, forms.Form):
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    item_name = forms.CharField(label=gettext_lazy("Item name"), max_length=services.QUESTION_FIELDS["item_name"])
    item_model = forms.CharField(label=gettext_lazy("Model"), required=False,
                                 max_length=services.QUESTION_FIELDS["item_model"])
    specifications = forms.CharField(label=gettext_lazy("Technical specifications"), widget=_textarea(6),
                                     max_length=services.QUESTION_FIELDS["specifications"],
                                     help_text=gettext_lazy("Materials, composition, performance figures, "
                                                            "thresholds: what the list entries are measured by."))
    intended_uses = forms.CharField(label=gettext_lazy("Intended uses"), widget=_textarea(),
                                    max_length=services.QUESTION_FIELDS["intended_uses"])
    reason_for_doubt = forms.CharField(label=gettext_lazy("Reason for doubt"), widget=_textarea(),
                                       max_length=services.QUESTION_FIELDS["reason_for_doubt"],
                                       help_text=gettext_lazy("Which entries you considered and why you are "
                                                              "unsure whether the item is controlled."))
    suggested_code = forms.CharField(label=gettext_lazy("Code you think applies (optional)"), required=False,
                                     max_length=services.QUESTION_FIELDS["suggested_code"],
                                     help_text=gettext_lazy("e.g. 1C902.a"))
    documents = PdfFilesField(label=gettext_lazy("Documents (data sheets, drawings, test reports)"),
                              help_text=DOCUMENTS_HELP)

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in services.QUESTION_FIELDS}


class MessageForm(ServiceErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    message = forms.CharField(label=gettext_lazy("Message"), widget=_textarea(), max_length=services.MESSAGE_LIMIT)


class ReplyForm(MessageForm):
    documents = PdfFilesField(label=gettext_lazy("Documents (optional)"), help_text=DOCUMENTS_HELP)


class AnswerForm(ServiceErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label=gettext_lazy("Export control code"), required=False, max_length=32,
                           help_text=gettext_lazy("An entry of the list in force, or the code of a "
                                                  "temporary control in force."))
    not_controlled = forms.BooleanField(label=gettext_lazy("Not controlled (no entry applies)"), required=False)
    note = forms.CharField(label=gettext_lazy("Note to the exporter"), widget=_textarea(),
                           max_length=services.MESSAGE_LIMIT)


class WithdrawForm(ServiceErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=_textarea(3), max_length=services.MESSAGE_LIMIT)


# action in the URL: (service, form, prefix, message on success)
ACTIONS = {
    "request-info": ("request_info", MessageForm, "info", gettext_lazy("The exporter was asked for information.")),
    "reply": ("reply", ReplyForm, "reply", gettext_lazy("Your reply was sent to the ministry.")),
    "answer": ("answer", AnswerForm, "answer", gettext_lazy("The question is answered.")),
    "withdraw": ("withdraw", WithdrawForm, "withdraw", gettext_lazy("The question is withdrawn.")),
}
SLUGS = {service: slug for slug, (service, *_rest) in ACTIONS.items()}


def _call(action: str, question_id, actor, form) -> None:
    data = form.cleaned_data
    common = {"actor": actor, "question_id": question_id, "expected_version": data.get("version")}
    if action == "request_info":
        services.question_request_info(message=data["message"], **common)
    elif action == "reply":
        services.question_reply(message=data["message"], documents=data.get("documents") or [], **common)
    elif action == "answer":
        services.question_answer(code=data.get("code") or "", not_controlled=bool(data.get("not_controlled")),
                                 note=data["note"], **common)
    elif action == "withdraw":
        services.question_withdraw(reason=data["reason"], **common)


# ---------------------------------------------------------------- pages


def _require_party(user) -> None:
    if not (user.is_exporter or user.is_ministry):
        raise NotAllowed()


LIST_FILTERS = [("waiting", gettext_lazy("Waiting")), ("all", gettext_lazy("All")), *QuestionStatus.choices]
WAITING = [QuestionStatus.OPEN, QuestionStatus.INFO_REQUESTED]


@login_required
@require_GET
@domain_errors_as_pages
def question_list(request):
    _require_party(request.user)
    qs = services.visible_questions(request.user)
    status = request.GET.get("status", "")
    if status not in dict(LIST_FILTERS):
        status = "open" if request.user.is_ministry else "all"
    if status == "waiting":
        qs = qs.filter(status__in=WAITING)
    elif status != "all":
        qs = qs.filter(status=status)
    # The ministry answers in order of arrival (Reg. 14 asks for a prompt answer): oldest first
    # while a question waits, newest first once it is closed.
    order = ("created_at", "pk") if status in ("open", "info_requested", "waiting") else ("-created_at", "-pk")
    page = Paginator(qs.order_by(*order), 50).get_page(request.GET.get("page"))
    return render(request, "controllist/question_list.html", {
        "page": page, "status": status, "filters": LIST_FILTERS, "can_ask": request.user.is_exporter,
        "rows": [(q, services.waiting_for(q)) for q in page],
    })


@login_required
@domain_errors_as_pages
def question_new(request):
    if not request.user.is_exporter:
        raise NotAllowed(_("Only exporters file classification questions."))
    if request.method != "POST":
        form = QuestionForm(initial={"client_token": uuid.uuid4(),
                                     "item_name": request.GET.get("item_name", "")[:300]})
        return render(request, "controllist/question_form.html", {"form": form})
    form = QuestionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            question, created = services.question_ask(
                actor=request.user, data=form.service_data(), documents=form.cleaned_data["documents"],
                client_token=form.cleaned_data.get("client_token"))
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            form.add_service_errors(exc.fields)
            messages.error(request, exc.message)
        else:
            if created:
                messages.success(request, _("Your question %(ref)s was sent to the ministry.")
                                 % {"ref": question.reference})
            return redirect("controllist-question", pk=question.pk)
    return render(request, "controllist/question_form.html", {"form": form}, status=400)


def _detail(request, question, bound=None, status=200):
    user = request.user
    actions = services.allowed_actions(question, user)
    waiting = services.waiting_for(question)
    action_forms = []
    for action in actions:
        slug = SLUGS[action]
        _service, form_class, prefix, _done = ACTIONS[slug]
        form = bound if bound is not None and bound.prefix == prefix else form_class(
            prefix=prefix, initial={"version": question.version})
        action_forms.append((slug, form))
    thread = [(m, services.author_label(m.author, user)) for m in question.messages.all()]
    return render(request, "controllist/question_detail.html", {
        "question": question,
        "thread": thread,
        "documents": question.documents.all(),
        "action_forms": action_forms,
        "waiting": waiting,
        "my_turn": (waiting == "ministry" and user.is_ministry) or (waiting == "exporter" and user.is_exporter),
        "answered": question.status == QuestionStatus.ANSWERED,
        "code_in_force": (services.code_in_force(question.answer_code)
                          if question.status == QuestionStatus.ANSWERED and question.answer_code else None),
    }, status=status)


@login_required
@require_GET
@domain_errors_as_pages
def question_detail(request, pk):
    return _detail(request, services.visible_question(request.user, pk))


@login_required
@require_POST
@domain_errors_as_pages
def question_act(request, pk, action):
    if action not in ACTIONS:
        raise Http404()
    service_action, form_class, prefix, done = ACTIONS[action]
    question = services.visible_question(request.user, pk)
    form = form_class(request.POST, request.FILES, prefix=prefix)
    if form.is_valid():
        try:
            _call(service_action, question.pk, request.user, form)
        except NotFound:
            raise
        except DomainError as exc:
            form.add_service_errors(exc.fields)
            messages.error(request, exc.message)
            return _detail(request, services.visible_question(request.user, pk), bound=form,
                           status=exc.status_code)
        messages.success(request, done)
        return redirect("controllist-question", pk=pk)
    return _detail(request, question, bound=form, status=400)


@login_required
@require_GET
@domain_errors_as_pages
def question_document(request, pk, doc_pk):
    question = services.visible_question(request.user, pk)
    doc = get_object_or_404(question.documents.all(), pk=doc_pk)
    with doc.file.open("rb") as handle:
        return pdf_response(handle.read(), doc.original_name)


_ELEMENT_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


@login_required
@require_GET
@domain_errors_as_pages
def question_suggest(request):
    """htmx partial for the application form: answers this exporter already has for an item like
    the one being typed."""
    if not request.user.is_exporter:
        raise NotAllowed()
    description = request.GET.get("description", request.GET.get("item_description", ""))[:500]
    target = request.GET.get("target", "")
    return render(request, "controllist/question_suggestions.html", {
        "suggestions": services.classification_suggestions(exporter=request.user.organisation_id,
                                                           description=description),
        "target": target if _ELEMENT_ID.match(target) else "id_item_control_code",
    })

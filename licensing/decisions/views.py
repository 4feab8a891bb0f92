"""Pages for the decision: the decision panel on the case page (opinions side by side, the
recommendation form, countersignature), the refusal letter download, and the countersignature
rules a senior officer edits. Views parse, call licensing.decisions, and redirect."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from licensing.applications import page, selectors
from licensing.decisions import services as decisions
from licensing.models import (
    CountersignRule,
    CountersignRuleKind,
    DecisionOutcome,
    RecommendationState,
    RefusalLetter,
)
from licensing.workflow import require_ministry
from portal.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from portal.pages import domain_errors_as_pages

# ---------------------------------------------------------------- the case page's panel


# ---------------------------------------------------------------- decisions


def _version(request):
    raw = request.POST.get("version", "")
    if raw in ("", None):
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise ValidationFailed(fields={"version": [_("Reload the page and try again.")]})
    return int(raw)


def _case_error(request, pk, exc: DomainError):
    if isinstance(exc, NotFound):
        raise Http404()
    request.decision_error = exc
    return page.case_error(request, pk, exc)


def _confirmed(request) -> bool:
    """Deciding and countersigning are final: the page's form carries a required checkbox, and a
    post without it changes nothing (a stray click or a replayed form cannot decide a case)."""
    return request.POST.get("confirm") == "1"


def _not_confirmed(message):
    return ValidationFailed(message, code="not_confirmed", fields={"confirm": [message]})


@login_required
@require_POST
def recommend(request, pk):
    if request.user.is_ministry and not _confirmed(request):  # others get the service's 403 first
        return _case_error(request, pk, _not_confirmed(_("Tick the box to confirm the recommendation: it may "
                                                         "decide the case at once.")))
    quantities = {key[4:]: value.strip() for key, value in request.POST.items()
                  if key.startswith("qty_") and value.strip()}
    try:
        rec = decisions.decision_recommend(
            application_id=pk, actor=request.user, outcome=request.POST.get("outcome", ""),
            factors=request.POST.getlist("factors"), reasons=request.POST.get("reasons", ""),
            conditions=request.POST.get("conditions", ""), item_quantities=quantities,
            expected_version=_version(request))
    except DomainError as exc:
        return _case_error(request, pk, exc)
    if rec.state == RecommendationState.AWAITING_COUNTERSIGN:
        messages.success(request, _("Recommendation recorded. It takes effect once a senior officer countersigns it."))
    elif rec.outcome == DecisionOutcome.APPROVE:
        messages.success(request, _("The case is approved. The licence is being issued."))
    else:
        messages.success(request, _("The case is refused. The refusal letter is being issued."))
    return redirect("case-detail", pk=pk)


@login_required
@require_POST
def countersign(request, pk):
    if request.user.is_ministry and not _confirmed(request):  # others get the service's 403 first
        return _case_error(request, pk, _not_confirmed(_("Tick the box to confirm the countersignature: it "
                                                         "decides the case.")))
    try:
        rec = decisions.decision_countersign(application_id=pk, actor=request.user, expected_version=_version(request))
    except DomainError as exc:
        return _case_error(request, pk, exc)
    messages.success(request, _("Countersigned: the case is approved.") if rec.outcome == DecisionOutcome.APPROVE
                     else _("Countersigned: the case is refused."))
    return redirect("case-detail", pk=pk)


@login_required
@require_POST
def send_back(request, pk):
    try:
        decisions.decision_send_back(application_id=pk, actor=request.user, comment=request.POST.get("comment", ""),
                                     expected_version=_version(request))
    except DomainError as exc:
        return _case_error(request, pk, exc)
    messages.success(request, _("The recommendation was sent back to the officer."))
    return redirect("case-detail", pk=pk)


@login_required
@require_GET
def refusal_letter_download(request, pk):
    from portal.pdf import pdf_response

    app = get_object_or_404(selectors.applications_for(request.user), pk=pk)
    letter = RefusalLetter.objects.filter(application=app).first()
    if letter is None or not decisions.refusal_letter_visible_to(request.user, app):
        raise Http404()
    return pdf_response(bytes(letter.pdf), f"{letter.number}.pdf")


# ---------------------------------------------------------------- countersignature rules


class CountersignRuleForm(forms.Form):
    """Plain fields; the service checks the content (one source of rules)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Condition"), choices=CountersignRuleKind.choices)
    parameter = forms.CharField(
        label=gettext_lazy("Parameter"), max_length=40, required=False,
        help_text=gettext_lazy("Code prefix (e.g. 1C9), regime digit (e.g. 9), amount in RMB, or "
                               "approve/refuse; empty for objections and the watch list."))
    description_zh = forms.CharField(label=gettext_lazy("Description (Chinese)"), max_length=200, required=False)
    description_en = forms.CharField(label=gettext_lazy("Description (English)"), max_length=200, required=False)

    def add_service_errors(self, exc: DomainError) -> None:
        for name, errors in (exc.fields or {}).items():
            for error in errors:
                self.add_error(name if name in self.fields else None, error)
        if not exc.fields:
            self.add_error(None, exc.message)

    def service_data(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if key != "version"}


@login_required
@require_GET
@domain_errors_as_pages
def rule_list(request):
    require_ministry(request.user)
    return render(request, "licensing/rules_countersign/list.html", {
        "rules": CountersignRule.objects.order_by("-active", "pk"),
        "can_edit": request.user.role == Role.MINISTRY_SENIOR})


def _rule_form_page(request, form, rule=None, status=200):
    return render(request, "licensing/rules_countersign/form.html", {"form": form, "rule": rule}, status=status)


@login_required
@domain_errors_as_pages
def rule_new(request):
    if request.user.role != Role.MINISTRY_SENIOR:
        raise NotAllowed(decisions.RULE_EDITOR)
    form = CountersignRuleForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _rule_form_page(request, form, status=400)
        try:
            decisions.countersign_rule_create(actor=request.user, data=form.service_data())
        except ValidationFailed as exc:
            form.add_service_errors(exc)
            messages.error(request, exc.message)
            return _rule_form_page(request, form, status=400)
        messages.success(request, _("Rule added."))
        return redirect("decisions-rules")
    return _rule_form_page(request, form)


@login_required
@domain_errors_as_pages
def rule_edit(request, rule_pk):
    rule = get_object_or_404(CountersignRule, pk=rule_pk)
    if request.user.role != Role.MINISTRY_SENIOR:
        raise NotAllowed(decisions.RULE_EDITOR)
    if request.method == "POST":
        form = CountersignRuleForm(request.POST)
        if not form.is_valid():
            return _rule_form_page(request, form, rule, status=400)
        try:
            decisions.countersign_rule_update(actor=request.user, rule_id=rule.pk, data=form.service_data(),
                                              expected_version=form.cleaned_data.get("version"))
        except ValidationFailed as exc:
            form.add_service_errors(exc)
            messages.error(request, exc.message)
            return _rule_form_page(request, form, rule, status=400)
        messages.success(request, _("Rule saved."))
        return redirect("decisions-rules")
    form = CountersignRuleForm(initial={"version": rule.version, "kind": rule.kind, "parameter": rule.parameter,
                                        "description_zh": rule.description_zh,
                                        "description_en": rule.description_en})
    return _rule_form_page(request, form, rule)


@login_required
@require_POST
@domain_errors_as_pages
def rule_set_active(request, rule_pk):
    active = request.POST.get("active") == "1"
    decisions.countersign_rule_set_active(actor=request.user, rule_id=rule_pk, active=active,
                                          expected_version=_version(request))
    messages.success(request, _("Rule activated.") if active else _("Rule deactivated."))
    return redirect("decisions-rules")

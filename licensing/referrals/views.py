"""Pages for referrals and agency opinions (the case page's referrals panel and its forms), and the
routing tables a ministry senior officer edits: routing rules, agency settings, country groups.
Ministry officers read the tables; nobody else sees them."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Organisation, OrgKind, Role
from licensing.applications import page
from licensing.models import (
    AgencySettings,
    CountryGroup,
    EndUseCategory,
    Referral,
    RoutingRule,
)
from licensing.referrals import services, tables
from licensing.workflow import require_ministry
from portal import countries
from portal.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from portal.pages import domain_errors_as_pages

# ---------------------------------------------------------------- the case page's panel


class CaseVersionForm(forms.Form):
    version = forms.IntegerField(required=False, min_value=1)


class CaseReasonForm(CaseVersionForm):
    reason = forms.CharField(required=False, max_length=2000)


class AddForm(CaseReasonForm):
    agency = forms.IntegerField(required=False)


class OpinionForm(CaseVersionForm):
    opinion = forms.CharField(required=False, max_length=20)
    reasons = forms.CharField(required=False, max_length=10000)
    conditions = forms.CharField(required=False, max_length=5000)


def _case_page_error(request, pk, exc: DomainError):
    """The case page again, with the message, the right status and what was typed."""
    if isinstance(exc, NotFound):
        raise Http404()
    app = page.visible_case(request, pk)
    messages.error(request, exc.message)
    return render(request, "licensing/case_detail.html",
                  page.detail_context(request, app, referral_typed=request.POST),
                  status=exc.status_code)


def _case_action(request, pk, form_class, call, done):
    form = form_class(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(fields=form.errors)
        call(form.cleaned_data)
    except DomainError as exc:
        return _case_page_error(request, pk, exc)
    messages.success(request, done)
    return redirect("case-detail", pk=pk)


@login_required
@require_POST
def referral_add(request, pk):
    return _case_action(request, pk, AddForm, lambda d: services.referral_add(
        application_id=pk, actor=request.user, agency_id=d["agency"], reason=d["reason"],
        expected_version=d["version"]), gettext_lazy("The agency was added to the referrals."))


@login_required
@require_POST
def referral_drop(request, pk, referral_id):
    return _case_action(request, pk, CaseReasonForm, lambda d: services.referral_drop(
        application_id=pk, referral_id=referral_id, actor=request.user, reason=d["reason"],
        expected_version=d["version"]), gettext_lazy("The referral was dropped."))


@login_required
@require_POST
def referral_withdraw(request, pk, referral_id):
    return _case_action(request, pk, CaseReasonForm, lambda d: services.referral_withdraw(
        application_id=pk, referral_id=referral_id, actor=request.user, reason=d["reason"],
        expected_version=d["version"]), gettext_lazy("The referral was withdrawn."))


@login_required
@require_POST
def referrals_send(request, pk):
    return _case_action(request, pk, CaseVersionForm, lambda d: services.referrals_send(
        application_id=pk, actor=request.user, expected_version=d["version"]),
        gettext_lazy("The referrals were sent; each agency has been told its deadline."))


@login_required
@require_POST
def referrals_skip(request, pk):
    return _case_action(request, pk, CaseReasonForm, lambda d: services.referrals_skip(
        application_id=pk, actor=request.user, reason=d["reason"], expected_version=d["version"]),
        gettext_lazy("The case goes to decision without referral."))


@login_required
@require_POST
def opinion_give(request, pk, referral_id):
    if not Referral.objects.filter(pk=referral_id, application_id=pk).exists():
        raise Http404()
    return _case_action(request, pk, OpinionForm, lambda d: services.opinion_give(
        referral_id=referral_id, actor=request.user, opinion=d["opinion"], reasons=d["reasons"],
        conditions=d["conditions"], expected_version=d["version"]),
        gettext_lazy("Your opinion was recorded. Thank you."))


# ---------------------------------------------------------------- routing tables


def _require_senior(user) -> None:
    if user.role != Role.MINISTRY_SENIOR:
        raise NotAllowed(gettext_lazy("Only a ministry senior officer may change routing rules and agency "
                                      "settings."))


class ServiceErrorsMixin:
    def add_service_errors(self, exc: DomainError) -> None:
        for name, errors in (exc.fields or {}).items():
            for error in errors:
                self.add_error(name if name in self.fields else None, error)
        if not exc.fields:
            self.add_error(None, exc.message)


def _blank_choices(choices):
    return [("", "—")] + list(choices)


class RuleForm(ServiceErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name_zh = forms.CharField(label=gettext_lazy("Reason (Chinese)"), max_length=200, required=False)
    name_en = forms.CharField(label=gettext_lazy("Reason (English)"), max_length=200, required=False)
    sector = forms.CharField(label=gettext_lazy("Sector digit"), max_length=1, required=False,
                             help_text=gettext_lazy("First character of the code, 0-9."))
    item_type = forms.CharField(label=gettext_lazy("Item type letter"), max_length=1, required=False,
                                help_text=gettext_lazy("Second character, A-E."))
    regime_digit = forms.CharField(label=gettext_lazy("Regime digit"), max_length=1, required=False,
                                   help_text=gettext_lazy("Third character: 0 Wassenaar type, 1 missile, 2 nuclear, "
                                                          "3 biological/chemical, 4 chemical weapons, 9 China's own."))
    code_exact = forms.CharField(label=gettext_lazy("Exact code"), max_length=16, required=False)
    code_prefix = forms.CharField(label=gettext_lazy("Code prefix"), max_length=16, required=False,
                                  help_text=gettext_lazy("e.g. 1C351"))
    catch_all = forms.BooleanField(label=gettext_lazy("Catch-all items only (unlisted, Art. 12(3))"), required=False)
    destination = forms.ChoiceField(label=gettext_lazy("Destination country"), required=False)
    country_group = forms.ChoiceField(label=gettext_lazy("Destination or end user's country in group"),
                                      required=False)
    end_use_category = forms.ChoiceField(label=gettext_lazy("End-use category"), required=False,
                                         choices=_blank_choices(EndUseCategory.choices))
    min_value_rmb = forms.CharField(label=gettext_lazy("Case value at least (RMB)"), max_length=30, required=False)
    agencies = forms.MultipleChoiceField(label=gettext_lazy("Agencies to consult"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination"].choices = countries.destination_choices()
        self.fields["country_group"].choices = _blank_choices(
            (str(g.pk), f"{g.code} · {g.name_zh} / {g.name_en}") for g in CountryGroup.objects.all())
        self.fields["agencies"].choices = [
            (str(a.pk), f"{a.code} · {a.name_zh}") for a in Organisation.objects.filter(kind=OrgKind.AGENCY)
            .order_by("code")]

    @classmethod
    def initial_from(cls, rule: RoutingRule) -> dict:
        return {**{name: getattr(rule, name) for name in (
            "version", "name_zh", "name_en", "sector", "item_type", "regime_digit", "code_exact", "code_prefix",
            "catch_all", "destination", "end_use_category", "active")},
            "country_group": str(rule.country_group_id or ""), "min_value_rmb": rule.min_value_rmb or "",
            "agencies": [str(a.pk) for a in rule.agencies.all()]}

    def service_data(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if key != "version"}


class SettingsForm(ServiceErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    deadline_working_days = forms.IntegerField(label=gettext_lazy("Opinion due within (working days)"),
                                               min_value=1, max_value=90)
    remind_working_days_before = forms.IntegerField(label=gettext_lazy("Remind this many working days before"),
                                                    min_value=0, max_value=89)
    silence_is_no_objection = forms.BooleanField(
        label=gettext_lazy("Silence means no objection (EO 12981 model)"), required=False,
        help_text=gettext_lazy("When the deadline passes without an opinion, record no objection by silence."))


class GroupForm(ServiceErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label=gettext_lazy("Code"), max_length=32, required=False)
    name_zh = forms.CharField(label=gettext_lazy("Name (Chinese)"), max_length=100, required=False)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=100, required=False)
    countries = forms.CharField(label=gettext_lazy("Countries"), required=False, widget=forms.Textarea(
        attrs={"rows": 3}), help_text=gettext_lazy("ISO 3166 two-letter codes separated by commas, e.g. KP, LY."))


def _form_page(request, template, form, status=200, **extra):
    return render(request, f"licensing/rules/{template}", {"form": form, **extra}, status=status)


def _edit(request, *, form_class, template, initial, call, done, redirect_to, extra=None):
    """GET shows the form (senior only); POST saves through the service."""
    _require_senior(request.user)
    extra = extra or {}
    if request.method != "POST":
        return _form_page(request, template, form_class(initial=initial), **extra)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(form)
        except DomainError as exc:
            if exc.status_code not in (400, 409):
                raise
            form.add_service_errors(exc)
            messages.error(request, exc.message)
            return _form_page(request, template, form, status=exc.status_code, **extra)
        messages.success(request, done)
        return redirect(redirect_to)
    return _form_page(request, template, form, status=400, **extra)


@login_required
@require_GET
@domain_errors_as_pages
def rule_list(request):
    require_ministry(request.user)
    rules = RoutingRule.objects.select_related("country_group").prefetch_related("agencies").order_by("-active", "pk")
    return render(request, "licensing/rules/rule_list.html", {
        "rules": rules, "can_edit": request.user.role == Role.MINISTRY_SENIOR})


@login_required
@domain_errors_as_pages
def rule_new(request):
    return _edit(request, form_class=RuleForm, template="rule_form.html", initial={"active": True},
                 call=lambda form: tables.routing_rule_create(actor=request.user, data={
                     k: v for k, v in form.service_data().items() if k != "active"}),
                 done=gettext_lazy("Routing rule added; the next routing uses it."), redirect_to="review-rules")


def _get_or_404(queryset, pk):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404()
    return obj


@login_required
@domain_errors_as_pages
def rule_edit(request, pk):
    _require_senior(request.user)
    rule = _get_or_404(RoutingRule.objects.prefetch_related("agencies"), pk)
    return _edit(request, form_class=RuleForm, template="rule_form.html", initial=RuleForm.initial_from(rule),
                 call=lambda form: tables.routing_rule_update(actor=request.user, rule_id=pk,
                                                                data=form.service_data(),
                                                                expected_version=form.cleaned_data["version"]),
                 done=gettext_lazy("Routing rule saved; the next routing uses it. Referrals already made keep "
                                   "the rule as it was."), redirect_to="review-rules", extra={"rule": rule})


@login_required
@require_POST
@domain_errors_as_pages
def rule_deactivate(request, pk):
    _require_senior(request.user)
    form = CaseVersionForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(fields=form.errors)
    tables.routing_rule_deactivate(actor=request.user, rule_id=pk, expected_version=form.cleaned_data["version"])
    messages.success(request, _("Routing rule deactivated."))
    return redirect("review-rules")


@login_required
@require_GET
@domain_errors_as_pages
def settings_list(request):
    require_ministry(request.user)
    return render(request, "licensing/rules/agency_settings.html", {
        "settings_rows": AgencySettings.objects.select_related("agency").order_by("agency__code"),
        "can_edit": request.user.role == Role.MINISTRY_SENIOR})


@login_required
@domain_errors_as_pages
def settings_edit(request, pk):
    _require_senior(request.user)
    row = _get_or_404(AgencySettings.objects.select_related("agency"), pk)
    initial = {name: getattr(row, name) for name in ("version", "deadline_working_days",
                                                      "remind_working_days_before", "silence_is_no_objection")}
    return _edit(request, form_class=SettingsForm, template="agency_settings_form.html", initial=initial,
                 call=lambda form: tables.agency_settings_update(
                     actor=request.user, settings_id=pk, expected_version=form.cleaned_data["version"],
                     data={k: v for k, v in form.cleaned_data.items() if k != "version"}),
                 done=gettext_lazy("Agency settings saved; referrals sent from now on use them."),
                 redirect_to="review-agency-settings", extra={"row": row})


@login_required
@require_GET
@domain_errors_as_pages
def group_list(request):
    require_ministry(request.user)
    return render(request, "licensing/rules/country_groups.html", {
        "groups": CountryGroup.objects.all(), "can_edit": request.user.role == Role.MINISTRY_SENIOR})


@login_required
@domain_errors_as_pages
def group_new(request):
    return _edit(request, form_class=GroupForm, template="country_group_form.html", initial={},
                 call=lambda form: tables.country_group_create(actor=request.user, data={
                     k: v for k, v in form.cleaned_data.items() if k != "version"}),
                 done=gettext_lazy("Country group added."), redirect_to="review-country-groups")


@login_required
@domain_errors_as_pages
def group_edit(request, pk):
    _require_senior(request.user)
    group = _get_or_404(CountryGroup.objects.all(), pk)
    initial = {"version": tables.country_group_version(group), "code": group.code, "name_zh": group.name_zh,
               "name_en": group.name_en, "countries": ", ".join(group.countries or [])}
    return _edit(request, form_class=GroupForm, template="country_group_form.html", initial=initial,
                 call=lambda form: tables.country_group_update(
                     actor=request.user, group_id=pk, expected_version=form.cleaned_data["version"],
                     data={k: v for k, v in form.cleaned_data.items() if k != "version"}),
                 done=gettext_lazy("Country group saved; the next routing uses it."),
                 redirect_to="review-country-groups", extra={"group": group})

"""Forms of internal compliance programmes: an element, evidence, the ministry's evaluation, the
evidence periods and the list's filters. They check types; the services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, User
from compliance.icp.evaluations import MAX_FINDINGS, TEXT_MAX_CHARS
from compliance.icp.models import Assessment, Element, EvaluationMethod, Rating, Severity
from compliance.icp.services import MAX_MONTHS, MIN_MONTHS, OWNER_NAME_MAX_CHARS

VERSION = {"required": False, "min_value": 0, "max_value": 2**31 - 1, "widget": forms.HiddenInput}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class ElementForm(forms.Form):
    version = forms.IntegerField(**VERSION)
    owner_user = OwnerChoice(label=_("Owner (a user of the company)"), required=False, queryset=User.objects.none())
    owner_name = forms.CharField(label=_("or the owner's name"), required=False, max_length=OWNER_NAME_MAX_CHARS)
    last_reviewed_on = forms.DateField(label=_("Last reviewed on"), required=False, widget=DATE)
    assessment = forms.ChoiceField(label=_("Self-assessment"), required=False,
                                   choices=[("", _("Not assessed yet"))] + Assessment.choices)
    assessment_text = forms.CharField(label=_("What is in place and what is missing"), required=False,
                                      max_length=TEXT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, organisation_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = User.objects.filter(
            organisation_id=organisation_id, role__in=EXPORTER_ROLES, is_active=True).order_by("username")


class FilterForm(forms.Form):
    rating = forms.ChoiceField(label=_("Current rating"), required=False,
                               choices=[("", _("Any")), *Rating.choices, ("none", _("No valid evaluation"))])
    q = forms.CharField(label=_("Company name or credit code"), required=False, max_length=100)


class EvaluationNewForm(forms.Form):
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)
    method = forms.ChoiceField(label=_("How evaluated"), choices=EvaluationMethod.choices, widget=forms.RadioSelect)
    evaluated_on = forms.DateField(label=_("Evaluated on"), required=False, widget=DATE)


class EvaluationForm(forms.Form):
    """The draft's fields and, per element, one finding (severity and text; no severity: none)."""

    version = forms.IntegerField(**VERSION)
    method = forms.ChoiceField(label=_("How evaluated"), choices=EvaluationMethod.choices)
    evaluated_on = forms.DateField(label=_("Evaluated on"), required=False, widget=DATE)
    rating = forms.ChoiceField(label=_("Overall rating"), required=False,
                               choices=[("", _("Not rated yet"))] + Rating.choices)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)
    summary = forms.CharField(label=_("Summary"), required=False, max_length=TEXT_MAX_CHARS,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for element in Element:
            self.fields[f"severity_{element.value}"] = forms.ChoiceField(
                label=element.label, required=False, choices=[("", _("No finding"))] + Severity.choices)
            self.fields[f"text_{element.value}"] = forms.CharField(
                label=_("Finding"), required=False, max_length=TEXT_MAX_CHARS,
                widget=forms.Textarea(attrs={"rows": 2}))

    def element_fields(self):
        return [(self[f"severity_{e.value}"], self[f"text_{e.value}"]) for e in Element]

    def findings(self) -> list[dict]:
        rows = []
        for element in Element:
            severity = self.cleaned_data.get(f"severity_{element.value}")
            text = self.cleaned_data.get(f"text_{element.value}", "")
            if severity or text.strip():
                rows.append({"element": element.value, "severity": severity, "text": text})
        return rows[:MAX_FINDINGS]

    @staticmethod
    def initial_for(evaluation) -> dict:
        initial = {"version": evaluation.version, "method": evaluation.method, "rating": evaluation.rating,
                   "evaluated_on": evaluation.evaluated_on, "valid_until": evaluation.valid_until,
                   "summary": evaluation.summary}
        order = list(Severity.values)
        for finding in evaluation.findings.all():
            key = finding.element
            texts = [initial[f"text_{key}"]] if f"text_{key}" in initial else []
            initial[f"text_{key}"] = "\n".join([*texts, finding.text])
            current = initial.get(f"severity_{key}")
            if current is None or order.index(finding.severity) > order.index(current):
                initial[f"severity_{key}"] = finding.severity
        return initial


class IssueForm(forms.Form):
    version = forms.IntegerField(**VERSION)


class WithdrawForm(forms.Form):
    version = forms.IntegerField(**VERSION)
    reason = forms.CharField(label=_("Why it is withdrawn (required)"), max_length=TEXT_MAX_CHARS,
                             widget=forms.Textarea(attrs={"rows": 3}))


class PeriodForm(forms.Form):
    element = forms.ChoiceField(choices=Element.choices, widget=forms.HiddenInput)
    months = forms.IntegerField(label=_("Months"), min_value=MIN_MONTHS, max_value=MAX_MONTHS)

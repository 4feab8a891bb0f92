"""Forms of licence reports: the exporter's report, the ministry's requirement, the queue's filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from licensing.models import ReportAnchor, ReportKind
from licensing.reporting.services import MAX_DEFAULT_DAYS, REASON_MAX_CHARS, TEXT_MAX_CHARS


class DateInput(forms.DateInput):
    input_type = "date"


class ReportForm(forms.Form):
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)
    corrects = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices, widget=forms.RadioSelect)
    event_on = forms.DateField(label=_("Date it happened (shipped on, arrived on, installed on, in use from)"),
                               widget=DateInput)
    text = forms.CharField(label=_("Report: what was shipped, arrived, installed or is in use, where, and by whom"),
                           max_length=TEXT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 6}))


class RequirementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput)
    reason = forms.CharField(label=_("Reason (the exporter sees it)"), max_length=REASON_MAX_CHARS,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "report-require-%s")  # the licence page has other forms' fields
        super().__init__(*args, **kwargs)


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the exporter sees it)"), max_length=REASON_MAX_CHARS)


class OverdueFilterForm(forms.Form):
    exporter = forms.TypedChoiceField(label=_("Exporter"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Report"), required=False, choices=[("", _("Any report"))] + ReportKind.choices)

    def __init__(self, *args, exporters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exporter"].choices = [("", _("Any exporter"))] + [(o.pk, o.name_zh) for o in exporters]


class DefaultForm(forms.Form):
    required = forms.BooleanField(label=_("Required"), required=False)
    anchor = forms.ChoiceField(label=_("Due"), choices=ReportAnchor.choices)
    days = forms.IntegerField(label=_("Days"), min_value=0, max_value=MAX_DEFAULT_DAYS)
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_CHARS)

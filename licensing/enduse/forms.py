"""Forms of end-use change reports: the exporter's report, the ministry's notes, the queue's filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from licensing.enduse.services import DESCRIPTION_MAX_CHARS, NOTE_MAX_CHARS
from licensing.models import EndUseReportKind, EndUseReportState


class ReportForm(forms.Form):
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("What has happened"), choices=EndUseReportKind.choices,
                             widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("Describe it: what changed or may change, since when, and what you have done (stopped the "
                "export, asked the end user)"),
        max_length=DESCRIPTION_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 6}))


class ReviewForm(forms.Form):
    version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note to the exporter (optional)"), required=False, max_length=NOTE_MAX_CHARS,
                           widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    note = forms.CharField(label=_("What was found or done (required)"), max_length=NOTE_MAX_CHARS,
                           widget=forms.Textarea(attrs={"rows": 3}))


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("Any state"))] + EndUseReportState.choices)
    kind = forms.ChoiceField(label=_("What has happened"), required=False,
                             choices=[("", _("Any kind"))] + EndUseReportKind.choices)

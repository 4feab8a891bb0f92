"""Forms of enforcement: opening a case, recording a step, the exporter's answer, notes, closing,
the penalty (with its live statutory range), the court's judgment and the countersignature."""

from django import forms
from django.utils.translation import gettext_lazy as _

from compliance.enforcement.models import NoteKind, Origin, PenaltyHead
from compliance.enforcement.services import MANUAL_STEP_KINDS, MAX_ANSWER_DAYS

VERSION = {"required": False, "min_value": 1, "max_value": 2**31 - 1, "widget": forms.HiddenInput}


class OpenCaseForm(forms.Form):
    origin = forms.ChoiceField(label=_("Opened from"), choices=Origin.choices)
    source_reference = forms.CharField(
        label=_("Reference of the source (challenge number, end-use report number, screening hit number)"),
        required=False, max_length=40)
    exporter = forms.IntegerField(label=_("Exporter (when opened by hand)"), required=False, min_value=1,
                                  max_value=2**31 - 1, widget=forms.Select)
    summary = forms.CharField(label=_("Summary of the suspected offence"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, exporters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exporter"].widget.choices = [("", "—")] + [(o.pk, f"{o.name_zh} ({o.code})") for o in exporters]


class StepForm(forms.Form):
    version = forms.IntegerField(**VERSION)
    kind = forms.ChoiceField(label=_("Step"), choices=[(k.value, k.label) for k in MANUAL_STEP_KINDS])
    occurred_on = forms.DateField(label=_("Date (of the inspection or talk; the letter's date)"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), required=False, max_length=300)
    text = forms.CharField(label=_("Record, invitation, letter text or question"), max_length=8000,
                           widget=forms.Textarea(attrs={"rows": 5}))
    findings = forms.CharField(label=_("Findings"), required=False, max_length=8000,
                               widget=forms.Textarea(attrs={"rows": 3}))
    answer_days = forms.IntegerField(label=_("Answer within (working days; for steps addressed to the exporter)"),
                                     required=False, min_value=1, max_value=MAX_ANSWER_DAYS)


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes of the talk"), max_length=8000, widget=forms.Textarea(attrs={"rows": 4}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), max_length=8000, widget=forms.Textarea(attrs={"rows": 4}))


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NoteKind.choices)
    noted_on = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("What the exporter did"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    version = forms.IntegerField(**VERSION)
    note = forms.CharField(label=_("Closing note"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class PenaltyForm(forms.Form):
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(**VERSION)
    head = forms.ChoiceField(label=_("Head (Export Control Law Art. 34-38)"), choices=PenaltyHead.choices)
    turnover = forms.DecimalField(label=_("Illegal turnover (RMB)"), min_value=0, max_digits=16, decimal_places=0,
                                  initial=0)
    amount = forms.DecimalField(label=_("Fine (RMB)"), min_value=0, max_digits=16, decimal_places=0)
    reasons = forms.CharField(label=_("Facts and reasons"), max_length=8000, widget=forms.Textarea(attrs={"rows": 5}))
    justification = forms.CharField(
        label=_("Justification for an amount outside the range (a senior officer countersigns it)"),
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    serious = forms.BooleanField(label=_("Serious administrative penalty (Regulations Art. 20)"), required=False)
    bar_applications = forms.BooleanField(
        label=_("Refuse the exporter's new applications for 5 years (Export Control Law Art. 39)"), required=False)


class CriminalForm(forms.Form):
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)
    head = forms.ChoiceField(label=_("Offence"), choices=PenaltyHead.choices)
    court = forms.CharField(label=_("Court"), max_length=200)
    judgment_reference = forms.CharField(label=_("Judgment number"), max_length=100)
    decided_on = forms.DateField(label=_("Judgment date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Fine imposed by the court (RMB)"), min_value=0, max_digits=16,
                                decimal_places=0, initial=0)
    reasons = forms.CharField(label=_("Summary of the judgment"), max_length=8000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class CountersignForm(forms.Form):
    version = forms.IntegerField(**VERSION)
    note = forms.CharField(label=_("Comment (required when sending back)"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))

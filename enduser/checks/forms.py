"""Forms of end-use checks. The services check everything again; these give the page its fields
and a first, field-by-field answer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from enduser.checks.services import (
    ANSWER_MAX_CHARS,
    FINDINGS_MAX_CHARS,
    NOTE_MAX_CHARS,
    PLACE_MAX_CHARS,
    QUESTIONS_MAX_CHARS,
)
from enduser.models import CheckMethod, CheckOutcome, CheckState

VERSION = dict(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)


class FilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", "—"), *CheckState.choices])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class OpenForm(forms.Form):
    case = forms.CharField(widget=forms.HiddenInput, max_length=2000)
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)
    method = forms.ChoiceField(label=_("Method"), choices=CheckMethod.choices, widget=forms.RadioSelect)
    questions = forms.CharField(label=_("Questions and documents asked (required)"), max_length=QUESTIONS_MAX_CHARS,
                                widget=forms.Textarea(attrs={"rows": 5}))
    deadline = forms.DateField(label=_("Deadline (YYYY-MM-DD)"), widget=forms.DateInput(attrs={"type": "date"}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer (required)"), max_length=ANSWER_MAX_CHARS,
                             widget=forms.Textarea(attrs={"rows": 5}))
    version = forms.IntegerField(**VERSION)


class VisitForm(forms.Form):
    visit_on = forms.DateField(label=_("Visit date (YYYY-MM-DD)"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place visited"), max_length=PLACE_MAX_CHARS)
    findings = forms.CharField(label=_("Findings of the visit"), max_length=FINDINGS_MAX_CHARS,
                               widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(**VERSION)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CheckOutcome.choices, widget=forms.RadioSelect)
    findings = forms.CharField(label=_("Findings and reasons (required)"), max_length=FINDINGS_MAX_CHARS,
                               widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(**VERSION)


class AcceptForm(forms.Form):
    announcement = forms.CharField(label=_("Announcement number"), max_length=120)
    announced_on = forms.DateField(label=_("Announced on (YYYY-MM-DD)"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    effective_on = forms.DateField(label=_("In force from (YYYY-MM-DD; empty: the day announced)"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(**VERSION)


class DismissForm(forms.Form):
    note = forms.CharField(label=_("Why the party is not listed (required)"), max_length=NOTE_MAX_CHARS,
                           widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(**VERSION)

"""Forms of the requests area (corrections, RFIs, pauses), used by its panel and its views."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.models import PauseKind
from licensing.requests import services


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


class CertificationForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(label=_("What to certify (optional)"), required=False,
                           max_length=services.REQUEST_TEXT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3}))
    respond_by = forms.DateField(label=_("Answer by (optional)"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respond_by"].widget.attrs["min"] = _tomorrow()


class AnswerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    answer = forms.CharField(label=_("Your answer"), max_length=services.ANSWER_MAX_CHARS,
                             widget=forms.Textarea(attrs={"rows": 5}))


class CertifiedAnswerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    answer = forms.CharField(label=_("Note (optional)"), required=False, max_length=services.ANSWER_MAX_CHARS,
                             widget=forms.Textarea(attrs={"rows": 2}))


class PauseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Why the clock stops"),
                             choices=[(kind, PauseKind(kind).label) for kind in services.OFFICER_PAUSE_KINDS])
    note = forms.CharField(label=_("Note (ministry only)"), required=False, max_length=services.NOTE_MAX_CHARS,
                           widget=forms.Textarea(attrs={"rows": 2}))


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(required=False, max_length=services.NOTE_MAX_CHARS)

"""Forms of exceptions to the Control List: the exporter's application and the ministry's decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from enduser.exceptions.services import REASONS_MAX_CHARS


class RequestForm(forms.Form):
    party = forms.ChoiceField(choices=[("importer", "importer"), ("end_user", "end_user")], widget=forms.HiddenInput)
    listed = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)
    reasons = forms.CharField(label=_("Reasons for the exception (required)"), max_length=REASONS_MAX_CHARS,
                              widget=forms.Textarea(attrs={"rows": 5}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("grant", _("Grant")), ("refuse", _("Refuse"))])
    reasons = forms.CharField(label=_("Reasons for the decision (required)"), max_length=REASONS_MAX_CHARS,
                              widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)


class WithdrawForm(forms.Form):
    version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)

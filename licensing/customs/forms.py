"""Forms of the customs pages: a customs officer's licence lookup, write-off, reversal and challenge;
the exporter's answer; the ministry's close; the system administrator's systems and tokens."""

from django import forms
from django.utils.translation import gettext_lazy as _

from licensing.models import CustomsScope


class LookupForm(forms.Form):
    number = forms.CharField(label=_("Licence number"), max_length=40)


class WriteOffForm(forms.Form):
    declaration_number = forms.CharField(label=_("Declaration number"), max_length=32)
    line = forms.IntegerField(label=_("Declaration line"), min_value=1, max_value=999)
    item_line = forms.TypedChoiceField(label=_("Licence item"), coerce=int, choices=())
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=18, decimal_places=3)
    unit = forms.CharField(label=_("Unit"), max_length=20)
    value_rmb = forms.DecimalField(label=_("Value (RMB)"), max_digits=18, decimal_places=2, min_value=0)
    shipped_on = forms.DateField(label=_("Export date"), widget=forms.DateInput(attrs={"type": "date"}))
    port = forms.CharField(label=_("Customs port code"), max_length=4)

    def __init__(self, *args, licence=None, **kwargs):
        super().__init__(*args, **kwargs)
        items = list(licence.items.all()) if licence is not None else []
        self.fields["item_line"].choices = [(i.line, f"{i.line}. {i.control_code or '—'} {i.description[:60]}")
                                            for i in items]


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Why (the declaration was withdrawn…)"), required=False, max_length=2000)


class ChallengeForm(forms.Form):
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)
    exporter_code = forms.CharField(label=_("Exporter's unified social credit code"), max_length=32)
    declaration_number = forms.CharField(label=_("Declaration number"), max_length=32, required=False)
    port = forms.CharField(label=_("Customs port code"), max_length=4, required=False)
    goods = forms.CharField(label=_("Goods held"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    hs_code = forms.CharField(label=_("HS code"), max_length=10, required=False)
    suspected_code = forms.CharField(label=_("Suspected control code"), max_length=16, required=False)
    reason = forms.CharField(label=_("Why customs suspects the goods are controlled"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 4}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), max_length=8000, widget=forms.Textarea(attrs={"rows": 6}))


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=4000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class SystemForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, help_text=_("Lower-case letters, digits and hyphens"))
    name = forms.CharField(label=_("Name"), max_length=200)


class ScopesForm(forms.Form):
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=CustomsScope.choices,
                                       widget=forms.CheckboxSelectMultiple)


class TokenForm(ScopesForm):
    label = forms.CharField(label=_("Label"), max_length=100, required=False)

"""Forms of licence changes: the exporter's request, the ministry's decision, the exporter's withdrawal."""

from django import forms
from django.utils.translation import gettext_lazy as _

from licensing.changes.services import REASON_MAX_CHARS
from licensing.changes.terms import TEXT_FIELDS
from licensing.models import PaymentTerms, TransportMode

KEY_ELEMENT_CHOICES = [("items", _("an item (its control code, description or model)")),
                       ("destination", _("the destination")), ("end_user", _("the end user")),
                       ("end_use", _("the end use"))]


class ChangeForm(forms.Form):
    """Blank fields stay as they are; the quantity fields are added per licence line."""

    token = forms.UUIDField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    key_elements = forms.MultipleChoiceField(
        label=_("Does the change concern any of these? (Then it needs a new application, Reg. 18.)"),
        choices=KEY_ELEMENT_CHOICES, required=False, widget=forms.CheckboxSelectMultiple)
    contract_number = forms.CharField(label=_("New contract number"), required=False,
                                      max_length=TEXT_FIELDS["contract_number"])
    consignee_name = forms.CharField(label=_("New intermediate consignee"), required=False,
                                     max_length=TEXT_FIELDS["consignee_name"])
    consignee_address = forms.CharField(label=_("New address of the intermediate consignee"), required=False,
                                        max_length=TEXT_FIELDS["consignee_address"])
    shipment_until = forms.DateField(label=_("Ship until (a later date, inside the licence's validity)"),
                                     required=False, widget=forms.DateInput(attrs={"type": "date"}))
    payment_terms = forms.ChoiceField(label=_("New payment terms"), required=False,
                                      choices=[("", "—")] + PaymentTerms.choices)
    transport_mode = forms.ChoiceField(label=_("New transport mode"), required=False,
                                       choices=[("", "—")] + TransportMode.choices)
    remarks = forms.CharField(label=_("Remarks to print on the licence"), required=False,
                              max_length=TEXT_FIELDS["remarks"], widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Why the change is needed"), required=False, max_length=REASON_MAX_CHARS,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        for item in items:
            self.fields[f"quantity_{item.line}"] = forms.DecimalField(
                label=_("New (smaller) quantity of line %(line)s: %(description)s (now %(quantity)s %(unit)s, "
                        "%(used)s used)") % {"line": item.line, "description": item.description,
                                             "quantity": item.quantity.normalize(), "unit": item.unit,
                                             "used": item.used_quantity.normalize()},
                required=False, max_digits=18, decimal_places=3, min_value=0)

    def service_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in
                ("contract_number", "consignee_name", "consignee_address", "payment_terms", "transport_mode",
                 "remarks", "shipment_until")}
        data = {k: v for k, v in data.items() if v not in (None, "")}
        data["quantities"] = {name.split("_", 1)[1]: str(value) for name, value in self.cleaned_data.items()
                              if name.startswith("quantity_") and value is not None}
        for key in self.cleaned_data.get("key_elements") or ():
            data[key] = True
        return data


class DecideForm(forms.Form):
    version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve: issue the changed licence")),
                                                             ("refuse", _("Refuse"))], widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason (required to refuse; the exporter sees it)"), required=False,
                             max_length=REASON_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)


class NewApplicationForm(forms.Form):
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)

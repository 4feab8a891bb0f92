from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from licensing.models import DocumentKind, EndUseCategory
from portal import countries


class ApplicationForm(forms.Form):
    """Plain fields for the page; the service validates the content (one source of rules)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    item_control_code = forms.CharField(label=_("Export control code"), required=False, max_length=16,
                                        help_text=_("e.g. 1C902.a"))
    item_catch_all = forms.BooleanField(
        label=_("The item is not on the list, but the catch-all applies"), required=False,
        help_text=_("Export Control Law Art. 12(3): you know, should know or have been told that it "
                    "may endanger national security or serve weapons of mass destruction or "
                    "terrorism. Leave the code empty."))
    # Typing a description asks for the ministry's answers on similar items (see case_form.html).
    item_description = forms.CharField(
        label=_("Item description"), required=False, max_length=500,
        widget=forms.TextInput(attrs={"hx-get": reverse_lazy("controllist-question-suggest"),
                                      "hx-trigger": "keyup changed delay:400ms",
                                      "hx-target": "#question-suggestions",
                                      "hx-vals": '{"target": "id_item_control_code"}'}))
    item_specification = forms.CharField(label=_("Model / specification"), required=False, max_length=200)
    item_quantity = forms.CharField(label=_("Quantity"), required=False, max_length=40)
    item_unit = forms.CharField(label=_("Unit"), required=False, max_length=20)
    item_value_rmb = forms.CharField(label=_("Value (RMB)"), required=False, max_length=40)
    destination = forms.ChoiceField(label=_("Destination country"), required=False, choices=countries.destination_choices)
    importer_name = forms.CharField(label=_("Importer name"), required=False, max_length=300)
    importer_address = forms.CharField(label=_("Importer address"), required=False, max_length=500)
    importer_country = forms.ChoiceField(label=_("Importer country"), required=False, choices=countries.choices)
    end_user_name = forms.CharField(label=_("End user name"), required=False, max_length=300)
    end_user_address = forms.CharField(label=_("End user address"), required=False, max_length=500)
    end_user_country = forms.ChoiceField(label=_("End user country"), required=False, choices=countries.choices)
    end_use_category = forms.ChoiceField(label=_("End-use category"), required=False,
                                         choices=EndUseCategory.choices, initial=EndUseCategory.CIVIL)
    end_use = forms.CharField(label=_("End-use statement"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    contract_number = forms.CharField(label=_("Contract number"), required=False, max_length=100)

    SECTIONS = [
        (_("Item"), ["item_control_code", "item_catch_all", "item_description", "item_specification", "item_quantity", "item_unit",
                      "item_value_rmb"]),
        (_("Destination and parties"), ["destination", "importer_name", "importer_address",
                                        "importer_country", "end_user_name", "end_user_address",
                                        "end_user_country"]),
        (_("End use"), ["end_use_category", "end_use", "contract_number"]),
    ]

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    @staticmethod
    def _group(data, prefix, names):
        values = {name: (data.get(f"{prefix}_{name}") or "").strip() for name in names}
        return values if any(values.values()) else None

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "destination": data.get("destination") or "",
            "end_use": data.get("end_use") or "",
            "end_use_category": data.get("end_use_category") or "",
            "contract_number": data.get("contract_number") or "",
            "importer": self._group(data, "importer", ["name", "address", "country"]),
            "end_user": self._group(data, "end_user", ["name", "address", "country"]),
            "item": self._item(data),
        }

    @classmethod
    def _item(cls, data):
        item = cls._group(data, "item", ["control_code", "description", "specification", "quantity", "unit",
                                             "value_rmb"])
        if data.get("item_catch_all"):
            item = {**(item or {}), "catch_all": True}
        return item

    @classmethod
    def initial_from(cls, app) -> dict:
        initial = {"version": app.version, "destination": app.destination.code if app.destination else "",
                   "end_use": app.end_use, "end_use_category": app.end_use_category,
                   "contract_number": app.contract_number}
        for role in ("importer", "end_user"):
            party = getattr(app, role)
            if party:
                initial.update({f"{role}_name": party.name, f"{role}_address": party.address,
                                f"{role}_country": party.country.code})
        item = app.items.first()
        if item:
            initial.update({"item_control_code": item.control_code, "item_catch_all": item.catch_all,
                            "item_description": item.description, "item_specification": item.specification,
                            "item_quantity": item.quantity.normalize(), "item_unit": item.unit,
                            "item_value_rmb": item.value_rmb})
        return initial

    def add_service_errors(self, fields: dict) -> None:
        mapping = {"item.control_code": "item_control_code", "control_code": "item_control_code",
                   "item.catch_all": "item_catch_all",
                   "item.description": "item_description", "item.unit": "item_unit",
                   "quantity": "item_quantity", "item.quantity": "item_quantity",
                   "value_rmb": "item_value_rmb", "item.value_rmb": "item_value_rmb",
                   "destination": "destination", "end_use": "end_use",
                   "item.specification": "item_specification", "contract_number": "contract_number"}
        for key, errors in (fields or {}).items():
            name = mapping.get(key)
            for error in errors:
                self.add_error(name if name in self.fields else None, error)


class DocumentForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Document type"), choices=DocumentKind.choices,
                             initial=DocumentKind.END_USER_CERTIFICATE)
    file = forms.FileField(label=_("PDF file"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))


class ReasonForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 3}))

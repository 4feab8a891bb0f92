from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from enduser.models import Party
from enduser.parties.services import registration_identifiers
from licensing.models import DocumentKind, EndUseCategory


def _country_choices():
    return [("", "—")] + [(code, f"{name} ({code})") for code, name in countries]


def _kind_choices():
    return [("", "—")] + list(Party.Kind.choices)


PARTY_FORM_FIELDS = ("party", "name", "name_zh", "name_latin", "kind", "address", "country", "registration")


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
    destination = forms.ChoiceField(label=_("Destination country"), required=False, choices=_country_choices)
    # Each party: one of the exporter's own (address book), or typed here (saved into the book).
    importer_party = forms.ChoiceField(label=_("Importer from my parties"), required=False, choices=[],
                                       help_text=_("Or leave this empty and type a new importer below."))
    importer_name = forms.CharField(label=_("Importer name"), required=False, max_length=300)
    importer_name_zh = forms.CharField(label=_("Importer Chinese name"), required=False, max_length=300)
    importer_name_latin = forms.CharField(label=_("Importer Latin-script name"), required=False, max_length=300)
    importer_kind = forms.ChoiceField(label=_("Importer kind"), required=False, choices=_kind_choices)
    importer_address = forms.CharField(label=_("Importer address"), required=False, max_length=500)
    importer_country = forms.ChoiceField(label=_("Importer country"), required=False, choices=_country_choices)
    importer_registration = forms.CharField(label=_("Importer registration number"), required=False,
                                            max_length=64)
    end_user_party = forms.ChoiceField(label=_("End user from my parties"), required=False, choices=[],
                                       help_text=_("Or leave this empty and type a new end user below."))
    end_user_name = forms.CharField(label=_("End user name"), required=False, max_length=300)
    end_user_name_zh = forms.CharField(label=_("End user Chinese name"), required=False, max_length=300)
    end_user_name_latin = forms.CharField(label=_("End user Latin-script name"), required=False, max_length=300)
    end_user_kind = forms.ChoiceField(label=_("End user kind"), required=False, choices=_kind_choices)
    end_user_address = forms.CharField(label=_("End user address"), required=False, max_length=500)
    end_user_country = forms.ChoiceField(label=_("End user country"), required=False, choices=_country_choices)
    end_user_registration = forms.CharField(label=_("End user registration number"), required=False,
                                            max_length=64)
    end_use_category = forms.ChoiceField(label=_("End-use category"), required=False,
                                         choices=EndUseCategory.choices, initial=EndUseCategory.CIVIL)
    end_use = forms.CharField(label=_("End-use statement"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    contract_number = forms.CharField(label=_("Contract number"), required=False, max_length=100)

    SECTIONS = [
        (_("Item"), ["item_control_code", "item_catch_all", "item_description", "item_specification", "item_quantity", "item_unit", "item_value_rmb"]),
        (_("Destination"), ["destination"]),
        (_("Importer"), [f"importer_{name}" for name in PARTY_FORM_FIELDS]),
        (_("End user"), [f"end_user_{name}" for name in PARTY_FORM_FIELDS]),
        (_("End use"), ["end_use_category", "end_use", "contract_number"]),
    ]

    def __init__(self, *args, parties=(), **kwargs):
        """`parties`: the exporter's parties it may pick (enduser.parties.selectors.book_choices)."""
        super().__init__(*args, **kwargs)
        choices = [("", _("— type a new party below —"))] + [
            (str(party.pk), f"{party.name}{' / ' + party.name_zh if party.name_zh else ''} ({party.country.code})")
            for party in parties]
        self.fields["importer_party"].choices = choices
        self.fields["end_user_party"].choices = choices

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    @staticmethod
    def _group(data, prefix, names):
        values = {name: (data.get(f"{prefix}_{name}") or "").strip() for name in names}
        return values if any(values.values()) else None

    @classmethod
    def _party(cls, data, role):
        """A typed party: name, address and country always (the service says what is missing);
        the optional fields only when filled in, so a draft's edit leaves the others as they are."""
        typed = cls._group(data, role, ["name", "address", "country", "name_zh", "name_latin", "kind",
                                         "registration"])
        if typed is None:
            return None
        party = {key: typed[key] for key in ("name", "address", "country")}
        party.update({key: typed[key] for key in ("name_zh", "name_latin", "kind") if typed[key]})
        if typed["registration"]:
            party["identifiers"] = registration_identifiers(typed["registration"])
        return party

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "destination": data.get("destination") or "",
            "end_use": data.get("end_use") or "",
            "end_use_category": data.get("end_use_category") or "",
            "contract_number": data.get("contract_number") or "",
            "importer": self._party(data, "importer"),
            "importer_party": data.get("importer_party") or None,
            "end_user": self._party(data, "end_user"),
            "end_user_party": data.get("end_user_party") or None,
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
            if getattr(app, f"{role}_id"):
                initial[f"{role}_party"] = str(getattr(app, f"{role}_id"))
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
                   "item.specification": "item_specification", "contract_number": "contract_number",

                   "importer": "importer_name", "end_user": "end_user_name",
                   "importer_party": "importer_party", "end_user_party": "end_user_party"}
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

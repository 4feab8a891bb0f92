import re

from django import forms
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from enduser.models import Party
from enduser.parties.services import registration_identifiers
from licensing.applications.models import (
    CustomsPort,
    CustomsUnit,
    ExchangeRate,
    PaymentTerms,
    TradeMode,
    TransportMode,
)
from licensing.applications.parties import ROLES
from licensing.applications.shipment import FIELDS as SHIPMENT_FIELDS
from licensing.applications.shipment import snapshot as shipment_snapshot
from licensing.models import DocumentKind, EndUseCategory, RegistrationCircumstance, Route
from portal import countries


def _kind_choices():
    return [("", "—")] + list(Party.Kind.choices)


def _chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def _port_choices():
    zh = _chinese()
    return [("", "—")] + [(port.code, f"{port.name_zh if zh else port.name_en} ({port.code})")
                          for port in CustomsPort.objects.filter(active=True)]


BILINGUAL_LABEL = re.compile(r"^(?P<en>.*\S) \((?P<zh>[^)]*[\u4e00-\u9fff][^)]*)\)$")


def _trade_mode_choices():
    """Trade modes are labelled in both languages (General trade (一般贸易)), as the licence prints
    them; the form shows the page's language only."""
    zh, out = _chinese(), [("", "—")]
    for value, label in TradeMode.choices:
        with translation.override("en"):
            text = str(label)
        parts = BILINGUAL_LABEL.match(text)
        out.append((value, f"{value} {(parts['zh'] if zh else parts['en']) if parts else text}"))
    return out


def field_check_attrs(name: str) -> dict:
    """Each field is checked as it is left: the answer goes beside it (templates/licensing/field_check.html)."""
    return {"hx-post": reverse_lazy("case-field-check"), "hx-trigger": "change", "hx-include": "closest form",
            "hx-vals": f'{{"_field": "{name}"}}', "hx-target": f"#check-{name}", "hx-swap": "innerHTML",
            "aria-describedby": f"check-{name}"}


PARTY_FORM_FIELDS = ("party", "name", "name_zh", "name_latin", "kind", "address", "country", "registration")


class ApplicationForm(forms.Form):
    """Plain fields for the page; the service validates the content (one source of rules)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    route = forms.ChoiceField(label=_("Route"), required=False, choices=Route.choices, initial=Route.INDIVIDUAL,
                              help_text=_("Which routes are open to your company, and why not, is shown above "
                                          "the form (Reg. 15, 19, 20)."))
    requested_valid_until = forms.CharField(label=_("General licence: valid until"), required=False, max_length=10,
                                            widget=forms.DateInput(attrs={"type": "date"}),
                                            help_text=_("At most 3 years; the ministry may shorten it."))
    additional_end_users = forms.MultipleChoiceField(
        label=_("General licence: further end users from my parties"), required=False, choices=[],
        help_text=_("Besides the end user below; each is screened like it."))
    circumstance = forms.ChoiceField(label=_("Registration route: circumstance"), required=False, choices=[])
    destination = forms.ChoiceField(label=_("Destination country"), required=False,
                                    choices=countries.destination_choices)
    # Each party: one of the exporter's own (address book), or typed here (saved into the book).
    importer_party = forms.ChoiceField(label=_("Importer from my parties"), required=False, choices=[],
                                       help_text=_("Or leave this empty and type a new importer below."))
    importer_name = forms.CharField(label=_("Importer name"), required=False, max_length=300)
    importer_name_zh = forms.CharField(label=_("Importer Chinese name"), required=False, max_length=300)
    importer_name_latin = forms.CharField(label=_("Importer Latin-script name"), required=False, max_length=300)
    importer_kind = forms.ChoiceField(label=_("Importer kind"), required=False, choices=_kind_choices)
    importer_address = forms.CharField(label=_("Importer address"), required=False, max_length=500)
    importer_country = forms.ChoiceField(label=_("Importer country"), required=False, choices=countries.choices)
    importer_registration = forms.CharField(label=_("Importer registration number"), required=False,
                                            max_length=64)
    end_user_party = forms.ChoiceField(label=_("End user from my parties"), required=False, choices=[],
                                       help_text=_("Or leave this empty and type a new end user below."))
    end_user_name = forms.CharField(label=_("End user name"), required=False, max_length=300)
    end_user_name_zh = forms.CharField(label=_("End user Chinese name"), required=False, max_length=300)
    end_user_name_latin = forms.CharField(label=_("End user Latin-script name"), required=False, max_length=300)
    end_user_kind = forms.ChoiceField(label=_("End user kind"), required=False, choices=_kind_choices)
    end_user_address = forms.CharField(label=_("End user address"), required=False, max_length=500)
    end_user_country = forms.ChoiceField(label=_("End user country"), required=False, choices=countries.choices)
    end_user_registration = forms.CharField(label=_("End user registration number"), required=False,
                                            max_length=64)
    end_use_category = forms.ChoiceField(label=_("End-use category"), required=False,
                                         choices=EndUseCategory.choices, initial=EndUseCategory.CIVIL)
    end_use = forms.CharField(label=_("End-use statement"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    contract_number = forms.CharField(label=_("Contract number"), required=False, max_length=100)
    consignee_party = forms.ChoiceField(label=_("Intermediate consignee from my parties"), required=False,
                                        choices=[], help_text=_("Only where the goods pass through one."))
    consignee_name = forms.CharField(label=_("Intermediate consignee name"), required=False, max_length=300)
    consignee_name_zh = forms.CharField(label=_("Intermediate consignee Chinese name"), required=False,
                                        max_length=300)
    consignee_name_latin = forms.CharField(label=_("Intermediate consignee Latin-script name"), required=False,
                                           max_length=300)
    consignee_kind = forms.ChoiceField(label=_("Intermediate consignee kind"), required=False, choices=_kind_choices)
    consignee_address = forms.CharField(label=_("Intermediate consignee address"), required=False, max_length=500)
    consignee_country = forms.ChoiceField(label=_("Intermediate consignee country"), required=False,
                                          choices=countries.choices)
    consignee_registration = forms.CharField(label=_("Intermediate consignee registration number"), required=False,
                                             max_length=64)
    trade_mode = forms.ChoiceField(label=_("Trade mode"), required=False,
                                   choices=_trade_mode_choices)
    export_port = forms.ChoiceField(label=_("Customs port of export"), required=False, choices=_port_choices)
    transport_mode = forms.ChoiceField(label=_("Transport mode"), required=False,
                                       choices=[("", "—")] + list(TransportMode.choices))
    payment_terms = forms.ChoiceField(label=_("Payment terms"), required=False,
                                      choices=[("", "—")] + list(PaymentTerms.choices))
    shipment_from = forms.CharField(label=_("Planned shipment from"), required=False, max_length=10,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    shipment_until = forms.CharField(label=_("Planned shipment until"), required=False, max_length=10,
                                     widget=forms.DateInput(attrs={"type": "date"}))

    SECTIONS = [
        (_("Route"), ["route", "requested_valid_until", "additional_end_users", "circumstance"]),
        (_("Destination"), ["destination"]),
        (_("Importer"), [f"importer_{name}" for name in PARTY_FORM_FIELDS]),
        (_("End user"), [f"end_user_{name}" for name in PARTY_FORM_FIELDS]),
        (_("Intermediate consignee"), [f"consignee_{name}" for name in PARTY_FORM_FIELDS]),
        (_("End use"), ["end_use_category", "end_use", "contract_number"]),
        (_("Shipment"), ["trade_mode", "export_port", "transport_mode", "payment_terms", "shipment_from",
                         "shipment_until"]),
    ]
    # Needed before submission (licensing.applications.services.missing_for_submission): marked on the page.
    REQUIRED = {"destination", "importer_party", "importer_name", "end_user_party", "end_user_name", "end_use"}

    def __init__(self, *args, parties=(), **kwargs):
        """`parties`: the exporter's parties it may pick (enduser.parties.selectors.book_choices)."""
        super().__init__(*args, **kwargs)
        choices = [("", _("— type a new party below —"))] + [
            (str(party.pk), f"{party.name}{' / ' + party.name_zh if party.name_zh else ''} ({party.country.code})")
            for party in parties]
        for role in ROLES:
            self.fields[f"{role}_party"].choices = choices
        self.fields["additional_end_users"].choices = choices[1:]
        zh = _chinese()
        self.fields["circumstance"].choices = [("", "—")] + [
            (c.code, c.name_zh if zh else c.name_en) for c in RegistrationCircumstance.objects.filter(active=True)]
        for name, field in self.fields.items():
            if not field.widget.is_hidden:
                field.widget.attrs.update(field_check_attrs(name))

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
        out = {name: data.get(name) or "" for name in ("destination", "end_use", "end_use_category",
                                                       "contract_number", *SHIPMENT_FIELDS)}
        for role in ROLES:
            out[role] = self._party(data, role)
            out[f"{role}_party"] = data.get(f"{role}_party") or None
        out["route"] = data.get("route") or Route.INDIVIDUAL
        out["requested_valid_until"] = data.get("requested_valid_until") or None
        out["additional_end_users"] = list(data.get("additional_end_users") or [])
        out["circumstance"] = data.get("circumstance") or ""
        return out

    @classmethod
    def initial_from(cls, app) -> dict:
        initial = {"version": app.version, "destination": app.destination.code if app.destination else "",
                   "end_use": app.end_use, "end_use_category": app.end_use_category,
                   "contract_number": app.contract_number, **shipment_snapshot(app), "route": app.route,
                   "requested_valid_until": app.requested_valid_until.isoformat() if app.requested_valid_until else "",
                   "additional_end_users": [str(pk) for pk in app.additional_end_users.values_list("pk", flat=True)],
                   "circumstance": app.circumstance.code if app.circumstance_id else ""}
        for role in ROLES:
            if getattr(app, f"{role}_id"):
                initial[f"{role}_party"] = str(getattr(app, f"{role}_id"))
        return initial

    def add_service_errors(self, fields: dict) -> None:
        """Put the service's errors beside their fields; item errors (items.N.name) go to the item rows
        (`ItemFormSet.add_service_errors`), the rest here."""
        mapping = {"importer": "importer_name", "end_user": "end_user_name", "consignee": "consignee_name"}
        for key, errors in (fields or {}).items():
            if key.startswith("items"):
                continue
            name = mapping.get(key, key)
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


def _unit_choices():
    zh = _chinese()
    return [("", "—")] + [(unit.name_zh, unit.name_zh if zh else unit.name_en) for unit in CustomsUnit.objects.all()]


def _currency_choices():
    codes = sorted(set(ExchangeRate.objects.values_list("currency", flat=True)) | {"CNY"})
    return [(code, code) for code in codes]


ITEM_FIELDS = ("control_code", "catch_all", "description", "specification", "hs_code", "quantity", "unit",
               "unit_price", "currency", "value_rmb")


class ItemForm(forms.Form):
    """One row of the items table; the service checks the content (one source of rules)."""

    control_code = forms.CharField(label=_("Export control code"), required=False, max_length=16,
                                   help_text=_("e.g. 1C902.a"))
    catch_all = forms.BooleanField(
        label=_("The item is not on the list, but the catch-all applies"), required=False,
        help_text=_("Export Control Law Art. 12(3): you know, should know or have been told that it "
                    "may endanger national security or serve weapons of mass destruction or "
                    "terrorism. Leave the code empty."))
    description = forms.CharField(label=_("Item name"), required=False, max_length=500)
    specification = forms.CharField(label=_("Model / specification"), required=False, max_length=200)
    hs_code = forms.CharField(label=_("HS code"), required=False, max_length=10,
                              help_text=_("10 digits, as on the customs declaration"))
    quantity = forms.CharField(label=_("Quantity"), required=False, max_length=40)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=20, widget=forms.Select)
    unit_price = forms.CharField(label=_("Unit price"), required=False, max_length=40)
    currency = forms.ChoiceField(label=_("Currency"), required=False, choices=_currency_choices, initial="CNY")
    value_rmb = forms.CharField(label=_("Total (RMB)"), required=False, max_length=40,
                                help_text=_("Only without a unit price; otherwise worked out for you."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _unit_choices()
        current = self["unit"].value()
        if current and current not in [value for value, _label in choices]:
            choices.append((current, current))  # an older draft's own spelling (e.g. "kg") stays selectable
        self.fields["unit"].widget.choices = choices
        for name, field in self.fields.items():
            field.widget.attrs.update(field_check_attrs(self.add_prefix(name)))
        # The description asks for the ministry's answers on similar items as it is typed.
        attrs = self.fields["description"].widget.attrs
        attrs.pop("hx-post")
        attrs.update({"hx-get": reverse_lazy("controllist-question-suggest"), "hx-trigger": "keyup changed delay:400ms",
                      "hx-target": "#question-suggestions", "hx-include": "this",
                      "hx-vals": 'js:{{"description": this.value, "target": "{}"}}'.format(self["control_code"].auto_id)})

    def service_item(self) -> dict | None:
        data = self.cleaned_data
        values = {name: (data.get(name) or "").strip() for name in ITEM_FIELDS if name not in ("catch_all", "currency")}
        if not any(values.values()) and not data.get("catch_all"):
            return None
        item = {name: value for name, value in values.items() if value or name in ("control_code", "description",
                                                                                    "unit", "quantity")}
        item["currency"] = data.get("currency") or "CNY"
        if data.get("catch_all"):
            item["catch_all"] = True
        return item

    @staticmethod
    def initial_from(item) -> dict:
        return {"control_code": item.control_code, "catch_all": item.catch_all, "description": item.description,
                "specification": item.specification, "hs_code": item.hs_code, "quantity": item.quantity.normalize(),
                "unit": item.unit, "unit_price": item.unit_price.normalize() if item.unit_price is not None else "",
                "currency": item.currency, "value_rmb": item.value_rmb if item.unit_price is None else ""}


class BaseItemFormSet(forms.BaseFormSet):
    def service_items(self) -> list:
        return [item for item in (form.service_item() for form in self.forms if form.is_valid()) if item]

    def add_service_errors(self, fields: dict) -> None:
        """`items.N.name` errors beside the field of row N (N counts the rows sent, blank ones left out)."""
        rows = [form for form in self.forms if form.is_valid() and form.service_item()]
        for key, errors in (fields or {}).items():
            parts = key.split(".")
            if parts[0] != "items":
                continue
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows):
                form = rows[int(parts[1])]
                for error in errors:
                    form.add_error(parts[2] if parts[2] in form.fields else None, error)
            else:
                self._non_form_errors = self.error_class(list(self.non_form_errors()) + list(errors))


ItemFormSet = forms.formset_factory(ItemForm, formset=BaseItemFormSet, extra=0, max_num=50, absolute_max=50,
                                    validate_max=True)
ITEMS_PREFIX = "items"


def item_formset(data=None, app=None, initial=None):
    """The items table: bound to posted data (the older single-item field names still understood),
    or showing the draft's items (at least one row)."""
    if data is not None:
        return ItemFormSet(legacy_item_data(data), prefix=ITEMS_PREFIX)
    rows = [ItemForm.initial_from(item) for item in app.items.all()] if app else []
    return ItemFormSet(initial=rows or initial or [{}], prefix=ITEMS_PREFIX)


def legacy_item_data(data):
    """Forms and scripts written for the one-item form post `item_<name>`: read them as row 0 (and a
    post with neither, e.g. only the parties, as no rows)."""
    if f"{ITEMS_PREFIX}-TOTAL_FORMS" in data:
        return data
    data = data.copy()
    legacy = any(key.startswith("item_") for key in data)
    for name in ITEM_FIELDS:
        if f"item_{name}" in data:
            data[f"{ITEMS_PREFIX}-0-{name}"] = data[f"item_{name}"]
    data.update({f"{ITEMS_PREFIX}-TOTAL_FORMS": "1" if legacy else "0", f"{ITEMS_PREFIX}-INITIAL_FORMS": "0"})
    return data


def is_form_field(name: str) -> bool:
    """Whether `name` is a field of the application form or of an item row (items-N-name)."""
    parts = name.split("-")
    if len(parts) == 3 and parts[0] == ITEMS_PREFIX and parts[1].isdigit():
        return parts[2] in ITEM_FIELDS
    return name in ApplicationForm.base_fields


class ExchangeRateForm(forms.Form):
    currency = forms.CharField(label=_("Currency"), max_length=3, help_text=_("ISO 4217, e.g. EUR"))
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    usd_per_unit = forms.DecimalField(label=_("US dollars per unit"), max_digits=14, decimal_places=8,
                                      min_value=0)

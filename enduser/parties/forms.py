"""The page form of a party: plain fields; enduser.parties.services checks the content."""

from django import forms
from django.utils.translation import gettext_lazy as _

from enduser.models import Party
from enduser.parties.services import registration_identifiers
from portal import countries


def _country_choices():
    return countries.choices()


class PartyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Legal name as written"), max_length=300, required=False,
                           help_text=_("In any script, as the party writes it."))
    name_zh = forms.CharField(label=_("Chinese name"), max_length=300, required=False)
    name_latin = forms.CharField(label=_("Latin-script name"), max_length=300, required=False)
    aliases = forms.CharField(label=_("Aliases"), required=False, max_length=6300,
                              widget=forms.Textarea(attrs={"rows": 3}), help_text=_("One a line."))
    kind = forms.ChoiceField(label=_("Kind"), choices=Party.Kind.choices, initial=Party.Kind.COMPANY)
    address = forms.CharField(label=_("Address"), max_length=500, required=False)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=_country_choices)
    registration = forms.CharField(label=_("Registration number"), max_length=64, required=False,
                                   help_text=_("A unified social credit code is recognised as such."))
    other_identifier = forms.CharField(label=_("Other identifier"), max_length=64, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)
    roles = forms.MultipleChoiceField(label=_("Usual roles"), choices=Party.Role.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)

    FIELDS = ("name", "name_zh", "name_latin", "aliases", "kind", "address", "country", "registration",
              "other_identifier", "contact", "roles")

    def visible(self):
        return [self[name] for name in self.FIELDS]

    def service_data(self) -> dict:
        data = self.cleaned_data
        identifiers = registration_identifiers(data.get("registration") or "")
        if data.get("other_identifier"):
            identifiers["other"] = data["other_identifier"]
        return {"name": data.get("name") or "", "name_zh": data.get("name_zh") or "",
                "name_latin": data.get("name_latin") or "", "aliases": data.get("aliases") or "",
                "kind": data.get("kind") or Party.Kind.COMPANY, "address": data.get("address") or "",
                "country": data.get("country") or "", "identifiers": identifiers, "contact": data.get("contact") or "",
                "roles": list(data.get("roles") or [])}

    @staticmethod
    def initial_from(party: Party) -> dict:
        identifiers = party.identifiers or {}
        return {"version": party.version, "name": party.name, "name_zh": party.name_zh,
                "name_latin": party.name_latin, "aliases": "\n".join(party.aliases or []), "kind": party.kind,
                "address": party.address, "country": party.country.code,
                "registration": identifiers.get("uscc") or identifiers.get("registration") or "",
                "other_identifier": identifiers.get("other", ""), "contact": party.contact,
                "roles": list(party.roles or [])}

    def add_service_errors(self, fields: dict) -> None:
        for key, errors in (fields or {}).items():
            for error in errors:
                self.add_error(key if key in self.fields else None, error)

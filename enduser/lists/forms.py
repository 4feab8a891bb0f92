"""Forms of the lists' pages. Plain fields: the services check the content (one source of rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from enduser.lists import selectors, services
from enduser.models import LinkKind, ListedParty, ListKind, PartyKind
from portal import countries
from portal.errors import DomainError


def _date_widget():
    return forms.DateInput(attrs={"type": "date"})


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ServiceErrorsMixin:
    def add_service_errors(self, exc: DomainError) -> None:
        for name, errors in (exc.fields or {}).items():
            for error in errors:
                self.add_error(name if name in self.fields else None, error)
        if not exc.fields:
            self.add_error(None, exc.message)


class ListFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=selectors.MAX_QUERY, required=False)
    list_kind = forms.ChoiceField(label=_("List"), required=False,
                                  choices=[("", _("Both lists")), *ListKind.choices])

    def filters(self) -> tuple[str, str]:
        """(words, list kind); a filter that is not understood is left out."""
        if self.is_valid():
            return self.cleaned_data["q"], self.cleaned_data["list_kind"]
        return "", ""


class ListedPartyForm(ServiceErrorsMixin, forms.Form):
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    list_kind = forms.ChoiceField(label=_("List"), required=False, choices=[("", "—"), *ListKind.choices])
    kind = forms.ChoiceField(label=_("Kind of party"), required=False, choices=PartyKind.choices)
    names = forms.CharField(label=_("Names"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("One per line, as the announcement writes them: the first as listed, "
                                        "then the other forms given (Chinese, English, transliterations)."))
    aliases = forms.CharField(label=_("Aliases"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("One per line."))
    addresses = forms.CharField(label=_("Addresses"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                help_text=_("One per line."))
    country = forms.ChoiceField(label=_("Country"), required=False,
                                choices=countries.choices)
    uscc = forms.CharField(label=_("Unified social credit code (if any)"), max_length=40, required=False)
    registration = forms.CharField(label=_("Registration number abroad (if any)"), max_length=100, required=False)
    announcement = forms.CharField(label=_("Announcement"), max_length=120, required=False,
                                   help_text=_("e.g. 商务部公告2025年第1号"))
    announced_on = forms.DateField(label=_("Announced on"), required=False, widget=_date_widget())
    effective_on = forms.DateField(label=_("In force from"), required=False, widget=_date_widget())
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    effect = forms.CharField(label=_("Measures"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("What the announcement orders, e.g. no export of dual-use items to the party."))
    uncertain = forms.BooleanField(label=_("Not yet checked against the announcement"), required=False)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("client_token", None)
        for name in ("names", "aliases", "addresses"):
            data[name] = _lines(data.get(name))
        identifiers = {name: data.pop(name, "") for name in ("uscc", "registration")}
        data["identifiers"] = {name: value for name, value in identifiers.items() if value}
        return data

    def add_content_errors(self) -> None:
        """After a field the form itself refused (a date it cannot read), the service's checks of
        the other fields, so every problem shows at once."""
        _cleaned, problems = services.check_entry(self.service_data())
        for name, errors in problems.items():
            if name not in self.errors:
                for error in errors:
                    self.add_error(name if name in self.fields else None, error)


class RemoveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    removed_on = forms.DateField(label=_("Removed from"), required=False, widget=_date_widget())
    announcement = forms.CharField(label=_("Removal announcement"), max_length=120, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("List file"), required=False,
                           help_text=_("CSV (UTF-8) or JSON; at most 5,000 entries."))


# ---------------------------------------------------------------- ownership links


def _entries_on_the_lists():
    rows = ListedParty.objects.filter(removed_on__isnull=True).order_by("pk").only("pk", "names", "list_kind")
    return [("", "—")] + [(str(row.pk), f"#{row.pk} {row.primary_name}") for row in rows]


class OwnershipLinkForm(ServiceErrorsMixin, forms.Form):
    """Publish (with an owner) or change (without: the owner stays) an ownership link."""

    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    owner_listed = forms.ChoiceField(label=_("Owner: a list entry"), required=False, choices=_entries_on_the_lists)
    owner_names = forms.CharField(label=_("Owner: an entity owned through other links"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("One of its names as the other link gives it; leave empty when the "
                                              "owner is a list entry."))
    owned_names = forms.CharField(label=_("Owned entity: names"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("One per line, every form given (Chinese, English, transliterations)."))
    owned_country = forms.ChoiceField(label=_("Owned entity: country"), required=False,
                                      choices=countries.choices)
    uscc = forms.CharField(label=_("Unified social credit code (if any)"), max_length=40, required=False)
    registration = forms.CharField(label=_("Registration number abroad (if any)"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Subsidiary or branch"), required=False, choices=LinkKind.choices)
    percent = forms.CharField(label=_("Share (%)"), max_length=20, required=False,
                              help_text=_("e.g. 49.99; a branch counts as 100%."))
    start_on = forms.DateField(label=_("Held from"), required=False, widget=_date_widget())
    end_on = forms.DateField(label=_("Held until (if ended)"), required=False, widget=_date_widget())
    evidence = forms.CharField(label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.CharField(label=_("Source or announcement"), max_length=200, required=False)

    OWNER_FIELDS = ("owner_listed", "owner_names")

    def __init__(self, *args, change: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if change:
            for name in (*self.OWNER_FIELDS, "client_token"):
                del self.fields[name]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("client_token", "version"):
            data.pop(name, None)
        for name in ("owner_names", "owned_names"):
            if name in data:
                data[name] = _lines(data.get(name))
        identifiers = {name: data.pop(name, "") for name in ("uscc", "registration")}
        data["owned_identifiers"] = {name: value for name, value in identifiers.items() if value}
        return data


class OwnershipLinkEndForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    end_on = forms.DateField(label=_("Last day held"), required=False, widget=_date_widget())
    evidence = forms.CharField(label=_("Evidence of the end"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))


class LinkImportForm(forms.Form):
    file = forms.FileField(label=_("Ownership links file"), required=False,
                           help_text=_("CSV (UTF-8) or JSON; at most 5,000 links."))

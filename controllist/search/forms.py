"""Forms of the synonym pages; the service checks the terms, the form only carries them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from controllist.search.services import MAX_NOTE_LENGTH
from controllist.search.synonyms import MAX_SIDE_LENGTH
from portal.errors import DomainError


class SynonymForm(forms.Form):
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    term_a = forms.CharField(label=_("Term"), max_length=MAX_SIDE_LENGTH,
                             help_text=_("e.g. the everyday word: 无人机, drone"))
    term_b = forms.CharField(label=_("Synonym"), max_length=MAX_SIDE_LENGTH,
                             help_text=_("e.g. the list's wording: 无人驾驶航空飞行器, unmanned aerial vehicle"))
    note = forms.CharField(label=_("Note"), max_length=MAX_NOTE_LENGTH, required=False)

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in ("term_a", "term_b", "note")}

    def add_service_errors(self, exc: DomainError) -> None:
        for name, errors in (exc.fields or {}).items():
            for error in errors:
                self.add_error(name if name in self.fields else None, error)
        if not exc.fields:
            self.add_error(None, exc.message)


class SynonymDeleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

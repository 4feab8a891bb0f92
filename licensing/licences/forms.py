"""Forms of licence pages: the status changes (each with the licence's version, so a stale page is
refused) and the register's filters (shared with the API's query parameters)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Province
from licensing.models import LawFactor, LicenceStatus
from portal import countries

REASON_MAX_CHARS = 2000
MAX_EXPIRING_DAYS = 3660


class _StepForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason (the exporter and customs see it)"), max_length=REASON_MAX_CHARS,
                             widget=forms.Textarea(attrs={"rows": 3}))


class SuspendForm(_StepForm):
    pass


class RestoreForm(_StepForm):
    pass


class RevokeForm(_StepForm):
    factor = forms.ChoiceField(label=_("Export Control Law Art. 13 factor the revocation rests on"),
                               choices=[("", "—")] + LawFactor.choices)


class SurrenderForm(_StepForm):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=REASON_MAX_CHARS,
                             widget=forms.Textarea(attrs={"rows": 2}))


STEP_FORMS = {"suspend": SuspendForm, "restore": RestoreForm, "revoke": RevokeForm, "surrender": SurrenderForm}


class RegisterFilterForm(forms.Form):
    """The register's filters; `fields_for(user)` leaves each role the ones it may use."""

    number = forms.CharField(label=_("Licence number"), required=False, max_length=20)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status"))] + LicenceStatus.choices)
    exporter = forms.CharField(label=_("Exporter (name or credit code)"), required=False, max_length=200)
    province = forms.ModelChoiceField(label=_("Province"), required=False, queryset=Province.objects.all(),
                                      empty_label=_("Any province"))
    control_code = forms.CharField(label=_("Item control code (starts with)"), required=False, max_length=16)
    destination = forms.ChoiceField(label=_("Destination"), required=False)
    expiring_within = forms.IntegerField(label=_("Expiring within (days)"), required=False, min_value=0,
                                         max_value=MAX_EXPIRING_DAYS)

    EXPORTER_FIELDS = ("number", "status", "control_code", "destination", "expiring_within")
    CUSTOMS_FIELDS = ("number",)

    def __init__(self, data=None, *, user=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["destination"].choices = countries.choices(destination=True, blank=_("Any destination"))
        keep = None
        if user is not None and user.is_exporter:
            keep = self.EXPORTER_FIELDS
        elif user is not None and getattr(user, "role", None) == "customs_officer":
            keep = self.CUSTOMS_FIELDS
        if keep is not None:
            for name in list(self.fields):
                if name not in keep:
                    del self.fields[name]

    def clean_number(self):
        return self.cleaned_data["number"].strip().upper()

    def clean_control_code(self):
        return self.cleaned_data["control_code"].strip().upper()

    def clean_exporter(self):
        return self.cleaned_data["exporter"].strip()

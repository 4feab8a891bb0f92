"""The certificate form of a draft: the certificate's fields and its lines as a formset. Plain
fields; licensing.certificates.services checks the content."""

from django import forms
from django.utils.translation import gettext_lazy as _

from licensing.models import DocumentKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CertificateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    document = forms.TypedChoiceField(label=_("Signed certificate (PDF)"), required=False, coerce=int,
                                      empty_value=None)
    end_user_name = forms.CharField(label=_("End user, as the certificate names it"), max_length=300)
    importer_name = forms.CharField(label=_("Importer, as the certificate names it"), max_length=300)
    end_use = forms.CharField(label=_("Specific end use"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    place_of_use = forms.CharField(label=_("Place of use"), max_length=500)
    no_wmd_use = forms.BooleanField(label=_("Undertakes not to use the items for weapons of mass destruction, "
                                            "their means of delivery or terrorism"), required=False)
    no_end_use_change = forms.BooleanField(label=_("Undertakes not to change the end use without the Chinese "
                                                   "authority's consent"), required=False)
    no_third_party_transfer = forms.BooleanField(label=_("Undertakes not to transfer the items to a third party "
                                                         "without the Chinese authority's consent"), required=False)
    signatory_name = forms.CharField(label=_("Signatory"), max_length=200, required=False)
    signatory_title = forms.CharField(label=_("Signatory's title"), max_length=200, required=False)
    sealed = forms.BooleanField(label=_("Bears the end user's seal"), required=False)
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)

    def __init__(self, *args, app, **kwargs):
        super().__init__(*args, **kwargs)
        docs = app.documents.filter(kind=DocumentKind.END_USER_CERTIFICATE).order_by("uploaded_at")
        self.fields["document"].choices = [("", "—")] + [(d.pk, d.original_name) for d in docs]

    @staticmethod
    def initial_from(app, certificate) -> dict:
        if certificate is None:  # pre-filled from the application
            return {"version": 0, "end_user_name": app.end_user.name if app.end_user else "",
                    "importer_name": app.importer.name if app.importer else "", "end_use": app.end_use}
        names = [f for f in CertificateForm.base_fields if f != "version"]
        return {**{name: getattr(certificate, name) for name in names if name != "document"},
                "document": certificate.document_id, "version": certificate.version}


class LineForm(forms.Form):
    item_name = forms.CharField(label=_("Item name"), max_length=500)
    specification = forms.CharField(label=_("Model / specification"), max_length=200, required=False)
    quantity = forms.CharField(label=_("Quantity"), max_length=40)
    unit = forms.CharField(label=_("Unit"), max_length=20)
    value = forms.CharField(label=_("Value"), max_length=40)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY")
    contract_number = forms.CharField(label=_("Contract number"), max_length=100, required=False)


LineFormSet = forms.formset_factory(LineForm, extra=1, can_delete=True, max_num=50, validate_max=True)


def line_initial(app, certificate) -> list[dict]:
    if certificate is not None:
        return [{"item_name": ln.item_name, "specification": ln.specification,
                 "quantity": f"{ln.quantity.normalize():f}", "unit": ln.unit, "value": f"{ln.value.normalize():f}",
                 "currency": ln.currency, "contract_number": ln.contract_number} for ln in certificate.lines.all()]
    return [{"item_name": i.description, "specification": i.specification, "quantity": f"{i.quantity.normalize():f}",
             "unit": i.unit, "value": f"{i.value_rmb.normalize():f}", "currency": "CNY",
             "contract_number": app.contract_number} for i in app.items.all()]


def service_data(form: CertificateForm, lines) -> dict:
    data = {name: value for name, value in form.cleaned_data.items() if name != "version"}
    data["lines"] = [{k: v for k, v in line.cleaned_data.items() if k != "DELETE"}
                     for line in lines.forms if line.cleaned_data and not line.cleaned_data.get("DELETE")]
    return data

"""The end-user and end-use certificate (Reg. 24) as structured data, kept with its area;
licensing/models.py imports it so that Django finds it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EndUseCertificate(models.Model):
    """The end-user and end-use certificate as structured data, beside its signed scan (a Document);
    licensing.certificates checks it against the application."""

    application = models.OneToOneField("licensing.Application", on_delete=models.CASCADE, related_name="certificate")
    document = models.ForeignKey("licensing.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    end_user_name = models.CharField(_("end user"), max_length=300)
    importer_name = models.CharField(_("importer"), max_length=300)
    end_use = models.TextField(_("specific end use"), max_length=2000)
    place_of_use = models.CharField(_("place of use"), max_length=500)
    # The three undertakings of Reg. 24.
    no_wmd_use = models.BooleanField(_("not used for WMD, their means of delivery or terrorism"), default=False)
    no_end_use_change = models.BooleanField(_("no change of end use without consent"), default=False)
    no_third_party_transfer = models.BooleanField(_("no transfer to a third party without consent"), default=False)
    signatory_name = models.CharField(_("signatory"), max_length=200, blank=True)
    signatory_title = models.CharField(_("signatory's title"), max_length=200, blank=True)
    sealed = models.BooleanField(_("sealed"), default=False)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)


class CertificateLine(models.Model):
    certificate = models.ForeignKey(EndUseCertificate, on_delete=models.CASCADE, related_name="lines")
    item_name = models.CharField(_("item name"), max_length=500)
    specification = models.CharField(_("model / specification"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    contract_number = models.CharField(_("contract number"), max_length=100, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="cert_line_quantity_positive")]

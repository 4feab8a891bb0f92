"""The registration route (登记填报, Reg. 15, 20): for the listed circumstances an export is not
licensed after a review but registered, and an export certificate is issued per shipment on
filing when the conditions hold. The circumstances and their conditions are data, edited in the
admin; licensing/models.py imports these so that Django finds them."""

import secrets

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Role


class RegistrationCircumstance(models.Model):
    """One listed circumstance and what a filing under it must show: the trade modes it takes,
    the control codes it covers (prefixes; empty: any listed item) and the documents attached."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200)
    trade_modes = models.JSONField(_("trade modes allowed"), default=list, blank=True)
    control_code_prefixes = models.JSONField(_("control code prefixes covered"), default=list, blank=True)
    # licensing DocumentKind values, every one of which must be attached.
    required_documents = models.JSONField(_("documents required"), default=list, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("registration circumstance")

    def __str__(self):
        return f"{self.name_zh} {self.name_en}"


def _verify_token() -> str:
    return secrets.token_urlsafe(16)


class CertificateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The exporter's people who see the filing, the ministry and customs; nobody else."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in EXPORTER_ROLES:
            application = apps.get_model("licensing", "Application")
            return self.filter(exporter_id=user.organisation_id,
                               application__in=application.objects.visible_to(user))
        if user.role in MINISTRY_ROLES or user.role == Role.CUSTOMS_OFFICER:
            return self
        return self.none()


class RegistrationCertificate(models.Model):
    """The export certificate of one registered shipment: one per filing (the database refuses a
    second), numbered in its own yearly series with a check character."""

    application = models.OneToOneField("licensing.Application", on_delete=models.PROTECT,
                                       related_name="registration_certificate")
    number = models.CharField(_("certificate number"), max_length=20, unique=True)
    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    circumstance = models.ForeignKey(RegistrationCircumstance, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # What the certificate says, fixed when issued (parties, items, shipment), for the page and customs.
    content = models.JSONField(default=dict)
    verify_token = models.CharField(max_length=32, default=_verify_token, editable=False)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("registration certificate")

    def __str__(self):
        return self.number

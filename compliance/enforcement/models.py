from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Origin(models.TextChoices):
    CHALLENGE = "challenge", _("Customs challenge")
    ENDUSE_REPORT = "enduse_report", _("End-use change report")
    SCREENING_HIT = "screening_hit", _("Confirmed screening hit")
    MANUAL = "manual", _("Opened by hand")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class EnforcementCase(models.Model):
    """An enforcement matter against one exporter (Law ch. 4): its steps (inspection, talk,
    warning letter, penalty) hang off it."""

    reference = models.CharField(_("enforcement case number"), max_length=20, unique=True)
    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="enforcement_cases")
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices, default=Origin.MANUAL)
    summary = models.TextField(_("summary"))
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("enforcement case")

    def __str__(self):
        return self.reference


class PenaltyHead(models.TextChoices):
    """Law 33-39: the heads a penalty is decided under (compliance.penalties.calculator)."""

    UNLICENSED_EXPORT = "unlicensed_export", _("Exporting without or beyond a licence")
    LICENCE_FRAUD = "licence_fraud", _("Licence obtained by fraud or bribery")
    LICENCE_FORGERY = "licence_forgery", _("Forging, altering or trading licences")
    SERVICES_TO_VIOLATORS = "services_to_violators", _("Services to violators")
    CONTROL_LIST_TRADING = "control_list_trading", _("Trading with a Control List party")
    OBSTRUCTING_INSPECTION = "obstructing_inspection", _("Obstructing inspection")


class PenaltyKind(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Administrative penalty")
    # A court's criminal judgment for an export-control offence, recorded by the ministry: a
    # permanent bar from the general-licence and registration routes (Reg. 20).
    CRIMINAL = "criminal", _("Criminal penalty (court judgment)")


class PenaltyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_COUNTERSIGN = "awaiting_countersign", _("Awaiting countersignature")
    DECIDED = "decided", _("Decided")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Penalty(models.Model):
    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="penalties")
    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="penalties")
    kind = models.CharField(max_length=16, choices=PenaltyKind.choices, default=PenaltyKind.ADMINISTRATIVE)
    head = models.CharField(_("head"), max_length=32, choices=PenaltyHead.choices)
    turnover = models.DecimalField(_("illegal turnover (RMB)"), max_digits=16, decimal_places=0, default=0)
    range_min = models.DecimalField(max_digits=16, decimal_places=0, null=True, blank=True)
    range_max = models.DecimalField(max_digits=16, decimal_places=0, null=True, blank=True)
    amount = models.DecimalField(_("fine (RMB)"), max_digits=16, decimal_places=0, default=0)
    justification = models.TextField(_("justification for an amount outside the range"), blank=True)
    # Reg. 20: a serious administrative penalty bars the general-licence and registration routes
    # for 5 years after its decision.
    serious = models.BooleanField(_("serious administrative penalty"), default=False)
    status = models.CharField(max_length=24, choices=PenaltyStatus.choices, default=PenaltyStatus.DRAFT)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    # Law 33-39 "may refuse applications for 5 years": set on decision when the ministry so orders;
    # submission refuses new applications of the exporter until this day (exclusive).
    bars_applications_until = models.DateField(_("new applications refused until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    countersigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-pk"]
        indexes = [models.Index(fields=["exporter", "status", "decided_on"], name="penalty_by_exporter")]
        verbose_name = _("penalty")

    def __str__(self):
        return f"Penalty {self.pk} {self.head} {self.amount}"

"""Exporter reports on a licence (Reg. 18: actual shipment, arrival, installation and use): which
reports a licence needs and by when (from editable defaults per licence type, then set by the
ministry), and the reports filed. licensing/models.py imports these so that Django finds them."""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES
from licensing.licences.models import LicenceType


class ReportKind(models.TextChoices):
    SHIPMENT = "shipment", _("Shipment report")
    ARRIVAL = "arrival", _("Arrival report")
    INSTALLATION = "installation", _("Installation report")
    USE = "use", _("Use report")


class ReportAnchor(models.TextChoices):
    ISSUED = "issued", _("after the licence is issued")
    VALID_UNTIL = "valid_until", _("after the licence's validity ends")


class ReportDefault(models.Model):
    """Which reports a new licence of a type needs and when they fall due: data the ministry edits
    (seeded in the migration; the seeded values are the portal's choice, unverified)."""

    licence_type = models.CharField(_("licence type"), max_length=12, choices=LicenceType.choices)
    kind = models.CharField(_("report"), max_length=12, choices=ReportKind.choices)
    required = models.BooleanField(_("required"), default=True)
    anchor = models.CharField(_("due"), max_length=12, choices=ReportAnchor.choices)
    days = models.PositiveSmallIntegerField(_("days"))

    class Meta:
        ordering = ["licence_type", "kind"]
        constraints = [models.UniqueConstraint(fields=["licence_type", "kind"], name="one_report_default")]

    def __str__(self):
        return f"{self.licence_type} {self.kind}"


def _visible_licences(user):
    """Reports are between the exporter and the ministry: customs, provinces and agencies see none."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.role not in EXPORTER_ROLES and user.role not in MINISTRY_ROLES:
        return None
    return apps.get_model("licensing", "Licence").objects.visible_to(user)


class ReportRequirementQuerySet(models.QuerySet):
    def visible_to(self, user):
        licences = _visible_licences(user)
        return self.none() if licences is None else self.filter(licence__in=licences.values("pk"))

    def open(self):
        return self.filter(fulfilled_report__isnull=True)


class ReportRequirement(models.Model):
    licence = models.ForeignKey("licensing.Licence", on_delete=models.CASCADE, related_name="report_requirements")
    kind = models.CharField(_("report"), max_length=12, choices=ReportKind.choices)
    due_on = models.DateField(_("due on"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")  # None: from the defaults at issue
    reason = models.TextField(blank=True)
    fulfilled_report = models.OneToOneField("licensing.LicenceReport", on_delete=models.PROTECT, null=True,
                                            blank=True, related_name="fulfils")
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReportRequirementQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "kind"]
        constraints = [models.UniqueConstraint(fields=["licence", "kind"], name="one_report_requirement_per_kind")]
        # The beat and the overdue queue read open requirements by due date.
        indexes = [models.Index(fields=["due_on"], condition=Q(fulfilled_report__isnull=True),
                                name="report_requirement_open_idx")]


class LicenceReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        licences = _visible_licences(user)
        return self.none() if licences is None else self.filter(licence__in=licences.values("pk"))


class LicenceReport(models.Model):
    """A report as filed: never changed afterwards (a correction is a new report that names it)."""

    licence = models.ForeignKey("licensing.Licence", on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("report"), max_length=12, choices=ReportKind.choices)
    text = models.TextField(_("report"), max_length=10000)
    # What the report is about happened on this day: shipped, arrived, installed, in use from.
    event_on = models.DateField(_("date"))
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections",
                                 verbose_name=_("corrects report"))
    client_token = models.UUIDField(null=True, blank=True, editable=False)  # a retried "file" returns the report
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)

    objects = LicenceReportQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["licence", "client_token"], name="one_licence_report_per_token")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A filed licence report is never changed; file a correction instead.")
        super().save(*args, **kwargs)


class LicenceReportDocument(models.Model):
    report = models.ForeignKey(LicenceReport, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(upload_to="licence-reports/")
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

"""Reports of a change of end use (Reg. 25), kept with their area; licensing/models.py imports them
so that Django finds them."""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import AGENCY_ROLES, EXPORTER_ROLES, MINISTRY_ROLES


class EndUseReportKind(models.TextChoices):  # Reg. 25: what the exporter must stop and report
    END_USER_CHANGED = "end_user_changed", _("The end user has changed")
    END_USER_MAY_CHANGE = "end_user_may_change", _("The end user may change")
    END_USE_CHANGED = "end_use_changed", _("The end use has changed")
    END_USE_MAY_CHANGE = "end_use_may_change", _("The end use may change")
    CERTIFICATE_FORGED = "certificate_forged", _("The end-user certificate is forged")
    CERTIFICATE_ALTERED = "certificate_altered", _("The end-user certificate has been altered")
    CERTIFICATE_EXPIRED = "certificate_expired", _("The end-user certificate has expired")


class EndUseReportState(models.TextChoices):
    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review by the ministry")
    CLOSED = "closed", _("Closed")


class EndUseReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The ministry all (reports are made to it); exporters and referred agencies those of cases they see."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in MINISTRY_ROLES:
            return self.all()
        if user.role in EXPORTER_ROLES or user.role in AGENCY_ROLES:
            cases = apps.get_model("licensing", "Application").objects.visible_to(user)
            return self.filter(application_id__in=cases.values("pk"))
        return self.none()


class EndUseReport(models.Model):  # filed by the exporter, reviewed and closed by the ministry (licensing/enduse/)
    application = models.ForeignKey("licensing.Application", on_delete=models.PROTECT, related_name="enduse_reports")
    kind = models.CharField(_("what happened"), max_length=24, choices=EndUseReportKind.choices)
    description = models.TextField(_("description"), max_length=5000)
    state = models.CharField(max_length=16, choices=EndUseReportState.choices, default=EndUseReportState.RECEIVED)
    client_token = models.UUIDField(null=True, blank=True, editable=False)  # a retried "file" returns the report
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(max_length=5000, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    close_note = models.TextField(max_length=5000, blank=True)

    objects = EndUseReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["application", "client_token"],
                                               name="one_enduse_report_per_token")]
        indexes = [models.Index(fields=["state", "kind", "-created_at"], name="enduse_report_queue_idx")]


class EndUseReportDocument(models.Model):  # apart from the case's documents, which the province sees too
    report = models.ForeignKey(EndUseReport, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="enduse/")
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Rating(models.TextChoices):
    """A ministry evaluation's overall rating of an internal compliance programme. Only GOOD
    opens the general-licence and registration routes (Reg. 20: a "well-running" ICP)."""

    GOOD = "good", _("Good: runs well")
    ADEQUATE = "adequate", _("Adequate: findings to fix")
    POOR = "poor", _("Poor: does not run")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Being written")
    ISSUED = "issued", _("Issued")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ICPEvaluation(models.Model):
    """The ministry's evaluation of one exporter's ICP: an overall rating valid until a date."""

    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="icp_evaluations")
    status = models.CharField(max_length=12, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT)
    rating = models.CharField(_("overall rating"), max_length=12, choices=Rating.choices, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["exporter", "status", "valid_until"], name="icp_eval_current")]
        verbose_name = _("ICP evaluation")

    def __str__(self):
        return f"ICP evaluation {self.pk} {self.exporter_id} {self.rating}"

"""Changes of an issued licence (Reg. 18): the exporter's request, decided by the ministry within 20
working days; approval issues a new licence that replaces the old one (licensing/changes/services.py).
licensing/models.py imports these so that Django finds them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES


class LicenceChangeState(models.TextChoices):
    PENDING = "pending", _("Awaiting the ministry")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LicenceChangeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Those of the licences the user sees, for the exporter's people and the ministry
        (customs follows licences, not requests to change them)."""
        if not user.is_authenticated or not (user.role in EXPORTER_ROLES or user.role in MINISTRY_ROLES):
            return self.none()
        from licensing.licences.models import Licence

        return self.filter(licence__in=Licence.objects.visible_to(user))


class LicenceChange(models.Model):
    licence = models.ForeignKey("licensing.Licence", on_delete=models.PROTECT, related_name="changes",
                                verbose_name=_("licence"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    # What changes, as {field: {"old": ..., "new": ...}} (quantities as "quantity:<line>"), all
    # values as text, read by the decision and by the changed licence's PDF (services.overlay).
    changes = models.JSONField()
    reason = models.TextField(_("why the change is needed"))
    state = models.CharField(max_length=12, choices=LicenceChangeState.choices, default=LicenceChangeState.PENDING)
    # 20 working days from the request on the official calendar (Reg. 18); None while the
    # calendar of the year it falls in is missing (the page then shows a provisional date).
    due_date = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    new_licence = models.OneToOneField("licensing.Licence", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="made_by_change")
    version = models.PositiveIntegerField(default=1)
    # Lets a retried request (double click, network retry) return the change already asked for.
    client_token = models.UUIDField(null=True, blank=True, editable=False)

    objects = LicenceChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("licence change request")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["licence"], condition=Q(state="pending"),
                                    name="one_pending_change_per_licence"),
            models.UniqueConstraint(fields=["licence", "client_token"], name="one_change_per_client_token"),
        ]
        indexes = [models.Index(fields=["state", "due_date"], name="licence_change_queue_idx")]

    def __str__(self):
        return f"{self.licence_id}#{self.pk}"

"""Proposals to suspend a general licence whose holder is no longer eligible (Reg. 20: "a holder
that falls into these loses the general licence"). The portal proposes; a ministry officer
accepts (the licence is suspended) or dismisses with a reason. compliance/models.py imports these
so that Django finds them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import MINISTRY_ROLES


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted: licence suspended")
    DISMISSED = "dismissed", _("Dismissed")


class SuspensionProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The ministry's: they name the reasons an exporter lost eligibility (its penalties)."""
        if not user.is_authenticated or not user.is_active or getattr(user, "role", None) not in MINISTRY_ROLES:
            return self.none()
        return self


class SuspensionProposal(models.Model):
    licence = models.ForeignKey("licensing.Licence", on_delete=models.PROTECT, related_name="suspension_proposals")
    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    # What made the exporter ineligible, in both languages (the recheck's reasons, joined).
    reason_zh = models.TextField(_("reason (Chinese)"))
    reason_en = models.TextField(_("reason (English)"))
    trigger = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = SuspensionProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("suspension proposal")
        constraints = [
            # One open proposal per licence: a sweep and a recheck racing, or a sweep run twice,
            # propose once.
            models.UniqueConstraint(fields=["licence"], condition=Q(status="open"),
                                    name="one_open_suspension_proposal_per_licence"),
        ]

    def __str__(self):
        return f"Suspension proposal {self.pk} ({self.status})"

    @property
    def reason(self) -> str:
        return self.reason_zh if (get_language() or "zh").startswith("zh") else self.reason_en

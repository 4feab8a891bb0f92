"""The decision's records (recommendation, countersignature rules, refusal letter), kept with their
area; licensing/models.py imports them so that Django finds them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LawFactor(models.TextChoices):
    """The review factors of Export Control Law Art. 13."""

    NATIONAL_SECURITY = "national_security", _("National security and interests")
    INTERNATIONAL_OBLIGATIONS = "international_obligations", _("International obligations and commitments")
    EXPORT_TYPE = "export_type", _("Type of export")
    SENSITIVITY = "sensitivity", _("Sensitivity of the item")
    DESTINATION = "destination", _("Destination country or region")
    END_USER = "end_user", _("End user and end use")
    CREDIT_RECORD = "credit_record", _("The exporter's credit record")
    OTHER = "other", _("Other factors under laws and administrative regulations")


class DecisionOutcome(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REFUSE = "refuse", _("Refuse")


class RecommendationState(models.TextChoices):
    AWAITING_COUNTERSIGN = "awaiting_countersign", _("Awaiting countersignature")
    SENT_BACK = "sent_back", _("Sent back")
    FINAL = "final", _("Decided")


class Recommendation(models.Model):
    """The officer's recommendation; it takes effect at once, or once a senior officer
    countersigns it when a CountersignRule applies."""

    application = models.ForeignKey("licensing.Application", on_delete=models.CASCADE, related_name="recommendations")
    outcome = models.CharField(max_length=16, choices=DecisionOutcome.choices)
    factors = models.JSONField(default=list, blank=True)  # LawFactor values
    reasons = models.TextField(max_length=10000)
    conditions = models.TextField(max_length=5000, blank=True)
    # Approval for fewer items or a smaller quantity: {item_id: approved quantity as a string};
    # an item missing from the map is approved as applied for, "0" excludes it.
    item_quantities = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=24, choices=RecommendationState.choices)
    countersign_rules = models.JSONField(default=list, blank=True)  # snapshots of the rules that applied
    recommended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recommended_at = models.DateTimeField(auto_now_add=True)
    countersigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="+")
    countersigned_at = models.DateTimeField(null=True, blank=True)
    send_back_comment = models.TextField(max_length=5000, blank=True)

    class Meta:
        ordering = ["recommended_at", "pk"]


class CountersignRuleKind(models.TextChoices):
    AGENCY_OBJECTION = "agency_objection", _("Any agency objected")
    CODE_PREFIX = "code_prefix", _("An item's code starts with")
    REGIME_DIGIT = "regime_digit", _("An item's regime digit is")
    WATCH_LISTED = "watch_listed", _("A party is on the watch list")
    VALUE_ABOVE = "value_above", _("Case value above (RMB)")
    OUTCOME = "outcome", _("The recommendation is")


class CountersignRule(models.Model):
    """When a recommendation needs a senior officer's countersignature, edited by a ministry
    administrator."""

    kind = models.CharField(max_length=24, choices=CountersignRuleKind.choices)
    parameter = models.CharField(max_length=40, blank=True)
    description_zh = models.CharField(max_length=200, blank=True)
    description_en = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("countersignature rule")


class RefusalLetter(models.Model):
    """The written refusal (Law 13, Art. 41: reasons and the right to reconsideration)."""

    application = models.OneToOneField("licensing.Application", on_delete=models.PROTECT, related_name="refusal_letter")
    number = models.CharField(max_length=24, unique=True)
    issued_at = models.DateTimeField()
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)

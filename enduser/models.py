from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Party(models.Model):
    """A foreign party named on an application: the importer or the end user (Reg. 24).

    Rows are owned by one exporter; an application keeps pointing at the party as it was when the
    application was filed because parties are only ever edited through their draft application."""

    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="parties")
    name = models.CharField(_("name"), max_length=300)
    address = models.CharField(_("address"), max_length=500)
    country = CountryField(_("country"))
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self):
        return f"{self.name} ({self.country.code})"

    def snapshot(self) -> dict:
        return {"name": self.name, "address": self.address, "country": self.country.code,
                "contact": self.contact}


class OwnershipRule(models.TextChoices):
    # The value is also enduser.screening.ownership.AFFILIATES_50, which stays free of the models.
    AFFILIATES_50 = "affiliates-50", _("Subsidiaries and branches owned by listed parties")


class RulePeriodState(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    SUSPENDED = "suspended", _("Suspended")


class OwnershipRulePeriod(models.Model):
    """A period in which an ownership rule is in force or suspended, as the announcements say:
    MOFCOM Announcement 2025 No. 61 §II extends exports to listed parties to the subsidiaries and
    branches they own 50% or more; Announcement 2025 No. 70 suspends that for a year. Data, not
    code (DOMAIN.md), so the administrator follows the next announcement without a release.

    Periods of one rule never overlap (`clean`); a day no period covers has the rule not in force."""

    rule = models.CharField(_("rule"), max_length=32, choices=OwnershipRule.choices,
                            default=OwnershipRule.AFFILIATES_50)
    threshold_percent = models.DecimalField(
        _("threshold (%)"), max_digits=7, decimal_places=4, default=Decimal("50"),
        help_text=_("Listed parties owning this share or more, summed along ownership chains, "
                    "make the owned party subject to the rule."))
    state = models.CharField(_("state"), max_length=16, choices=RulePeriodState.choices)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True,
                                   help_text=_("Last day of the period, inclusive; empty: open-ended."))
    announcement_zh = models.CharField(_("announcement (Chinese)"), max_length=200)
    announcement_en = models.CharField(_("announcement (English)"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    uncertain = models.BooleanField(
        _("uncertain"), default=False,
        help_text=_("Tick while the dates or the announcement are not yet checked against the "
                    "published text."))

    class Meta:
        ordering = ("rule", "valid_from")
        verbose_name = _("ownership rule period")
        verbose_name_plural = _("ownership rule periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="ownership_rule_period_ends_after_start",
                violation_error_message=_("A period cannot end before it starts.")),
            models.CheckConstraint(
                condition=Q(threshold_percent__gt=0, threshold_percent__lte=100),
                name="ownership_rule_threshold_is_a_percent",
                violation_error_message=_("The threshold is a percentage above 0 and at most 100.")),
            models.UniqueConstraint(fields=["rule", "valid_from"], name="one_ownership_rule_period_per_start"),
        ]

    def __str__(self):
        until = self.valid_until.isoformat() if self.valid_until else "…"
        return f"{self.rule} {self.valid_from.isoformat()}–{until} ({self.get_state_display()})"

    def clean(self):
        if not (self.valid_from and self.rule):
            return
        overlapping = OwnershipRulePeriod.objects.filter(rule=self.rule).exclude(pk=self.pk)
        if self.valid_until:
            overlapping = overlapping.filter(valid_from__lte=self.valid_until)
        overlapping = overlapping.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=self.valid_from))
        other = overlapping.first()
        if other:
            raise ValidationError(
                _("This period overlaps %(other)s: end that period first, so each day has one "
                  "answer.") % {"other": other})

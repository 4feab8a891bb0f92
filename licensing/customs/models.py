"""Customs at the border: the systems that call the API and their tokens, shipments written off
against licences (核销), challenges of undeclared goods (质疑), and the use rules kept as data
(one port, one shipment, over-shipment tolerance). licensing/models.py imports these so that Django
finds them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Role


class CustomsScope(models.TextChoices):
    VERIFY = "verify", _("Verify licences")
    WRITE_OFF = "write_off", _("Write off and reverse shipments")
    FEED = "feed", _("Follow licence changes")
    CHALLENGE = "challenge", _("Raise challenges")


class CustomsSystem(models.Model):
    """A customs computer system that calls the portal (e.g. a district's clearance system)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="customs_systems")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("customs system")

    def __str__(self):
        return self.name


class CustomsToken(models.Model):
    """An API token of a customs system. Only a hash is stored; the token is shown once, when made.
    The prefix (the part before the dot) finds the row without a scan."""

    system = models.ForeignKey(CustomsSystem, on_delete=models.PROTECT, related_name="tokens")
    label = models.CharField(_("label"), max_length=100, blank=True)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class CustomsRule(models.Model):
    """How a licence of each type may be used at customs (2005 measures, unverified for 2024: data)."""

    licence_type = models.CharField(max_length=12, unique=True)
    one_port = models.BooleanField(_("one customs port only (一证一关)"), default=True)
    one_shipment = models.BooleanField(_("one shipment only (一批一证)"), default=True)

    class Meta:
        verbose_name = _("customs use rule")


class ToleranceRule(models.Model):
    """Over-shipment allowed for bulk goods, by control-code or HS-code prefix (the longest
    matching prefix wins); fixed on a licence item when the licence is issued."""

    control_code_prefix = models.CharField(max_length=16, blank=True)
    hs_code_prefix = models.CharField(max_length=10, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=10), name="tolerance_0_to_10_percent"),
            models.CheckConstraint(condition=~Q(control_code_prefix="", hs_code_prefix=""),
                                   name="tolerance_has_a_prefix"),
        ]


class WriteOff(models.Model):
    """A shipment drawn against a licence item (核销). (declaration, line) is the idempotency key:
    the same message again gets the same answer; a different one with the same key is a conflict."""

    licence = models.ForeignKey("licensing.Licence", on_delete=models.PROTECT, related_name="write_offs")
    item = models.ForeignKey("licensing.LicenceItem", on_delete=models.PROTECT, related_name="write_offs")
    declaration_number = models.CharField(_("declaration number"), max_length=32)
    line = models.PositiveSmallIntegerField(_("declaration line"))
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3)
    value_rmb = models.DecimalField(_("value (RMB)"), max_digits=18, decimal_places=2)
    shipped_on = models.DateField(_("export date"))
    port = models.ForeignKey("licensing.CustomsPort", on_delete=models.PROTECT, related_name="+")
    # Who sent it: a customs system over the API, or a customs officer by hand.
    system = models.ForeignKey(CustomsSystem, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # sha256 of the message's content, to tell a replay (same) from a conflict (different).
    message_hash = models.CharField(max_length=64)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by_system = models.ForeignKey(CustomsSystem, on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="+")
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reversal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["declaration_number", "line"], name="one_write_off_per_declaration_line"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="write_off_quantity_positive"),
            models.CheckConstraint(condition=Q(value_rmb__gte=0), name="write_off_value_not_negative"),
        ]


class ChallengeState(models.TextChoices):
    OPEN = "open", _("Awaiting the exporter's answer")
    ANSWERED = "answered", _("Answered")
    ESCALATED = "escalated", _("Not answered in time: with the ministry")
    CLOSED = "closed", _("Closed")


def _challenge_path(instance, filename):
    return f"challenges/{instance.challenge_id}/{uuid.uuid4().hex}.pdf"


class ChallengeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Customs officers and the ministry all challenges; the exporter's people their company's;
        nobody else. (A customs system sees the ones it raised: filter on `system`.)"""
        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
            return self.none()
        role = getattr(user, "role", None)
        if role == Role.CUSTOMS_OFFICER or role in MINISTRY_ROLES:
            return self
        if role in EXPORTER_ROLES:
            return self.filter(exporter_id=user.organisation_id)
        return self.none()


class Challenge(models.Model):
    """Customs suspects goods are controlled but declared without a licence (质疑); the exporter
    answers within 7 working days (Law 19, Reg. 21), or the ministry is told."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="challenges")
    system = models.ForeignKey(CustomsSystem, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    # A customs system's own id for the challenge: sending it again returns the one already made.
    external_id = models.CharField(max_length=64, blank=True)
    declaration_number = models.CharField(_("declaration number"), max_length=32, blank=True)
    port = models.ForeignKey("licensing.CustomsPort", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    goods = models.TextField(_("goods held"), max_length=2000)
    hs_code = models.CharField(_("HS code"), max_length=10, blank=True)
    suspected_code = models.CharField(_("suspected control code"), max_length=16, blank=True)
    reason = models.TextField(_("why customs suspects the goods"), max_length=4000)
    raised_at = models.DateTimeField(auto_now_add=True)
    answer_due = models.DateField(_("answer due"))
    state = models.CharField(max_length=12, choices=ChallengeState.choices, default=ChallengeState.OPEN)
    answer = models.TextField(_("answer"), max_length=8000, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["system", "external_id"], condition=~Q(external_id=""),
                                    name="one_challenge_per_external_id"),
        ]
        indexes = [models.Index(fields=["state", "answer_due"], name="challenge_state_due_idx")]


class ChallengeDocument(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=_challenge_path)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

"""The licence as a living record after the decision: its status, the items it licenses with the
quantity used so far, and the numbered events customs follows (licensing/licences/lifecycle.py moves
the status). licensing/models.py imports these so that Django finds them."""

import secrets

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Role


class LicenceType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual licence (单项许可)")
    GENERAL = "general", _("General licence (通用许可)")


class LicenceStatus(models.TextChoices):
    ISSUED = "issued", _("In force")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    SURRENDERED = "surrendered", _("Surrendered")
    EXHAUSTED = "exhausted", _("Used up")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Replaced by a changed licence")


def _verify_token() -> str:
    return secrets.token_urlsafe(16)


class LicenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The exporter its own licences, the ministry and customs all; nobody else (the province
        and agencies follow cases, not licences)."""
        if not user.is_authenticated:
            return self.none()
        if user.role in EXPORTER_ROLES:
            # The exporter's people who see the case see its licence (creator, shared, admins).
            application = apps.get_model("licensing", "Application")
            return self.filter(exporter_id=user.organisation_id,
                               application__in=application.objects.visible_to(user))
        if user.role in MINISTRY_ROLES or user.role == Role.CUSTOMS_OFFICER:
            return self
        return self.none()


class Licence(models.Model):
    # The case it was issued on. A changed licence (Reg. 18) keeps its case, so a case may have several
    # licences: one original (enforced by the database: a task that runs twice cannot make two) and
    # the changed ones after it. `app.licence` is the one in force: the licence whose current_for
    # is the case (moved to the changed licence when it is issued, licensing/changes).
    application = models.ForeignKey("licensing.Application", on_delete=models.PROTECT, related_name="licences")
    current_for = models.OneToOneField("licensing.Application", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="licence", editable=False)
    number = models.CharField(_("licence number"), max_length=20, unique=True)
    licence_type = models.CharField(_("licence type"), max_length=12, choices=LicenceType.choices,
                                    default=LicenceType.INDIVIDUAL)
    status = models.CharField(_("status"), max_length=12, choices=LicenceStatus.choices,
                              default=LicenceStatus.ISSUED)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every change; pages and API clients send it back so a stale write is refused.
    version = models.PositiveIntegerField(default=1)
    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="licences")
    # A changed licence (Reg. 18) points to the one it replaces; the old one is then cancelled.
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="replaced_by", verbose_name=_("replaces licence"))
    issued_at = models.DateTimeField()
    valid_from = models.DateField()
    valid_until = models.DateField()
    # The customs rules in force when it was issued (licensing/customs: PortRule), kept with it.
    export_port = models.ForeignKey("licensing.CustomsPort", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("customs port of export"))
    one_port = models.BooleanField(_("one customs port only (一证一关)"), default=True)
    one_shipment = models.BooleanField(_("one shipment only (一批一证)"), default=True)
    # The customs declaration that took the licence's one shipment (set by its first write-off).
    shipment_declaration = models.CharField(max_length=32, blank=True)
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    # Printed into the QR code; the public check page compares it here. A random value stored with
    # the licence (not a MAC under SECRET_KEY) keeps issued licences checkable across key rotation.
    verify_token = models.CharField(max_length=32, default=_verify_token, editable=False)

    objects = LicenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("licence")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=Q(replaces__isnull=True),
                                    name="one_original_licence_per_case"),
        ]
        indexes = [
            models.Index(fields=["status", "valid_until"], name="licence_status_until_idx"),
            models.Index(fields=["exporter", "status"], name="licence_exporter_status_idx"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_valid(self) -> bool:
        return self.status == LicenceStatus.ISSUED


class LicenceItem(models.Model):
    """One line of a licence: what it licenses (as approved) and how much customs has drawn."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="items")
    line = models.PositiveSmallIntegerField(_("line"))
    application_item = models.ForeignKey("licensing.ApplicationItem", on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="+")
    control_code = models.CharField(_("export control code"), max_length=16, blank=True)
    catch_all = models.BooleanField(default=False)
    description = models.CharField(_("description"), max_length=500)
    specification = models.CharField(_("model / specification"), max_length=200, blank=True)
    hs_code = models.CharField(_("HS code"), max_length=10, blank=True)
    customs_unit = models.ForeignKey("licensing.CustomsUnit", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    unit = models.CharField(_("unit"), max_length=20)
    quantity = models.DecimalField(_("licensed quantity"), max_digits=18, decimal_places=3)
    value_rmb = models.DecimalField(_("licensed value (RMB)"), max_digits=18, decimal_places=2)
    # Over-shipment allowed for bulk goods (licensing/customs: ToleranceRule), fixed at issue.
    tolerance_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    # False: no quantity cap (a general licence line the ministry did not cap): customs draws any
    # number of shipments of it within the validity; `quantity` is then what was applied for.
    capped = models.BooleanField(_("quantity capped"), default=True)
    used_quantity = models.DecimalField(_("quantity used"), max_digits=18, decimal_places=3, default=0)
    used_value = models.DecimalField(_("value used (RMB)"), max_digits=18, decimal_places=2, default=0)

    class Meta:
        ordering = ["licence", "line"]
        constraints = [
            models.UniqueConstraint(fields=["licence", "line"], name="one_licence_line"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="licence_item_quantity_positive"),
            models.CheckConstraint(condition=Q(used_quantity__gte=0), name="licence_item_used_not_negative"),
            # The last line of defence against an over-draw: the database refuses it even if a
            # service forgot the lock.
            models.CheckConstraint(
                # Multiplied out, with no division: SQLite divides decimals stored as integers
                # as integers (5 / 100 = 0), and a float product misses the exact limit.
                condition=Q(capped=False) | Q(LessThanOrEqual(F("used_quantity") * 100,
                                                              F("quantity") * (Value(100) + F("tolerance_percent")))),
                name="licence_item_used_within_licence"),
        ]

    @property
    def allowed_quantity(self):
        return self.quantity * (1 + self.tolerance_percent / 100)

    @property
    def remaining_quantity(self):
        """What is left; None when the line has no cap."""
        if not self.capped:
            return None
        return max(self.allowed_quantity - self.used_quantity, 0)


class LicenceEventKind(models.TextChoices):
    ISSUED = "issued", _("Licence issued")
    SUSPENDED = "suspended", _("Suspended")
    RESTORED = "restored", _("Restored")
    REVOKED = "revoked", _("Revoked")
    SURRENDERED = "surrendered", _("Surrendered")
    EXPIRED = "expired", _("Expired")
    EXHAUSTED = "exhausted", _("Used up")
    CANCELLED = "cancelled", _("Cancelled (replaced)")
    REOPENED = "reopened", _("Valid again (a write-off was reversed)")


class LicenceEvent(models.Model):
    """Every status change of every licence, numbered in commit order (`seq`, taken under one row
    lock that is held until commit), so the customs feed can hand out a cursor: a reader never sees
    seq N+1 before N, and nothing is lost or repeated across pages."""

    seq = models.BigIntegerField(unique=True)
    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=LicenceEventKind.choices)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    reason = models.TextField(blank=True)
    # Revocation: the Law 13 factor it rests on (licensing.decisions LawFactor).
    factor = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["seq"]


class LicenceNoticeKind(models.TextChoices):
    REVOCATION = "revocation", _("Revocation notice (撤销通知书)")


class LicenceNotice(models.Model):
    """A signed letter about a licence, written by a task after the change commits: today the
    revocation notice (撤销通知书). One per licence and kind, enforced by the database, so a task
    that runs twice stores one."""

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=12, choices=LicenceNoticeKind.choices)
    number = models.CharField(max_length=24, unique=True)
    issued_at = models.DateTimeField()
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = _("licence notice")
        constraints = [models.UniqueConstraint(fields=["licence", "kind"], name="one_licence_notice_per_kind")]

    def __str__(self):
        return self.number

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Role


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("With the provincial department")
    RETURNED = "returned", _("Returned for correction")
    FORWARDED = "forwarded", _("Forwarded to the ministry")
    ACCEPTED = "accepted", _("Accepted, under review")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Who sees which application: the one place that decides it."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in EXPORTER_ROLES:
            return self.filter(exporter_id=user.organisation_id)
        if user.role == Role.PROVINCIAL_OFFICER:
            return self.filter(province_id=user.organisation.province_id, submitted_at__isnull=False)
        if user.role in MINISTRY_ROLES:
            return self.filter(forwarded_at__isnull=False)
        return self.none()


class Application(models.Model):
    """A licence application; once submitted it is the case (its reference is the case number)."""

    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                 related_name="applications")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Set on first submission, from the exporter's registered province; the province that handles it.
    province = models.ForeignKey("accounts.Province", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="applications")
    reference = models.CharField(_("case number"), max_length=20, unique=True, null=True, blank=True)
    # Lets a retried "create" (double click, network retry) return the draft it already made.
    client_token = models.UUIDField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Bumped on every change; forms and API clients send it back so a stale write is refused.
    version = models.PositiveIntegerField(default=1)

    destination = CountryField(_("destination country"), blank=True)
    importer = models.ForeignKey("enduser.Party", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("importer"))
    end_user = models.ForeignKey("enduser.Party", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("end user"))
    end_use = models.TextField(_("end-use statement"), max_length=2000, blank=True)
    # The control list version in force when the case was (last) submitted: the case is judged
    # against it even after the list changes.
    list_version = models.ForeignKey("controllist.ListVersion", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+", verbose_name=_("control list version"))

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    decision_reason = models.TextField(blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        constraints = [
            models.UniqueConstraint(fields=["exporter", "client_token"], name="one_draft_per_client_token"),
        ]
        indexes = [
            models.Index(fields=["province", "status"]),
            models.Index(fields=["status", "forwarded_at"]),
        ]

    def __str__(self):
        return self.reference or f"draft #{self.pk}"


class ApplicationItem(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="items")
    # Blank only for an unlisted item applied for under the catch-all (Law 12(3), Reg. 14): the
    # exporter knows, should know or was told it may serve WMD, terrorism or endanger security.
    control_code = models.CharField(_("export control code"), max_length=16, blank=True)
    catch_all = models.BooleanField(_("unlisted item, catch-all applies"), default=False)
    description = models.CharField(_("description"), max_length=500)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20)
    value_rmb = models.DecimalField(_("value (RMB)"), max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="item_quantity_positive"),
            models.CheckConstraint(condition=Q(value_rmb__gte=0), name="item_value_not_negative"),
            models.CheckConstraint(condition=Q(catch_all=True, control_code="")
                                   | (Q(catch_all=False) & ~Q(control_code="")),
                                   name="item_code_unless_catch_all"),
        ]

    def snapshot(self) -> dict:
        return {"control_code": self.control_code, "catch_all": self.catch_all, "description": self.description,
                "quantity": str(self.quantity), "unit": self.unit, "value_rmb": str(self.value_rmb)}


class DocumentKind(models.TextChoices):
    END_USER_CERTIFICATE = "end_user_certificate", _("End-user and end-use certificate")
    CONTRACT = "contract", _("Contract")
    OTHER = "other", _("Other")


def _document_path(instance, filename):
    return f"documents/{instance.application_id}/{uuid.uuid4().hex}.pdf"


class Document(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=32, choices=DocumentKind.choices)
    file = models.FileField(upload_to=_document_path)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]


class Counter(models.Model):
    """Gap-free yearly sequences for case and licence numbers (row-locked when incremented)."""

    name = models.CharField(max_length=32)
    year = models.PositiveIntegerField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "year"], name="one_counter_per_year")]


def _verify_token() -> str:
    return secrets.token_urlsafe(16)


class Licence(models.Model):
    # One licence per case, enforced by the database: a task that runs twice cannot make two.
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="licence")
    number = models.CharField(_("licence number"), max_length=20, unique=True)
    issued_at = models.DateTimeField()
    valid_from = models.DateField()
    valid_until = models.DateField()
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    # Printed into the QR code; the public check page compares it here. A random value stored with
    # the licence (not a MAC under SECRET_KEY) keeps issued licences checkable across key rotation.
    verify_token = models.CharField(max_length=32, default=_verify_token, editable=False)

    class Meta:
        verbose_name = _("licence")

    def __str__(self):
        return self.number

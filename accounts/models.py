import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    EXPORTER = "exporter", _("Exporting company")
    PROVINCE = "province", _("Provincial commerce department")
    MINISTRY = "ministry", _("Ministry of Commerce")
    AGENCY = "agency", _("Consulted agency")
    CUSTOMS = "customs", _("Customs")
    OPERATOR = "operator", _("Portal operator")


class Role(models.TextChoices):
    EXPORTER_ADMIN = "exporter_admin", _("Exporter administrator")
    EXPORTER_STAFF = "exporter_staff", _("Exporter staff")
    PROVINCIAL_OFFICER = "provincial_officer", _("Provincial officer")
    MINISTRY_OFFICER = "ministry_officer", _("Ministry case officer")
    MINISTRY_SENIOR = "ministry_senior", _("Ministry senior officer")
    AGENCY_REVIEWER = "agency_reviewer", _("Agency reviewer")
    AGENCY_LEAD = "agency_lead", _("Agency lead")
    CUSTOMS_OFFICER = "customs_officer", _("Customs officer")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


# Which roles an organisation of each kind may hold: one table, checked by the services.
ROLES_BY_KIND = {
    OrgKind.EXPORTER: {Role.EXPORTER_ADMIN, Role.EXPORTER_STAFF},
    OrgKind.PROVINCE: {Role.PROVINCIAL_OFFICER},
    OrgKind.MINISTRY: {Role.MINISTRY_OFFICER, Role.MINISTRY_SENIOR},
    OrgKind.AGENCY: {Role.AGENCY_REVIEWER, Role.AGENCY_LEAD},
    OrgKind.CUSTOMS: {Role.CUSTOMS_OFFICER},
    OrgKind.OPERATOR: {Role.SYSTEM_ADMIN},
}
EXPORTER_ROLES = frozenset(ROLES_BY_KIND[OrgKind.EXPORTER])
MINISTRY_ROLES = frozenset(ROLES_BY_KIND[OrgKind.MINISTRY])
AGENCY_ROLES = frozenset(ROLES_BY_KIND[OrgKind.AGENCY])


class Verification(models.TextChoices):
    """An exporter's registration is checked by its provincial department before it may file:
    anyone can type a valid social credit code, so the code alone proves nothing."""

    PENDING = "pending", _("Awaiting verification by the provincial department")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Registration rejected")


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Exporter registrations a user may see: their own company, or for a provincial officer
        the exporters registered in their province."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in EXPORTER_ROLES:
            return self.filter(pk=user.organisation_id)
        if user.role == Role.PROVINCIAL_OFFICER:
            return self.filter(kind=OrgKind.EXPORTER, province_id=user.organisation.province_id)
        return self.none()


class Province(models.Model):
    """A province-level division (GB/T 2260 two-digit code), e.g. 31 上海市."""

    code = models.CharField(max_length=2, primary_key=True)
    name_zh = models.CharField(max_length=32)
    name_en = models.CharField(max_length=64)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")

    def __str__(self):
        return f"{self.name_zh} / {self.name_en}"


class Organisation(models.Model):
    kind = models.CharField(max_length=16, choices=OrgKind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    # Exporters: unified social credit code (GB 32100-2015). Authorities: a short code.
    code = models.CharField(_("code"), max_length=32, unique=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="organisations",
        help_text=_("Registered province (exporters) or jurisdiction (provincial departments)."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Only meaningful for exporters; authorities are seeded as verified.
    verification = models.CharField(max_length=16, choices=Verification.choices, default=Verification.VERIFIED)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    rejection_reason = models.TextField(blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name_zh"]
        verbose_name = _("organisation")
        constraints = [
            models.UniqueConstraint(
                fields=["province"], condition=models.Q(kind="province"),
                name="one_department_per_province",
            ),
        ]

    def __str__(self):
        return self.name_zh if not self.name_en else f"{self.name_zh} ({self.name_en})"


class PortalUserManager(UserManager):
    pass


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(max_length=32, choices=Role.choices, blank=True)

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_superuser=True)
                | (models.Q(organisation__isnull=False) & ~models.Q(role="")),
                name="user_has_org_and_role",
            ),
        ]

    @property
    def is_exporter(self) -> bool:
        return self.role in EXPORTER_ROLES

    @property
    def is_ministry(self) -> bool:
        return self.role in MINISTRY_ROLES

    @property
    def is_agency(self) -> bool:
        return self.role in AGENCY_ROLES


class Invitation(models.Model):
    """An exporter administrator invites a colleague; the token is sent by email."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.EXPORTER_STAFF)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_by = models.OneToOneField(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="invitation"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"], condition=models.Q(accepted_at__isnull=True),
                name="one_open_invitation_per_email",
            ),
        ]


class LicenceScanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Who may read a company's business licence scan: the provincial department that
        verifies the company, the ministry, and the company itself; never another exporter,
        an agency or customs."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in MINISTRY_ROLES:
            return self
        if user.role in EXPORTER_ROLES:
            return self.filter(organisation_id=user.organisation_id)
        if user.role == Role.PROVINCIAL_OFFICER:
            return self.filter(organisation__kind=OrgKind.EXPORTER,
                               organisation__province_id=user.organisation.province_id)
        return self.none()


def _licence_scan_path(instance, filename):
    return f"licence-scans/{instance.organisation_id}/{uuid.uuid4().hex}.pdf"


class BusinessLicenceScan(models.Model):
    """The scan of the business licence (营业执照) sent with the registration, which the
    provincial department compares with what the company typed before verifying it."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="licence_scan")
    file = models.FileField(upload_to=_licence_scan_path)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # Empty only for organisations loaded by seed_demo, which have no user to send it.
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = LicenceScanQuerySet.as_manager()

    class Meta:
        verbose_name = _("business licence scan")

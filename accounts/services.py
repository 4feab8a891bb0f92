"""Registering exporters and inviting their staff."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

from accounts.models import (
    BusinessLicenceScan,
    Invitation,
    Organisation,
    OrgKind,
    Province,
    Role,
    User,
    Verification,
)
from audit import services as audit
from outbox.services import enqueue
from portal.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed, lazy_format
from portal.pdf import read_pdf_upload

INVITATION_VALID_DAYS = 7


def clean_uscc(raw) -> str:
    """Unified social credit code, GB 32100-2015: 18 characters, the last a check character."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationFailed(_("Enter the unified social credit code."), fields={"uscc": [_("Required.")]})
    code = raw.strip().upper().replace(" ", "").replace("-", "")
    try:
        return uscc.validate(code)
    except InvalidLength:
        msg = lazy_format(_("The unified social credit code must have 18 characters; “%(code)s” has %(n)s."),
                          code=raw.strip(), n=len(code))
    except InvalidChecksum:
        msg = lazy_format(_("The check character of “%(code)s” is wrong (GB 32100-2015): "
                            "please check the code on the business licence."), code=code)
    except (InvalidFormat, ValidationError):
        msg = lazy_format(_("“%(code)s” is not a unified social credit code: only digits and the "
                            "capital letters A-Y except I, O, S, V, Z may be used."), code=code)
    raise ValidationFailed(msg, code="bad_uscc", fields={"uscc": [msg]})


def uscc_division(code: str) -> str:
    """GB 32100-2015: characters 3 to 8 of the code are the registering authority's
    administrative division (GB/T 2260)."""
    return code[2:8]


def province_for_uscc(code: str) -> Province | None:
    """The province whose authority issued the code: the division's first two digits. Codes
    issued by a national authority (division 100000) name no province."""
    return Province.objects.filter(pk=uscc_division(code)[:2]).first()


def registration_province(code: str, chosen) -> Province:
    """The province a registration goes to for verification: the one the credit code names. A
    choice that disagrees is refused, so a company cannot pick which department checks it."""
    derived = province_for_uscc(code)
    chosen = str(chosen or "").strip()
    if not chosen:
        if derived is None:
            msg = lazy_format(_("The division code %(division)s in the unified social credit code names no "
                                "province: choose the province where the company is registered."),
                              division=uscc_division(code))
            raise ValidationFailed(msg, code="province_required", fields={"province": [msg]})
        return derived
    province = Province.objects.filter(pk=chosen[:2]).first()
    if province is None or len(chosen) != 2:
        raise ValidationFailed(_("Choose the province where the company is registered."),
                               fields={"province": [_("Unknown province.")]})
    if derived is not None and province != derived:
        msg = lazy_format(_("The unified social credit code %(code)s was issued in %(derived)s (division code "
                            "%(division)s), so the registration is verified there, not in %(chosen)s. "
                            "Choose %(derived)s or check the code."),
                          code=code, derived=_province_name(derived), division=uscc_division(code),
                          chosen=_province_name(province))
        raise ValidationFailed(msg, code="province_mismatch", fields={"province": [msg]})
    return province


def _province_name(province: Province):
    """The province's name in the language the message is shown in (the API gives both)."""
    return lazy(lambda: province.name_zh if (get_language() or "").startswith("zh") else province.name_en, str)()


def _licence_scan(upload) -> tuple[bytes, str]:
    if upload is None:
        msg = _("Attach the scan of the business licence as a PDF file.")
        raise ValidationFailed(msg, code="licence_scan_required", fields={"licence_scan": [msg]})
    try:
        return read_pdf_upload(upload)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, code=exc.code, fields={"licence_scan": [exc.message]}) from None


def _text(data, field, label, max_length, required=True):
    value = data.get(field, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed(fields={field: [_("Must be text.")]})
    value = value.strip()
    if required and not value:
        msg = lazy_format(_("%(label)s is required."), label=label)
        raise ValidationFailed(msg, fields={field: [msg]})
    if len(value) > max_length:
        msg = lazy_format(_("%(label)s is too long (at most %(n)s characters)."), label=label, n=max_length)
        raise ValidationFailed(msg, fields={field: [msg]})
    return value


def _email(data, field="email"):
    value = _text(data, field, _("Email"), 254)
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValidationFailed(_("Enter a valid email address."), fields={field: [_("Invalid email.")]}) from None
    return value.lower()


def _new_user(data, *, organisation, role) -> User:
    username = _text(data, "username", _("User name"), 150)
    try:
        User.username_validator(username)
    except DjangoValidationError:
        msg = _("A user name may contain only letters, digits and @ . + - _")
        raise ValidationFailed(msg, fields={"username": [msg]}) from None
    password = data.get("password")
    if not isinstance(password, str) or not password:
        raise ValidationFailed(_("Choose a password."), fields={"password": [_("Required.")]})
    if "password_again" in data and data.get("password_again") != password:
        msg = _("The two passwords differ: type the same password twice.")
        raise ValidationFailed(msg, code="password_mismatch", fields={"password_again": [msg]})
    user = User(username=username, email=data.get("email", ""), organisation=organisation, role=role,
                first_name=_text(data, "full_name", _("Full name"), 150, required=False))
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(lazy_format(_("Password not accepted: %(why)s"), why=list(exc.messages)),
                               fields={"password": list(exc.messages)}) from None
    if User.objects.filter(username__iexact=username).exists():
        msg = _("This user name is taken.")
        raise ValidationFailed(msg, fields={"username": [msg]})
    user.set_password(password)
    user.save()
    return user


def exporter_register(*, data: dict, licence_scan=None) -> tuple[Organisation, User]:
    """An exporting company registers itself and its first administrator, with the scan of its
    business licence for the provincial department that verifies it."""
    if not isinstance(data, dict):
        raise ValidationFailed()
    code = clean_uscc(data.get("uscc"))
    name_zh = _text(data, "name_zh", _("Chinese name"), 200)
    name_en = _text(data, "name_en", _("English name"), 200)
    address = _text(data, "address", _("Address"), 300)
    contact_name = _text(data, "contact_name", _("Contact person"), 100)
    contact_phone = _text(data, "contact_phone", _("Contact phone"), 40)
    email = _email(data)
    province = registration_province(code, data.get("province"))
    if Organisation.objects.filter(code=code).exists():
        msg = _("A company with this unified social credit code is already registered.")
        raise ValidationFailed(msg, code="duplicate", fields={"uscc": [msg]})
    scan = None
    try:
        with transaction.atomic():
            org = Organisation.objects.create(
                kind=OrgKind.EXPORTER, verification=Verification.PENDING,
                code=code, name_zh=name_zh, name_en=name_en, address=address,
                province=province, contact_name=contact_name, contact_phone=contact_phone,
                contact_email=email)
            user = _new_user({**data, "email": email}, organisation=org, role=Role.EXPORTER_ADMIN)
            content, name = _licence_scan(licence_scan)
            digest = hashlib.sha256(content).hexdigest()
            scan = BusinessLicenceScan(organisation=org, original_name=name, size=len(content), sha256=digest,
                                       uploaded_by=user)
            scan.file.save("upload.pdf", ContentFile(content), save=False)
            scan.save()
            audit.record(actor=user, action="organisation.register", obj=org,
                         after={"code": code, "name_zh": name_zh, "name_en": name_en,
                                "province": province.pk, "admin": user.username,
                                "licence_scan": {"sha256": digest, "size": len(content), "name": name}})
    except IntegrityError:
        _discard(scan)
        # Two registrations of the same code at once: the unique constraint decides.
        msg = _("A company with this unified social credit code is already registered.")
        raise ValidationFailed(msg, code="duplicate", fields={"uscc": [msg]}) from None
    except Exception:
        _discard(scan)  # nothing stored when the registration does not happen
        raise
    return org, user


def _discard(scan) -> None:
    if scan is not None and scan.file:
        scan.file.delete(save=False)


def invitation_create(*, actor, email: str) -> Invitation:
    if actor.role != Role.EXPORTER_ADMIN:
        raise NotAllowed(_("Only the company's administrator can invite staff."))
    email = _email({"email": email})
    if User.objects.filter(organisation=actor.organisation, email__iexact=email).exists():
        raise ValidationFailed(_("A colleague with this email already has an account."),
                               fields={"email": [_("Already a member.")]})
    with transaction.atomic():
        open_invite = (Invitation.objects.select_for_update()
                       .filter(organisation=actor.organisation, email=email, accepted_at__isnull=True).first())
        if open_invite and open_invite.expires_at > timezone.now():
            return open_invite  # inviting twice sends nothing new
        if open_invite:
            open_invite.delete()
        invitation = Invitation.objects.create(
            organisation=actor.organisation, email=email, role=Role.EXPORTER_STAFF,
            token=secrets.token_urlsafe(32), invited_by=actor,
            expires_at=timezone.now() + timedelta(days=INVITATION_VALID_DAYS))
        audit.record(actor=actor, action="invitation.create", obj=invitation,
                     after={"email": email, "organisation": actor.organisation_id})
        link = settings.PORTAL_BASE_URL.rstrip("/") + reverse("invitation-accept", args=[invitation.token])
        company = " ".join(actor.organisation.name_zh.split())  # no line breaks in a mail header
        enqueue("outbox.send_email", to=[email],
                subject=f"{company}: 两用物项出口许可平台邀请 / Portal invitation",
                body=f"{actor.get_full_name() or actor.username} 邀请您加入 {actor.organisation.name_zh}。\n"
                     f"{actor.organisation.name_en} invites you to the dual-use export licensing portal.\n\n"
                     f"{link}\n\n有效期 {INVITATION_VALID_DAYS} 天 / valid for {INVITATION_VALID_DAYS} days.")
    return invitation


def invitation_open(token: str) -> Invitation:
    invitation = (Invitation.objects.select_related("organisation")
                  .filter(token=str(token or "")[:64], accepted_at__isnull=True).first())
    if invitation is None or invitation.expires_at <= timezone.now():
        raise NotFound(_("This invitation is unknown, used or expired."))
    return invitation


def invitation_accept(*, token: str, data: dict) -> User:
    if not isinstance(data, dict):
        raise ValidationFailed()
    with transaction.atomic():
        invitation = invitation_open(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise NotFound(_("This invitation is unknown, used or expired."))
        user = _new_user({**data, "email": invitation.email}, organisation=invitation.organisation,
                         role=invitation.role)
        invitation.accepted_by = user
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_by", "accepted_at"])
        audit.record(actor=user, action="invitation.accept", obj=invitation,
                     after={"user": user.username, "organisation": invitation.organisation_id})
    return user


def _lock_registration(organisation_id, actor) -> Organisation:
    if actor.role != Role.PROVINCIAL_OFFICER:
        raise NotAllowed(_("Only the provincial department verifies exporter registrations."))
    org = (Organisation.objects.visible_to(actor).select_for_update()
           .filter(pk=organisation_id, kind=OrgKind.EXPORTER).first())
    if org is None:
        raise NotFound()
    return org


@transaction.atomic
def organisation_verify(*, organisation_id, actor) -> Organisation:
    """The provincial department confirms that the registrant is the company it claims to be."""
    org = _lock_registration(organisation_id, actor)
    if org.verification == Verification.VERIFIED:
        return org  # a double click
    if org.verification != Verification.PENDING:
        raise InvalidTransition(_("Only a registration awaiting verification can be verified."))
    before = {"verification": org.verification}
    org.verification = Verification.VERIFIED
    org.verified_at = timezone.now()
    org.verified_by = actor
    org.save(update_fields=["verification", "verified_at", "verified_by"])
    audit.record(actor=actor, action="organisation.verify", obj=org, before=before,
                 after={"verification": org.verification})
    return org


@transaction.atomic
def organisation_reject(*, organisation_id, actor, reason: str) -> Organisation:
    """A registration that is not the company it claims: its accounts are switched off, and the
    social credit code stays taken until an administrator clears it."""
    org = _lock_registration(organisation_id, actor)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationFailed(_("Give the reason for rejecting the registration."),
                               fields={"reason": [_("Required.")]})
    if org.verification != Verification.PENDING:
        raise InvalidTransition(_("Only a registration awaiting verification can be rejected."))
    org.verification = Verification.REJECTED
    org.rejection_reason = reason
    org.save(update_fields=["verification", "rejection_reason"])
    deactivated = list(org.users.filter(is_active=True).values_list("username", flat=True))
    org.users.update(is_active=False)
    audit.record(actor=actor, action="organisation.reject", obj=org, before={"verification": "pending"},
                 after={"verification": org.verification, "reason": reason, "deactivated": deactivated})
    return org

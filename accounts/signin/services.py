"""Unlocking a sign-in that django-axes locked after too many failures."""

from axes.utils import reset
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from audit import services as audit
from portal.errors import NotAllowed, ValidationFailed

UNLOCK_KINDS = ("username", "ip_address")


def is_system_administrator(user) -> bool:
    return user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.SYSTEM_ADMIN)


@transaction.atomic
def signin_unlock(*, actor, kind: str, value: str) -> int:
    """Clear the failed sign-ins of one account (kind "username") or one address ("ip_address");
    returns how many attempt records were removed. Unlocking what is not locked changes nothing
    and is not an error (a double click)."""
    if not is_system_administrator(actor):
        raise NotAllowed(_("Only a system administrator can unlock sign-ins."))
    value = value.strip() if isinstance(value, str) else ""
    if kind not in UNLOCK_KINDS or not value or len(value) > 255:
        raise ValidationFailed(_("Say which account or address to unlock."),
                               fields={"value": [_("Required.")]})
    removed = reset(username=value) if kind == "username" else reset(ip=value)
    if removed:
        audit.record(actor=actor, action="signin.unlock", object_type="axes.accessattempt",
                     object_id=value[:64], after={"kind": kind, "value": value, "removed": removed})
    return removed

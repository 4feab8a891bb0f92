"""The customs systems that call the API and their tokens, kept by a system administrator: make a
system, make a token (its secret is shown once and only its hash is stored), change its scopes,
revoke it. Every action is audited in its transaction."""

import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from audit import services as audit
from licensing.customs.auth import hash_secret, new_token
from licensing.models import CustomsScope, CustomsSystem, CustomsToken
from portal.errors import NotAllowed, NotFound, ValidationFailed

SYSTEM_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def may_administer(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)
                and (getattr(user, "role", None) == Role.SYSTEM_ADMIN or getattr(user, "is_superuser", False)))


def _require_admin(actor) -> None:
    if not may_administer(actor):
        raise NotAllowed(_("Only a system administrator manages customs systems and their tokens."))


def _scopes(scopes) -> list[str]:
    if isinstance(scopes, str) or not isinstance(scopes, (list, tuple, set, frozenset)):
        raise ValidationFailed(fields={"scopes": [_("Choose the scopes from the list.")]})
    chosen = sorted({str(s) for s in scopes})
    if not chosen or any(s not in CustomsScope.values for s in chosen):
        raise ValidationFailed(fields={"scopes": [_("Choose at least one scope from the list.")]})
    return chosen


@transaction.atomic
def system_create(*, actor, code, name) -> CustomsSystem:
    _require_admin(actor)
    code, name = str(code or "").strip().lower(), str(name or "").strip()
    errors = {}
    if not SYSTEM_CODE.match(code):
        errors["code"] = [_("Lower-case letters, digits and hyphens, at most 40.")]
    if not name or len(name) > 200:
        errors["name"] = [_("Give the system's name (at most 200 characters).")]
    if errors:
        raise ValidationFailed(fields=errors)
    try:
        with transaction.atomic():
            system = CustomsSystem.objects.create(code=code, name=name)
    except IntegrityError:
        raise ValidationFailed(fields={"code": [_("A customs system has this code already.")]}) from None
    audit.record(actor=actor, action="customs.system_create", obj=system, after={"code": code, "name": name})
    return system


@transaction.atomic
def token_create(*, actor, system_id, scopes, label="") -> tuple[CustomsToken, str]:
    """A new token for a system: (row, the token to hand over). The token is never shown again."""
    _require_admin(actor)
    system = CustomsSystem.objects.filter(pk=system_id, active=True).first()
    if system is None:
        raise NotFound()
    scopes = _scopes(scopes)
    label = str(label or "").strip()
    if len(label) > 100:
        raise ValidationFailed(fields={"label": [_("At most 100 characters.")]})
    prefix, secret = new_token()
    token = CustomsToken.objects.create(system=system, label=label, prefix=prefix, key_hash=hash_secret(secret),
                                        scopes=scopes, created_by=actor)
    audit.record(actor=actor, action="customs.token_create", obj=token,
                 after={"system": system.code, "prefix": prefix, "scopes": scopes, "label": label})
    return token, f"{prefix}.{secret}"


def _lock_token(token_id) -> CustomsToken:
    try:
        return CustomsToken.objects.select_for_update(of=("self",)).select_related("system").get(pk=int(token_id))
    except (CustomsToken.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


@transaction.atomic
def token_set_scopes(*, actor, token_id, scopes) -> CustomsToken:
    _require_admin(actor)
    token = _lock_token(token_id)
    scopes = _scopes(scopes)
    if token.revoked_at is not None:
        raise ValidationFailed(_("This token is revoked; make a new one."), code="token_revoked")
    before = {"scopes": token.scopes}
    token.scopes = scopes
    token.save(update_fields=["scopes"])
    audit.record(actor=actor, action="customs.token_scopes", obj=token, before=before,
                 after={"scopes": scopes, "system": token.system.code, "prefix": token.prefix})
    return token


@transaction.atomic
def token_revoke(*, actor, token_id) -> CustomsToken:
    """Revoke a token at once (the next request with it is refused). Twice is once."""
    _require_admin(actor)
    token = _lock_token(token_id)
    if token.revoked_at is not None:
        return token
    token.revoked_at, token.revoked_by = timezone.now(), actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(actor=actor, action="customs.token_revoke", obj=token,
                 after={"system": token.system.code, "prefix": token.prefix})
    return token

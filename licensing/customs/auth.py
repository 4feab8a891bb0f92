"""How a customs system calls the API: `Authorization: Customs <prefix>.<secret>`.

The prefix finds the token row (unique index, no scan); only sha256(secret) is stored and it is
compared in constant time. A revoked token, or a token of a switched-off system, is refused with a
stable code (401 `token_revoked`); anything else that is not a live token is 401 `token_invalid`.
The caller is a CustomsCaller (not a user): views check its scopes with HasCustomsScope, and the
throttle counts requests per customs system."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from licensing.customs import selectors
from licensing.models import CustomsSystem, CustomsToken

KEYWORD = "Customs"
PREFIX_BYTES = 6  # 12 hex characters
LAST_USED_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """(prefix, secret): the token a system sends is `<prefix>.<secret>`."""
    return secrets.token_hex(PREFIX_BYTES), secrets.token_urlsafe(32)


class CustomsCaller:
    """The authenticated caller of the customs API: a customs system through one of its tokens."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_superuser = False
    is_staff = False
    role = "customs_system"
    pk = None
    id = None
    organisation_id = None

    def __init__(self, token_id, system: CustomsSystem, scopes):
        self.token_id = token_id
        self.system = system
        self.scopes = frozenset(scopes or ())

    def __str__(self):
        return f"customs system {self.system.code}"


class TokenRefused(exceptions.AuthenticationFailed):
    def __init__(self, message, code):
        self.message = message  # lazy: the error body gives it in both languages
        super().__init__(message, code)


INVALID = _("This customs API token is not valid.")
REVOKED = _("This customs API token has been revoked.")


class CustomsTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise TokenRefused(INVALID, "token_invalid")
        try:
            prefix, secret = parts[1].decode("ascii").split(".", 1)
        except (UnicodeDecodeError, ValueError):
            raise TokenRefused(INVALID, "token_invalid") from None
        if not prefix or len(prefix) > 16 or not secret:
            raise TokenRefused(INVALID, "token_invalid")
        row = selectors.token_row(prefix)  # one query, compiled once
        if row is None:
            raise TokenRefused(INVALID, "token_invalid")
        token_id, key_hash, scopes, revoked_at, last_used_at, system_id, code, name, active = row
        if not hmac.compare_digest(key_hash, hash_secret(secret)):
            raise TokenRefused(INVALID, "token_invalid")
        if revoked_at is not None or not active:
            raise TokenRefused(REVOKED, "token_revoked")
        now = timezone.now()
        if last_used_at is None or now - last_used_at >= LAST_USED_EVERY:
            CustomsToken.objects.filter(pk=token_id).update(last_used_at=now)
        return CustomsCaller(token_id, CustomsSystem(pk=system_id, code=code, name=name, active=active), scopes), token_id

    def authenticate_header(self, request):
        return f'{KEYWORD} realm="customs"'


class HasCustomsScope(BasePermission):
    """The caller is a customs system whose token carries the view's `customs_scope`."""

    def has_permission(self, request, view):
        caller = request.user
        if not isinstance(caller, CustomsCaller):
            if not getattr(caller, "is_authenticated", False):
                raise exceptions.NotAuthenticated()
            exc = exceptions.PermissionDenied(code="customs_token_required")
            exc.message = _("The customs API is called by customs systems with their token, not by a signed-in "
                            "person.")
            exc.detail = exceptions.ErrorDetail(str(exc.message), "customs_token_required")
            raise exc
        if view.customs_scope not in caller.scopes:
            exc = exceptions.PermissionDenied(code="scope_missing")
            exc.message = _("This token does not carry the scope this call needs.")
            exc.detail = exceptions.ErrorDetail(str(exc.message), "scope_missing")
            raise exc
        return True


class CustomsSystemThrottle(SimpleRateThrottle):
    """Requests per customs system (all its tokens together) in fixed windows of the rate's
    period: one counter per system and window (cache add + incr), not DRF's list of every request
    time, which a busy system would make thousands long. The rate is
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["customs"]."""

    scope = "customs"

    def get_cache_key(self, request, view):
        caller = request.user
        if not isinstance(caller, CustomsCaller):
            return None
        return self.cache_format % {"scope": self.scope, "ident": caller.system.code}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        key = f"{key}:{window}"
        self.cache.add(key, 0, self.duration + 1)
        try:
            count = self.cache.incr(key)
        except ValueError:  # expired between add and incr
            self.cache.set(key, 1, self.duration + 1)
            count = 1
        self.wait_seconds = (window + 1) * self.duration - now
        return count <= self.num_requests

    def wait(self):
        return self.wait_seconds


class CustomsTokenScheme(OpenApiAuthenticationExtension):
    target_class = CustomsTokenAuthentication
    name = "customsToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "A customs system's token: `Authorization: Customs <prefix>.<secret>`. "
                               "A system administrator makes it on the portal (customs/systems/) and it is "
                               "shown once; it carries scopes (verify, write_off, feed, challenge)."}

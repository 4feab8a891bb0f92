"""Versioned resources in the API (a case, a referral): each registers how to read its version for
a user; the API then gives it an ETag, honours If-Match (412 when stale), refuses a write that
names neither a version nor If-Match (428), and answers 404/403 before the body is looked at.
Kept apart from portal.api because DRF's settings import the permission class early."""

import re

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from portal.errors import DomainError, NotAllowed, ValidationFailed


class PreconditionFailed(DomainError):
    status_code = 412
    code = "precondition_failed"
    default_message = _("Someone changed this case after you read it (If-Match is stale). Read it again and retry.")


class PreconditionRequired(DomainError):
    status_code = 428
    code = "precondition_required"
    default_message = _("Say which version you are changing: send `version` in the body or an If-Match header.")


_VERSIONED: list = []


# Writes under a versioned resource that change nothing of it (a copy of a case into a new draft).
VERSION_FREE = frozenset({"copy/"})


def register_versioned(pattern: str, load, *, may_act=None, other_version: str | None = None):
    """`load(user, **groups)` gives the resource's current version, or raises NotFound when the
    user may not see it; `may_act(user, path_rest, method)` raises NotAllowed (403) for a caller
    whose role may never make this write, before the body is read. `other_version` matches the
    rest of the path where a body's `version` is another resource's (If-Match is then checked
    here but not handed to the service)."""
    _VERSIONED.append((re.compile(pattern), load, may_act, re.compile(other_version) if other_version else None))


def _versioned(path):
    for regex, load, may_act, other in _VERSIONED:
        match = regex.match(path)
        if match:
            return match, load, may_act, other
    return None


def etag(version) -> str:
    return f'"{version}"'


def _if_match_version(header: str):
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    return int(value) if value.isdigit() else None


class VersionPrecondition(BasePermission):
    """Runs after authentication, before the view: visibility (404), role (403), then If-Match
    (412) or the lack of any version (428)."""

    def has_permission(self, request, view):
        found = _versioned(request.path)
        if found is None or not request.user.is_authenticated:
            return True
        match, load, may_act, other = found
        request._request.resource_version = lambda: load(request.user, **match.groupdict())
        if request.method in SAFE_METHODS:
            return True  # the view answers 404 itself; the ETag is read after it
        version = load(request.user, **match.groupdict())
        if may_act is not None:
            may_act(request.user, request.path[match.end():], request.method)
        if request.path[match.end():] in VERSION_FREE:
            return True  # reads the resource and makes another: nothing of it changes
        header = request.headers.get("If-Match")
        if header is not None:
            if header.strip() == "*":
                return True
            wanted = _if_match_version(header)
            if wanted is None:
                raise ValidationFailed(_("If-Match must be an ETag this API gave you."),
                                       fields={"If-Match": [_("Not an ETag.")]})
            if wanted != version:
                raise PreconditionFailed()
            data = request.data
            own = other is None or not other.match(request.path[match.end():])
            if own and isinstance(data, dict) and not isinstance(data, QueryDict) and "version" not in data:
                data["version"] = wanted  # the service checks it again under the row lock
            return True
        data = request.data
        if hasattr(data, "get") and data.get("version") not in (None, ""):
            return True
        if request.query_params.get("version") not in (None, ""):
            return True  # DELETE has no body: ?version= names it
        raise PreconditionRequired()


class ETagMiddleware:
    """The ETag of a versioned resource on every API answer about it, read after the view so a
    write gives the new version."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        current = getattr(request, "resource_version", None)
        if current is not None and response.status_code < 300 and not response.has_header("ETag"):
            try:
                response["ETag"] = etag(current())
            except DomainError:
                pass
        return response


def versioned_path(template: str) -> bool:
    """Whether an OpenAPI path template (/api/applications/{id}/...) is a registered versioned
    resource."""
    sample = re.sub(r"\{[^}]+\}", "1", template)
    return _versioned(sample) is not None


class WriteRoles(BasePermission):
    """A view's `write_roles`: the only roles that may ever make its writes (POST, PUT, PATCH,
    DELETE), refused with 403 before the body is read. The services check the same and more."""

    def has_permission(self, request, view):
        roles = getattr(view, "write_roles", None)
        if roles is None or request.method in SAFE_METHODS or not request.user.is_authenticated:
            return True
        if request.user.role not in roles:
            raise NotAllowed()
        return True

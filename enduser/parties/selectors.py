"""Reads of the address book: an exporter's users see their own organisation's parties, the ministry
sees every exporter's (read-only); no one else sees any (an agency sees the parties of a case
referred to it as filed, on the case)."""

import json

from django.db.models import Q

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES
from enduser.models import Party

SEARCH_MAX_CHARS = 100


def parties_visible_to(user):
    if not user.is_authenticated or not user.is_active:
        return Party.objects.none()
    role = getattr(user, "role", None)
    if role in EXPORTER_ROLES:
        return Party.objects.filter(exporter_id=user.organisation_id)
    if role in MINISTRY_ROLES:
        return Party.objects.all()
    return Party.objects.none()


def can_browse(user) -> bool:
    return getattr(user, "role", None) in EXPORTER_ROLES | MINISTRY_ROLES


def party_search(user, *, q: str = "", archived: bool = False):
    """The parties a user sees, found by any of their names, aliases, registration numbers or
    address; archived ones only when asked for."""
    rows = parties_visible_to(user).filter(archived=archived).select_related("exporter")
    q = (q or "").strip()[:SEARCH_MAX_CHARS]
    if q:
        # JSON as stored: SQLite keeps non-ASCII text \u-escaped, PostgreSQL's jsonb as written.
        escaped = json.dumps(q)[1:-1]
        rows = rows.filter(Q(name__icontains=q) | Q(name_zh__icontains=q) | Q(name_latin__icontains=q)
                           | Q(aliases__icontains=q) | Q(aliases__icontains=escaped) | Q(identifiers__icontains=q)
                           | Q(address__icontains=q))
    return rows.order_by("name", "pk")


def book_choices(exporter_id, *, keep=()) -> list[Party]:
    """The parties an exporter may pick for an application: its own, not archived, plus the ones
    the application already names (`keep`), even if archived since."""
    keep = [pk for pk in keep if pk]
    return list(Party.objects.filter(Q(exporter_id=exporter_id) & (Q(archived=False) | Q(pk__in=keep)))
                .order_by("name", "pk").only("pk", "name", "name_zh", "country", "archived"))

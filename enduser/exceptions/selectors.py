"""Reads of exceptions to the Control List: which Control List entries a party matches (screened
read-only: no hit is recorded), the exceptions a user may see, and which hits an exception lifts."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, IntegerField, Value, When

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES
from enduser.models import (
    ExceptionState,
    ListedParty,
    ListException,
    ListKind,
    Party,
)
from enduser.screening import index
from enduser.screening.selectors import list_matches

LIVE = (ExceptionState.REQUESTED, ExceptionState.GRANTED)


@dataclass
class Match:
    """A Control List entry in force that a party matches, with the engine's explanation."""

    party: Party
    listed: ListedParty
    hit: index.Hit

    @property
    def key(self) -> tuple:
        return (self.party.name, self.listed.pk, self.listed.version)


def control_matches(party: Party | None, *, on: date | None = None) -> list[Match]:
    """Control List entries in force that this party matches and that block it: an entry judged
    not the same party for this name and version does not. Nothing is written."""
    return [Match(party=party, listed=entry, hit=hit)
            for entry, hit in list_matches(party, list_kind=ListKind.CONTROL, on=on)]


def exceptions_visible_to(user):
    """The ministry sees every exception; an exporter its own organisation's; nobody else any."""
    if not user.is_authenticated or not user.is_active:
        return ListException.objects.none()
    if user.role in MINISTRY_ROLES:
        return ListException.objects.all()
    if user.role in EXPORTER_ROLES:
        return ListException.objects.filter(exporter_id=user.organisation_id)
    return ListException.objects.none()


def exceptions_queue(user):
    """Awaiting the ministry's decision first, then the newest."""
    awaiting_first = Case(When(state=ExceptionState.REQUESTED, then=Value(0)), default=Value(1),
                          output_field=IntegerField())
    return (exceptions_visible_to(user).select_related("exporter", "listed", "decided_by", "created_by")
            .order_by(awaiting_first, "-pk"))


def exceptions_of_names(exporter_id, names) -> list[ListException]:
    names = [name for name in names if name]
    return list(ListException.objects.filter(exporter_id=exporter_id, party_name__in=names)
                .select_related("listed", "decided_by", "created_by").order_by("-pk"))


def live_exceptions(exporter_id, keys) -> dict:
    """The live exception (granted, else awaiting) of an exporter for each (party name, entry id,
    entry version) key that has one."""
    keys = set(keys)
    if not keys:
        return {}
    rows = ListException.objects.filter(exporter_id=exporter_id, state__in=LIVE,
                                        party_name__in={key[0] for key in keys},
                                        listed_id__in={key[1] for key in keys})
    found = {}
    for row in rows:
        key = (row.party_name, row.listed_id, row.listed_version)
        if key in keys and (key not in found or row.state == ExceptionState.GRANTED):
            found[key] = row
    return found

"""Reads of screening: the screener for the lists in force on a day (built once per list change and
day, then kept in the process), and the hits a user may see."""

import threading
from dataclasses import replace
from datetime import date

from accounts.models import MINISTRY_ROLES
from enduser.models import (
    HitState,
    ListChange,
    ListedParty,
    OwnershipLink,
    OwnershipLinkChange,
    OwnershipRule,
    OwnershipRulePeriod,
    RescreenJob,
    ScreeningHit,
)
from enduser.screening.index import Hit, ListEntry, OwnershipIndex, Party, Screener, StoredLink

_cache: dict = {}
_lock = threading.Lock()


def list_state() -> str:
    """Changes so far: a new change makes every cached screener stale."""
    last = ListChange.objects.order_by("-pk").values_list("pk", "at").first()
    # The time as well as the id: an id can come back after a rolled-back change (SQLite reuses them).
    state = f"change-{last[0]}-{last[1].timestamp():.6f}" if last else "change-0"
    link = OwnershipLinkChange.objects.order_by("-pk").values_list("pk", "at").first()
    return f"{state}+links-{link[0]}-{link[1].timestamp():.6f}" if link else state


def listed_entries(on: date) -> list[ListEntry]:
    rows = ListedParty.objects.in_force(on).only("pk", "kind", "names", "aliases", "country", "identifiers")
    return [list_entry(row) for row in rows]


def list_entry(row: ListedParty) -> ListEntry:
    return ListEntry(id=str(row.pk), kind=row.kind, names=tuple(row.names or ()), country=row.country.code or "",
                     identifiers=row.identifiers or {}, aliases=tuple(row.aliases or ()))


def _indexes(on: date) -> tuple[Screener, OwnershipIndex]:
    key = (list_state(), on)
    with _lock:
        found = _cache.get(key)
    if found is None:
        version = f"{key[0]}@{on.isoformat()}"
        found = (Screener(listed_entries(on), list_version=version), ownership_index(on, version=version))
        with _lock:
            _cache.clear()  # one screener per process: the lists as they stand
            _cache[key] = found
    return found


def screener_in_force(on: date) -> Screener:
    return _indexes(on)[0]


def stored_link(row: OwnershipLink) -> StoredLink:
    return StoredLink(id=row.pk, owner_listed=str(row.owner_listed_id) if row.owner_listed_id else None,
                      owner_names=tuple(row.owner_names or ()), owned_names=tuple(row.owned_names or ()),
                      kind=row.kind, percent=row.percent, start=row.start_on, end=row.end_on,
                      owned_country=row.owned_country.code or "", owned_identifiers=row.owned_identifiers or {})


def ownership_index(on: date, *, version: str = "") -> OwnershipIndex:
    """The ownership links in force on `on`, from the list entries in force that day."""
    links = [stored_link(row) for row in OwnershipLink.objects.in_force(on).order_by("pk")]
    listed = dict(ListedParty.objects.in_force(on).values_list("pk", "names")) if links else {}
    return OwnershipIndex(links, {str(pk): (names or [""])[0] for pk, names in listed.items()}, version=version)


def ownership_index_in_force(on: date) -> OwnershipIndex:
    return _indexes(on)[1]


def screen(party, on: date) -> list[Hit]:
    """Every hit of a party on the lists in force on `on`: on the entries' names, and through
    ownership links (the 50% rule, dated by OwnershipRulePeriod). A party hit both ways on one
    entry gets one hit, the name's, with the ownership path added."""
    screener, owned = _indexes(on)
    queries = party_queries(party)
    found = best_hits(screener, queries)
    if owned:
        periods = ownership_rule_periods()
        for query in queries:
            for hit in owned.screen(query, on, periods):
                if hit.entry in found:  # the name hits already: the ownership only explains more
                    found[hit.entry].ownership = {**hit.ownership, "with_name": True}
                else:
                    found[hit.entry] = hit
    return sorted(found.values(), key=lambda h: (-h.score, h.entry))


def best_hits(screener: Screener, queries) -> dict:
    """entry id -> the best hit of any of a party's names on it."""
    found = {}
    for query in queries:
        for hit in screener.screen(query):
            if hit.entry not in found or hit.score > found[hit.entry].score:
                found[hit.entry] = hit
    return found


def hits_visible_to(user):
    """Hits are the ministry's: an exporter never sees list internals (it is told at submission
    why it cannot submit), provinces and agencies see none."""
    if not user.is_authenticated or getattr(user, "role", None) not in MINISTRY_ROLES:
        return ScreeningHit.objects.none()
    return ScreeningHit.objects.all()


def hits_of_parties(user, parties) -> list[ScreeningHit]:
    ids = [party.pk for party in parties if party is not None]
    return list(hits_visible_to(user).filter(party_id__in=ids).select_related("listed", "party", "decided_by")
                .order_by("state", "-score", "pk"))


def raised_hits(parties, *, list_kind: str) -> list[ScreeningHit]:
    """Hits of these parties on one list that are not judged false (nor closed)."""
    ids = [party.pk for party in parties if party is not None]
    return list(ScreeningHit.objects.filter(party_id__in=ids, listed__list_kind=list_kind,
                                            state__in=(HitState.OPEN, HitState.TRUE)).select_related("listed"))


def ownership_rule_periods(*, rule: str = OwnershipRule.AFFILIATES_50) -> list[OwnershipRulePeriod]:
    """Every period of an ownership rule, oldest first: what `ownership.rule_on` decides from.
    One query; a screening of many parties reads them once and passes them on."""
    return list(OwnershipRulePeriod.objects.filter(rule=rule).order_by("valid_from"))


def party_query(party) -> Party:
    """A party record as the engine screens it: every kind but a person as a company."""
    return Party(id=str(party.pk), kind=party.screening_kind, name=party.name,
                 country=party.country.code if party.country else "", identifiers=party.identifiers or {})


def party_queries(party) -> list[Party]:
    """The party screened under every name it has: the legal name as written, its Chinese and
    Latin-script names and its aliases (each hit says which name it was raised on)."""
    base = party_query(party)
    names = [party.name, getattr(party, "name_zh", ""), getattr(party, "name_latin", ""),
             *(getattr(party, "aliases", None) or ())]
    unique = dict.fromkeys(n.strip() for n in names if isinstance(n, str) and n.strip())
    return [base] + [replace(base, name=name) for name in unique if name != base.name]


def list_matches(party, *, list_kind: str, on: date | None = None) -> list[tuple]:
    """(listed entry, engine hit) for each entry of one list in force that this party matches and
    that the ministry has not judged "not the same party" for this name and entry version. A read:
    nothing is recorded (checklists, the exception form, submission checks)."""
    from django.utils import timezone

    if party is None:
        return []
    on = on or timezone.localdate()
    found = [hit for hit in screen(party, on) if hit.raised]
    if not found:
        return []
    entries = ListedParty.objects.in_force(on).filter(list_kind=list_kind).in_bulk([int(h.entry) for h in found])
    judged_false = set(ScreeningHit.objects.filter(party_name=party.name, listed_id__in=list(entries),
                                                   state=HitState.FALSE).values_list("listed_id", "listed_version"))
    return [(entries[int(h.entry)], h) for h in found if int(h.entry) in entries
            and (int(h.entry), entries[int(h.entry)].version) not in judged_false]


def listed_matches(parties, *, list_kind: str, on: date | None = None) -> list[tuple]:
    """(party, listed entry) for each of these parties' matches on one list (see list_matches)."""
    return [(party, entry) for party in parties for entry, _hit in list_matches(party, list_kind=list_kind, on=on)]


def rescreen_jobs_visible_to(user):
    """Rescreening jobs are the ministry's, like the hits they make."""
    if not user.is_authenticated or getattr(user, "role", None) not in MINISTRY_ROLES:
        return RescreenJob.objects.none()
    return RescreenJob.objects.order_by("-pk")

"""Reads of end-use checks: who sees which check (the ministry every one, an exporter those made
through it, nobody else any), the ministry's list with its filters, the overdue checks, and the
earlier checks on a case's parties: on the same party record, or on a party whose name the
screening engine matches."""

import threading
from dataclasses import dataclass
from datetime import date

from django.db.models import Case, IntegerField, Max, Value, When
from django.utils import timezone

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES
from enduser.models import CheckState, EndUseCheck, ProposalState, WatchListProposal
from enduser.screening.index import ListEntry, Screener
from enduser.screening.selectors import best_hits, party_queries

PAGE_SIZE = 50


def checks_visible_to(user):
    if not user.is_authenticated or not user.is_active:
        return EndUseCheck.objects.none()
    if user.role in MINISTRY_ROLES:
        return EndUseCheck.objects.all()
    if user.role in EXPORTER_ROLES:
        return EndUseCheck.objects.filter(exporter_id=user.organisation_id)
    return EndUseCheck.objects.none()


def checks_list(user, *, state: str = "", overdue: bool = False, today: date | None = None):
    """The checks a user sees, filtered by state, or `overdue`: open past the deadline."""
    checks = checks_visible_to(user).select_related("exporter", "party", "proposal")
    if state:
        checks = checks.filter(state=state)
    if overdue:
        checks = overdue_checks(checks, today=today)
    rank = Case(When(state=CheckState.OPEN, then=Value(0)), When(state=CheckState.ANSWERED, then=Value(1)),
                default=Value(2), output_field=IntegerField())
    # Open checks by deadline (the most urgent first), then those to assess, then the closed ones.
    return checks.annotate(rank=rank).order_by("rank", Case(When(rank__lt=2, then="deadline")), "-pk")


def overdue_checks(checks=None, *, today: date | None = None):
    """Checks still awaiting the answer after their deadline (the deadline day itself is in time)."""
    checks = EndUseCheck.objects.all() if checks is None else checks
    return checks.filter(state=CheckState.OPEN, deadline__lt=today or timezone.localdate())


def proposals_visible_to(user):
    """Proposals are the ministry's: the exporter is not told a Watch List entry is considered."""
    if not user.is_authenticated or not user.is_active or user.role not in MINISTRY_ROLES:
        return WatchListProposal.objects.none()
    return WatchListProposal.objects.all()


def proposals_queue(user):
    """Awaiting a decision first, then the newest."""
    return (proposals_visible_to(user).select_related("enduse_check", "enduse_check__exporter", "listed")
            .order_by(Case(When(state=ProposalState.PROPOSED, then=Value(0)), default=Value(1),
                           output_field=IntegerField()), "-pk"))


def pending_proposals(user):
    return proposals_visible_to(user).filter(state=ProposalState.PROPOSED)


# ---------------------------------------------------------------- earlier checks on a case's parties


@dataclass
class EarlierCheck:
    check: EndUseCheck
    party: object  # the case's party it was found for
    same_party: bool
    why: str = ""
    score: float = 1.0


_cache: dict = {}
_lock = threading.Lock()


def _checks_screener() -> Screener:
    """A screener over the names of every check's party as it was when the check was opened.
    Those names never change, so a new check (a higher id) is the only thing that makes it stale."""
    key = EndUseCheck.objects.aggregate(last=Max("pk"))["last"] or 0
    with _lock:
        screener = _cache.get(key)
    if screener is None:
        rows = EndUseCheck.objects.only("pk", "party_kind", "party_names", "party_country", "party_identifiers")
        screener = Screener([ListEntry(id=str(row.pk), kind=row.party_kind, names=tuple(row.party_names or ()),
                                       country=row.party_country.code or "", identifiers=row.party_identifiers or {})
                             for row in rows.iterator()], list_version=f"enduse-checks-{key}")
        with _lock:
            _cache.clear()
            _cache[key] = screener
    return screener


def earlier_checks(parties) -> list[EarlierCheck]:
    """Every check on these parties: on the same party record, or on another record whose name,
    as it was when the check was opened, the screening engine matches (the same end user filed by
    another exporter, or written in another script). Newest first."""
    parties = [party for party in parties if party is not None]
    if not parties:
        return []
    found: dict[int, EarlierCheck] = {}
    ids = {party.pk: party for party in parties}
    for check in EndUseCheck.objects.filter(party_id__in=list(ids)):
        found[check.pk] = EarlierCheck(check=check, party=ids[check.party_id], same_party=True)
    if EndUseCheck.objects.exclude(party_id__in=list(ids)).exists():
        screener = _checks_screener()
        by_name = {}
        for party in parties:
            for hit in best_hits(screener, party_queries(party)).values():
                pk = int(hit.entry)
                if pk not in found and (pk not in by_name or by_name[pk][2] < hit.score):
                    by_name[pk] = (party, hit.why, hit.score)
        for check in EndUseCheck.objects.filter(pk__in=list(by_name)).exclude(party_id__in=list(ids)):
            party, why, score = by_name[check.pk]
            found[check.pk] = EarlierCheck(check=check, party=party, same_party=False, why=why, score=score)
    rows = sorted(found.values(), key=lambda row: -row.check.pk)
    checks = {check.pk: check for check in EndUseCheck.objects.filter(pk__in=list(found))
              .select_related("exporter", "proposal", "opened_by")}
    for row in rows:
        row.check = checks[row.check.pk]
    return rows

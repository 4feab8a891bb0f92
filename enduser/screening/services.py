"""Writes of screening: a party screened against the lists in force records its hits (once per
party name and entry version; one judged false before is not raised again), and the case officer
judges each hit true or false."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import MINISTRY_ROLES
from audit import services as audit
from enduser.models import HitState, ListedParty, ListKind, Party, ScreeningHit
from enduser.screening import index, selectors
from portal.errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    StaleVersion,
    ValidationFailed,
    lazy_format,
)
from portal.text import clean_text

NOTE_MAX_CHARS = 2000
RAISED = (HitState.OPEN, HitState.TRUE)


@dataclass
class Verdict:
    hits: list = field(default_factory=list)

    def raised(self, kind: str) -> list:
        return [h for h in self.hits if h.listed.list_kind == kind and h.state in RAISED]

    @property
    def blocking(self) -> list:
        """Control List hits not judged false: the export is banned or restricted (Law 18)."""
        return self.raised(ListKind.CONTROL)

    @property
    def watch(self) -> list:
        return self.raised(ListKind.WATCH)

    def summary(self) -> dict:
        return {"hits": [h.pk for h in self.hits], "control": [h.pk for h in self.blocking],
                "watch": [h.pk for h in self.watch]}


def _hit_row(party: Party, listed: ListedParty, hit: index.Hit, now) -> ScreeningHit:
    judged_false = (ScreeningHit.objects.filter(party_name=party.name, listed=listed, listed_version=listed.version,
                                                state=HitState.FALSE).order_by("pk").first())
    row = ScreeningHit(
        party=party, listed=listed, listed_version=listed.version, party_name=party.name,
        listed_name=hit.entry_name[:300], score=Decimal(str(hit.score)).quantize(Decimal("0.01")),
        why=hit.why[:500], parts=_parts(party, hit), versions=hit.versions, fuzzy=hit.fuzzy,
        identifier_conflict=hit.identifier_conflict, branch=bool(hit.branch_of), ownership=hit.ownership,
        screened_at=now)
    if not hit.raised:
        row.state = HitState.RULE_OFF
    elif judged_false is not None:
        row.state = HitState.FALSE
        row.note = f"judged not the same party before (hit {judged_false.pk})"
    return row


def _parts(party: Party, hit: index.Hit) -> list:
    """The part table, led by the party's name that was hit when it is not the legal name
    (a Chinese name, a Latin-script name or an alias of the record)."""
    if hit.query_name and hit.query_name != party.name:
        return [{"query": hit.query_name, "entry": hit.entry_name,
                 "how": "another name of the party / 当事方的其他名称"}, *hit.parts]
    return list(hit.parts)


def screen_party(*, party: Party, on: date | None = None, actor=None) -> list[ScreeningHit]:
    """Screen one party against both lists in force on `on`; returns its hits, new and already
    recorded. Safe to run twice: a hit is recorded once per party name and entry version."""
    on = on or timezone.localdate()
    found = selectors.screen(party, on)
    if not found:
        return []
    listed = ListedParty.objects.in_force(on).in_bulk([int(h.entry) for h in found])
    rows, now = [], timezone.now()
    for hit in found:
        entry = listed.get(int(hit.entry))
        if entry is not None:
            rows.append(hit_record(party=party, entry=entry, hit=hit, now=now, actor=actor)[0])
    return rows


def hit_record(*, party: Party, entry: ListedParty, hit: index.Hit, now, actor=None) -> tuple[ScreeningHit, bool]:
    """The hit of a party on an entry version, recorded (with its audit event) unless it already
    is; and whether it is new. The unique constraint settles two screenings at once."""
    existing = ScreeningHit.objects.filter(party=party, listed=entry, listed_version=entry.version,
                                           party_name=party.name).first()
    created = False
    if existing is None:
        try:
            with transaction.atomic():
                existing = _hit_row(party, entry, hit, now)
                existing.save()
        except IntegrityError:  # recorded meanwhile by a concurrent screening
            existing = ScreeningHit.objects.get(party=party, listed=entry, listed_version=entry.version,
                                                party_name=party.name)
        else:
            created = True
            audit.record(actor=actor, action="screening.hit", obj=existing,
                         after={"party": party.pk, "listed": entry.pk, "list": entry.list_kind,
                                "score": str(existing.score), "why": existing.why, "state": existing.state,
                                "versions": existing.versions, "ownership": existing.ownership})
    elif existing.state == HitState.RULE_OFF and hit.raised:
        existing, created = _raise_again(existing, hit, now, actor), True
    existing.listed = entry
    return existing, created


def _raise_again(existing: ScreeningHit, hit: index.Hit, now, actor) -> ScreeningHit:
    """A hit recorded while the ownership rule was not in force, found again with the rule in
    force: it is raised now, as a new hit would be."""
    with transaction.atomic():
        row = ScreeningHit.objects.select_for_update().get(pk=existing.pk)
        if row.state != HitState.RULE_OFF:
            return row
        row.state, row.ownership, row.why, row.screened_at = HitState.OPEN, hit.ownership, hit.why[:500], now
        row.version += 1
        row.save(update_fields=["state", "ownership", "why", "screened_at", "version"])
        audit.record(actor=actor, action="screening.hit", obj=row, before={"state": HitState.RULE_OFF},
                     after={"party": row.party_id, "listed": row.listed_id, "state": row.state,
                            "why": row.why, "ownership": row.ownership})
    return row


def screen_parties(*, parties, on: date | None = None, actor=None) -> Verdict:
    verdict = Verdict()
    for party in parties:
        if party is not None:
            verdict.hits.extend(screen_party(party=party, on=on, actor=actor))
    return verdict


def blocked_message(verdict: Verdict):
    hit = verdict.blocking[0]
    return lazy_format(
        _("“%(party)s” matches “%(listed)s” on the Control List (%(announcement)s; %(why)s, score %(score)s). "
          "Exports to parties on the Control List are prohibited or restricted (Export Control Law, Art. 18); "
          "you may apply to the ministry for an exception."),
        party=hit.party_name, listed=hit.listed_name, announcement=hit.listed.announcement, why=hit.why,
        score=hit.score)


@transaction.atomic
def hit_decide(*, hit_id, actor, verdict: str, note: str = "", expected_version=None) -> ScreeningHit:
    """The case officer judges a hit: the same party (true) or not (false, with a reason). A hit
    judged false is not raised again for that party name and entry version."""
    if getattr(actor, "role", None) not in MINISTRY_ROLES:
        raise NotAllowed(_("Only the ministry judges screening hits."))
    try:
        hit = ScreeningHit.objects.select_for_update().select_related("listed").get(pk=int(hit_id))
    except (ScreeningHit.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None
    if verdict not in (HitState.TRUE, HitState.FALSE):
        message = _("Choose whether it is the same party or not.")
        raise ValidationFailed(message, fields={"verdict": [message]})
    note = clean_text(note, "note", limit=NOTE_MAX_CHARS, required=False)
    if verdict == HitState.FALSE and not note:
        message = _("Say why it is not the same party.")
        raise ValidationFailed(message, fields={"note": [message]})
    if hit.state == verdict and hit.decided_by_id == actor.pk:
        return hit  # the same judgement again: a double click
    if hit.state == HitState.CLOSED:
        raise InvalidTransition(_("This hit was closed when the entry left the list."))
    if hit.state == HitState.RULE_OFF:
        raise InvalidTransition(_("This hit is not raised: the ownership rule was not in force on the day."))
    if expected_version is not None and int(expected_version) != hit.version:
        raise StaleVersion()
    before = {"state": hit.state, "note": hit.note}
    hit.state, hit.note, hit.decided_by, hit.decided_at = verdict, note, actor, timezone.now()
    hit.version += 1
    hit.save()
    audit.record(actor=actor, action="screening.hit_decide", obj=hit, before=before,
                 after={"state": hit.state, "note": note, "listed": hit.listed_id, "party_name": hit.party_name})
    return hit


@transaction.atomic
def party_screen(*, actor, party_id) -> list[ScreeningHit]:
    """The ministry screens a party again on demand (the case page's "screen again"), against the
    lists in force today: new hits are recorded, those already recorded are returned as they are."""
    if getattr(actor, "role", None) not in MINISTRY_ROLES:
        raise NotAllowed(_("Only the ministry screens parties on demand."))
    try:
        party = Party.objects.select_for_update().get(pk=int(party_id))
    except (Party.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None
    hits = screen_party(party=party, actor=actor)
    audit.record(actor=actor, action="screening.party_screen", obj=party,
                 after={"name": party.name, "hits": [hit.pk for hit in hits]})
    return hits

"""Reads for customs: a licence as customs checks it (two queries, never the PDF), the feed of
licence events after a cursor, write-offs, and challenges each user may see."""

import time

from django.db.models import Case, IntegerField, Prefetch, Value, When

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Role
from licensing.models import Challenge, ChallengeState, Licence, LicenceEvent, LicenceItem, WriteOff

VERIFY_FIELDS = ("number", "status", "licence_type", "valid_from", "valid_until", "issued_at", "status_changed_at",
                 "one_port", "one_shipment", "shipment_declaration", "version", "exporter_id", "application_id",
                 "export_port_id", "exporter__code", "exporter__name_zh", "exporter__name_en",
                 "application__destination", "application__end_user_snapshot", "application__reference",
                 "export_port__name_zh", "export_port__name_en")
ITEM_FIELDS = ("licence_id", "line", "control_code", "hs_code", "customs_unit_id", "unit", "quantity", "value_rmb",
               "tolerance_percent", "used_quantity", "used_value", "description")
FEED_MAX = 500
FEED_WAIT_MAX = 25
POLL_SECONDS = 0.2


def licence_for_customs(number: str) -> Licence | None:
    """The licence with its exporter, case (destination, end user), port and items: two queries."""
    items = Prefetch("items", queryset=LicenceItem.objects.only(*ITEM_FIELDS).order_by("line"))
    return (Licence.objects.select_related("exporter", "application", "export_port").only(*VERIFY_FIELDS)
            .prefetch_related(items).filter(number=number).first())


def end_user_name(licence: Licence) -> str:
    snapshot = licence.application.end_user_snapshot or {}
    return snapshot.get("name") or snapshot.get("name_latin") or snapshot.get("name_zh") or ""


def write_offs_of(licence: Licence):
    return (WriteOff.objects.filter(licence=licence).select_related("item", "port", "system", "recorded_by")
            .order_by("recorded_at", "pk"))


def write_off_by_key(declaration_number, line) -> WriteOff | None:
    return (WriteOff.objects.select_related("licence", "item", "port", "system")
            .filter(declaration_number=str(declaration_number).strip().upper(), line=line).first())


def events_after(after: int, limit: int) -> list[LicenceEvent]:
    """Events with seq > after, oldest first. Seqs become visible in order (lifecycle.record_event
    numbers them under a lock held until commit), so `after` = the last seq read loses nothing."""
    return list(LicenceEvent.objects.filter(seq__gt=after).select_related("licence")
                .only("seq", "kind", "from_status", "to_status", "at", "reason", "factor", "licence__number")
                .order_by("seq")[:limit])


def wait_for_events(after: int, limit: int, wait: float, *, sleep=None, clock=None):
    """events_after, polling the database every POLL_SECONDS for up to `wait` seconds while there
    are none (long poll): a customs system hears of a suspension within a fraction of a second."""
    sleep, clock = sleep or time.sleep, clock or time.monotonic
    deadline = clock() + max(0.0, min(float(wait), FEED_WAIT_MAX))
    while True:
        events = events_after(after, limit)
        if events or clock() >= deadline:
            return events
        sleep(POLL_SECONDS)


def challenges_for(user):
    """Customs officers all, the ministry all, the exporter's people their company's."""
    if not getattr(user, "is_authenticated", False):
        return Challenge.objects.none()
    qs = Challenge.objects.select_related("exporter", "port")
    role = getattr(user, "role", None)
    if role == Role.CUSTOMS_OFFICER or role in MINISTRY_ROLES:
        return qs
    if role in EXPORTER_ROLES:
        return qs.filter(exporter_id=user.organisation_id)
    return qs.none()


def challenge_for(user, reference) -> Challenge | None:
    return challenges_for(user).prefetch_related("documents").filter(reference=str(reference)[:20]).first()


def challenge_for_system(system, reference) -> Challenge | None:
    return (Challenge.objects.select_related("exporter").prefetch_related("documents")
            .filter(system=system, reference=str(reference)[:20]).first())


def ministry_queue():
    """Escalated first, then open, by due date."""
    return (Challenge.objects.select_related("exporter").filter(state__in=[ChallengeState.ESCALATED,
                                                                           ChallengeState.OPEN])
            .order_by(Case(When(state=ChallengeState.ESCALATED, then=Value(0)), default=Value(1),
                           output_field=IntegerField()), "answer_due", "pk"))

"""Rescreening on every list change: the parties of open cases and of valid licences are screened
again against the entries a change adds (only those, not the whole list), and the hits on the
entries it removes are closed.

The cases belong to licensing, an app above this one: enduser never imports it. Licensing
registers a case source here when it starts (`register_case_source`): which parties are on open
cases, and how a case is told of a new hit. Without one, there is nothing to rescreen.

A job is worked in batches of parties, one transaction each (the hits, their audit events, the
notifications and the job's progress commit together), in party id order, so a worker killed
mid-job leaves the job where its last batch committed; the redelivered task takes it over once its
heartbeat is stale and goes on from there. The unique hit per party name and entry version makes
a batch run twice record nothing twice."""

import bisect
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit import services as audit
from enduser.models import (
    HitState,
    ListChange,
    ListedParty,
    Party,
    RescreenJob,
    RescreenState,
    ScreeningHit,
)
from enduser.screening.index import Screener
from enduser.screening.selectors import (
    best_hits,
    list_entry,
    ownership_index,
    ownership_rule_periods,
    party_queries,
    party_query,
)
from enduser.screening.services import hit_record
from outbox.services import enqueue

log = logging.getLogger(__name__)

BATCH_SIZE = 200
# A run writes its heartbeat at every batch; one silent this long has died (a batch of 200
# parties against a change takes well under a second).
STALE_AFTER = timedelta(minutes=5)
TASK = "enduser.rescreen"


@dataclass(frozen=True)
class OpenParty:
    """A party on a case that is still open, or approved with a licence still valid."""

    party_id: int
    case_id: int
    licence_valid: bool = False


@dataclass(frozen=True)
class CaseSource:
    open_parties: Callable[[], Iterable[OpenParty]]
    # Called in the batch's transaction for each new hit and each case of its party.
    tell: Callable[..., None]


_case_source: CaseSource | None = None


def register_case_source(open_parties: Callable[[], Iterable[OpenParty]], tell: Callable[..., None]) -> None:
    global _case_source
    _case_source = CaseSource(open_parties=open_parties, tell=tell)


def registered_case_source() -> CaseSource | None:
    return _case_source


# ---------------------------------------------------------------- starting


def rescreen_start(change_ids=(), *, link_change_ids=()) -> RescreenJob:
    """Create the job for these list (and ownership link) changes. Called inside the transaction
    of the change, so the change and its job commit together or not at all; the task is sent
    once they are committed (outbox), and `rescreen_sweep` sends it again if it never ran."""
    with transaction.atomic():
        job = RescreenJob.objects.create(change_ids=sorted({int(pk) for pk in change_ids}),
                                         link_change_ids=sorted({int(pk) for pk in link_change_ids}))
        enqueue(TASK, job_id=job.pk)
    return job


def rescreen_sweep() -> list[int]:
    """Send the task again for the jobs that should be running and are not: queued and never
    taken (or put back) for longer than a run may stay silent, and running with a stale heartbeat
    (the worker died and the message was lost). Safe to run twice: a run takes a job only when no
    live run holds it, so a job sent twice is worked once."""
    cutoff = timezone.now() - STALE_AFTER
    due = (RescreenJob.objects.filter(state__in=(RescreenState.QUEUED, RescreenState.RUNNING))
           .filter(Q(heartbeat__lt=cutoff) | Q(heartbeat__isnull=True, created_at__lt=cutoff))
           .order_by("pk").values_list("pk", flat=True))
    sent = []
    for job_id in due:
        with transaction.atomic():
            job = RescreenJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
            if job is None or not (job.state == RescreenState.QUEUED or _stale(job)):
                continue
            if job.state == RescreenState.QUEUED:
                # The next sweep gives this send time to start (a running job's stale heartbeat
                # stays, so the sent run takes it over at once).
                job.heartbeat = timezone.now()
                job.save(update_fields=["heartbeat"])
            enqueue(TASK, job_id=job.pk)
            sent.append(job.pk)
    return sent


# ---------------------------------------------------------------- running


def rescreen_run(*, job_id) -> RescreenJob | None:
    """The body of the task. Safe to run twice: a finished job is left alone, a job another run
    holds (with a fresh heartbeat) is left to it, and every write is made once."""
    runner = _take(job_id)
    if runner is None:
        return RescreenJob.objects.filter(pk=job_id).first()
    try:
        _close_removed(job_id, runner)
        parties = _open_parties()
        _set_total(job_id, runner, len(parties))
        against = _screener(job_id)
        order = sorted(parties)
        while True:
            batch = _next_batch(job_id, order)
            if not batch:
                break
            if not _screen_batch(job_id, runner, batch, parties, against):
                return RescreenJob.objects.get(pk=job_id)  # taken over by another run
        return _finish(job_id, runner)
    except Exception as exc:
        log.exception("rescreen job %s failed", job_id)
        # Back to the queue with the error shown: the task's retry takes it again at once.
        RescreenJob.objects.filter(pk=job_id, runner=runner).update(
            state=RescreenState.QUEUED, runner="", error=f"{type(exc).__name__}: {exc}"[:2000])
        raise


def rescreen_fail(*, job_id, error: str) -> None:
    """The task gave up: the job ends failed, with its last error."""
    RescreenJob.objects.filter(pk=job_id).exclude(state=RescreenState.DONE).update(
        state=RescreenState.FAILED, runner="", finished_at=timezone.now(), error=error[:2000])


def rescreen_is_busy(job: RescreenJob | None) -> bool:
    """Another run holds the job and is alive."""
    return job is not None and job.state == RescreenState.RUNNING and not _stale(job)


def _stale(job: RescreenJob) -> bool:
    return job.heartbeat is None or timezone.now() - job.heartbeat > STALE_AFTER


def _take(job_id) -> str | None:
    with transaction.atomic():
        job = RescreenJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state in (RescreenState.DONE, RescreenState.FAILED):
            return None
        if job.state == RescreenState.RUNNING and not _stale(job):
            return None
        if job.state == RescreenState.RUNNING:
            log.warning("rescreen job %s: taking over from a run silent since %s", job.pk, job.heartbeat)
        now = timezone.now()
        job.state, job.runner, job.heartbeat = RescreenState.RUNNING, uuid.uuid4().hex, now
        job.started_at = job.started_at or now
        job.save(update_fields=["state", "runner", "heartbeat", "started_at"])
        return job.runner


def _lock_if_mine(job_id, runner: str) -> RescreenJob | None:
    job = RescreenJob.objects.select_for_update().get(pk=job_id)
    return job if job.runner == runner and job.state == RescreenState.RUNNING else None


def _changes(job_id, action: str) -> list[ListChange]:
    ids = RescreenJob.objects.values_list("change_ids", flat=True).get(pk=job_id)
    return list(ListChange.objects.filter(pk__in=ids, action=action).order_by("pk"))


def _close_removed(job_id, runner: str) -> None:
    """Hits on the entries the job's changes removed, if the removal has taken effect, are closed
    (see `removed_hits_close`); a removal dated later is left to the daily sweep on its day. One
    transaction, done once per job."""
    with transaction.atomic():
        job = _lock_if_mine(job_id, runner)
        if job is None or job.removals_done:
            return
        today = timezone.localdate()
        removed = [change.listed_id for change in _changes(job_id, ListChange.Action.REMOVE) if change.on <= today]
        closed = _close_hits_of(removed, rescreen_id=job.pk)
        if job.link_change_ids:
            closed += _close_unowned(today, rescreen_id=job.pk)
        job.removals_done, job.closed_hits, job.heartbeat = True, closed, timezone.now()
        job.save(update_fields=["removals_done", "closed_hits", "heartbeat"])


def removed_hits_close(*, on=None) -> int:
    """The daily sweep: the hits that still stand on entries whose removal has taken effect by
    `on` (today) are closed, each with an audit event. A removal dated in the future leaves its
    hits, and the entry, in force until that day. Safe to run twice: a closed hit stays closed."""
    on = on or timezone.localdate()
    with transaction.atomic():
        removed = list(ListedParty.objects.filter(removed_on__lte=on, hits__state__in=(HitState.OPEN, HitState.TRUE))
                       .values_list("pk", flat=True).distinct())
        return _close_hits_of(removed) + _close_unowned(on)


def _close_unowned(on, *, rescreen_id=None) -> int:
    """Hits raised through ownership alone (not on the party's own name) whose listed owner no
    longer holds the threshold on `on` (a link ended or was corrected) are closed, each with an
    audit event. While the rule is suspended a share that still reaches the threshold keeps its
    hit: the suspension does not change who owns what."""
    hits = list(ScreeningHit.objects.select_for_update().select_related("party")
                .filter(state__in=(HitState.OPEN, HitState.TRUE)).exclude(ownership={})
                .exclude(ownership__has_key="with_name").order_by("pk"))
    if not hits:
        return 0
    owned, periods = ownership_index(on), ownership_rule_periods()
    closed = 0
    for hit in hits:
        query = replace(party_query(hit.party), name=hit.party_name)  # the name the hit was raised on
        still = {found.entry for found in owned.screen(query, on, periods)}
        if str(hit.listed_id) in still:
            continue
        before = {"state": hit.state, "ownership": hit.ownership}
        hit.state = HitState.CLOSED
        hit.version += 1
        hit.save(update_fields=["state", "version"])
        after = {"state": hit.state, "listed": hit.listed_id, "party": hit.party_id, "on": on.isoformat(),
                 "reason": "no longer owned at or above the threshold"}
        if rescreen_id is not None:
            after["rescreen"] = rescreen_id
        audit.record(actor=None, action="screening.hit_closed", obj=hit, before=before, after=after)
        closed += 1
    return closed


def _close_hits_of(listed_ids, *, rescreen_id=None) -> int:
    removals = {}
    for change in ListChange.objects.filter(listed_id__in=listed_ids, action=ListChange.Action.REMOVE).order_by("pk"):
        removals[change.listed_id] = change
    hits = (ScreeningHit.objects.select_for_update()
            .filter(listed_id__in=removals, state__in=(HitState.OPEN, HitState.TRUE)).order_by("pk"))
    closed = 0
    for hit in hits:
        before = {"state": hit.state}
        hit.state = HitState.CLOSED
        hit.version += 1
        hit.save(update_fields=["state", "version"])
        change = removals[hit.listed_id]
        after = {"state": hit.state, "listed": hit.listed_id, "party": hit.party_id, "change": change.pk,
                 "removal_announcement": change.announcement, "removed_on": change.on.isoformat()}
        if rescreen_id is not None:
            after["rescreen"] = rescreen_id
        audit.record(actor=None, action="screening.hit_closed", obj=hit, before=before, after=after)
        closed += 1
    return closed


def _open_parties() -> dict[int, list[OpenParty]]:
    """{party id: its open cases}: a party may be on more than one case."""
    source = registered_case_source()
    found: dict[int, list[OpenParty]] = {}
    for row in source.open_parties() if source else ():
        found.setdefault(row.party_id, []).append(row)
    return found


def _set_total(job_id, runner: str, total: int) -> None:
    with transaction.atomic():
        job = _lock_if_mine(job_id, runner)
        if job is not None and not job.parties_total:
            job.parties_total = total
            job.save(update_fields=["parties_total"])


@dataclass
class Against:
    """What a job screens against: the entries its list changes add, and, after a change of
    ownership links, the links in force today (a share is a sum over the whole graph)."""

    screener: Screener
    entries: dict  # list entry id -> ListedParty
    owned: object = None  # index.OwnershipIndex
    periods: list = ()

    def screen(self, party) -> list:
        queries = party_queries(party)
        found = list(best_hits(self.screener, queries).values())
        if self.owned:
            named = {hit.entry for hit in found}
            for query in queries:
                for hit in self.owned.screen(query, timezone.localdate(), self.periods):
                    if hit.entry not in named and int(hit.entry) in self.entries:
                        named.add(hit.entry)
                        found.append(hit)
        return found

    def __bool__(self) -> bool:
        return bool(self.entries)


def _screener(job_id) -> Against:
    """A screener over the entries the changes add, as they stand now: one removed since is left
    out. An entry in force from a later day is screened now, for the cases it will then meet."""
    ids = [change.listed_id for change in _changes(job_id, ListChange.Action.ADD)]
    today = timezone.localdate()
    entries = ListedParty.objects.filter(pk__in=ids).exclude(removed_on__lte=today).in_bulk()
    against = Against(Screener([list_entry(entry) for entry in entries.values()],
                               list_version=f"rescreen-{job_id}"), entries)
    if RescreenJob.objects.values_list("link_change_ids", flat=True).get(pk=job_id):
        against.owned = ownership_index(today, version=f"rescreen-{job_id}")
        against.periods = ownership_rule_periods()
        against.entries = {**ListedParty.objects.in_force(today).in_bulk([int(pk) for pk in against.owned.listed]),
                           **entries}
    return against


def _next_batch(job_id, order: list[int]) -> list[int]:
    cursor = RescreenJob.objects.values_list("cursor", flat=True).get(pk=job_id)
    start = bisect.bisect_right(order, cursor)
    return order[start:start + BATCH_SIZE]


def _screen_batch(job_id, runner: str, batch: list[int], parties: dict, against: Against) -> bool:
    """Screen one batch and move the cursor past it, in one transaction. False when the job is
    no longer this run's."""
    source = registered_case_source()
    with transaction.atomic():
        job = _lock_if_mine(job_id, runner)
        if job is None:
            return False
        now, new = timezone.now(), 0
        for party in Party.objects.filter(pk__in=batch).order_by("pk") if against else ():
            for found in against.screen(party):
                hit, created = hit_record(party=party, entry=against.entries[int(found.entry)], hit=found, now=now)
                if created and hit.state in (HitState.OPEN, HitState.TRUE):
                    new += 1
                    for case in parties[party.pk]:
                        source.tell(hit=hit, case=case)
        job.cursor = batch[-1]
        job.parties_done += len(batch)
        job.new_hits += new
        job.heartbeat = timezone.now()
        job.save(update_fields=["cursor", "parties_done", "new_hits", "heartbeat"])
    return True


def _finish(job_id, runner: str) -> RescreenJob:
    with transaction.atomic():
        job = _lock_if_mine(job_id, runner)
        if job is None:
            return RescreenJob.objects.get(pk=job_id)
        job.state, job.finished_at, job.runner, job.error = RescreenState.DONE, timezone.now(), "", ""
        job.parties_total = max(job.parties_total, job.parties_done)
        job.save(update_fields=["state", "finished_at", "runner", "error", "parties_total"])
    return job

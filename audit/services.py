"""Writing and verifying the audit chain.

`record` must be called inside the transaction that makes the change it describes, so the event
and the change commit or roll back together.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from audit.models import AuditEvent

GENESIS = "0" * 64
# An arbitrary constant key for PostgreSQL's transaction-level advisory lock that serialises
# appends to the chain (two transactions must not both link to the same previous event).
_CHAIN_LOCK_KEY = 7_310_001


def _canonical(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))


def _normalise(value):
    """The JSON a value becomes once stored, so the hash is the same before and after a save.
    Floats become strings: PostgreSQL's jsonb rewrites their notation (1e20 -> 100000...)."""
    return json.loads(_canonical(value), parse_float=str)


def compute_hash(*, seq, created_at: datetime, actor_id, actor_label, action, object_type,
                 object_id, before, after, prev_hash) -> str:
    payload = _canonical({
        "seq": seq,
        "created_at": created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "before": before,
        "after": after,
        "prev_hash": prev_hash,
    })
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _event_hash(event: AuditEvent) -> str:
    return compute_hash(
        seq=event.seq, created_at=event.created_at, actor_id=event.actor_id,
        actor_label=event.actor_label, action=event.action, object_type=event.object_type,
        object_id=event.object_id, before=event.before, after=event.after,
        prev_hash=event.prev_hash,
    )


def record(*, actor, action: str, obj=None, object_type: str = "", object_id="",
           before: dict | None = None, after: dict | None = None) -> AuditEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the change")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    seq = (last.seq + 1) if last else 1
    prev_hash = last.hash if last else GENESIS
    created_at = timezone.now()
    actor_label = "system" if actor is None else f"{actor.username} ({actor.role or 'superuser'})"
    before = _normalise(before or {})
    after = _normalise(after or {})
    event = AuditEvent(
        seq=seq, created_at=created_at, actor=actor, actor_label=actor_label, action=action,
        object_type=object_type, object_id=str(object_id), before=before, after=after,
        prev_hash=prev_hash,
    )
    event.hash = _event_hash(event)
    event.save()
    return event


@dataclass
class ChainReport:
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the chain in order; name the first event that was edited, deleted or reordered."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            return ChainReport(checked, expected_seq,
                               f"event {expected_seq} is missing (deleted): the next event is {event.seq}")
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.seq,
                               f"event {event.seq} does not follow event {event.seq - 1} "
                               "(an earlier event was deleted, replaced or reordered)")
        if _event_hash(event) != event.hash:
            return ChainReport(checked, event.seq, f"event {event.seq} was edited after it was written")
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    return ChainReport(checked)


def history(obj):
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))

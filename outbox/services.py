import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from outbox.models import OutboxMessage

log = logging.getLogger(__name__)


def enqueue(task: str, **kwargs) -> OutboxMessage:
    """Record a task in the current transaction and send it once the transaction commits."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox.enqueue must run inside the transaction of the change")
    message = OutboxMessage.objects.create(task=task, kwargs=kwargs)
    transaction.on_commit(lambda: dispatch(message.pk))
    return message


def dispatch(message_id) -> bool:
    """Hand one message to Celery. A failure leaves it unsent for the relay to retry.

    The row is claimed with a lock (skipping a row another sender holds), so the on-commit send and
    a relay running at the same moment do not both send it."""
    from portal.celery import app

    with transaction.atomic():
        message = (OutboxMessage.objects.select_for_update(skip_locked=True)
                   .filter(pk=message_id, sent_at__isnull=True).first())
        if message is None:
            return False
        try:
            task = app.tasks[message.task]
            # The message id doubles as the task id, so duplicates are recognisable in logs.
            result = task.apply_async(kwargs=message.kwargs, task_id=str(message.pk))
            if app.conf.task_always_eager and result.failed():
                raise result.result
        except Exception as exc:  # broker down, unknown task, task failure in eager mode
            log.warning("outbox: could not send %s (%s): %s", message.task, message.pk, exc)
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000])
            return False
        OutboxMessage.objects.filter(pk=message.pk).update(
            sent_at=timezone.now(), attempts=F("attempts") + 1, last_error="")
    return True


def relay(grace_seconds: int | None = None, limit: int = 500) -> int:
    """Send messages that are still unsent after the grace period (their on-commit send failed
    or never ran). Messages that failed least often go first, so a few that always fail cannot
    hold the others back. Returns how many were sent."""
    grace = settings.OUTBOX_RELAY_GRACE_SECONDS if grace_seconds is None else grace_seconds
    cutoff = timezone.now() - timedelta(seconds=grace)
    ids = list(
        OutboxMessage.objects.filter(sent_at__isnull=True, created_at__lte=cutoff)
        .order_by("attempts", "created_at").values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if dispatch(pk))

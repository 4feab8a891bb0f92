"""Celery tasks of the statutory clock."""

from celery import shared_task

from licensing.clock import selectors as clock


@shared_task(name="licensing.refresh_clocks", acks_late=True)
def refresh_clocks() -> int:
    """Beat: keep the clock fields queues sort on current (a paused case's due date moves every
    working day; a calendar entered since fills in due dates that were unknown). Idempotent."""
    return clock.refresh_open_cases()

"""Celery tasks of the statutory clock."""

from celery import shared_task

from licensing.clock import services as clock_services


@shared_task(name="licensing.refresh_clocks", acks_late=True)
def refresh_clocks() -> int:
    """Beat: keep the clock fields queues sort on current (a paused case's due date moves every
    working day; a calendar entered since fills in due dates that were unknown). Idempotent."""
    return clock_services.refresh_open_cases()

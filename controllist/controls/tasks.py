"""Celery task for temporary controls: records lapses and sends the 60-day review reminders."""

from celery import shared_task

from controllist.controls import services as controls


@shared_task(name="controllist.temporary_controls_daily", autoretry_for=(Exception,), retry_backoff=True,
             retry_backoff_max=600, max_retries=5)
def temporary_controls_daily() -> dict:
    return controls.temporary_controls_sweep()

"""Celery task of end-use checks: telling the officers about checks past their deadline. Thin and
idempotent (each check is told once); beat can run it hourly (`enduser.enduse_checks_overdue`)."""

from celery import shared_task

from enduser.checks import services


@shared_task(name="enduser.enduse_checks_overdue", acks_late=True)
def enduse_checks_overdue() -> int:
    return services.checks_tell_overdue()

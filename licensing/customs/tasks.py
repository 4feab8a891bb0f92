"""Celery tasks of customs: the hourly escalation of challenges not answered in time."""

from celery import shared_task

from licensing.customs import challenges


@shared_task(name="licensing.escalate_overdue_challenges")
def escalate_overdue_challenges() -> int:
    return challenges.challenges_escalate()

"""Celery tasks of the ministry's review (routing, reminders, escalation). PLACEHOLDER: the helper
owning referrals fills it in."""

from celery import shared_task


@shared_task(name="licensing.propose_referrals", acks_late=True)
def propose_referrals(*, application_id: int) -> int:
    return 0

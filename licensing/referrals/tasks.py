"""Celery tasks of the ministry's review: routing after acceptance, and the agencies' deadlines
(reminder, escalation, silence). Thin: they take ids, and the services lock and re-check, so a
task run twice (a retry, a beat firing twice) changes nothing the second time."""

import logging
from datetime import date

from celery import shared_task
from django.utils import timezone

from licensing.referrals import services as referrals

log = logging.getLogger(__name__)

RETRY = {"acks_late": True, "autoretry_for": (Exception,), "retry_backoff": True, "retry_backoff_max": 600,
         "max_retries": 10}


@shared_task(name="licensing.propose_referrals", bind=True, **RETRY)
def propose_referrals(self, *, application_id: int) -> int:
    return len(referrals.referrals_propose(application_id))


@shared_task(name="licensing.referral_deadlines", bind=True, **RETRY)
def referral_deadlines(self, today: str | None = None) -> dict:
    """Beat: every sent referral whose reminder, escalation or silence is due, one transaction
    each. `today` (YYYY-MM-DD) lets tests and operators run it for a given day."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    counts = {"remind": 0, "escalate": 0, "silence": 0}
    failed = []
    for referral_id in referrals.referrals_due(day):
        try:
            for action in referrals.referral_deadline_pass(referral_id, today=day):
                counts[action] += 1
        except Exception:  # one bad referral must not hold back the others; retried below
            log.exception("referral deadlines: referral %s failed", referral_id)
            failed.append(referral_id)
    if failed:
        raise RuntimeError(f"referral deadlines failed for referrals {failed}")
    return counts

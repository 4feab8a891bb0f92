"""Celery tasks of the decision: the refusal letter, written after the refusal commits."""

from celery import shared_task

from licensing.decisions import services as decisions

__all__ = ["issue_missing_refusal_letters", "issue_refusal_letter"]


@shared_task(name="licensing.issue_refusal_letter", bind=True, autoretry_for=(Exception,),
             retry_backoff=True, retry_backoff_max=600, max_retries=10)
def issue_refusal_letter(self, *, application_id: int) -> str | None:
    letter = decisions.refusal_letter_issue(application_id=application_id)
    return letter.number if letter else None


@shared_task(name="licensing.issue_missing_refusal_letters")
def issue_missing_refusal_letters() -> int:
    """Beat's safety net, like issue_missing_licences: a refused case whose letter task was lost
    or gave up gets it again (the task is idempotent)."""
    ids = decisions.refused_without_letter()
    for application_id in ids:
        issue_refusal_letter.delay(application_id=application_id)
    return len(ids)

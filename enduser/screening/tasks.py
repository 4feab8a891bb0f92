"""Celery task of screening: rescreening the open cases after a list change. Thin: it takes the
job id; the service takes the job, works it in batches and is safe to run twice."""

from celery import shared_task

from enduser.screening import rescreen as rescreening

MAX_RETRIES = 8


@shared_task(name="enduser.rescreen", bind=True, acks_late=True, max_retries=MAX_RETRIES)
def rescreen(self, *, job_id: int) -> str | None:
    try:
        job = rescreening.rescreen_run(job_id=job_id)
    except Exception as exc:
        if self.request.retries >= MAX_RETRIES:
            rescreening.rescreen_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
            raise
        raise self.retry(exc=exc, countdown=min(600, 2 ** self.request.retries * 10)) from exc
    if rescreening.rescreen_is_busy(job):
        # Another run holds it (a redelivered message while the first still works, or a run that
        # died): come back once such a run would count as dead, and take the job over then.
        raise self.retry(countdown=rescreening.STALE_AFTER.total_seconds() + 60)
    return job.state if job else None

"""Celery tasks of screening: rescreening the open cases after a list change (thin: it takes the
job id; the service takes the job, works it in batches and is safe to run twice), and the beat's
sweeps: jobs never started or left by a dead worker, and hits on entries removed as of today."""

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


@shared_task(name="enduser.rescreen_sweep", autoretry_for=(Exception,), retry_backoff=True,
             retry_backoff_max=600, max_retries=5)
def rescreen_sweep() -> list[int]:
    """Beat: send again the rescreening jobs never started or whose run died."""
    return rescreening.rescreen_sweep()


@shared_task(name="enduser.removed_hits_close", autoretry_for=(Exception,), retry_backoff=True,
             retry_backoff_max=600, max_retries=5)
def removed_hits_close() -> int:
    """Beat: close the hits on entries whose removal takes effect today."""
    return rescreening.removed_hits_close()

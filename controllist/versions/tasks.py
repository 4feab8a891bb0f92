"""Celery task for list imports: checks an uploaded file and imports it as a draft version."""

from celery import shared_task

from controllist.versions import services as versions


@shared_task(name="controllist.import_list", bind=True, autoretry_for=(Exception,),
             retry_backoff=True, retry_backoff_max=600, max_retries=5)
def import_list(self, *, job_id: int) -> str | None:
    job = versions.import_job_run(job_id=job_id)
    if versions.import_job_is_busy(job):
        # Another run holds it (a redelivered message while the first still works, or a run that
        # died): come back once such a run would count as dead, and take the job over then.
        raise self.retry(countdown=versions.IMPORT_STALE_AFTER.total_seconds() + 60, max_retries=3)
    return job.state if job else None

"""Celery task for list imports: checks an uploaded file and imports it as a draft version."""

from celery import shared_task

from controllist.services import versions


@shared_task(name="controllist.import_list", bind=True, autoretry_for=(Exception,),
             retry_backoff=True, retry_backoff_max=600, max_retries=5)
def import_list(self, *, job_id: int) -> str | None:
    job = versions.import_job_run(job_id=job_id)
    return job.state if job else None

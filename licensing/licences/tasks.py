from celery import shared_task

from licensing.licences import services


@shared_task(name="licensing.issue_licence", bind=True, autoretry_for=(Exception,),
             retry_backoff=True, retry_backoff_max=600, max_retries=10)
def issue_licence(self, *, application_id: int) -> str | None:
    licence = services.licence_issue(application_id=application_id)
    return licence.number if licence else None


@shared_task(name="licensing.issue_missing_licences")
def issue_missing_licences() -> int:
    """Beat's safety net: an approved case whose licence task was lost or gave up gets it again
    (the task is idempotent)."""
    ids = services.approved_without_licence()
    for application_id in ids:
        issue_licence.delay(application_id=application_id)
    return len(ids)


from celery import shared_task

from licensing import services


@shared_task(name="licensing.issue_licence", bind=True, autoretry_for=(Exception,),
             retry_backoff=True, retry_backoff_max=600, max_retries=10)
def issue_licence(self, *, application_id: int) -> str | None:
    licence = services.licence_issue(application_id=application_id)
    return licence.number if licence else None

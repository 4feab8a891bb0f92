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



@shared_task(name="licensing.issue_revocation_notice", bind=True, autoretry_for=(Exception,),
             retry_backoff=True, retry_backoff_max=600, max_retries=10)
def issue_revocation_notice(self, *, licence_id: int) -> str | None:
    notice = services.revocation_notice_issue(licence_id=licence_id)
    return notice.number if notice else None


@shared_task(name="licensing.issue_missing_revocation_notices")
def issue_missing_revocation_notices() -> int:
    """Beat's safety net, like issue_missing_licences: a revoked licence whose notice task was
    lost or gave up gets it again (the task is idempotent)."""
    ids = services.revoked_without_notice()
    for licence_id in ids:
        issue_revocation_notice.delay(licence_id=licence_id)
    return len(ids)


@shared_task(name="licensing.expire_licences")
def expire_licences() -> int:
    """Hourly: licences whose last valid day (Asia/Shanghai) has ended expire; idempotent, so a
    beat that was down catches up and one firing twice expires each licence once."""
    return services.licences_expire()

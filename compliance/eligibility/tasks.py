from celery import shared_task

from compliance.eligibility import services


@shared_task(name="compliance.eligibility_sweep", bind=True, autoretry_for=(Exception,),
             retry_backoff=True, retry_backoff_max=600, max_retries=5)
def eligibility_sweep(self) -> int:
    """Beat, daily: holders of general licences who are no longer eligible (a lapsed ICP rating
    among others) get a suspension proposal per licence. Idempotent."""
    return services.eligibility_sweep()

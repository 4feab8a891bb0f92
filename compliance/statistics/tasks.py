from celery import shared_task

from compliance.statistics import services


@shared_task(name="compliance.statistics_refresh")
def statistics_refresh() -> int:
    """Nightly (beat): recompute the statistics summary. Idempotent; runs queue on one lock."""
    return services.statistics_refresh().rows

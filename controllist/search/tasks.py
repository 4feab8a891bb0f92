"""Celery task of search: index every list version again (after the synonym table changed)."""

from celery import shared_task

from controllist.search.engine import reindex_all_versions


@shared_task(name="controllist.reindex_search", autoretry_for=(Exception,), retry_backoff=True,
             retry_backoff_max=600, max_retries=5)
def reindex_search() -> int:
    # Safe to run twice: each version's rows are deleted and written again in one transaction.
    return reindex_all_versions()

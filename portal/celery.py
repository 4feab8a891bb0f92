import logging
import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _warn_without_harfbuzz_subset(**kwargs):
    from portal.checks import warn_if_slow_pdf

    warn_if_slow_pdf(logging.getLogger("portal.worker"))


@worker_process_init.connect
def _load_signer(**kwargs):
    """Parse the licence signing key once per worker process, and fail loudly at start if the key
    or certificate is unusable rather than at the first approval."""
    from licensing.licences.signing import check_signer

    check_signer()

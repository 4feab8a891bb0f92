import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _warn_without_harfbuzz_subset(**kwargs):
    from portal.checks import warn_if_slow_pdf

    warn_if_slow_pdf(logging.getLogger("portal.worker"))

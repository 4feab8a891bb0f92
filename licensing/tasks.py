"""Celery finds tasks in `<app>.tasks`; each area of licensing keeps its own in `<area>/tasks.py`."""

from licensing.clock import tasks as clock_tasks  # noqa: F401  (registers the tasks)
from licensing.customs import tasks as customs_tasks  # noqa: F401
from licensing.decisions import tasks as decision_tasks  # noqa: F401
from licensing.licences import tasks as licence_tasks  # noqa: F401
from licensing.referrals import tasks as referral_tasks  # noqa: F401
from licensing.reporting import tasks as reporting_tasks  # noqa: F401

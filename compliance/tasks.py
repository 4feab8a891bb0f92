"""Celery finds tasks in `<app>.tasks`; each area of compliance keeps its own in `<area>/tasks.py`."""

from compliance.eligibility import tasks as eligibility_tasks  # noqa: F401  (registers the tasks)
from compliance.icp import tasks as icp_tasks  # noqa: F401  (registers the tasks)
from compliance.statistics import tasks as statistics_tasks  # noqa: F401  (registers the tasks)

"""Celery finds tasks in `<app>.tasks`; each area of compliance keeps its own in `<area>/tasks.py`."""

from compliance.icp import tasks as icp_tasks  # noqa: F401  (registers the tasks)

"""Celery finds tasks in `<app>.tasks`; each area of compliance keeps its own in `<area>/tasks.py`."""

from compliance.statistics import tasks as statistics_tasks  # noqa: F401  (registers the tasks)

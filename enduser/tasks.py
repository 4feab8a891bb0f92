"""Celery finds tasks in `<app>.tasks`; each area of enduser keeps its own in `<area>/tasks.py`."""

from enduser.checks import tasks as checks_tasks  # noqa: F401  (registers the tasks)
from enduser.screening import tasks as screening_tasks  # noqa: F401  (registers the tasks)

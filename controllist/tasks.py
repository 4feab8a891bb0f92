"""Celery finds tasks in `<app>.tasks`; each area of the control list keeps its own in `<area>/tasks.py`."""

from controllist.controls import tasks as control_tasks  # noqa: F401  (registers the tasks)
from controllist.search import tasks as search_tasks  # noqa: F401
from controllist.versions import tasks as version_tasks  # noqa: F401

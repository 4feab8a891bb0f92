"""Celery finds tasks in `<app>.tasks`; the control list keeps them beside their parts."""

from controllist import tasks_controls, tasks_import  # noqa: F401  (registers the tasks)

"""Celery tasks of the statutory clock. PLACEHOLDER: the clock helper owns it."""

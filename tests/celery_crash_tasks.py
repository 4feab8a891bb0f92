"""A task for tests/test_celery.py, loaded into a real worker with --include: the first run kills
its own worker process mid-task, the redelivered run records that it completed."""

import os
import signal
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.crash_once")
def crash_once(*, marker_dir: str) -> str:
    folder = Path(marker_dir)
    started = folder / "started"
    if not started.exists():
        started.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)  # the worker process dies with the task unacknowledged
    (folder / "done").write_text(str(os.getpid()))
    return "done"

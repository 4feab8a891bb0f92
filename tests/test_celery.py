"""Celery configuration, and (in CI, against the real Redis and PostgreSQL) a real worker that
issues a licence."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from licensing.models import Licence
from portal.celery import app as celery_app
from portal.processes import PROCESSES
from tests.conftest import decide

ROOT = Path(__file__).resolve().parent.parent


def test_workers_acknowledge_late_and_take_one_task_at_a_time():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True  # redelivered when a worker dies mid-task
    assert conf.worker_prefetch_multiplier == 1
    assert conf.beat_schedule["outbox-relay"]["task"] == "outbox.relay"
    assert "licensing.issue_licence" in celery_app.tasks and "outbox.relay" in celery_app.tasks


def test_without_redis_tasks_run_in_process():
    if settings.REDIS_URL:
        assert settings.CELERY_TASK_ALWAYS_EAGER is False and settings.CELERY_BROKER_URL == settings.REDIS_URL
    else:
        assert settings.CELERY_TASK_ALWAYS_EAGER is True


@contextlib.contextmanager
def real_worker(env: dict, *extra: str):
    """The production worker command (portal/processes.py) with one process, stopped afterwards.
    Yields a function that returns the worker's output so far once it has stopped."""
    argv = [str(Path(sys.executable).parent / PROCESSES["worker"][0]), *PROCESSES["worker"][1:],
            "--without-heartbeat", "--without-gossip", "--without-mingle", *extra]
    argv[argv.index("--concurrency") + 1] = "1"
    worker = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, start_new_session=True)
    result = {"output": ""}
    try:
        yield worker, result
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            result["output"] = worker.communicate(timeout=30)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            result["output"] = worker.communicate()[0].decode(errors="replace")


def wait_for(condition, worker, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.5)
        assert worker.poll() is None, worker.stdout.read().decode(errors="replace")[-3000:]


needs_services = pytest.mark.skipif(
    not (settings.REDIS_URL and connection.vendor == "postgresql"),
    reason="needs REDIS_URL and a PostgreSQL DATABASE_URL (run by .ci/run)",
)


@needs_services
@pytest.mark.services
@pytest.mark.xdist_group("celery-queue")  # shares the Redis queue "celery": one process at a time
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_real_worker_issues_the_licence(actors, case_factory, calendar_2027):
    celery_app.conf.task_always_eager = False  # the autouse fixture restores it
    app = case_factory("awaiting_decision")
    celery_app.control.purge()  # tasks left in the queue by earlier runs
    decide(app.pk, actors)
    assert not Licence.objects.filter(application=app).exists()  # sent to Redis, not run here

    db = connection.settings_dict
    env = {"DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
           "REDIS_URL": settings.REDIS_URL, "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    with real_worker(env, "--pool", "solo") as (worker, result):
        wait_for(lambda: Licence.objects.filter(application=app).exists(), worker)
    licence = Licence.objects.filter(application=app).first()
    output = result["output"]
    assert licence is not None, output[-3000:]
    assert bytes(licence.pdf).startswith(b"%PDF") and "licensing.issue_licence" in output


@needs_services
@pytest.mark.services
@pytest.mark.xdist_group("celery-queue")
def test_task_is_redelivered_when_its_worker_process_dies(tmp_path):
    """acks_late + reject_on_worker_lost: a pool process killed mid-task does not lose the task."""
    from kombu import Connection

    with Connection(settings.REDIS_URL) as conn:
        conn.default_channel.queue_purge("celery")
    env = {"REDIS_URL": settings.REDIS_URL, "PORTAL_VAR_DIR": str(tmp_path / "var")}
    with real_worker(env, "--include", "tests.celery_crash_tasks") as (worker, result):
        celery_app.conf.task_always_eager = False  # the autouse fixture restores it
        celery_app.send_task("tests.crash_once", kwargs={"marker_dir": str(tmp_path)})
        wait_for(lambda: (tmp_path / "done").exists(), worker)
    output = result["output"]
    assert (tmp_path / "started").exists(), output[-3000:]
    assert (tmp_path / "done").exists(), output[-3000:]
    assert (tmp_path / "started").read_text() != (tmp_path / "done").read_text()  # another process
    assert "WorkerLostError" in output or "signal 9" in output, output[-3000:]

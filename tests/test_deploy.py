"""Deployment: docker-compose.yml, production settings, strict env parsing, and the real processes.

The process tests run the very commands of portal/processes.py (the ones docker-compose.yml runs),
with the venv's python/gunicorn/celery, each in its own process group, bounded by timeouts and
always killed. Tests needing Redis run only with PORTAL_RUN_SERVICE_TESTS=1 (.ci/run sets it).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from portal import processes
from portal.processes import PROCESSES

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
APP_SERVICES = ("migrate", "web", "worker", "beat")
HOST = "portal.example"
SERVICE_TESTS = os.environ.get("PORTAL_RUN_SERVICE_TESTS") == "1"

# Variables the settings read: cleared in every subprocess so the test decides them all.
_PORTAL_ENV_PREFIXES = ("DJANGO_", "PORTAL_", "CELERY_")
_PORTAL_ENV_NAMES = {
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_URL",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "LOG_LEVEL",
    "OUTBOX_RELAY_GRACE_SECONDS",
}


# --- helpers ---------------------------------------------------------------------------------


def _env(tmp: Path, **overrides: str | None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_PORTAL_ENV_PREFIXES) and key not in _PORTAL_ENV_NAMES
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        PYTHONUNBUFFERED="1",
        PORTAL_VAR_DIR=str(tmp / "var"),
        DJANGO_STATIC_ROOT=str(tmp / "static"),
        DJANGO_MEDIA_ROOT=str(tmp / "media"),
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _production_env(tmp: Path, **overrides: str | None) -> dict[str, str]:
    values: dict[str, str | None] = {
        "PORTAL_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_hex(32),  # 64 characters
        "DJANGO_ALLOWED_HOSTS": HOST,
        # Only read by the workers that sign licences; check and the web process need the names.
        "LICENCE_SIGNING_KEY": str(tmp / "signing-key.pem"),
        "LICENCE_SIGNING_CERT": str(tmp / "signing-cert.pem"),
        "PORTAL_BASE_URL": f"https://{HOST}",
        "REDIS_URL": "redis://127.0.0.1:6379/15",  # not contacted by check or /healthz
    }
    values.update(overrides)
    return _env(tmp, **values)


def _executable(name: str) -> str:
    """python -> this interpreter; other commands from the same bin directory (the venv)."""
    if name == "python":
        return sys.executable
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed next to {sys.executable} nor on PATH")
    return found


def _argv(name: str, **replace: str) -> list[str]:
    argv = processes.command(name, **replace)
    return [_executable(argv[0]), *argv[1:]]


def _run(argv: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            argv,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:  # subprocess.run has killed it already
        pytest.fail(
            f"{' '.join(argv)} did not finish within {timeout}s:\n{exc.stdout}\n{exc.stderr}"
        )


def _manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return _run([sys.executable, "manage.py", *args], env, timeout=timeout)


@contextlib.contextmanager
def _running(argv: list[str], env: dict[str, str], log: Path):
    """Start a long-running process (own process group, output to a file); always stop it."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
                if proc.poll() is not None:
                    break
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=grace)
            # Children (gunicorn workers, celery pool) may outlive the parent: end the group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"


# --- docker-compose.yml and Dockerfile -------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_has_every_service(compose):
    services = compose["services"]
    for name in ("postgres", "redis", *APP_SERVICES):
        assert name in services, f"docker-compose.yml lacks service {name}"
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")


def test_compose_healthchecks(compose):
    for name, service in compose["services"].items():
        if name == "migrate":
            assert "healthcheck" not in service, "migrate is one-shot: no healthcheck"
            assert service.get("restart") == "no", "a one-shot migrate must not restart"
            continue
        check = service.get("healthcheck")
        assert check and check.get("test") and not check.get("disable"), (
            f"{name} has no healthcheck"
        )
    services = compose["services"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "celery -A portal inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    web_check = services["web"]["healthcheck"]["test"]
    assert web_check == ["CMD", "python", "-m", "portal.processes", "healthcheck", "web"]
    assert processes.HEALTH_PATH == "/healthz"
    beat_check = services["beat"]["healthcheck"]["test"]
    assert beat_check == ["CMD", "python", "-m", "portal.processes", "healthcheck", "beat"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_compose_commands_are_the_processes(compose, name):
    assert compose["services"][name]["command"] == PROCESSES[name]


def test_compose_start_order(compose):
    services = compose["services"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["redis"]["condition"] == "service_healthy", name


@pytest.mark.parametrize("name", APP_SERVICES)
def test_compose_environment(compose, name):
    service = compose["services"][name]
    env = service["environment"]
    assert env["PORTAL_ENV"] == "production"
    assert (
        env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
    )
    assert env["REDIS_URL"].startswith("redis://redis:6379/")
    # Rate limits are shared by every worker and host: a Redis database apart from the broker's.
    assert env["CACHE_URL"].startswith("redis://redis:6379/") and env["CACHE_URL"] != env["REDIS_URL"]
    # No secret baked into the file: compose refuses to start without one.
    assert env["DJANGO_SECRET_KEY"] == "${DJANGO_SECRET_KEY:?set DJANGO_SECRET_KEY}"
    assert "DJANGO_ALLOWED_HOSTS" in env and "DJANGO_BEHIND_TLS_PROXY" in env
    media_root = env["DJANGO_MEDIA_ROOT"]
    assert f"media:{media_root}" in service["volumes"], "media must live on the named volume"


def test_compose_volumes(compose):
    assert {"pgdata", "media"} <= set(compose["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]


def test_dockerfile():
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim-bookworm\b", text, re.M)
    for package in ("libharfbuzz-subset0", "libpango-1.0-0", "libpangoft2-1.0-0", "fonts-noto-cjk"):
        assert package in text, package
    assert "collectstatic" in text
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0"), "the image must run as a non-root user"
    cmd = re.findall(r"^CMD\s+(\[.*\])\s*$", text, re.M)
    assert cmd and json.loads(cmd[-1]) == PROCESSES["web"]


def test_dockerignore_keeps_local_state_out_of_the_image():
    path = ROOT / ".dockerignore"
    assert path.exists(), ".dockerignore is missing: COPY . . would copy .venv, var/ and .git"
    ignored = {line.strip().strip("/") for line in path.read_text().splitlines()}
    for entry in (".venv", "var", ".git"):
        assert entry in ignored, f".dockerignore must exclude {entry}"


def test_process_helpers():
    web = processes.command("web", bind="127.0.0.1:1234", workers="1")
    assert web[web.index("--bind") + 1] == "127.0.0.1:1234"
    assert web[web.index("--workers") + 1] == "1"
    assert PROCESSES["web"][PROCESSES["web"].index("--bind") + 1] == "0.0.0.0:8000"
    with pytest.raises(KeyError):
        processes.command("migrate", bind="x")
    assert processes._health_host(".portal.example,other") == "portal.example"
    assert processes._health_host("*") == "localhost"
    assert processes.main(["bogus"]) == 2


# --- settings from the environment -----------------------------------------------------------


def test_check_deploy_passes_in_production(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="DATABASE_URL is not PostgreSQL",
)
def test_check_deploy_passes_in_production_on_postgresql(tmp_path):
    env = _production_env(tmp_path, DATABASE_URL=os.environ["DATABASE_URL"])
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", "--database", "default", env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_passes_with_no_environment(tmp_path):
    result = _manage("check", env=_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://x"),
        ("PORTAL_MAX_UPLOAD_MB", "abc"),
        ("PORTAL_MAX_UPLOAD_MB", "0"),
        ("PORTAL_ENV", "staging"),
        ("REDIS_URL", "http://127.0.0.1:6379/0"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_bad_environment_value_stops_start_up(tmp_path, name, value):
    result = _manage("check", env=_env(tmp_path, **{name: value}))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"Environment variable {name}" in output, output


@pytest.mark.parametrize(
    ("overrides", "name", "problem"),
    [
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY", "is required"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY", "must be at least 50 characters"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS", "is required"),
        ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG", "must not be true"),
        ({"LICENCE_SIGNING_KEY": None}, "LICENCE_SIGNING_KEY", "is required"),
        ({"PORTAL_BASE_URL": None}, "PORTAL_BASE_URL", "is required"),
        ({"REDIS_URL": None}, "REDIS_URL", "is required"),
    ],
)
def test_production_refuses_unsafe_settings(tmp_path, overrides, name, problem):
    result = _manage("check", env=_production_env(tmp_path, **overrides))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"Environment variable {name} {problem}" in output, output


# --- the processes, for real -----------------------------------------------------------------


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A fresh SQLite database migrated by PROCESSES['migrate'] in production mode."""
    tmp = tmp_path_factory.mktemp("deploy")
    env = _production_env(tmp)
    result = _run(_argv("migrate"), env, timeout=300)
    return tmp, env, result


def test_migrate_process(migrated):
    tmp, env, result = migrated
    assert result.returncode == 0, result.stdout + result.stderr
    again = _run(_argv("migrate"), env, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No migrations to apply" in again.stdout


def test_web_process_answers_healthz(migrated):
    tmp, env, result = migrated
    if result.returncode != 0:
        pytest.fail("migrate failed, see test_migrate_process")
    port = _free_port()
    argv = _argv("web", bind=f"127.0.0.1:{port}", workers="1")
    url = f"http://127.0.0.1:{port}{processes.HEALTH_PATH}"
    log = tmp / "gunicorn.log"
    with _running(argv, env, log) as proc:
        deadline = time.monotonic() + 60
        while not processes.web_healthy(url, host=HOST, timeout=2):
            if proc.poll() is not None:
                pytest.fail(f"gunicorn exited with {proc.returncode}:\n{_tail(log)}")
            if time.monotonic() > deadline:
                pytest.fail(f"{url} did not answer 200 within 60 s:\n{_tail(log)}")
            time.sleep(0.5)
        request = urllib.request.Request(url, headers={"Host": HOST, "X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
            assert response.headers.get_content_type() == "application/json"
            body = json.loads(response.read())
        assert body["status"] == "ok" and body["database"] == "ok", body
        # Production security reaches the client through gunicorn.
        assert "max-age=" in (response.headers.get("Strict-Transport-Security") or "")
        # A host outside DJANGO_ALLOWED_HOSTS is refused.
        login = f"http://127.0.0.1:{port}/admin/login/"
        bad = urllib.request.Request(
            login, headers={"Host": "evil.example", "X-Forwarded-Proto": "https"}
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(bad, timeout=10)
        assert refused.value.code == 400
        assert proc.poll() is None, _tail(log)


def _remove_relay_messages(redis_url: str) -> None:
    """Take the outbox.relay messages beat queued off the tests' Redis db again."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        for raw in client.lrange("celery", 0, -1):
            with contextlib.suppress(ValueError, TypeError, AttributeError):
                if json.loads(raw)["headers"]["task"] == "outbox.relay":
                    client.lrem("celery", 0, raw)
    finally:
        client.close()


@pytest.mark.services
@pytest.mark.xdist_group("celery-queue")  # beat sends to the queue test_celery's workers read
@pytest.mark.skipif(
    not SERVICE_TESTS, reason="needs Redis: set PORTAL_RUN_SERVICE_TESTS=1 (CI does)"
)
def test_beat_process_schedules_outbox_relay(tmp_path):
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    schedule_dir = Path(tempfile.mkdtemp(prefix="beat-", dir="/tmp"))
    schedule = str(schedule_dir / "schedule")
    argv = _argv("beat", schedule=schedule)
    log = tmp_path / "beat.log"
    env = _production_env(tmp_path, REDIS_URL=redis_url)
    sent = "Sending due task outbox-relay (outbox.relay)"
    try:
        with _running(argv, env, log) as proc:
            # The relay runs every 30 s; beat's first send comes one interval after it starts.
            deadline = time.monotonic() + 75
            while sent not in (output := log.read_text(errors="replace")):
                if proc.poll() is not None:
                    pytest.fail(f"beat exited with {proc.returncode}:\n{_tail(log)}")
                if time.monotonic() > deadline:
                    pytest.fail(f"beat did not send outbox.relay within 75 s:\n{_tail(log)}")
                time.sleep(0.5)
            assert "beat: Starting..." in output
            assert processes.beat_healthy(schedule), "beat's schedule file should be fresh"
            assert proc.poll() is None
        assert not processes.beat_healthy(str(schedule_dir / "missing"))
    finally:
        shutil.rmtree(schedule_dir, ignore_errors=True)
        _remove_relay_messages(redis_url)


def test_workers_get_the_licence_signing_key_as_a_secret(compose):
    worker = compose["services"]["worker"]
    assert {"licence_signing_key", "licence_signing_cert"} <= set(worker["secrets"])
    env = worker["environment"]
    assert env["LICENCE_SIGNING_KEY"] == "/run/secrets/licence_signing_key"
    assert env["LICENCE_SIGNING_CERT"] == "/run/secrets/licence_signing_cert"
    assert set(compose["secrets"]) == {"licence_signing_key", "licence_signing_cert"}


def test_every_beat_entry_names_a_registered_task():
    """A typo in a schedule entry would only show up in a worker's log as an unknown task."""
    from django.conf import settings as django_settings

    from portal.celery import app

    app.loader.import_default_modules()
    for name, entry in django_settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name

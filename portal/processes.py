"""The production processes, named once.

docker-compose.yml runs exactly these commands (tests/test_deploy.py compares them), and the same
tests start them for real: migrate on a fresh database, gunicorn answering /healthz, celery beat
sending `outbox.relay`. Every process reads its configuration from the environment
(portal/settings.py): PORTAL_ENV=production, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL,
REDIS_URL, DJANGO_MEDIA_ROOT, ...

Health checks used by the containers, runnable without Django settings:

    python -m portal.processes healthcheck web     # GET /healthz on 127.0.0.1:8000 answers 200
    python -m portal.processes healthcheck beat    # the beat schedule file was written recently
"""

from __future__ import annotations

import glob
import json
import os
import sys
import time
import urllib.error
import urllib.request

BEAT_SCHEDULE_FILE = "/tmp/celerybeat-schedule"
WEB_PORT = 8000
HEALTH_PATH = "/healthz"

PROCESSES: dict[str, list[str]] = {
    # One-shot, before web/worker/beat start.
    "migrate": ["python", "manage.py", "migrate", "--noinput"],
    "web": [
        "gunicorn",
        "portal.wsgi:application",
        "--bind",
        f"0.0.0.0:{WEB_PORT}",
        "--workers",
        "3",
        "--timeout",
        "60",
        "--access-logfile",
        "-",
    ],
    "worker": [
        "celery",
        "-A",
        "portal",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        "2",
    ],
    # Exactly one beat may run: it schedules outbox.relay (settings.CELERY_BEAT_SCHEDULE).
    "beat": [
        "celery",
        "-A",
        "portal",
        "beat",
        "--loglevel",
        "INFO",
        "--schedule",
        BEAT_SCHEDULE_FILE,
    ],
}


def command(name: str, **replace: str) -> list[str]:
    """A copy of PROCESSES[name] with option values replaced, e.g. command("web", bind="...")."""
    argv = list(PROCESSES[name])
    for option, value in replace.items():
        flag = "--" + option.replace("_", "-")
        if flag not in argv:
            raise KeyError(f"{name} has no {flag} option")
        argv[argv.index(flag) + 1] = value
    return argv


def _health_host(allowed_hosts: str | None) -> str:
    """A Host header the portal accepts: the first DJANGO_ALLOWED_HOSTS entry."""
    for host in (allowed_hosts or "").split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def web_healthy(url: str | None = None, host: str | None = None, timeout: float = 5.0) -> bool:
    """True when GET /healthz answers 200 with {"status": "ok"}.

    The request carries X-Forwarded-Proto: https, as the TLS proxy in front of the portal would,
    so that SECURE_SSL_REDIRECT in production does not answer with a redirect.
    """
    url = url or f"http://127.0.0.1:{WEB_PORT}{HEALTH_PATH}"
    host = host or _health_host(os.environ.get("DJANGO_ALLOWED_HOSTS"))
    request = urllib.request.Request(
        url, headers={"Host": host, "X-Forwarded-Proto": "https", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if response.status != 200:
                return False
            body = json.loads(response.read() or b"{}")
    except (urllib.error.URLError, OSError, ValueError):
        return False
    return isinstance(body, dict) and body.get("status") == "ok"


def beat_healthy(schedule_file: str = BEAT_SCHEDULE_FILE, max_age: float = 600.0) -> bool:
    """True when beat wrote its schedule file within max_age seconds.

    Beat syncs the file every 3 minutes while it sends outbox.relay every 30 seconds, so a file
    older than 10 minutes means beat is stuck. dbm may add a suffix (.db, .dat), hence the glob.
    """
    paths = glob.glob(glob.escape(schedule_file) + "*")
    if not paths:
        return False
    newest = max(os.path.getmtime(path) for path in paths)
    return time.time() - newest <= max_age


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "healthcheck" and argv[1] in ("web", "beat"):
        healthy = web_healthy() if argv[1] == "web" else beat_healthy()
        return 0 if healthy else 1
    if len(argv) == 1 and argv[0] in PROCESSES:
        print(" ".join(PROCESSES[argv[0]]))
        return 0
    print(
        "usage: python -m portal.processes healthcheck web|beat\n"
        "       python -m portal.processes " + "|".join(PROCESSES),
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Throughput of the customs verify endpoint under gunicorn, beside a bare Django JSON view.

    .venv/bin/python benchmarks/customs_verify.py [--licences 100000] [--requests 3000]
        [--clients 16] [--workers 2xcores+1] [--postgres-url postgres://postgres@127.0.0.1:5432/portal_bench_customs]

Uses the database in --postgres-url (created if missing and kept between runs), `migrate`, and
bulk-creates synthetic licences (serials from SERIAL_BASE on, one approved case and two items
each, exporter BENCH-CUSTOMS) until it holds --licences of them. A fresh customs system token
(scope verify) is made each run. Then it starts gunicorn on 127.0.0.1 (--workers sync workers,
by default 2 x cores + 1) with benchmarks/customs_bench_settings.py, whose urlconf adds a bare JSON view (`/bench/bare/`)
to the portal's, and sends --requests GETs to each of: the bare view, and the verify endpoint for
random licence numbers, from --clients threads (one connection per request, as sync workers close
them), in --rounds alternating slices so that other load on the machine weighs on both alike.
It prints requests per second of both, their ratio (the goal is >= 0.5), p50/p95 latency,
and the queries one verify makes (counted in process with the test client).

The machines have 2 cores, shared by gunicorn, PostgreSQL and the client threads: compare the
ratio of runs made one after the other, not absolute figures across days.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_customs"
EXPORTER_CODE = "BENCH-CUSTOMS"
SERIAL_BASE = 500000  # synthetic licence serials start here (real ones count up from 1)
BATCH = 5000
TARGET_RATIO = 0.5


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def ensure_postgres(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"refusing a database named {name!r}")
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {name}")
            print(f"created database {name}")
    admin.close()


def environment(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver", "PORTAL_CUSTOMS_RATE": "100000000/minute"}


def setup_django(url: str) -> None:
    ensure_postgres(url)
    os.environ.update(environment(url))
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.customs_bench_settings"
    import django

    django.setup()


def prepare(count: int) -> list[str]:
    """The synthetic licences' numbers, creating the missing ones."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Organisation, OrgKind, Role, User
    from licensing.licences.services import licence_number
    from licensing.models import Application, Licence, LicenceItem, Status

    call_command("migrate", verbosity=0)
    exporter, _ = Organisation.objects.get_or_create(
        code=EXPORTER_CODE, defaults={"kind": OrgKind.EXPORTER, "name_zh": "基准测试出口公司",
                                      "name_en": "Benchmark Exporter Ltd"})
    user, _ = User.objects.get_or_create(username="bench_customs_exporter",
                                         defaults={"organisation": exporter, "role": Role.EXPORTER_ADMIN})
    today = timezone.localdate()
    have = Licence.objects.filter(exporter=exporter).count()
    started = time.perf_counter()
    while have < count:
        size = min(BATCH, count - have)
        serials = range(SERIAL_BASE + have, SERIAL_BASE + have + size)
        with transaction.atomic():
            apps = Application.objects.bulk_create([
                Application(exporter=exporter, created_by=user, status=Status.APPROVED, reference=f"BCU{n:09d}",
                            destination="DE", end_user_snapshot={"name": f"End User {n} GmbH"},
                            export_port_id="2200") for n in serials])
            licences = Licence.objects.bulk_create([
                Licence(application=app, number=licence_number(today.year, n), exporter=exporter,
                        export_port_id="2200", issued_at=timezone.now(), valid_from=today,
                        valid_until=today + timedelta(days=364), pdf=b"", sha256="0" * 64)
                for app, n in zip(apps, serials, strict=True)])
            LicenceItem.objects.bulk_create([
                LicenceItem(licence=licence, line=line, control_code=code, hs_code="8505111000", customs_unit_id="035",
                            unit="kg", description="Samarium-cobalt alloy", quantity=100, value_rmb=100000)
                for licence in licences for line, code in ((1, "1C902.a"), (2, "1C902.b"))])
        have += size
        print(f"  {have} synthetic licences ({time.perf_counter() - started:.0f} s)", flush=True)
    return list(Licence.objects.filter(exporter=exporter).values_list("number", flat=True)[:count])


def new_token() -> str:
    from django.db import transaction

    from accounts.models import Organisation, OrgKind, Role, User
    from licensing.customs import tokens
    from licensing.models import CustomsSystem

    operator = Organisation.objects.filter(kind=OrgKind.OPERATOR).first()
    admin, _ = User.objects.get_or_create(username="bench_customs_admin",
                                          defaults={"organisation": operator, "role": Role.SYSTEM_ADMIN})
    with transaction.atomic():
        system = CustomsSystem.objects.filter(code="bench").first() or tokens.system_create(
            actor=admin, code="bench", name="Benchmark customs system")
        _row, plain = tokens.token_create(actor=admin, system_id=system.pk, scopes=["verify"], label="benchmark")
    return plain


def queries_per_verify(number: str, token: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Customs {token}")
    client.get(f"/api/customs/licences/{number}/")  # last_used_at is written on the first call
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/customs/licences/{number}/")
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def start_gunicorn(url: str, port: int, workers: int, worker_class: str = "sync", threads: int = 1) -> subprocess.Popen:
    env = environment(url)
    env["DJANGO_SETTINGS_MODULE"] = "benchmarks.customs_bench_settings"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "portal.wsgi:application", "--chdir", str(ROOT), "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", worker_class, "--threads", str(threads),
         "--log-level", "warning"],
        env=env, cwd=ROOT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/bench/bare/")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def load(port: int, paths: list[str], headers: dict, pool) -> tuple[float, list[tuple[float, int]]]:
    """(seconds, [(latency in ms, status)]) for GETs of `paths` from the pool's threads."""

    def one(path):
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        return (time.perf_counter() - started) * 1000, response.status

    started = time.perf_counter()
    results = list(pool.map(one, paths))
    return time.perf_counter() - started, results


def compare(port: int, bare_paths: list[str], verify_paths: list[str], headers: dict, clients: int, rounds: int):
    """Both endpoints in alternating slices, so a change of load on the machine (it is shared)
    weighs on both alike. Returns {name: (requests per second, latencies, non-200 answers)}."""
    totals = {"bare": [0.0, []], "verify": [0.0, []]}
    with ThreadPoolExecutor(clients) as pool:
        load(port, bare_paths[: clients * 5], headers, pool)  # warm up every worker
        load(port, verify_paths[: clients * 5], headers, pool)
        size = max(1, len(verify_paths) // rounds)
        for start in range(0, len(verify_paths), size):
            for name, paths in (("bare", bare_paths), ("verify", verify_paths)):
                seconds, results = load(port, paths[start:start + size], headers, pool)
                totals[name][0] += seconds
                totals[name][1] += results
    return {name: (len(results) / seconds, [r[0] for r in results], sum(1 for r in results if r[1] != 200))
            for name, (seconds, results) in totals.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--licences", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn sync workers (default 2 x cores + 1, gunicorn's advice)")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--rounds", type=int, default=10, help="alternating slices of bare and verify requests")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)

    setup_django(args.postgres_url)
    numbers = prepare(args.licences)
    token = new_token()
    queries = queries_per_verify(numbers[0], token)
    from django.db import connections

    connections.close_all()
    rng = random.Random(args.seed)
    verify_paths = [f"/api/customs/licences/{rng.choice(numbers)}/" for _ in range(args.requests)]
    bare_paths = ["/bench/bare/"] * args.requests
    headers = {"Authorization": f"Customs {token}", "Host": "127.0.0.1"}
    threads = args.threads if args.worker_class == "gthread" else 1
    server = start_gunicorn(args.postgres_url, args.port, args.workers, args.worker_class, threads)
    try:
        measured = compare(args.port, bare_paths, verify_paths, headers, args.clients, args.rounds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    (bare_rps, bare_ms, bare_bad), (verify_rps, verify_ms, verify_bad) = measured["bare"], measured["verify"]
    ratio = verify_rps / bare_rps
    print(f"licences: {len(numbers)}; gunicorn {args.worker_class} workers: {args.workers} x {threads} threads; "
          f"client threads: {args.clients}; "
          f"requests each: {args.requests}")
    print(f"bare JSON view : {bare_rps:8.1f} req/s  p50 {statistics.median(bare_ms):6.1f} ms  "
          f"p95 {percentile(bare_ms, 0.95):6.1f} ms  non-200: {bare_bad}")
    print(f"customs verify : {verify_rps:8.1f} req/s  p50 {statistics.median(verify_ms):6.1f} ms  "
          f"p95 {percentile(verify_ms, 0.95):6.1f} ms  non-200: {verify_bad}")
    print(f"ratio verify/bare: {ratio:.2f} (goal >= {TARGET_RATIO}); queries per verify: {queries} "
          f"(token, licence with exporter/case/port, items)")
    return 0 if ratio >= TARGET_RATIO and not verify_bad and not bare_bad else 1


if __name__ == "__main__":
    raise SystemExit(main())

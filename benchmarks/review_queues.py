#!/usr/bin/env python3
"""Time the review queues, the agency queue and a case page over many synthetic cases.

    .venv/bin/python benchmarks/review_queues.py [--cases 100000] [--requests 200]
        [--postgres-url postgres://postgres@127.0.0.1:5432/portal_bench_queues]
        [--province 31] [--code 3A] [--queue decision]

Uses the database in --postgres-url (created if missing, kept between runs: seeding 100,000 cases
takes minutes), `migrate`, and `manage.py seed_cases` for the missing cases when it holds fewer
synthetic cases than --cases. The 2027 calendar is not published yet: if it is missing it is
entered as plain weekdays (a stand-in, as in the tests) so deadlines in 2027 can be counted.
Then, in this process, Django's test Client signed in (force_login) as a synthetic ministry
officer and a MIIT reviewer times --requests GETs of each page (server time: middleware, views,
queries and templates, no network) and prints p50/p95 milliseconds and the queries per request,
then EXPLAIN ANALYZE of the queue's page and count queries.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_queues"
TARGET_MS = 50


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


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


def setup_django(url: str) -> None:
    if url.startswith("postgres"):
        ensure_postgres(url)
    # Before django.setup(): the settings read the environment once. DEBUG off, as in production
    # (DEBUG keeps every query in memory); the test client's host must be allowed.
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def prepare(cases: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from licensing.management.commands.seed_cases import REFERENCE_PREFIX
    from licensing.models import Application
    from workdays.models import CalendarYear
    from workdays.services import calendar_changed, calendar_year_fill_weekdays

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate                {time.perf_counter() - started:.1f} s")
    if not CalendarYear.objects.filter(year=2027, complete=True).exists():
        calendar_year_fill_weekdays(year=2027)
        CalendarYear.objects.filter(year=2027).update(complete=True)
        calendar_changed(years=[2027])
        print("calendar 2027          entered as plain weekdays (stand-in: not published yet)")
    have = Application.objects.filter(reference__startswith=REFERENCE_PREFIX).count()
    if have < cases:
        started = time.perf_counter()
        call_command("seed_cases", count=cases - have, seed=have + 1)
        print(f"seed_cases             {cases - have} cases in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does soon after a bulk load
            for table in ("licensing_application", "licensing_applicationitem", "licensing_referral"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"cases                  {Application.objects.count()} in the database")


def _users():
    from django.db.models import Count

    from accounts.models import Organisation, Role, User

    officer = (User.objects.filter(username__startswith="synthetic_officer_")
               .annotate(n=Count("assigned_cases")).order_by("-n").first())
    miit = Organisation.objects.get(code="MIIT")
    reviewer, _ = User.objects.get_or_create(username="synthetic_miit_reviewer", defaults={
        "organisation": miit, "role": Role.AGENCY_REVIEWER, "password": "!"})
    return officer, reviewer


def time_pages(args) -> dict:
    from django.db import connection
    from django.test import Client

    from licensing.models import Application, Status

    officer, reviewer = _users()
    case = (Application.objects.filter(status=Status.WITH_AGENCIES, reference__startswith="SYN")
            .order_by("decision_due", "pk").first())
    filters = {"province": args.province, "code": args.code, "sort": "deadline"}
    pages = [
        ("ministry queue, filtered", officer, f"/review/queues/{args.queue}/?{urlencode(filters)}"),
        ("ministry queue, all", officer, f"/review/queues/{args.queue}/"),
        ("ministry dashboard", officer, "/review/"),
        ("agency queue", reviewer, "/review/agency/"),
        ("case page", officer, f"/cases/{case.pk}/"),
        ("queue API, filtered", officer, f"/api/queues/{args.queue}/?{urlencode(filters)}"),
    ]
    clients = {}
    results = {}
    for label, user, path in pages:
        client = clients.get(user.pk)
        if client is None:
            client = clients[user.pk] = Client()
            client.force_login(user)
        for _ in range(5):  # warm-up: sessions, calendar cache, plans
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.content[:500])
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(path)
        rows = response.content.count(b'data-reference="') if path.startswith("/review/") else None
        times, cpu = [], []
        for _ in range(args.requests):
            t0, c0 = time.perf_counter(), time.process_time()
            client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        results[label] = {"path": path, "p50": statistics.median(times), "p95": percentile(times, 0.95),
                          "max": max(times), "cpu": statistics.median(cpu), "queries": len(queries),
                          "rows": rows}
    return results


def explain(args) -> None:
    from django.db import connection
    from django.utils import timezone

    from licensing.queues import selectors as queues

    officer, _reviewer = _users()
    filters = {"province": args.province, "code": args.code, "sort": "deadline"}
    filterset = queues.ministry_queue(officer, args.queue, filters, today=timezone.localdate())
    assert filterset.is_valid(), filterset.form.errors
    queryset = filterset.qs
    if connection.vendor != "postgresql":
        print("\nEXPLAIN QUERY PLAN of the page query:")
        print("    " + queryset[:50].explain().replace("\n", "\n    "))
        return
    print(f"\nEXPLAIN ANALYZE of the page query ({args.queue}, {filters}):")
    print("    " + queryset[:50].explain(analyze=True, buffers=True).replace("\n", "\n    "))
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT COUNT(*) FROM ({sql}) counted", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print("\nEXPLAIN ANALYZE of the count query (the paginator's):")
    print("    " + plan.replace("\n", "\n    "))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="synthetic cases (default 100000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page (default 200)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                        help="database to use (created if missing, kept); sqlite:///path works too")
    parser.add_argument("--queue", default="decision", help="ministry queue to time (default decision)")
    parser.add_argument("--province", default="31", help="province filter (default 31)")
    parser.add_argument("--code", default="3A", help="control code prefix filter (default 3A)")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.requests < 1:
        parser.error("--cases and --requests must be at least 1")
    setup_django(args.postgres_url)
    from django.db import connection

    print(f"== {connection.vendor} ({args.postgres_url.split('@')[-1]})")
    prepare(args.cases)
    results = time_pages(args)
    print(f"\n{'page':<26}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'cpu ms':>8}{'queries':>9}{'rows':>6}  path")
    for label, r in results.items():
        rows = "" if r["rows"] is None else r["rows"]
        print(f"{label:<26}{r['p50']:>8.1f}{r['p95']:>8.1f}{r['max']:>8.1f}{r['cpu']:>8.1f}{r['queries']:>9}"
              f"{rows:>6}  {r['path']}")
    print("(cpu: median CPU time of this process per request, i.e. Python without the database's time)")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs "
          "(timings are wall-clock: other processes on the machine inflate them)")
    worst = max(r["p95"] for r in results.values())
    print(f"worst p95 {worst:.1f} ms {'meets' if worst < TARGET_MS else 'MISSES'} the {TARGET_MS} ms target")
    explain(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

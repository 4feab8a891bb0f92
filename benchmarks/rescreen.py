#!/usr/bin/env python3
"""Time a rescreen: 10,000 parties of open cases screened after a list import of 20 entries.

    .venv/bin/python benchmarks/rescreen.py [--parties 10000] [--entries 20] [--seed 1]
        [--database-url sqlite:////tmp/portal-bench-rescreen.sqlite3]

Makes a fresh database (SQLite by default; any DATABASE_URL, e.g. a PostgreSQL one, works),
migrates it, and bulk-creates one exporter with --parties parties (names from
benchmarks/screening_data.py: Chinese companies, persons in several romanisations, Latin-script
companies) on --parties / 2 submitted cases (an importer and an end user each). Then a ministry
officer imports --entries new Control List entries as one JSON file through the page's service
(enduser.lists.services.list_import): the change's transaction writes the RescreenJob, and on
commit Celery runs the task `enduser.rescreen` (in this process when REDIS_URL is unset, as the
portal does without Redis; with REDIS_URL, start a worker: `celery -A portal worker`). The clock
runs from the import to the job's `finished_at`. Prints the wall time, parties per second, new hits
and the target (60 s for 10,000 parties after 20 entries, issue 11).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

TARGET_S = 60.0


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="sqlite:////tmp/portal-bench-rescreen.sqlite3")
    args = parser.parse_args(argv)

    if args.database_url.startswith("sqlite:///"):
        Path(args.database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.utils import timezone

    if not args.database_url.startswith("sqlite"):  # a fresh schema: the migrations seed provinces
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)

    import screening_data

    from accounts.models import Organisation, OrgKind, Province, Role, User
    from enduser.lists import services as lists
    from enduser.models import Party, RescreenJob, ScreeningHit
    from licensing.models import Application

    data = screening_data.generate_entries(args.entries, args.seed)
    queries = screening_data.generate_queries(data, args.parties, args.seed, hit_share=0.005, prefix="P")

    province = Province.objects.get(pk="31")
    exporter = Organisation.objects.create(code="91310115MA1H7XQK4X", kind=OrgKind.EXPORTER, name_zh="基准测试公司",
                                           name_en="Benchmark Co.", province=province, verification="verified")
    ministry = Organisation.objects.get(code="MOFCOM")
    staff = User.objects.create(username="bench_staff", role=Role.EXPORTER_STAFF, organisation=exporter)
    officer = User.objects.create(username="bench_officer", role=Role.MINISTRY_OFFICER, organisation=ministry)

    started = time.perf_counter()
    parties = Party.objects.bulk_create([
        Party(exporter=exporter, name=q.party.name, address="synthetic", country=q.party.country or "DE",
              kind="person" if q.party.kind == "person" else "company") for q in queries], batch_size=2000)
    now = timezone.now()
    cases = [Application(exporter=exporter, created_by=staff, status="submitted", submitted_at=now,
                         reference=f"BENCH-{n:06d}", destination="DE", importer=parties[2 * n],
                         end_user=parties[2 * n + 1] if 2 * n + 1 < len(parties) else None)
             for n in range((len(parties) + 1) // 2)]
    Application.objects.bulk_create(cases, batch_size=2000)
    seeded = time.perf_counter() - started

    rows = [{"list_kind": "control", "kind": e.kind, "names": list(e.names), "country": e.country or "CN",
             "announcement": "基准测试公告 (benchmark)", "announced_on": "2026-01-02", "effective_on": "2026-01-02",
             "reason": "benchmark"} for e in data.entries]
    upload = SimpleUploadedFile("entries.json", json.dumps(rows, ensure_ascii=False).encode(),
                                content_type="application/json")
    began = time.perf_counter()
    lists.list_import(actor=officer, upload=upload)
    job = RescreenJob.objects.order_by("-pk").first()
    while job.finished_at is None and job.state not in ("failed",):
        time.sleep(0.2)
        job.refresh_from_db()
        if time.perf_counter() - began > 30 * TARGET_S:
            break
    wall = time.perf_counter() - began
    figures = {"parties": len(parties), "cases": len(cases), "entries": len(rows), "seeded_s": round(seeded, 1),
               "job": job.state, "screened": job.parties_done, "new_hits": ScreeningHit.objects.count(),
               "wall_s": round(wall, 2), "parties_per_s": round(job.parties_done / wall) if wall else None,
               "target_met": job.state == "done" and wall <= TARGET_S * args.parties / 10_000}
    print(f"database              {args.database_url.split('@')[-1]}")
    print(f"seeded                {len(parties):,} parties on {len(cases):,} submitted cases in {seeded:.1f} s")
    print(f"import + rescreen     {len(rows)} entries; job {job.pk} {job.state}: {job.parties_done:,} parties in "
          f"{wall:.2f} s ({figures['parties_per_s']:,} per second), {figures['new_hits']} hits")
    print(f"target                <= {TARGET_S:.0f} s for 10,000 parties after 20 entries: "
          f"{'met' if figures['target_met'] else 'NOT met'}")
    return figures


if __name__ == "__main__":
    main()

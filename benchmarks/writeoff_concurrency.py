#!/usr/bin/env python3
"""50 customs clients drawing on one licence at the same moment (PostgreSQL).

    .venv/bin/python benchmarks/writeoff_concurrency.py [--clients 50] [--licensed 100] [--draw 3]
        [--rounds 3] [--postgres-url postgres://postgres@127.0.0.1:5432/portal_bench_customs]

Uses the database in --postgres-url (created if missing, `migrate`d). Each round makes a fresh
synthetic licence (one item of --licensed kg, any port, many shipments) and starts --clients
threads, each with its own database connection, released together by a barrier; each writes off
--draw kg under its own declaration number through licensing.customs.services.write_off_record,
the function behind POST /api/customs/write-offs/ (it locks the licence row, then the item).
It prints per round the accepted and refused draw-downs (by refusal code), the final used quantity
beside the sum of the accepted ones (they must be equal and within the licence), the licence's
status (exhausted once the last quantity is drawn), and the wall time and per-write-off p50/p95.
The exit status is 1 if any round over-draws or loses a draw-down.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.customs_verify import DEFAULT_POSTGRES_URL, percentile, setup_django  # noqa: E402


def make_licence(licensed: Decimal):
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Organisation, OrgKind, Role, User
    from licensing.licences import lifecycle
    from licensing.licences.services import licence_number
    from licensing.models import (
        Application,
        Counter,
        Licence,
        LicenceEventKind,
        LicenceItem,
        Status,
    )

    exporter, _ = Organisation.objects.get_or_create(
        code="BENCH-WRITEOFF", defaults={"kind": OrgKind.EXPORTER, "name_zh": "核销基准公司", "name_en": "Write-off Bench"})
    user, _ = User.objects.get_or_create(username="bench_writeoff_exporter",
                                         defaults={"organisation": exporter, "role": Role.EXPORTER_ADMIN})
    today = timezone.localdate()
    with transaction.atomic():
        serial = Counter.objects.next_value("bench_writeoff", 0)
        app = Application.objects.create(exporter=exporter, created_by=user, status=Status.APPROVED,
                                         reference=f"BWO{serial:09d}", destination="DE")
        number = licence_number(today.year, 900000 + serial % 100000)
        Licence.objects.filter(number=number).update(number=f"OLD{serial}")  # a rerun reuses serials
        licence = Licence.objects.create(application=app, number=number, exporter=exporter, export_port_id="2200",
                                         one_port=False, one_shipment=False, issued_at=timezone.now(),
                                         valid_from=today, valid_until=today + timedelta(days=364), pdf=b"",
                                         sha256="0" * 64)
        LicenceItem.objects.create(licence=licence, line=1, control_code="1C902.a", customs_unit_id="035", unit="kg",
                                   description="Samarium-cobalt alloy", quantity=licensed, value_rmb=1000000)
        lifecycle.record_event(licence, LicenceEventKind.ISSUED)
    return licence


def customs_system():
    from django.db import transaction

    from accounts.models import Organisation, OrgKind, Role, User
    from licensing.customs import tokens
    from licensing.models import CustomsSystem

    system = CustomsSystem.objects.filter(code="bench").first()
    if system is None:
        admin, _ = User.objects.get_or_create(
            username="bench_customs_admin",
            defaults={"organisation": Organisation.objects.filter(kind=OrgKind.OPERATOR).first(),
                      "role": Role.SYSTEM_ADMIN})
        with transaction.atomic():
            system = tokens.system_create(actor=admin, code="bench", name="Benchmark customs system")
    return system


def one_round(n: int, clients: int, licensed: Decimal, draw: Decimal, system) -> bool:
    from django.db import connection
    from django.utils import timezone

    from licensing.customs import services
    from licensing.models import Licence, LicenceItem

    licence = make_licence(licensed)
    barrier = threading.Barrier(clients)
    results: list = [None] * clients
    took: list[float] = [0.0] * clients

    def draw_down(i):
        try:
            barrier.wait()
            started = time.perf_counter()
            try:
                results[i] = services.write_off_record(shipment=services.shipment(
                    declaration_number=f"B{licence.pk}X{i:03d}", line=1, licence_number=licence.number, item_line=1,
                    quantity=draw, unit="035", value_rmb=Decimal(1), shipped_on=timezone.localdate(), port="2200"),
                    system=system)
            except services.Refused as exc:
                results[i] = exc
            took[i] = (time.perf_counter() - started) * 1000
        except Exception as exc:  # reported below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=draw_down, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    accepted = [r for r in results if isinstance(r, services.Outcome)]
    refused = Counter(r.code for r in results if isinstance(r, services.Refused))
    errors = [r for r in results if not isinstance(r, (services.Outcome, services.Refused))]
    used = LicenceItem.objects.get(licence=licence).used_quantity
    total = sum((r.write_off.quantity for r in accepted), Decimal(0))
    status = Licence.objects.filter(pk=licence.pk).values_list("status", flat=True).get()
    ok = used == total and used <= licensed and not errors
    print(f"round {n}: {licence.number}: accepted {len(accepted)}, refused {sum(refused.values())} "
          f"{dict(refused)}, errors {len(errors)}; used {used} = sum accepted {total} (licensed {licensed}); "
          f"status {status}; wall {wall * 1000:.0f} ms; per write-off p50 {statistics.median(took):.0f} ms "
          f"p95 {percentile(took, 0.95):.0f} ms; {'OK' if ok else 'WRONG'}")
    for error in errors[:3]:
        print(f"  error: {error!r}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--licensed", type=Decimal, default=Decimal(100))
    parser.add_argument("--draw", type=Decimal, default=Decimal(3))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    args = parser.parse_args(argv)
    if not args.postgres_url.startswith("postgres"):
        raise SystemExit("row locks under real concurrency need PostgreSQL")
    setup_django(args.postgres_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    system = customs_system()
    results = [one_round(n, args.clients, args.licensed, args.draw, system) for n in range(1, args.rounds + 1)]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())

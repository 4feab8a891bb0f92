#!/usr/bin/env python3
"""Render and sign N licence PDFs with varied synthetic data in one process and report the cost.

    .venv/bin/python benchmarks/sign_licences.py [--count 200] [--seed 1] [--no-verify]
                                                 [--save-sample signed.pdf] [--var-dir DIR]

Prints median and p95 milliseconds per licence for the render alone, the signature alone and the
chain (render + sign), the time to load the signer once, the verification time, peak RSS
(resident memory at several points and getrusage's maximum) and the size the signature adds.
No database is touched. Without LICENCE_SIGNING_KEY / LICENCE_SIGNING_CERT the development
signer is created in a temporary directory (or --var-dir), not in the repository's var/.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.conf import settings
from render_licences import current_rss_mb, percentile, synthetic_licence

from licensing.licences import signing
from licensing.licences.pdf import harfbuzz_subset_available, render_licence_pdf


def stats(values: list[float]) -> str:
    return f"median {statistics.median(values):6.1f} ms, p95 {percentile(values, 0.95):6.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="licences to sign (default 200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-verify", action="store_true", help="skip verify_licence_pdf")
    parser.add_argument("--save-sample", type=Path, help="write the first signed PDF there")
    parser.add_argument("--var-dir", type=Path,
                        help="where the development signer lives (default: a temporary directory)")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    logging.getLogger("licensing.licences.signing").setLevel(logging.ERROR)
    configured = bool(getattr(settings, "LICENCE_SIGNING_KEY", None))
    temporary = None
    if not configured:
        if args.var_dir is None:
            temporary = tempfile.TemporaryDirectory(prefix="sign-bench-")
            args.var_dir = Path(temporary.name)
        settings.VAR_DIR = args.var_dir

    rng = random.Random(args.seed)
    datas = [synthetic_licence(rng, n) for n in range(1, args.count + 1)]

    rss_start = current_rss_mb()
    t0 = time.perf_counter()
    signing.check_signer()  # what a worker does at start: create/read and parse the key once
    load_ms = (time.perf_counter() - t0) * 1000

    render_ms: list[float] = []
    sign_ms: list[float] = []
    chain_ms: list[float] = []
    verify_ms: list[float] = []
    added: list[int] = []
    failures = 0
    checkpoints = {}
    started = time.perf_counter()
    for index, data in enumerate(datas, start=1):
        t0 = time.perf_counter()
        pdf = render_licence_pdf(data)
        t1 = time.perf_counter()
        signed = signing.sign_licence_pdf(pdf)
        t2 = time.perf_counter()
        render_ms.append((t1 - t0) * 1000)
        sign_ms.append((t2 - t1) * 1000)
        chain_ms.append((t2 - t0) * 1000)
        added.append(len(signed) - len(pdf))
        if not args.no_verify:
            t3 = time.perf_counter()
            result = signing.verify_licence_pdf(signed)
            verify_ms.append((time.perf_counter() - t3) * 1000)
            failures += not result["trusted"]
        if index == 1 and args.save_sample:
            args.save_sample.write_bytes(signed)
        if index in {1, max(1, args.count // 10), max(1, args.count // 2), args.count}:
            checkpoints[index] = current_rss_mb()
    total_s = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    warm = slice(1, None) if args.count > 1 else slice(None)
    print(f"licences signed        {args.count} (seed {args.seed})")
    print(f"signer                 {'configured key' if configured else 'development key'}"
          f" ({signing.BYTES_RESERVED} hex digits reserved)")
    print(f"libharfbuzz-subset     {'present' if harfbuzz_subset_available() else 'MISSING'}")
    print(f"load signer once       {load_ms:.0f} ms (check_signer)")
    print(f"first render / sign    {render_ms[0]:.0f} ms / {sign_ms[0]:.0f} ms")
    print(f"render alone (warm)    {stats(render_ms[warm])}")
    print(f"sign alone (warm)      {stats(sign_ms[warm])}")
    print(f"render + sign (warm)   {stats(chain_ms[warm])}")
    ratio = statistics.median(chain_ms[warm]) / statistics.median(render_ms[warm])
    print(f"chain / render         {ratio:.2f}x (medians)")
    if verify_ms:
        print(f"verify (warm)          {stats(verify_ms[warm])}, {failures} not trusted")
    print(f"total                  {total_s:.1f} s")
    print(f"peak RSS               {peak_mb:.0f} MB (getrusage ru_maxrss)")
    print("RSS after licence      " + ", ".join(
        f"#{index}: {mb:.0f} MB" for index, mb in sorted(checkpoints.items()))
          + f" (before: {rss_start:.0f} MB)")
    print(f"signature adds         {statistics.median(added) / 1024:.1f} KB per PDF (median)")
    if temporary is not None:
        temporary.cleanup()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Time party screening (enduser.screening) against a large synthetic list, on one core.

    .venv/bin/python benchmarks/screening.py [--entries 100000] [--queries 2000] [--seed 1]
        [--no-pin] [--baseline 200] [--load-repeats 3] [--cache-dir var/bench-screening] [--rebuild]

The list and the queries come from benchmarks/screening_data.py (deterministic for a seed). The
index is built from the raw names once, in a child process (so that this process's memory is that of
a worker which loads a stored index), and kept in --cache-dir/n<entries>-s<seed>/ with the build
time; later runs reuse it while the list, the engine's algorithm and dictionary versions are the
same. This process then times `Screener.load` of that dump, warms up (pypinyin, OpenCC and
cantoroman load their tables on first use), and times `Screener.screen` for every query. The
process pins itself to one CPU (os.sched_setaffinity; --no-pin to leave it free) before any of this,
and the build child inherits the pinning.

It prints the build and load times, the dump size, the number of index keys, screenings per second
and latency percentiles, candidates and hits per query, the hit rate on the queries that rewrite a
listed name and the false-hit rate on the others (per shape of query: a check of the generator, not
a quality claim), peak RSS (getrusage), and a naive baseline: rapidfuzz `process.extractOne`
(WRatio) over all primary names for --baseline queries. `main()` returns the same figures as a dict.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for path in (ROOT, HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from rapidfuzz import fuzz, process, utils
from screening_data import GENERATOR_VERSION, generate, generate_entries, generate_queries

from enduser.screening import index, names
from enduser.screening.matching import ALGORITHM_VERSION

DEFAULT_CACHE = ROOT / "var" / "bench-screening"
TARGET_PER_SECOND = 450
TARGET_P95_MS = 20.0
TARGET_LOAD_S = 5.0
WARMUP = 20


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index_ = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index_]


def peak_rss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


def pin_one_core() -> int:
    """Pin this process (and the children it starts) to the last CPU it may run on."""
    cpu = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def cache_directory(cache_dir: Path, entries: int, seed: int) -> Path:
    return Path(cache_dir) / f"n{entries}-s{seed}"


def expected_meta(digest: str) -> dict:
    return {"generator": GENERATOR_VERSION, "digest": digest, "algorithm": ALGORITHM_VERSION,
            "dictionary": names.dictionary().version}


def stored_meta(directory: Path, digest: str) -> dict | None:
    """The stored index's description, if the index there was made from this very list by this
    version of the engine."""
    try:
        meta = json.loads((directory / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    if not (directory / "index.pickle").exists():
        return None
    if any(meta.get(k) != v for k, v in expected_meta(digest).items()):
        return None
    return meta


def build(entries: int, seed: int, directory: Path) -> dict:
    """Build the index from the raw names and store it (run in a child process)."""
    data = generate_entries(entries, seed)
    started = time.perf_counter()
    screener = index.Screener(data.entries, list_version=f"synthetic n={entries} seed={seed}")
    build_seconds = time.perf_counter() - started
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    screener.dump(directory / "index.pickle.tmp")
    dump_seconds = time.perf_counter() - started
    os.replace(directory / "index.pickle.tmp", directory / "index.pickle")
    meta = expected_meta(data.digest()) | {
        "entries": entries, "seed": seed, "build_seconds": round(build_seconds, 1),
        "dump_seconds": round(dump_seconds, 2), "build_peak_rss_mb": round(peak_rss_mb()),
        "cpus": sorted(os.sched_getaffinity(0)), "built_at": time.strftime("%Y-%m-%d %H:%M:%S")}
    (directory / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta


def ensure_index(entries: int, seed: int, digest: str, cache_dir: Path, rebuild: bool) -> tuple[dict, bool]:
    directory = cache_directory(cache_dir, entries, seed)
    meta = None if rebuild else stored_meta(directory, digest)
    if meta is not None:
        return meta, True
    print(f"building the index from raw names ({entries:,} entries) in a child process ...", flush=True)
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--build-only", "--entries", str(entries),
                    "--seed", str(seed), "--cache-dir", str(cache_dir)], check=True)
    meta = stored_meta(directory, digest)
    if meta is None:
        raise SystemExit(f"the child did not leave a usable index in {directory}")
    return meta, False


def screen_all(screener: index.Screener, queries: list) -> tuple[list[float], list, float, float]:
    times_ms, results = [], []
    cpu0, started = time.process_time(), time.perf_counter()
    for query in queries:
        t0 = time.perf_counter()
        hits = screener.screen(query.party)
        times_ms.append((time.perf_counter() - t0) * 1000)
        results.append(hits)
    return times_ms, results, time.perf_counter() - started, time.process_time() - cpu0


def candidate_count(screener: index.Screener, party) -> int:
    """What screen() compares: the candidates of the name (and of the body a branch belongs to)."""
    form = names.form(party.name, party.kind)
    found = screener.candidates(party, form)
    branch = index._branch_parent(form)
    if branch is not None:
        found |= screener.candidates(party, branch)
    return len(found)


def baseline(data, queries: list) -> dict:
    """The naive way: every query against every primary name with rapidfuzz (WRatio), the names
    processed once beforehand."""
    choices = [utils.default_process(e.names[0]) for e in data.entries]
    found = should = 0
    started = time.perf_counter()
    for query in queries:
        best = process.extractOne(utils.default_process(query.party.name), choices, scorer=fuzz.WRatio,
                                  processor=None)
        if query.should_hit:
            should += 1
            found += bool(best) and data.entries[best[2]].id == query.target
    seconds = time.perf_counter() - started
    return {"queries": len(queries), "seconds": round(seconds, 2),
            "per_second": round(len(queries) / seconds, 1) if seconds else 0.0,
            "best_is_target": f"{found}/{should}"}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000, help="list entries (default 100,000)")
    parser.add_argument("--queries", type=int, default=2_000, help="timed screenings (default 2,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-pin", action="store_true", help="do not pin the process to one CPU")
    parser.add_argument("--baseline", type=int, default=200, help="queries for the rapidfuzz baseline (0: none)")
    parser.add_argument("--load-repeats", type=int, default=3, help="times Screener.load is timed")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE,
                        help="where built indexes are kept between runs (default var/bench-screening)")
    parser.add_argument("--rebuild", action="store_true", help="build the index again even if stored")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.entries < 10 or args.queries < 1 or args.load_repeats < 1:
        parser.error("--entries must be at least 10, --queries and --load-repeats at least 1")

    if args.build_only:
        meta = build(args.entries, args.seed, cache_directory(args.cache_dir, args.entries, args.seed))
        print(f"built in {meta['build_seconds']} s, stored in {meta['dump_seconds']} s", flush=True)
        return meta

    original_cpus = os.sched_getaffinity(0)
    pinned = None if args.no_pin else pin_one_core()
    try:
        return run(args, pinned)
    finally:
        if pinned is not None:
            os.sched_setaffinity(0, original_cpus)


def run(args, pinned: int | None) -> dict:
    where = f"pinned to CPU {pinned} (os.sched_setaffinity)" if pinned is not None else "not pinned (--no-pin)"
    print(f"CPU                    {where}, {os.cpu_count()} on the machine", flush=True)
    started = time.perf_counter()
    data = generate(args.entries, args.queries, args.seed)
    warmup = generate_queries(data, WARMUP, args.seed, prefix="W")
    generate_seconds = time.perf_counter() - started
    kinds = {}
    for spec in data.specs:
        kinds[type(spec).__name__] = kinds.get(type(spec).__name__, 0) + 1
    print(f"synthetic data         {len(data.entries):,} entries ({', '.join(f'{k} {v:,}' for k, v in kinds.items())}),"
          f" {len(data.queries):,} queries, seed {args.seed}: {generate_seconds:.1f} s", flush=True)

    meta, cached = ensure_index(args.entries, args.seed, data.digest(), args.cache_dir, args.rebuild)
    path = cache_directory(args.cache_dir, args.entries, args.seed) / "index.pickle"
    print(f"build from raw names   {meta['build_seconds']:.1f} s"
          f" ({'stored ' + meta['built_at'] + ', reused' if cached else 'now'};"
          f" dump {meta['dump_seconds']:.1f} s; builder's peak RSS {meta['build_peak_rss_mb']} MB)", flush=True)

    rss_before_load = current_rss_mb()
    load_seconds, load_cpu, screener = [], [], None
    for _ in range(args.load_repeats):
        screener = None
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        screener = index.Screener.load(path)
        load_seconds.append(time.perf_counter() - t0)
        load_cpu.append(time.process_time() - c0)
    rss_after_load = current_rss_mb()
    dump_bytes = path.stat().st_size
    key_count = len(screener.keys)
    postings = sum(1 if isinstance(v, int) else len(v) for v in screener.keys.values())
    print(f"Screener.load          {' / '.join(f'{s:.2f}' for s in load_seconds)} s"
          f" (CPU {' / '.join(f'{s:.2f}' for s in load_cpu)} s; RSS {rss_before_load:.0f} -> {rss_after_load:.0f} MB)")
    print(f"dump                   {dump_bytes / 2**20:.1f} MB ({path})")
    print(f"index keys             {key_count:,} ({postings:,} postings, {postings / len(data.entries):.1f} per entry)",
          flush=True)

    for query in warmup:
        screener.screen(query.party)
    times_ms, results, wall, cpu = screen_all(screener, data.queries)
    per_second = len(data.queries) / wall
    latency = {"mean": statistics.fmean(times_ms), "p50": percentile(times_ms, 0.50),
               "p95": percentile(times_ms, 0.95), "p99": percentile(times_ms, 0.99), "max": max(times_ms)}

    candidates = [candidate_count(screener, q.party) for q in data.queries]
    hit_counts = [len(hits) for hits in results]
    shapes: dict[str, dict] = {}
    for query, hits, ms in zip(data.queries, results, times_ms, strict=True):
        row = shapes.setdefault(("hit " if query.should_hit else "miss") + "| " + query.shape,
                                {"should_hit": query.should_hit, "n": 0, "hit": 0, "fuzzy": 0, "ms": []})
        row["n"] += 1
        row["ms"].append(ms)
        found = [h for h in hits if h.entry == query.target] if query.should_hit else hits[:1]
        row["hit"] += bool(found)
        row["fuzzy"] += bool(found) and found[0].fuzzy
    should = [s for s in shapes.values() if s["should_hit"]]
    should_not = [s for s in shapes.values() if not s["should_hit"]]
    hit_rate = sum(s["hit"] for s in should) / max(1, sum(s["n"] for s in should))
    false_rate = sum(s["hit"] for s in should_not) / max(1, sum(s["n"] for s in should_not))

    print(f"screenings             {len(data.queries):,} in {wall:.2f} s: {per_second:.0f} per second"
          f" (CPU {cpu:.2f} s: {len(data.queries) / cpu:.0f} per CPU second; after {WARMUP} warm-up screenings)")
    print(f"latency                mean {latency['mean']:.2f} ms, p50 {latency['p50']:.2f}, p95 {latency['p95']:.2f},"
          f" p99 {latency['p99']:.2f}, max {latency['max']:.1f} ms")
    print(f"candidates per query   mean {statistics.fmean(candidates):.1f}, p95 {percentile(candidates, 0.95)},"
          f" max {max(candidates)}")
    print(f"hits per query         mean {statistics.fmean(hit_counts):.2f}, p95 {percentile(hit_counts, 0.95)},"
          f" max {max(hit_counts)}")
    print(f"should hit (rewritten) {hit_rate:.1%} found the listed entry ({sum(s['n'] for s in should)} queries)")
    print(f"should not (fresh)     {false_rate:.1%} had a hit ({sum(s['n'] for s in should_not)} queries)")
    print("  by shape (fuzzy: the hit counted was a one-letter/one-character match)")
    print("                                               n     hit  fuzzy   p95 ms")
    for key in sorted(shapes):
        s = shapes[key]
        print(f"  {key:<40} {s['n']:>5} {s['hit'] / s['n']:>7.1%} {s['fuzzy']:>6} {percentile(s['ms'], 0.95):>8.2f}")

    base = baseline(data, data.queries[:args.baseline]) if args.baseline else None
    if base:
        print(f"baseline (rapidfuzz)   extractOne WRatio over {len(data.entries):,} names: {base['per_second']:.1f}"
              f" screenings per second ({base['queries']} queries, {base['seconds']} s; best match is the"
              f" rewritten entry for {base['best_is_target']})")
    peak = peak_rss_mb()
    print(f"peak RSS               {peak:.0f} MB (getrusage ru_maxrss of this process; the list and queries"
          f" included)")
    print(f"load average           {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other jobs share the machine"
          f" when this is above ~1)")

    targets = {"per_second": per_second >= TARGET_PER_SECOND, "p95": latency["p95"] <= TARGET_P95_MS,
               "load": max(load_seconds) <= TARGET_LOAD_S}
    scope = "" if args.entries == 100_000 and pinned is not None else " (the targets are set for 100,000 entries on one core)"
    print(f"targets{scope}:")
    print(f"  >= {TARGET_PER_SECOND} screenings/s     {'met' if targets['per_second'] else 'NOT met'} ({per_second:.0f})")
    print(f"  p95 <= {TARGET_P95_MS:.0f} ms            {'met' if targets['p95'] else 'NOT met'} ({latency['p95']:.2f} ms)")
    print(f"  load <= {TARGET_LOAD_S:.0f} s              {'met' if targets['load'] else 'NOT met'}"
          f" (slowest of {len(load_seconds)}: {max(load_seconds):.2f} s)")

    return {
        "entries": len(data.entries), "queries": len(data.queries), "seed": args.seed, "pinned_cpu": pinned,
        "generate_seconds": round(generate_seconds, 2),
        "build": {"seconds": meta["build_seconds"], "cached": cached, "peak_rss_mb": meta["build_peak_rss_mb"]},
        "load_seconds": [round(s, 3) for s in load_seconds], "load_cpu_seconds": [round(s, 3) for s in load_cpu],
        "dump_bytes": dump_bytes,
        "index_keys": key_count, "postings": postings,
        "screenings_per_second": round(per_second, 1), "cpu_seconds": round(cpu, 3),
        "latency_ms": {k: round(v, 3) for k, v in latency.items()},
        "candidates": {"mean": round(statistics.fmean(candidates), 2), "p95": percentile(candidates, 0.95),
                       "max": max(candidates)},
        "hits_per_query": {"mean": round(statistics.fmean(hit_counts), 3), "p95": percentile(hit_counts, 0.95),
                           "max": max(hit_counts)},
        "should_hit_rate": round(hit_rate, 4), "false_hit_rate": round(false_rate, 4),
        "shapes": {k: {"n": s["n"], "hit": s["hit"], "fuzzy": s["fuzzy"]} for k, s in sorted(shapes.items())},
        "rss_mb": {"before_load": round(rss_before_load), "after_load": round(rss_after_load)},
        "peak_rss_mb": round(peak), "baseline": base, "targets": targets,
    }


if __name__ == "__main__":
    main()

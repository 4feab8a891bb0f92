#!/usr/bin/env python3
"""Time control-list search over a large synthetic list on PostgreSQL and on SQLite.

    .venv/bin/python benchmarks/search_controllist.py [--entries 20000] [--database both]
        [--queries 300] [--seed 1] [--postgres-url postgres://postgres@127.0.0.1:5432/portal_bench]

For each database: a fresh database (PostgreSQL: the database in --postgres-url is dropped and
created again, and kept for a look afterwards; SQLite: a new file in a temporary directory, removed
at the end), `migrate`, then N synthetic entries
(controllist.versions.synthetic.generate) loaded as one published list version in force through the ORM
(bulk_create level by level with parent links, then controllist.search.engine.index_entries). It warms
up (the per-process vocabulary, a few queries), times ~300 mixed queries through
controllist.search.engine.search() (code prefixes, exact codes, English words, typos, Chinese words,
pinyin, HS codes) and prints median and p95 per kind of query, then the query plan of the main
SQL for a word query (PostgreSQL EXPLAIN ANALYZE, SQLite EXPLAIN QUERY PLAN).

Django reads DATABASE_URL once, at setup: with --database both each database runs in a child
process of this script.
"""

from __future__ import annotations

import argparse
import atexit
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
KINDS = ["code prefix", "exact code", "English words", "typo", "Chinese words", "pinyin", "HS code"]
PLAN_QUERY = "samarium"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def fresh_postgres(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"refusing to drop a database named {name!r}")
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    admin.close()


def setup_django(database: str, postgres_url: str) -> str:
    if database == "postgres":
        fresh_postgres(postgres_url)
        url = postgres_url
    else:
        directory = tempfile.mkdtemp(prefix="portal-bench-")
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        url = f"sqlite:///{directory}/search.sqlite3"
    # Before django.setup(): the settings read DATABASE_URL once.
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    return url


def load_list(count: int, seed: int):
    """The synthetic list as one published version in force today, indexed."""
    from django.db import connection, transaction
    from django.utils import timezone

    from controllist.codes import parent_code, sort_key
    from controllist.models import Entry, ListVersion
    from controllist.search.engine import index_entries
    from controllist.versions.synthetic import generate

    data = generate(count, seed=seed, label="bench-synthetic",
                    effective_from=timezone.localdate().isoformat())
    started = time.perf_counter()
    with transaction.atomic():
        meta = data["version"]
        version = ListVersion.objects.create(
            label=meta["label"], title_zh=meta["title_zh"], title_en=meta["title_en"],
            source=meta["source"], effective_from=meta["effective_from"], state="published",
            entry_count=len(data["entries"]), published_at=timezone.now())
        levels: dict[int, list] = {}
        for row in data["entries"]:
            code = row["code"]
            entry = Entry(version=version, code=code, depth=code.count("."), sort_key=sort_key(code),
                          description_zh=row["description_zh"], description_en=row["description_en"],
                          parameters_zh=row["parameters_zh"], parameters_en=row["parameters_en"],
                          hs_codes=row["hs_codes"], notes=row["notes"], uncertain=row["uncertain"])
            levels.setdefault(entry.depth, []).append(entry)
        by_code = {}
        for depth in sorted(levels):
            level = levels[depth]
            for entry in level:
                parent = by_code.get(parent_code(entry.code))
                entry.parent_id = parent.pk if parent else None
            Entry.objects.bulk_create(level, batch_size=2000)
            if level[0].pk is None:
                ids = dict(Entry.objects.filter(version=version, depth=depth).values_list("code", "pk"))
                for entry in level:
                    entry.pk = ids[entry.code]
            by_code.update((entry.code, entry) for entry in level)
        entries_s = time.perf_counter() - started
        terms = index_entries(entry for level in levels.values() for entry in level)
    loaded_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load; the planner needs the row counts.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE controllist_searchterm")
            cursor.execute("VACUUM ANALYZE controllist_entry")
    return version, data["entries"], {"entries_s": entries_s, "loaded_s": loaded_s, "terms": terms}


def _english_words(text: str) -> list[str]:
    from controllist.search.engine import STOPWORDS

    return [w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 4 and w not in STOPWORDS]


def _cjk_runs(text: str) -> list[str]:
    return re.findall(r"[\u4e00-\u9fff]{2,}", text)


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1:]                           # a letter left out
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]       # two letters swapped


def make_queries(rows: list[dict], count: int, seed: int) -> list[tuple[str, str]]:
    from controllist.search.engine import bigram_pinyin

    rng = random.Random(seed + 7)
    queries = []
    per_kind = -(-count // len(KINDS))
    while len(queries) < per_kind * len(KINDS):
        row = rng.choice(rows)
        kind = KINDS[len(queries) % len(KINDS)]
        words = _english_words(row["description_en"])
        runs = _cjk_runs(row["description_zh"])
        query = None
        if kind == "code prefix":
            query = row["code"][:rng.choice((2, 3, 4))]
        elif kind == "exact code":
            query = row["code"]
        elif kind == "English words" and words:
            query = " ".join(rng.sample(words, min(len(words), rng.choice((1, 1, 2)))))
        elif kind == "typo":
            long_words = [w for w in words if len(w) >= 6]
            query = _typo(rng, rng.choice(long_words)) if long_words else None
        elif kind == "Chinese words" and runs:
            run = rng.choice(runs)
            size = min(len(run), rng.choice((2, 2, 3, 4)))
            start = rng.randrange(len(run) - size + 1)
            query = run[start:start + size]
        elif kind == "pinyin" and runs:
            run = rng.choice(runs)
            start = rng.randrange(len(run) - 1)
            query = bigram_pinyin(run[start:start + 2]) or None
        elif kind == "HS code" and row["hs_codes"]:
            query = row["hs_codes"][0][:rng.choice((4, 6, 10))]
        if query:
            queries.append((kind, query))
    return queries[:count] if count >= len(KINDS) else queries


def show_plan(version) -> None:
    from django.db import connection

    from controllist.search.engine import _ranked, expand, query_tokens, vocabulary

    vocab = vocabulary(version)
    expansions = [e for e in (expand(t, vocab) for t in query_tokens(PLAN_QUERY)) if e]
    queryset = _ranked(version, expansions)[:20]
    if connection.vendor == "postgresql":
        print(f"\nEXPLAIN ANALYZE of the ranking query for {PLAN_QUERY!r}:")
        plan = queryset.explain(analyze=True)
    else:
        print(f"\nEXPLAIN QUERY PLAN of the ranking query for {PLAN_QUERY!r}:")
        plan = queryset.explain()
    print("    " + plan.replace("\n", "\n    "))


def run_one(args) -> int:
    url = setup_django(args.database, args.postgres_url)
    from django.core.management import call_command
    from django.db import connection

    from controllist.models import SearchTerm
    from controllist.search.engine import forget_vocabulary, search, vocabulary

    print(f"== {args.database} ({connection.vendor}, {url.split('@')[-1]})")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate                {time.perf_counter() - started:.1f} s")
    version, rows, load = load_list(args.entries, args.seed)
    print(f"entries loaded         {len(rows)} in {load['entries_s']:.1f} s; "
          f"{load['terms']} search terms ({load['terms'] / max(1, len(rows)):.0f} per entry), "
          f"all in {load['loaded_s']:.1f} s")
    print(f"search term rows       {SearchTerm.objects.filter(version=version).count()} in this version")

    forget_vocabulary(version.pk)
    started = time.perf_counter()
    vocab = vocabulary(version)
    print(f"vocabulary             {len(vocab.terms)} distinct terms, read in "
          f"{(time.perf_counter() - started) * 1000:.0f} ms (once per process)")

    queries = make_queries(rows, args.queries, args.seed)
    for _kind, query in queries[: 3 * len(KINDS)]:  # warm-up: caches, connections, plans
        search(query)
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    totals: dict[str, list[int]] = {kind: [] for kind in KINDS}
    timed = []
    for kind, query in queries:
        t0 = time.perf_counter()
        result = search(query)
        elapsed = (time.perf_counter() - t0) * 1000
        times[kind].append(elapsed)
        totals[kind].append(result.total)
        timed.append((elapsed, kind, query, result.total))
        assert result.version == version, "the synthetic version should be in force"
    every = [t for values in times.values() for t in values]
    print(f"\n{'query kind':<16}{'n':>5}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}{'median hits':>13}"
          f"{'no hit':>8}")
    for kind in KINDS:
        values = times[kind]
        if not values:
            continue
        print(f"{kind:<16}{len(values):>5}{statistics.median(values):>11.1f}"
              f"{percentile(values, 0.95):>9.1f}{max(values):>9.1f}"
              f"{statistics.median(totals[kind]):>13.0f}{sum(1 for n in totals[kind] if n == 0):>8}")
    print(f"{'all':<16}{len(every):>5}{statistics.median(every):>11.1f}"
          f"{percentile(every, 0.95):>9.1f}{max(every):>9.1f}")
    verdict = "meets" if percentile(every, 0.95) < 50 else "MISSES"
    print(f"p95 {percentile(every, 0.95):.1f} ms {verdict} the 50 ms target")
    print("slowest: " + "; ".join(f"{query!r} ({kind}) {ms:.0f} ms, {total} hits"
                                  for ms, kind, query, total in sorted(timed, reverse=True)[:5]))
    show_plan(version)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20000, help="synthetic entries (default 20000)")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--queries", type=int, default=300, help="timed queries (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                        help="the database in it is dropped and created again")
    args = parser.parse_args(argv)
    if args.entries < 1 or args.queries < 1:
        parser.error("--entries and --queries must be at least 1")
    if args.database != "both":
        return run_one(args)
    status = 0
    for database in ("postgres", "sqlite"):
        child = [sys.executable, __file__, "--database", database, "--entries", str(args.entries),
                 "--queries", str(args.queries), "--seed", str(args.seed),
                 "--postgres-url", args.postgres_url]
        status |= subprocess.run(child, check=False).returncode
        print(flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())

"""The screening benchmark's synthetic list and queries, and a small run of the benchmark itself (its
timings are printed by benchmarks/screening.py, never asserted in a test)."""

import importlib.util
import os
import sys
from collections import Counter
from pathlib import Path

import pytest

from enduser.screening import names

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import screening_data as data_module  # noqa: E402


def _benchmark():
    spec = importlib.util.spec_from_file_location("bench_screening", BENCHMARKS / "screening.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sample():
    return data_module.generate(entries=400, queries=300, seed=5)


def _snapshot(dataset):
    return ([(e.id, e.kind, e.names, e.country) for e in dataset.entries],
            [(q.party.id, q.party.kind, q.party.name, q.should_hit, q.shape, q.target) for q in dataset.queries])


def test_the_same_seed_gives_the_same_list_and_queries(sample):
    again = data_module.generate(entries=400, queries=300, seed=5)
    assert _snapshot(again) == _snapshot(sample)
    assert again.digest() == sample.digest()
    other = data_module.generate(entries=400, queries=300, seed=6)
    assert _snapshot(other)[0] != _snapshot(sample)[0]
    assert other.digest() != sample.digest()


def test_counts_kinds_and_scripts(sample):
    entries = sample.entries
    assert len(entries) == 400 and len(sample.specs) == 400 and len(sample.queries) == 300
    assert len({e.id for e in entries}) == 400
    assert {e.kind for e in entries} == {"company", "person"}
    by_type = Counter(type(s).__name__ for s in sample.specs)
    assert set(by_type) == {"HanCompany", "Person", "LatinCompany"}
    # 45 / 35 / 20 %, loosely.
    assert 140 < by_type["HanCompany"] < 220 and 100 < by_type["Person"] < 180 and 50 < by_type["LatinCompany"] < 120
    for entry, spec in zip(entries, sample.specs, strict=True):
        assert entry.names and all(n.strip() for n in entry.names)
        if isinstance(spec, data_module.HanCompany):
            assert entry.kind == "company" and names.has_han(entry.names[0])
            assert entry.names[0].endswith(spec.form[0]) and spec.core in entry.names[0]
            # The core is what the engine reads as the distinctive part (no generic word inside; the
            # engine's OpenCC t2s also turns the name character 乾 into 干).
            distinctive = names.company_form(entry.names[0]).distinctive
            assert "".join(t.value for t in distinctive) == names.simplified(spec.core)
        elif isinstance(spec, data_module.LatinCompany):
            assert entry.kind == "company" and entry.names[0].isascii()
            assert names.company_form(entry.names[0]).distinctive
        else:
            assert entry.kind == "person"
            assert any(names.has_han(n) for n in entry.names) == spec.listed_han
            assert any(not names.has_han(n) for n in entry.names) == spec.listed_roman
    systems = Counter(s.system for s in sample.specs if isinstance(s, data_module.Person))
    assert set(systems) == {"pinyin", "wade-giles", "cantonese"}


def test_romanisations():
    person = data_module.Person("陈", "大文", "cantonese", listed_han=True, listed_roman=True)
    assert person.roman() == "Chan Daai-man"  # cantoroman's first reading of each character
    assert person.roman("pinyin", order="comma") == "CHEN, Dawen"
    assert person.roman("wade-giles", order="given") == "Ta-wen Ch'en"
    assert person.written_han == "陳大文"
    assert data_module.Person("吕", "军", "pinyin", True, True).roman("wade-giles") == "Lü Chün"
    company = data_module.HanCompany(("深圳市", "Shenzhen"), "华信", ("技术", "Technologies"), ("有限公司", "Co., Ltd."))
    assert company.han() == "深圳市华信技术有限公司"
    assert company.english() == "Shenzhen Huaxin Technologies Co., Ltd."


def test_queries_rewrite_listed_names_or_make_fresh_ones(sample):
    queries = sample.queries
    ids = {e.id for e in sample.entries}
    hits = [q for q in queries if q.should_hit]
    assert 0.2 < len(hits) / len(queries) < 0.4
    assert all(q.target in ids for q in hits)
    assert all(not q.target for q in queries if not q.should_hit)
    assert len({q.party.id for q in queries}) == len(queries)
    shapes = {q.shape for q in queries}
    for shape in ("company: traditional", "company: English", "person: pinyin", "person: wade-giles",
                  "person: cantonese", "foreign: one letter"):
        assert shape in shapes
    by_id = dict(zip((e.id for e in sample.entries), sample.specs, strict=True))
    listed = {s.identity for s in sample.specs}
    for q in hits:
        assert q.party.kind == sample.entries[int(q.target[1:]) - 1].kind
        if q.shape == "company: English":
            assert q.party.name.isascii() and q.party.name.endswith(by_id[q.target].form[1])
        if q.shape == "company: traditional":
            assert names.simplified(q.party.name) == by_id[q.target].han()
    # A fresh Chinese company's core (or a fresh person's Han name) is never on the list.
    for q in queries:
        if not q.should_hit and q.shape in ("company: traditional", "person: traditional Han"):
            form = names.form(q.party.name, q.party.kind)
            identity = (("company", "".join(t.value for t in form.distinctive)) if q.party.kind == "company"
                        else ("person", form.surname + form.given))
            assert identity not in listed


def test_a_small_run_of_the_benchmark_reports_every_figure(tmp_path, capsys):
    bench = _benchmark()
    argv = ["--entries", "300", "--queries", "50", "--seed", "3", "--baseline", "20", "--load-repeats", "1",
            "--cache-dir", str(tmp_path)]
    figures = bench.main(argv + ["--no-pin"])
    assert set(figures) >= {
        "entries", "queries", "pinned_cpu", "build", "load_seconds", "dump_bytes", "index_keys",
        "screenings_per_second", "latency_ms", "candidates", "hits_per_query", "should_hit_rate",
        "false_hit_rate", "peak_rss_mb", "baseline", "targets"}
    assert figures["entries"] == 300 and figures["queries"] == 50 and figures["pinned_cpu"] is None
    assert figures["build"]["cached"] is False and figures["build"]["seconds"] > 0
    assert (tmp_path / "n300-s3" / "index.pickle").stat().st_size == figures["dump_bytes"] > 0
    assert figures["index_keys"] > 300 and figures["screenings_per_second"] > 0
    assert set(figures["latency_ms"]) == {"mean", "p50", "p95", "p99", "max"}
    assert 0 < figures["latency_ms"]["p50"] <= figures["latency_ms"]["p95"] <= figures["latency_ms"]["max"]
    assert figures["candidates"]["mean"] > 0 and figures["hits_per_query"]["max"] >= 1
    assert figures["should_hit_rate"] > 0.5  # the rewritten names are found, mostly
    assert figures["baseline"]["queries"] == 20 and figures["baseline"]["per_second"] > 0
    assert set(figures["targets"]) == {"per_second", "p95", "load"}
    out = capsys.readouterr().out
    for label in ("Screener.load", "index keys", "candidates per query", "peak RSS", "baseline (rapidfuzz)",
                  "should hit", "should not"):
        assert label in out

    # A second run reuses the stored index, pins itself to one CPU and gives the others back after.
    before = os.sched_getaffinity(0)
    again = bench.main(argv + ["--baseline", "0"])
    assert again["build"]["cached"] is True and again["baseline"] is None
    assert again["pinned_cpu"] in before and os.sched_getaffinity(0) == before
    assert again["index_keys"] == figures["index_keys"]

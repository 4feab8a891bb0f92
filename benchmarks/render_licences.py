#!/usr/bin/env python3
"""Render N licence PDFs with varied synthetic data in one process and report the cost.

    .venv/bin/python benchmarks/render_licences.py [--count 200] [--seed 1] [--save-sample out.pdf]

Prints median and p95 milliseconds per licence, total seconds, peak RSS (resident memory at
several points and getrusage's maximum), whether libharfbuzz-subset is present, and the PDF sizes.
No database is touched: licensing.pdf.render_licence_pdf is a pure function of its data.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import random
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from licensing.licences.pdf import harfbuzz_subset_available, render_licence_pdf

CITIES = ["福州", "厦门", "泉州", "上海", "深圳", "苏州", "宁波", "成都", "西安", "天津"]
CITIES_EN = ["Fuzhou", "Xiamen", "Quanzhou", "Shanghai", "Shenzhen", "Suzhou", "Ningbo",
             "Chengdu", "Xi'an", "Tianjin"]
WORDS = ["华信", "海峡", "闽江", "远航", "恒泰", "中科", "新材", "精工", "晶元", "瑞丰", "鑫源",
         "堃晟",  # 堃 is outside GB2312: exercises the fallback to the system Noto Sans CJK SC
         "同创", "博远"]
TRADES = [("新材料科技有限公司", "New Materials Technology Co., Ltd."),
          ("精密仪器有限公司", "Precision Instruments Co., Ltd."),
          ("化工进出口有限公司", "Chemicals Import & Export Co., Ltd."),
          ("电子科技股份有限公司", "Electronic Technology Co., Ltd.")]
COUNTRIES = [("DE", "德国", "Germany"), ("FR", "法国", "France"), ("JP", "日本", "Japan"),
             ("KR", "韩国", "Republic of Korea"), ("SG", "新加坡", "Singapore"),
             ("BR", "巴西", "Brazil"), ("AE", "阿联酋", "United Arab Emirates"),
             ("IN", "印度", "India")]
FOREIGN = ["Müller & Söhne Chemie GmbH", "Société Générale d'Optique S.A.",
           "Tanaka Precision K.K.", "Hanbit Materials Co.", "Lim & Tan Pte. Ltd.",
           "Indústria Química Paulista Ltda.", "Gulf Advanced Materials FZE",
           "Bharat Specialty Alloys Pvt. Ltd."]
ITEMS = [("1C902.a", "高纯石墨 High-purity graphite", "kg"),
         ("1C903.b", "球形石墨 Spherical graphite", "t"),
         ("3A901.a", "高频示波器 High-frequency oscilloscope", "台"),
         ("1C904", "镓、锗相关物项 Gallium and germanium related items", "kg"),
         ("2B909", "数控机床部件 CNC machine tool parts", "套"),
         ("6A901", "红外探测器 Infrared detector", "个"),
         ("1C905.c", "稀土永磁材料 Rare-earth permanent magnet material", "kg")]
END_USES = [
    "用于锂电池负极材料的生产。Production of anode materials for lithium batteries.",
    "用于高校实验室科研。Scientific research in a university laboratory.",
    "用于民用光学镜头制造。Manufacture of civilian optical lenses.",
    "用于汽车电机生产线。Production line for automotive electric motors.",
]


def synthetic_licence(rng: random.Random, n: int) -> dict:
    year = 2026
    issued = datetime.date(year, 1, 5) + datetime.timedelta(days=rng.randrange(300))
    city = rng.randrange(len(CITIES))
    word = rng.choice(WORDS)
    trade_zh, trade_en = rng.choice(TRADES)
    code, country_zh, country_en = rng.choice(COUNTRIES)
    importer = rng.choice(FOREIGN)
    end_user = importer if rng.random() < 0.6 else rng.choice(FOREIGN)
    items = []
    for _ in range(rng.choice([1, 1, 2, 3, 4, 6, 10, 25])):
        control_code, description, unit = rng.choice(ITEMS)
        items.append({
            "control_code": control_code,
            "description": description,
            "quantity": Decimal(rng.randrange(1, 500000)) / Decimal(1000),
            "unit": unit,
            "value_rmb": Decimal(rng.randrange(100, 500_000_000)) / Decimal(100),
        })
    number = f"{year}MC{n:07d}"
    return {
        "number": number,
        "case_reference": f"DU{year}-{n:06d}",
        "issued_on": issued,
        "valid_from": issued,
        "valid_until": issued + datetime.timedelta(days=364),
        "licence_type": {"zh": "单项许可", "en": "Individual licence"},
        "exporter": {
            "name_zh": f"{CITIES[city]}{word}{trade_zh}",
            "name_en": f"{CITIES_EN[city]} {word} {trade_en}",
            "uscc": f"913501{rng.randrange(10**11):011d}X",
            "address": f"{CITIES[city]}市高新区创业路{rng.randrange(1, 300)}号",
        },
        "importer": {"name": importer, "address": f"{rng.randrange(1, 200)} Harbour Road",
                     "country_zh": country_zh, "country_en": country_en},
        "end_user": {"name": end_user, "address": f"{rng.randrange(1, 200)} Industrial Park",
                     "country_zh": country_zh, "country_en": country_en},
        "destination": {"code": code, "zh": country_zh, "en": country_en},
        "end_use": rng.choice(END_USES),
        "items": items,
        "issuer": {"zh": "中华人民共和国商务部",
                   "en": "Ministry of Commerce of the People's Republic of China"},
        "verify_url": f"https://portal.example/verify/{number}?mac={rng.getrandbits(128):032x}",
    }


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="licences to render (default 200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save-sample", type=Path, help="write the first PDF there")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")

    # WeasyPrint logs every rendering step at INFO; keep the report readable.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    rng = random.Random(args.seed)
    datas = [synthetic_licence(rng, n) for n in range(1, args.count + 1)]

    rss_start = current_rss_mb()
    checkpoints = {}
    times_ms: list[float] = []
    sizes: list[int] = []
    started = time.perf_counter()
    for index, data in enumerate(datas, start=1):
        t0 = time.perf_counter()
        pdf = render_licence_pdf(data)
        times_ms.append((time.perf_counter() - t0) * 1000)
        sizes.append(len(pdf))
        if index == 1 and args.save_sample:
            args.save_sample.write_bytes(pdf)
        if index in {1, max(1, args.count // 10), max(1, args.count // 2), args.count}:
            checkpoints[index] = current_rss_mb()
    total_s = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    warm = times_ms[1:] or times_ms
    print(f"licences rendered      {args.count} (seed {args.seed})")
    print(f"libharfbuzz-subset     {'present' if harfbuzz_subset_available() else 'MISSING'}")
    print(f"first render           {times_ms[0]:.0f} ms (loads fonts)")
    print(f"median per licence     {statistics.median(times_ms):.0f} ms"
          f" (warm: {statistics.median(warm):.0f} ms)")
    print(f"p95 per licence        {percentile(times_ms, 0.95):.0f} ms"
          f" (warm: {percentile(warm, 0.95):.0f} ms)")
    print(f"total                  {total_s:.1f} s")
    print(f"peak RSS               {peak_mb:.0f} MB (getrusage ru_maxrss)")
    print("RSS after licence      " + ", ".join(
        f"#{index}: {mb:.0f} MB" for index, mb in sorted(checkpoints.items()))
          + f" (before: {rss_start:.0f} MB)")
    print(f"PDF size               median {statistics.median(sizes) / 1024:.0f} KB,"
          f" min {min(sizes) / 1024:.0f} KB, max {max(sizes) / 1024:.0f} KB,"
          f" total {sum(sizes) / 2**20:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: directory build time and memory, routing decisions per second, median and p99.

    .venv/bin/python bench/bench_routing.py [--reports 50000] [--seed 7]

Targets (issue 3): directory ready in < 1 s; a routing decision < 20 µs median.

Baselines, measured in the same run so the ratios survive a slower machine:
  * build   vs reading the upstream division JSON (json.load of the package's
    nested-divisions.json): what the directory costs beyond the data it comes from;
  * routing vs constructing the Report being routed (the frozen dataclass the
    pipeline builds for every record anyway), timed per call the same way.
The report mix: all 34 provinces, a uniformly random ward among the 3,321 (so
provinces weigh by their number of communes), 10% without a ward, 2% without a
province; kinds 45% phan_anh, 20% kien_nghi, 20% khieu_nai (a quarter of them
second-time), 8% to_cao, 7% gop_y; channels and categories uniform.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import datetime, timedelta, timezone

from gbus.directory import Directory
from gbus.directory.divisions import default_source
from gbus.domain.report import Report
from gbus.domain.vocabulary import CATEGORIES, CHANNELS
from gbus.routing import Router, load_rules

KIND_WEIGHTS = {"phan_anh": 45, "kien_nghi": 20, "khieu_nai": 20, "to_cao": 8, "gop_y": 7}
COLD_START = (
    "import time; t = time.perf_counter(); from gbus.directory import Directory; "
    "Directory.default(); print(time.perf_counter() - t)"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    print("== directory ==")
    cold = [float(subprocess.check_output([sys.executable, "-c", COLD_START], text=True)) for _ in range(3)]
    source = default_source()
    parse = _best_of(5, lambda: json.load(open(source, encoding="utf-8")))
    build = _best_of(5, Directory.build)
    retained, peak = _memory_of_build()
    directory = Directory.default()
    print(f"agencies                      {len(directory):>10,}")
    print(
        f"ready in a fresh process      {statistics.median(cold) * 1e3:>10.1f} ms  (median of 3; imports + build; target < 1000 ms)"
    )
    print(f"build (warm, best of 5)       {build * 1e3:>10.1f} ms")
    print(f"baseline: json.load upstream  {parse * 1e3:>10.1f} ms  -> build = {build / parse:.1f}x baseline")
    print(f"memory retained / peak        {retained / 2**20:>10.1f} MiB / {peak / 2**20:.1f} MiB (tracemalloc)")

    print(f"\n== routing ({args.reports:,} reports, seed {args.seed}) ==")
    router = Router(directory, load_rules())
    rng = random.Random(args.seed)
    specs = [_report_fields(rng, directory) for _ in range(args.reports)]
    reports = [Report(**fields) for fields in specs]
    provinces = {r.province_code for r in reports if r.province_code}
    for report in reports[:2000]:  # warm caches and the interpreter's specialisations
        router.route(report)

    route_ns = _per_call_ns(router.route, reports)
    build_ns = _per_call_ns(lambda fields: Report(**fields), specs)
    started = time.perf_counter()
    for report in reports:
        router.route(report)
    loop = time.perf_counter() - started

    med, p99 = _median_p99(route_ns)
    base_med, base_p99 = _median_p99(build_ns)
    rules = {}
    for report in reports[:5000]:
        rule = router.route(report).rule
        rules[rule] = rules.get(rule, 0) + 1
    print(f"provinces covered             {len(provinces):>10}")
    print(f"decisions per second          {len(reports) / loop:>10,.0f}  (plain loop, no per-call timer)")
    print(f"decision median / p99         {med / 1e3:>10.2f} µs / {p99 / 1e3:.2f} µs  (target median < 20 µs)")
    print(f"baseline: build the Report    {base_med / 1e3:>10.2f} µs / {base_p99 / 1e3:.2f} µs")
    print(f"ratio decision / baseline     {med / base_med:>10.1f}x median, {p99 / base_p99:.1f}x p99")
    print(
        "rules hit (first 5,000):      "
        + ", ".join(f"{k} {v}" for k, v in sorted(rules.items(), key=lambda kv: -kv[1]))
    )


def _best_of(n: int, fn) -> float:
    best = float("inf")
    for _ in range(n):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _memory_of_build() -> tuple[int, int]:
    gc.collect()
    tracemalloc.start()
    directory = Directory.build()
    gc.collect()
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del directory
    return retained, peak


def _per_call_ns(fn, items) -> list[int]:
    clock = time.perf_counter_ns
    samples = []
    append = samples.append
    for item in items:
        started = clock()
        fn(item)
        append(clock() - started)
    return samples


def _median_p99(samples: list[int]) -> tuple[float, float]:
    ordered = sorted(samples)
    return float(ordered[len(ordered) // 2]), float(ordered[int(len(ordered) * 0.99)])


def _report_fields(rng: random.Random, directory: Directory) -> dict:
    """One plausible report: origins, subjects and channels that fit together."""
    kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
    province = rng.choice(directory.provinces()).code
    ward = rng.choice(directory.wards_of(province)).code
    roll = rng.random()
    if roll < 0.02:
        province = ward = None
    elif roll < 0.12:
        ward = None
    channel = rng.choice(CHANNELS)
    local = f"{province}.{ward}" if ward else province
    origin = {
        "mttq": f"front.mttq@{local}" if local else "front.mttq@VN",
        "cong_doan": f"union.ldld@{province}" if province else "union.tld@VN",
        "cong_dvc": "gov.vpcp@VN",
    }.get(channel, f"gov.ubnd@{local}" if local else "gov.vpcp@VN")
    area = province or rng.choice(directory.provinces()).code
    attempt, subject = 1, None
    if kind == "khieu_nai":
        attempt = 2 if rng.random() < 0.25 else 1
        if rng.random() < 0.5:
            subject = rng.choice(
                [f"gov.ubnd@{area}", f"gov.so-nnmt@{area}", f"gov.so-xd@{area}", _ward_ubnd(rng, directory, area)]
            )
    elif kind == "to_cao":
        subject = rng.choice(
            [f"gov.ubnd@{area}", f"gov.so-xd@{area}", _ward_ubnd(rng, directory, area), f"party.tu@{area}"]
        )
    elif kind == "gop_y":
        subject = rng.choice([f"gov.ubnd@{area}", "gov.bo-yt@VN", f"gov.so-gddt@{area}", "gov.bo-xd@VN"])
    return dict(
        report_id=f"r-{rng.getrandbits(48):012x}", kind=kind, category=rng.choice(CATEGORIES), channel=channel,
        province_code=province, ward_code=ward, title="Phản ánh", description="Nội dung",
        submitted_at=datetime(2025, 7, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randrange(10**7)),
        origin_agency=origin, request_id=f"q-{rng.getrandbits(32):x}", subject_agency=subject, attempt=attempt,
    )  # fmt: skip


def _ward_ubnd(rng: random.Random, directory: Directory, province: str) -> str:
    return f"gov.ubnd@{province}.{rng.choice(directory.wards_of(province)).code}"


if __name__ == "__main__":
    main()

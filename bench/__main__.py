"""``python -m bench [--sizes 10000,100000,1000000]``: the SafeGround benchmark.

For each size: a fresh tuned PostGIS cluster, N generated hazards loaded with COPY, SafeGround under
gunicorn and tipg under uvicorn on the same database, the raw per-row tile query, the same fixed
request lists for all of them; then one table of figures, ratios and target verdicts, also written
as JSON to ``bench/results/``. See docs/decisions/0009-benchmarks.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

from . import report, servers
from .cluster import SETTINGS
from .run import Settings, run_size

RESULTS = Path(__file__).resolve().parent / "results"


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("sizes are whole numbers separated by commas, e.g. 10000,100000")
    if not sizes or any(s < 1000 or s > 2_000_000 for s in sizes):
        raise argparse.ArgumentTypeError("each size must be between 1,000 and 2,000,000 hazards")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=[10_000, 100_000, 1_000_000],
                        help="hazard counts, comma-separated (default 10000,100000,1000000)")
    parser.add_argument("--requests", type=int, default=Settings.requests_c1,
                        help="requests per run at concurrency 1 (twice as many at 8)")
    parser.add_argument("--cap", type=float, default=Settings.cap_s,
                        help="seconds after which a run stops sending requests")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON results")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the temporary clusters go (default: the system's temp folder)")
    args = parser.parse_args(argv)

    cfg = Settings(requests_c1=args.requests, requests_c8=2 * args.requests, cap_s=args.cap)
    started = dt.datetime.now(dt.timezone.utc)
    results = {
        "started": started.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)},
        "versions": servers.versions(),
        "cluster_settings": SETTINGS,
        "settings": {"requests_c1": cfg.requests_c1, "requests_c8": cfg.requests_c8, "cap_s": cfg.cap_s,
                     "first_cap_s": cfg.first_cap_s, "quiet_wait_s": cfg.quiet_wait_s,
                     "quiet_budget_s": cfg.quiet_budget_s,
                     "workers": servers.WORKERS},
        "sizes": [],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    path = args.out / f"bench-{stamp}.json"

    def say(line: str) -> None:
        print(line, flush=True)

    t0 = time.perf_counter()
    for n in args.sizes:
        size = run_size(n, cfg, args.workdir, args.out / "logs" / stamp, say=say)
        size["targets"] = report.targets(size)
        results["sizes"].append(size)
        results["elapsed_s"] = round(time.perf_counter() - t0, 1)
        path.write_text(json.dumps(results, indent=1, default=str))
    text = report.print_all(results, say=say)
    (args.out / f"bench-{stamp}.txt").write_text(text + "\n")
    (args.out / "latest.json").write_text(json.dumps(results, indent=1, default=str))
    (args.out / "latest.txt").write_text(text + "\n")
    say(f"\nWritten {path} ({results['elapsed_s'] / 60:.1f} min)")
    failed = sum(1 for s in results["sizes"] for t in s["targets"] if t["verdict"] == "FAIL")
    say(f"{failed} target{'s' if failed != 1 else ''} failed" if failed else "every target passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

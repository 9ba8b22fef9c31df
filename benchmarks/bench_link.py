"""Time the link stage on synthetic corpora of 10,000 and 100,000 articles.

usage: python benchmarks/bench_link.py [--sizes 10000 100000]

Each size runs in a fresh process so its peak memory (resident set, from
`resource`) is its own. Linking is blocked, so seconds and memory should grow
about tenfold from 10,000 to 100,000 articles, not a hundredfold.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def measure(size: int) -> dict:
    """Generate `size` rows, then link and merge them; seconds of linking and peak memory of the process."""
    from etl import link
    from link_corpus import generate

    rows = generate(size)
    start = time.perf_counter()
    groups = link.cluster(rows, window_days=3)
    incidents, _, fields = link.incidents_from(groups)
    seconds = time.perf_counter() - start
    true_incidents = len({row["article_id"].split("-")[0] for row in rows})
    return {"articles": size, "seconds": round(seconds, 2), "incidents": len(incidents),
            "true_incidents": true_incidents,
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return 0
    results = []
    for size in args.sizes:
        done = subprocess.run([sys.executable, __file__, "--one", str(size)], capture_output=True, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"{'articles':>9} {'seconds':>8} {'peak MB':>8} {'incidents':>10} {'true':>7}")
    for r in results:
        print(f"{r['articles']:>9,} {r['seconds']:>8.2f} {r['peak_mb']:>8.1f} {r['incidents']:>10,} {r['true_incidents']:>7,}")
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(f"x{last['articles'] / first['articles']:.0f} articles: x{last['seconds'] / first['seconds']:.1f} time, "
              f"x{last['peak_mb'] / first['peak_mb']:.1f} peak memory")
    return 0


if __name__ == "__main__":
    sys.exit(main())

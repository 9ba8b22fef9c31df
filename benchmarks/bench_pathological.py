"""Time the extractor on pathological articles of repeated phrases, each about 1 MB.

    python benchmarks/bench_pathological.py [--mb 1.0]

Every rule must be linear in the article's length: each line prints the seconds one
article took (target under 5 s at 1 MB, the largest article ingest admits by default).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from etl.extract import extract_article  # noqa: E402

REPEATED = {
    "a knife found, repeated": "A knife found. ",
    "'on Monday', repeated": "Police said on Monday ",
    "'police opened fire and', repeated": "police opened fire and ",
    "'shot by police', repeated": "A man was shot by police in Leeds. ",
    "one long sentence of force words": "officers shot and restrained and tasered ",
}


def distinct_dates(size: int) -> str:
    """A run of distinct written dates, day after day."""
    parts, day, length = [], dt.date(1990, 1, 1), 0
    while length < size:
        part = f"on {day.day} {day.strftime('%B')} {day.year} "
        parts.append(part)
        length += len(part)
        day += dt.timedelta(days=1)
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=1.0)
    args = parser.parse_args()
    size = int(args.mb * 1_000_000)
    texts = {name: unit * (size // len(unit)) for name, unit in REPEATED.items()}
    texts["a run of distinct dates"] = distinct_dates(size)
    for name, text in texts.items():
        start = time.perf_counter()
        # Judged relevant whatever it says (threshold far below any score), so every field rule runs.
        extract_article("pathological", text, dt.date(2020, 1, 1), relevance_threshold=-1e9)
        print(f"pathological article, {name:38} {len(text) / 1e6:.1f} MB: {time.perf_counter() - start:6.2f} s (target 5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

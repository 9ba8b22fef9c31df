"""Peak memory of ingesting hostile compressed inputs: a `.txt.gz` that expands to 3 GiB and a
`.jsonl.gz` holding one 1.5 GB line (then a good line). Each is ingested in a fresh process
and its peak resident set size printed; the target is under 500 MB each.

    .venv/bin/python benchmarks/bench_memory.py          # --quick (the default): 300 MiB and 150 MB
    .venv/bin/python benchmarks/bench_memory.py --full   # the issue's sizes: 3 GiB and 1.5 GB (about a minute)

Files are written to a temporary folder and removed afterwards. Exits 1 when a peak is over
the target or an input is not rejected as too large.
"""
from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
TARGET_MB = 500
CHILD = """
import json, resource, sys, time
from pathlib import Path
from etl import ingest
start = time.perf_counter()
result = ingest.run(Path(sys.argv[1]), Path(sys.argv[2]))
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": time.perf_counter() - start, "peak_rss_mb": rss_mb, "articles": len(result.articles),
                  "documents": result.documents, "checks": sorted(set(result.rejects["check_id"]))}))
"""


def write_gzip(path: Path, pieces) -> None:
    """Stream pieces into a gzip file (fast compression), never holding more than one piece."""
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as out:
        for piece in pieces:
            out.write(piece)


def bomb(size: int):
    block = b"Police. " * (MIB // 8)
    for _ in range(size // len(block)):
        yield block


def long_line(size: int):
    block = b"x" * MIB
    yield b'{"text": "'
    for _ in range(size // len(block)):
        yield block
    yield b'"}\n' + json.dumps({"text": "A good line after the long one."}).encode() + b"\n"


def ingest_in_child(raw: Path, out: Path) -> dict:
    run = subprocess.run([sys.executable, "-c", CHILD, str(raw), str(out)], cwd=ROOT, capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(f"bench_memory: ingest failed:\n{run.stderr}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a tenth of the sizes (the default)")
    size.add_argument("--full", action="store_true", help="3 GiB expanding .txt.gz, 1.5 GB line .jsonl.gz")
    args = parser.parse_args(argv)
    scale = 1 if args.full else 10
    cases = {"bomb.txt.gz": (bomb, 3 * 1024 * MIB // scale, 0), "line.jsonl.gz": (long_line, 1500 * 10**6 // scale, 1)}
    failed = False
    with tempfile.TemporaryDirectory(prefix="uofdb-bench-memory-") as folder:
        for name, (pieces, expanded, articles) in cases.items():
            raw = Path(folder) / name.split(".")[0]
            raw.mkdir()
            started = time.perf_counter()
            write_gzip(raw / name, pieces(expanded))
            written = time.perf_counter() - started
            result = ingest_in_child(raw, Path(folder) / f"{name}.out")
            ok = (result["peak_rss_mb"] < TARGET_MB and "ingest.too_large" in result["checks"]
                  and result["articles"] == articles)
            failed |= not ok
            print(f"bench_memory: {name}: {(raw / name).stat().st_size / MIB:.1f} MB compressed expanding to "
                  f"{expanded / MIB:,.0f} MiB (written in {written:.1f} s): ingested in {result['seconds']:.1f} s, "
                  f"peak RSS {result['peak_rss_mb']:.0f} MB (target < {TARGET_MB} MB), {result['articles']} articles, "
                  f"rejects {', '.join(result['checks'])} {'ok' if ok else 'FAILED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

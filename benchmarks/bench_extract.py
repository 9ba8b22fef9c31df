"""Time the extract stage: the dev corpus repeated to N articles, on one core.

    python benchmarks/bench_extract.py [--articles 10000] [--corpus ../shared/corpus/dev/articles]

Prints articles per second per core and the peak memory of the process. Each
repeated article gets its own id, and caches that key on whole sentences are
cleared between repetitions so repeats cost what new articles would.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from etl import ingest  # noqa: E402
from etl.extract import extract_all  # noqa: E402
from etl.extract.cues import force_mentions, is_force_sentence  # noqa: E402
from etl.tables import read_table  # noqa: E402


def load_corpus(folder: Path) -> list[dict]:
    """The corpus as the ingest stage reads it."""
    with tempfile.TemporaryDirectory() as interim:
        ingest.run(folder, Path(interim))
        return read_table(Path(interim) / "ingested.parquet", "ingested").to_dict("records")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "dev" / "articles")
    parser.add_argument("--threshold", type=float, default=3.0)
    args = parser.parse_args()

    corpus = load_corpus(args.corpus)
    if not corpus:
        print(f"no articles in {args.corpus}", file=sys.stderr)
        return 1
    extract_all(pd.DataFrame(corpus[:1]), args.threshold)  # warm up imports and vocabularies

    done, batches, started = 0, 0, time.perf_counter()
    while done < args.articles:
        batch = [dict(article, article_id=f"{article['article_id']}-{batches}")
                 for article in corpus[: args.articles - done]]
        force_mentions.cache_clear()
        is_force_sentence.cache_clear()
        extract_all(pd.DataFrame(batch), args.threshold)
        done += len(batch)
        batches += 1
    elapsed = time.perf_counter() - started
    size = sum(len(article["text"]) for article in corpus) / len(corpus)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"extract: {done} articles (mean {size:,.0f} characters) in {elapsed:.1f} s on 1 core: "
          f"{done / elapsed:,.0f} articles/s per core; peak memory {peak_mb:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

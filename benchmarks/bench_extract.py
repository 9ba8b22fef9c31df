"""Time the extract stage: the dev corpus itself, then repeated to N articles, on one core.

    python benchmarks/bench_extract.py [--articles 10000] [--seconds 3] [--corpus ../shared/corpus/dev/articles]

Prints the extract stage's articles per second on one core over the dev corpus
(181 articles, passed through `extract_all` whole, again and again for at least
--seconds; the target is 600 articles/s), then the same on the corpus repeated to
--articles articles, with the peak memory of the process. The corpus is ingested
once, untimed, and extracted once untimed to warm up. Each repeated article gets
its own id, and the caches that key on text (a sentence, a document) are cleared
between repetitions so repeats cost what new articles would. One process, one
thread: one core (on a busy machine the figure is lower).
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import etl.extract  # noqa: E402
from etl import ingest, params  # noqa: E402
from etl.extract import extract_all  # noqa: E402
from etl.tables import read_table  # noqa: E402

DEV_CORPUS = REPO.parent / "shared" / "corpus" / "dev" / "articles"
TARGET = 600  # articles per second on one core, on the dev corpus
TEXT_ARGUMENTS = ("text", "sentence", "doc")  # parameter names of a cache keyed on what an article says


def load_corpus(folder: Path) -> list[dict]:
    """The corpus as the ingest stage reads it."""
    with tempfile.TemporaryDirectory() as interim:
        ingest.run(folder, Path(interim))
        return read_table(Path(interim) / "ingested.parquet", "ingested").to_dict("records")


def text_caches() -> list:
    """The extractor's caches keyed on text (a parameter named like TEXT_ARGUMENTS), to clear between
    repetitions. The others hold vocabularies, models and parsers, or values from a small domain
    (day, month, year) that a large corpus fills anyway."""
    caches = []
    for info in pkgutil.iter_modules(etl.extract.__path__, "etl.extract."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            wrapped = getattr(value, "__wrapped__", None)
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == module.__name__:
                try:
                    names = list(inspect.signature(wrapped).parameters)
                except (TypeError, ValueError):
                    continue
                if any(word in name for name in names for word in TEXT_ARGUMENTS):
                    caches.append(value)
    return caches


def clear(caches: list) -> None:
    for cache in caches:
        cache.cache_clear()


def whole_passes(corpus: list[dict], threshold, seconds: float, caches: list) -> tuple[int, int, float]:
    """Extract the whole corpus again and again for at least `seconds`: (passes, articles, seconds)."""
    passes, started = 0, time.perf_counter()
    while passes == 0 or time.perf_counter() - started < seconds:
        clear(caches)
        extract_all(pd.DataFrame([dict(article, article_id=f"{article['article_id']}-{passes}")
                                  for article in corpus]), threshold)
        passes += 1
    return passes, passes * len(corpus), time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=3.0, help="time the whole corpus for at least this long")
    parser.add_argument("--corpus", type=Path, default=DEV_CORPUS)
    parser.add_argument("--threshold", type=float,
                        help="relevance threshold (default: extract.relevance_threshold of params.yaml)")
    args = parser.parse_args()
    if args.threshold is None:
        args.threshold = params.load(REPO / "params.yaml")["extract"]["relevance_threshold"]

    corpus = load_corpus(args.corpus)
    if not corpus:
        print(f"no articles in {args.corpus}", file=sys.stderr)
        return 1
    caches = text_caches()
    extract_all(pd.DataFrame(corpus), args.threshold)  # warm up imports, vocabularies and parsers

    passes, articles, elapsed = whole_passes(corpus, args.threshold, args.seconds, caches)
    name = "dev corpus" if args.corpus.resolve() == DEV_CORPUS.resolve() else str(args.corpus)
    print(f"extract, {name}, one core: {articles / elapsed:,.0f} articles/s (target {TARGET}) "
          f"[{passes} passes of {len(corpus)} articles in {elapsed:.1f} s]")

    done, batches, started = 0, 0, time.perf_counter()
    while done < args.articles:
        batch = [dict(article, article_id=f"{article['article_id']}-{batches}")
                 for article in corpus[: args.articles - done]]
        clear(caches)
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

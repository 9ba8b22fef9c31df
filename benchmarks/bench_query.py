"""Time DuckDB's answers over a large incidents table written the way a build writes it.

    python benchmarks/bench_query.py [--incidents 1000000] [--repeat 5]

Writes --incidents synthetic incidents (valid codebook values drawn from a fixed seed: dates
from 2000 to 2025, every force, district, force type and outcome) with `etl.tables.write_table`,
which sorts them by incident_date and records the sorting columns, then times, in DuckDB over the
Parquet file, the first questions researchers ask: counts by year and force, one force's incidents
in one year, fatal shootings in a date range, one incident by id. Prints the median of --repeat
runs of each, in milliseconds, and the file's row groups. The target: well under a second each.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from etl.tables import write_table  # noqa: E402
from schema import vocab  # noqa: E402
from schema.codebook import FORCE_TYPES, OUTCOMES, columns_of  # noqa: E402

SEED = 12
FIRST_DAY, DAYS = dt.date(2000, 1, 1), 26 * 365
QUERIES = {
    "count by year and force": "select incident_year, force, count(*) from incidents group by all",
    "one force, one year": "select count(*) from incidents where force = 'Kent Police' "
                           "and incident_date between date '2019-01-01' and date '2019-12-31'",
    "fatal shootings, 2020-2022": "select count(*) from incidents where force_type = 'firearm' and outcome = 'fatal' "
                                  "and incident_date >= date '2020-01-01' and incident_date < date '2023-01-01'",
    "one incident by id": "select * from incidents where incident_id = 'syn-0000123456'",
}


def synthetic_incidents(count: int) -> pd.DataFrame:
    """`count` incidents with valid values, drawn from a fixed seed."""
    rng = np.random.default_rng(SEED)
    districts = list(vocab.districts().values())
    district = [districts[i] for i in rng.integers(0, len(districts), count)]
    days = rng.integers(0, DAYS, count)
    dates = [FIRST_DAY + dt.timedelta(days=int(day)) for day in days]
    frame = pd.DataFrame({
        "incident_id": [f"syn-{i:010d}" for i in range(count)],
        "incident_date": dates,
        "incident_period": [day.isoformat() for day in dates],
        "incident_date_precision": "day",
        "borough": [d.name for d in district],
        "borough_code": [d.code for d in district],
        "force": [d.force for d in district],
        "force_type": rng.choice(list(FORCE_TYPES), count),
        "outcome": rng.choice(list(OUTCOMES), count),
        "incident_year": [day.year for day in dates],
        "n_articles": rng.integers(1, 7, count),
        "nation": [d.country for d in district],
    })
    for column in columns_of("incidents"):  # the rest as an article that does not say gives them
        if column.name not in frame and column.unstated is not None:
            value = column.unstated
            frame[column.name] = [list(value) for _ in range(count)] if isinstance(value, (list, tuple)) else value
    return frame


def median_ms(con: duckdb.DuckDBPyConnection, sql: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        con.execute(sql).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "incidents.parquet"
        started = time.perf_counter()
        write_table(synthetic_incidents(args.incidents), "incidents", path)
        written = time.perf_counter() - started
        meta = pq.ParquetFile(path).metadata
        print(f"query: {args.incidents:,} incidents written in {written:.1f} s, {meta.num_row_groups} row groups, "
              f"{path.stat().st_size / 1e6:.0f} MB")
        con = duckdb.connect()
        con.execute(f"create view incidents as select * from read_parquet('{path}')")
        for name, sql in QUERIES.items():
            print(f"query: {name:28s} {median_ms(con, sql, args.repeat):8.1f} ms (median of {args.repeat})")


if __name__ == "__main__":
    main()

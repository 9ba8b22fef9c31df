"""etl.batches: tables read and written a batch at a time, batches mapped over processes in order."""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from etl import batches as batches_module, extract, ingest
from etl.batches import (StageProcessDied, TableWriter, in_own_process, jobs_to_use, map_batches, row_groups,
                         table_batches, worker_preload)
from etl import tables as tables_module
from etl.tables import read_table, write_table
from schema.models import conform

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "raw"


def rejects_frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"source_path": [f"in/{i}.txt" for i in range(n)], "row_key": [f"articles:a{i}" for i in range(n)],
                         "stage": "extract", "check_id": "extract.failed", "severity": "error",
                         "reason": [f"in/{i}.txt: failed" for i in range(n)]})


def square_lengths(frame: pd.DataFrame) -> list[tuple[int, int]]:  # top level: workers must import it
    return [(os.getpid(), len(frame))]


def pid_and_sum(numbers: list[int]) -> tuple[int, int]:  # top level: the child process imports it
    print(f"adding {len(numbers)} numbers", file=sys.stderr)
    print("to stdout")
    return os.getpid(), sum(numbers)


def parse_the_date(text: str) -> None:
    dt.date.fromisoformat(text)


def end_abruptly() -> None:
    os._exit(3)


def test_a_table_comes_back_in_batches_of_the_asked_size(tmp_path):
    write_table(rejects_frame(7), "rejects", tmp_path / "rejects.parquet")
    sizes = [len(batch) for batch in table_batches(tmp_path / "rejects.parquet", "rejects", 3)]
    assert sizes == [3, 3, 1]


def test_a_missing_table_names_the_stage_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="run the stage that writes it"):
        list(table_batches(tmp_path / "ingested.parquet", "ingested", 10))


def test_batches_mapped_on_two_processes_come_back_in_order_from_workers():
    frames = [rejects_frame(n) for n in (1, 2, 3, 4, 5)]
    results = list(map_batches(square_lengths, frames, jobs=2))
    assert [length for (_, length), in results] == [1, 2, 3, 4, 5]
    assert os.getpid() not in {pid for (pid, _), in results}


def test_the_workers_forkserver_imports_the_main_module_by_name_and_the_function_module(monkeypatch):
    started_with_m = type(sys)("__main__")
    started_with_m.__spec__ = type("Spec", (), {"name": "etl.cli"})()
    monkeypatch.setitem(sys.modules, "__main__", started_with_m)
    assert worker_preload(square_lengths) == ["__main__", "etl.cli", __name__]
    run_as_a_script = type(sys)("__main__")
    run_as_a_script.__spec__ = None  # (`python file.py`: the forkserver imports it by its path)
    monkeypatch.setitem(sys.modules, "__main__", run_as_a_script)
    assert worker_preload(square_lengths) == ["__main__", __name__]


def test_a_single_batch_runs_in_this_process():
    (pid, length), = next(map_batches(square_lengths, [rejects_frame(2)], jobs=2))
    assert (pid, length) == (os.getpid(), 2)


def test_batches_said_to_be_small_run_in_this_process_in_order_among_the_workers_results():
    frames = [rejects_frame(n) for n in (1, 5, 2, 6, 3)]
    results = list(map_batches(square_lengths, frames, jobs=2, in_this_process=lambda frame: len(frame) < 4))
    assert [length for (_, length), in results] == [1, 5, 2, 6, 3]
    here = [pid == os.getpid() for (pid, _), in results]
    assert here == [True, False, True, False, True]


def test_batches_all_small_start_no_worker(monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool was started")

    monkeypatch.setattr(batches_module.multiprocessing, "get_context", no_pool)
    frames = [rejects_frame(n) for n in (1, 2, 3)]
    results = list(map_batches(square_lengths, frames, jobs=2, in_this_process=lambda frame: True))
    assert [(pid, length) for (pid, length), in results] == [(os.getpid(), 1), (os.getpid(), 2), (os.getpid(), 3)]


def test_jobs_none_or_zero_means_every_core_and_negative_is_refused():
    assert jobs_to_use(None) == jobs_to_use(0) >= 1
    assert jobs_to_use(3) == 3
    with pytest.raises(ValueError, match="positive"):
        jobs_to_use(-1)


def test_a_table_written_in_batches_reads_back_whole_with_a_row_group_per_batch(tmp_path):
    path = tmp_path / "rejects.parquet"
    with TableWriter("rejects", path) as writer:
        writer.write(rejects_frame(2))
        writer.write(rejects_frame(0))
        writer.write(rejects_frame(3))
    assert writer.rows == 5
    assert pq.ParquetFile(path).metadata.num_row_groups == 2
    assert read_table(path, "rejects")["row_key"].tolist() == [f"articles:a{i}" for i in (0, 1, 0, 1, 2)]


def test_an_empty_table_written_in_batches_is_a_readable_empty_table(tmp_path):
    with TableWriter("rejects", tmp_path / "rejects.parquet"):
        pass
    assert read_table(tmp_path / "rejects.parquet", "rejects").empty


def test_a_writer_left_by_an_error_keeps_the_previous_file(tmp_path):
    path = tmp_path / "rejects.parquet"
    write_table(rejects_frame(1), "rejects", path)
    with pytest.raises(RuntimeError):
        with TableWriter("rejects", path) as writer:
            writer.write(rejects_frame(4))
            raise RuntimeError("killed mid-stage")
    assert len(read_table(path, "rejects")) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rejects.parquet"]


def test_the_extract_stage_writes_the_same_bytes_on_one_process_or_two(tmp_path):
    ingest.run(SAMPLES, tmp_path)
    tables = ("extractions", "evidence", "link_features", "extract_rejects")
    written = {}
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}"
        done = extract.run(tmp_path / "ingested.parquet", out, jobs=jobs, batch_articles=2)
        written[jobs] = {name: (out / f"{name}.parquet").read_bytes() for name in tables}
        assert (done.articles, done.rejected) == (5, 0)
    assert written[1] == written[2]
    # and the same rows as the five articles extracted as one batch
    whole, evidence, clues = extract.extract_all(read_table(tmp_path / "ingested.parquet", "ingested"))
    batched = read_table(tmp_path / "jobs2" / "extractions.parquet", "extractions")
    pd.testing.assert_frame_equal(batched, read_table(write_table(whole, "extractions", tmp_path / "whole.parquet"),
                                                      "extractions"))
    assert len(read_table(tmp_path / "jobs2" / "evidence.parquet", "evidence")) == len(evidence) > 0
    assert len(read_table(tmp_path / "jobs2" / "link_features.parquet", "link_features")) == len(clues) > 0


def test_a_dask_local_cluster_maps_batches_in_order_on_its_workers():
    frames = [rejects_frame(n) for n in (3, 1, 2)]
    results = list(map_batches(square_lengths, frames, jobs=2, engine="dask"))
    assert [length for (_, length), in results] == [3, 1, 2]
    assert os.getpid() not in {pid for (pid, _), in results}


def test_an_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="local, dask"):
        list(map_batches(square_lengths, [rejects_frame(1)], engine="spark"))


def test_the_extract_stage_on_dask_writes_the_same_bytes_as_on_local_processes(tmp_path):
    ingest.run(SAMPLES, tmp_path)
    tables = ("extractions", "evidence", "link_features", "extract_rejects")
    written = {}
    for engine in ("local", "dask"):
        out = tmp_path / engine
        extract.run(tmp_path / "ingested.parquet", out, jobs=2, batch_articles=2, engine=engine)
        written[engine] = {name: (out / f"{name}.parquet").read_bytes() for name in tables}
    assert written["dask"] == written["local"]


def test_the_extract_stage_on_dask_keeps_and_reads_the_cache_as_on_local_processes(tmp_path):
    ingest.run(SAMPLES, tmp_path)
    tables = ("extractions", "evidence", "link_features", "extract_rejects")
    local = extract.run(tmp_path / "ingested.parquet", tmp_path / "local", jobs=2, batch_articles=2)
    cache = tmp_path / "cache"
    first = extract.run(tmp_path / "ingested.parquet", tmp_path / "first", jobs=2, batch_articles=2, engine="dask",
                        cache=cache)
    again = extract.run(tmp_path / "ingested.parquet", tmp_path / "again", jobs=2, batch_articles=1, engine="dask",
                        cache=cache)
    # (the Dask workers never see the cache: this process keeps what they return, and reads it back)
    assert (first.cached, again.cached, again.articles) == (0, local.articles, local.articles)
    assert all((tmp_path / "first" / f"{name}.parquet").read_bytes() == (tmp_path / "local" / f"{name}.parquet").read_bytes()
               for name in tables)


def test_one_batch_gives_the_very_file_write_table_gives(tmp_path):
    frame = rejects_frame(3)
    with TableWriter("rejects", tmp_path / "batched.parquet") as writer:
        writer.write(frame)
    write_table(frame, "rejects", tmp_path / "whole.parquet")
    assert (tmp_path / "batched.parquet").read_bytes() == (tmp_path / "whole.parquet").read_bytes()


def test_a_table_kept_sorted_is_not_written_batch_by_batch(tmp_path):
    with pytest.raises(ValueError, match="write it whole"):
        TableWriter("incidents", tmp_path / "incidents.parquet")


def test_rows_gathered_into_row_groups_give_the_very_file_write_table_gives(tmp_path, monkeypatch):
    monkeypatch.setattr(tables_module, "ROW_GROUP_ROWS", 3)
    batches = [rejects_frame(n).assign(reason=[f"batch of {n}, row {i}" for i in range(n)]) for n in (2, 0, 4, 1, 3)]
    with TableWriter("rejects", tmp_path / "batched.parquet", row_group_rows=3) as writer:
        for batch in batches:
            writer.write(batch)
    whole = write_table(pd.concat(batches, ignore_index=True), "rejects", tmp_path / "whole.parquet")
    assert (tmp_path / "batched.parquet").read_bytes() == whole.read_bytes()
    assert [pq.ParquetFile(whole).metadata.row_group(g).num_rows for g in range(4)] == [3, 3, 3, 1]


def test_a_table_written_batch_by_batch_is_read_back_in_the_same_batches(tmp_path):
    frame = conform(pd.DataFrame({"article_id": [f"a{n}" for n in range(5)], "source_path": [f"a{n}.txt" for n in range(5)],
                                  "sha256": ["0" * 64] * 5, "encoding": ["utf-8"] * 5, "text": ["Some text."] * 5}),
                    "ingested")
    with TableWriter("ingested", tmp_path / "t.parquet") as writer:
        for start, end in ((0, 2), (2, 3), (3, 5)):
            writer.write(frame.iloc[start:end])
    groups = list(row_groups(tmp_path / "t.parquet", "ingested"))
    assert [list(group["article_id"]) for group in groups] == [["a0", "a1"], ["a2"], ["a3", "a4"]]
    assert pd.concat(groups, ignore_index=True).equals(read_table(tmp_path / "t.parquet", "ingested"))


# --- in_own_process -----------------------------------------------------------------------------

def test_a_call_in_its_own_process_returns_its_value_and_prints_here(capsys):
    pid, total = in_own_process(pid_and_sum, [1, 2, 3])
    assert pid != os.getpid() and total == 6
    printed = capsys.readouterr()
    assert printed.err == "adding 3 numbers\n" and printed.out == "to stdout\n"


def test_a_call_in_its_own_process_raises_its_exception_here_with_the_childs_traceback():
    with pytest.raises(ValueError, match="Invalid isoformat string: 'not a date'") as raised:
        in_own_process(parse_the_date, "not a date")
    assert "parse_the_date" in str(raised.value.__cause__)


def test_a_child_that_ends_without_an_answer_is_a_clear_error():
    with pytest.raises(StageProcessDied, match="ended with exit code 3 before it finished"):
        in_own_process(end_abruptly)


def test_stable_batches_end_where_the_records_say_so_an_insertion_moves_only_its_own():
    from etl.batches import stable_batches

    records = [{"id": f"article-{n}"} for n in range(2000)]
    batches = list(stable_batches([records[:700], records[700:]], 50, "id"))
    assert [record for batch in batches for record in batch] == records  # (in order, pieces joined)
    assert max(map(len, batches)) <= 100 and 25 <= len(records) / len(batches) <= 100
    inserted = records[:1000] + [{"id": "a new one"}] + records[1000:]
    again = list(stable_batches([inserted], 50, "id"))
    moved = [place for place, batch in enumerate(again) if batch not in batches]
    # (its batch, and those up to the next end a record gives: here one more, the new batch having reached the cap)
    assert {"id": "a new one"} in again[moved[0]] and moved == list(range(moved[0], moved[0] + len(moved)))
    assert len(moved) <= 2 and len(again) == len(batches)

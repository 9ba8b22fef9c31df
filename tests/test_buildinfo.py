"""Build metadata comes from the inputs and the code, never from the clock."""
from __future__ import annotations

import copy
import datetime as dt
import json

import pandas as pd

from etl import buildinfo, params


def articles(*rows):
    return pd.DataFrame(rows, columns=["article_id", "sha256", "published_date"])


def test_the_build_time_is_the_latest_published_date_or_none():
    dated = articles(("a", "1", dt.date(2020, 5, 1)), ("b", "2", None), ("c", "3", dt.date(2021, 2, 3)))
    assert buildinfo.build_time(dated) == "2021-02-03"
    assert buildinfo.build_time(articles(("a", "1", None))) is None


def test_the_inputs_digest_ignores_the_order_and_sees_any_change():
    one = articles(("a", "1", None), ("b", "2", None))
    assert buildinfo.inputs_sha256(one) == buildinfo.inputs_sha256(one.iloc[::-1])
    assert buildinfo.inputs_sha256(one) != buildinfo.inputs_sha256(articles(("a", "1", None), ("b", "3", None)))


def test_parameters_leave_out_where_files_are():
    given = params.load(None)
    recorded = json.loads(buildinfo.shaping_parameters(given))
    assert "paths" not in recorded
    # How many processes link is not what it links: left out, the rest recorded.
    assert recorded["link"] == {name: value for name, value in given["link"].items() if name != "jobs"}
    assert "jobs" not in recorded["ingest"] and "jobs" not in recorded["extract"]
    moved = dict(given, paths={"raw": "/elsewhere", "interim": "/x", "processed": "/y"})
    assert buildinfo.shaping_parameters(moved) == buildinfo.shaping_parameters(given)


def test_parameters_leave_out_how_the_build_runs_and_the_fetch_settings():
    given = params.load(None)
    elsewhere = copy.deepcopy(given)
    elsewhere["extract"].update(jobs=7, engine="dask", scheduler="tcp://host:8786", batch_articles=10)
    elsewhere["fetch"] = {**elsewhere.get("fetch", {}), "user_agent": "another"}
    assert buildinfo.shaping_parameters(elsewhere) == buildinfo.shaping_parameters(given)
    assert "fetch" not in json.loads(buildinfo.shaping_parameters(given))
    changed = copy.deepcopy(given)
    changed["extract"]["relevance_threshold"] = 0.25
    assert buildinfo.shaping_parameters(changed) != buildinfo.shaping_parameters(given)


def test_a_folder_that_is_no_checkout_has_no_commit(tmp_path):
    assert buildinfo.git_commit(tmp_path) is None


def test_parquet_metadata_holds_every_item_but_the_commit():
    info = buildinfo.build_info(articles(("a", "1", None)), params.load(None), "abc123")
    metadata = buildinfo.parquet_metadata(info)
    assert info["git_commit"] == "abc123" and "uofdb.git_commit" not in metadata
    assert metadata["uofdb.build_time"] == "" and json.loads(metadata["uofdb.parameters"])["link"]["window_days"] == 3
    assert set(metadata) == {f"uofdb.{key}" for key in info if key != "git_commit"}

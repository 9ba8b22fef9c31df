"""`uofdb release`: a versioned copy of one published build, validated with frictionless."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import frictionless
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from conftest import REPO
from etl import release
from etl.cli import main
from etl.publish import current_build
from schema.codebook import COLUMNS, TABLES

DATE = "2026-12-01"


def make_release(build_out: Path, releases: Path, version: str = "1.0.0", *extra: str) -> Path:
    assert main(["--params", str(REPO / "params.yaml"), "release", version, "--processed", str(build_out),
                 "--out", str(releases), "--date", DATE, *extra]) == 0
    return releases / version


@pytest.fixture(scope="module")
def released(sample_build, tmp_path_factory) -> Path:
    """A release of the sample build, made once for the tests that only read it."""
    return make_release(sample_build, tmp_path_factory.mktemp("releases"))


def test_the_datapackage_validates_with_frictionless_and_its_checksums_match_the_files(released):
    report = frictionless.validate(str(released / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    listed = dict(reversed(line.split("  ", 1)) for line in (released / "SHA256SUMS").read_text().splitlines())
    files = {path.relative_to(released).as_posix() for path in released.rglob("*") if path.is_file()}
    assert set(listed) == files - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256((released / name).read_bytes()).hexdigest() == digest, name
    assert subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=released).returncode == 0
    package = json.loads((released / "datapackage.json").read_text())
    for resource in package["resources"]:
        content = (released / resource["path"]).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
        assert resource["bytes"] == len(content)


def test_a_tampered_file_fails_validation(released, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(released, copy)
    incidents = copy / "csv" / "incidents.csv"
    incidents.write_text(incidents.read_text().replace('"firearm"', '"bazooka"', 1))
    report = frictionless.validate(str(copy / "datapackage.json"))
    problems = {problem[0] for problem in report.flatten(["type"])}
    assert {"constraint-error", "hash-count"} <= problems


def test_the_datapackage_describes_every_table_from_the_codebook(released):
    package = json.loads((released / "datapackage.json").read_text())
    assert package["version"] == "1.0.0" and package["created"] == f"{DATE}T00:00:00Z"
    assert package["licenses"][0]["name"] == release.DATA_LICENCE["name"]
    tables = {resource["name"]: resource for resource in package["resources"] if "schema" in resource}
    assert list(tables) == list(release.PARQUET_TABLES)
    for name, resource in tables.items():
        fields = resource["schema"]["fields"]
        expected = [column for column in TABLES[name].columns if (name, column) != release.FULL_TEXT]
        assert [field["name"] for field in fields] == expected
        assert all(field["description"].startswith(COLUMNS[field["name"]].description) for field in fields)
    force_type = next(field for field in tables["incidents"]["schema"]["fields"] if field["name"] == "force_type")
    assert force_type["constraints"] == {"required": True, "enum": list(COLUMNS["force_type"].values)}
    article_ids = next(field for field in tables["incidents"]["schema"]["fields"] if field["name"] == "article_ids")
    assert article_ids["type"] == "array"
    assert tables["incidents"]["schema"]["primaryKey"] == ["incident_id"]
    assert {f"{name}-parquet" for name in release.PARQUET_TABLES} <= {resource["name"] for resource in package["resources"]}


def test_a_release_holds_no_article_text_unless_asked(sample_build, released, tmp_path):
    texts = pq.read_table(current_build(sample_build) / "articles.parquet").column("text").to_pylist()
    assert "text" not in pq.read_schema(released / "parquet" / "articles.parquet").names
    assert "text" not in pd.read_csv(released / "csv" / "articles.csv").columns
    shown = b"".join(path.read_bytes() for path in released.rglob("*") if path.suffix in (".csv", ".json", ".md"))
    assert not any(text.encode() in shown for text in texts)
    assert len(pd.read_csv(released / "csv" / "evidence.csv")["quote"].dropna()) > 0  # the quotes stay

    private = make_release(sample_build, tmp_path, "1.0.0-private", "--with-text")
    assert pq.read_table(private / "parquet" / "articles.parquet").column("text").to_pylist() == texts
    assert "private use only" in (private / "README.md").read_text()
    assert "private use only" in json.loads((private / "datapackage.json").read_text())["description"]
    assert frictionless.validate(str(private / "datapackage.json")).valid


def test_csv_round_trips_through_pandas_with_lists_as_json_arrays(released):
    for name in release.PARQUET_TABLES:
        parquet = pq.read_table(released / "parquet" / f"{name}.parquet")
        frame = pd.read_csv(released / "csv" / f"{name}.csv", keep_default_na=False, na_values=[""], dtype=str)
        assert list(frame.columns) == parquet.column_names and len(frame) == parquet.num_rows
        for column in parquet.column_names:
            values = parquet.column(column).to_pylist()
            read = [None if pd.isna(value) else value for value in frame[column]]
            if pa.types.is_list(parquet.schema.field(column).type):
                assert [None if value is None else json.loads(value) for value in read] == values, column
            elif pa.types.is_string(parquet.schema.field(column).type):
                assert read == values, column
    incidents = pd.read_csv(released / "csv" / "incidents.csv")
    assert all(isinstance(json.loads(ids), list) and ids.startswith('["') for ids in incidents["article_ids"])


def test_csv_is_written_from_the_arrow_types_of_any_column():
    table = pa.table({
        "forces": pa.array([["A Police", "B Police"], [], None], pa.list_(pa.string())),
        "kind": pa.array(["fatal", None, "fatal"]).dictionary_encode(),
        "day": pa.array([None, pa.scalar(19000, pa.date32()).as_py(), None], pa.date32()),
        "n": pa.array([1, None, 3], pa.int64()),
    })
    lines = release.csv_bytes(table).decode().splitlines()
    assert lines == ['"forces","kind","day","n"', '"[""A Police"", ""B Police""]","fatal",,1',
                     '"[]",,2022-01-08,', ',"fatal",,3']


def test_the_release_records_its_parameters_lock_codebook_and_citation(released):
    assert (released / "params.yaml").read_bytes() == (REPO / "params.yaml").read_bytes()
    assert (released / "dvc.lock").read_bytes() == (REPO / "dvc.lock").read_bytes()
    assert (released / "codebook.md").read_text() == (REPO / "docs" / "codebook.md").read_text()
    cff = yaml.safe_load((released / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["version"] == "1.0.0" and cff["date-released"] == DATE
    assert cff["authors"] == [{"name": "uofdb contributors"}] and cff["license"] == "CC-BY-4.0"
    assert "CC-BY-4.0" in (released / "LICENSE-DATA.md").read_text()


def test_the_release_says_what_made_its_build(sample_build, released):
    with duckdb.connect(str(sample_build / "uofdb.duckdb"), read_only=True) as con:
        version, commit, codebook = con.execute(
            "select uofdb_version, git_commit, codebook_version from build_info").fetchall()[0]
    info = json.loads((released / "build_info.json").read_text())
    assert (info["uofdb_version"], info["git_commit"], info["codebook_version"]) == (version, commit, codebook)
    assert "build_info.json" in (released / "SHA256SUMS").read_text()


def test_whether_dvc_lock_describes_the_build_is_read_from_its_publish_outputs(sample_build):
    build = current_build(sample_build)
    originals = {name: (build / f"{name}.parquet").read_bytes() for name in release.PARQUET_TABLES}
    outs = [{"path": f"data/processed/{name}.parquet", "md5": hashlib.md5(content).hexdigest()}
            for name, content in originals.items()]
    lock = {"schema": "2.0", "stages": {"publish": {"outs": outs}}}
    assert release.dvc_lock_matches(yaml.safe_dump(lock).encode(), originals)
    outs[0]["md5"] = "0" * 32
    assert not release.dvc_lock_matches(yaml.safe_dump(lock).encode(), originals)


def test_a_release_is_byte_reproducible(sample_build, released, tmp_path):
    again = make_release(sample_build, tmp_path)
    files = sorted(path.relative_to(released) for path in released.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(again) for path in again.rglob("*") if path.is_file())
    for name in files:
        assert (released / name).read_bytes() == (again / name).read_bytes(), name


def test_an_existing_version_is_refused_and_a_bad_version_named(sample_build, released, capsys):
    before = (released / "SHA256SUMS").read_bytes()
    assert main(["release", "1.0.0", "--processed", str(sample_build), "--out", str(released.parent)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (released / "SHA256SUMS").read_bytes() == before
    for version in ("1.0", "v1.0.0", "2026-13-01", "../escape"):
        assert main(["release", version, "--processed", str(sample_build), "--out", str(released.parent)]) == 2
        assert repr(version) in capsys.readouterr().err
    assert sorted(path.name for path in released.parent.iterdir()) == ["1.0.0"]


def test_a_release_that_does_not_validate_leaves_nothing_behind(sample_build, tmp_path, capsys):
    copy = tmp_path / "out"
    shutil.copytree(sample_build, copy, symlinks=True)
    incidents = current_build(copy) / "incidents.parquet"
    table = pq.read_table(incidents)
    bad = table.set_column(table.schema.get_field_index("force_type"), pa.field("force_type", pa.string()),
                           pa.array(["bazooka"] * table.num_rows))
    os.unlink(incidents)  # a hard link in the copy may share the build's inode: replace, never write through
    pq.write_table(bad, incidents)
    releases = tmp_path / "releases"
    assert main(["release", "1.0.0", "--processed", str(copy), "--out", str(releases), "--date", DATE]) == 2
    error = capsys.readouterr().err
    assert "does not validate" in error and "force_type" in error
    assert list(releases.iterdir()) == []


def test_a_folder_without_a_build_is_a_clear_error(tmp_path, capsys):
    assert main(["release", "1.0.0", "--processed", str(tmp_path), "--out", str(tmp_path / "releases")]) == 2
    assert "no published build" in capsys.readouterr().err


def test_without_the_text_no_quote_or_sentence_is_longer_than_an_excerpt(sample_build, released):
    build = pq.read_table(current_build(sample_build) / "evidence.parquet")
    shown = pq.read_table(released / "parquet" / "evidence.parquet")
    assert max(len(quote) for quote in build.column("quote").to_pylist()) > release.MAX_EXCERPT_CHARS
    for column in release.EXCERPTS[1]:
        for whole, cut in zip(build.column(column).to_pylist(), shown.column(column).to_pylist()):
            if len(whole) > release.MAX_EXCERPT_CHARS:
                assert cut == whole[:release.MAX_EXCERPT_CHARS] + release.CUT
            else:
                assert cut == whole


def test_a_rewritten_table_keeps_the_sorting_columns_its_build_recorded(tmp_path):
    table = pa.table({"article_id": ["a", "b"], "text": ["one", "two"], "headline": ["x", "y"]})
    original = tmp_path / "articles.parquet"
    pq.write_table(table, original, sorting_columns=[pq.SortingColumn(2), pq.SortingColumn(1)])
    rewritten = release.parquet_bytes(table.drop_columns(["text"]), original.read_bytes())
    metadata = pq.ParquetFile(pa.BufferReader(rewritten)).metadata
    assert metadata.row_group(0).sorting_columns == (pq.SortingColumn(1),)  # headline, now second; text gone


# The Citation File Format 1.2.0 schema (CC BY 4.0, by the Citation File Format authors), as the
# cffconvert package ships it.
CFF_SCHEMA = Path(__file__).parent / "data" / "citation-file-format-1.2.0.schema.json"


def test_the_repository_and_release_citations_are_valid_cff_1_2_0(released):
    import jsonschema

    schema = json.loads(CFF_SCHEMA.read_text())
    for path in (REPO / "CITATION.cff", released / "CITATION.cff"):
        jsonschema.validate(yaml.safe_load(path.read_text()), schema, format_checker=jsonschema.FormatChecker())
    without_authors = {key: value for key, value in yaml.safe_load((REPO / "CITATION.cff").read_text()).items()
                       if key != "authors"}
    with pytest.raises(jsonschema.ValidationError, match="authors"):
        jsonschema.validate(without_authors, schema)

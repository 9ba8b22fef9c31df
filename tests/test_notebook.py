"""notebooks/explore.ipynb runs from top to bottom against a real build, and its chart shows
the incidents per year that SQL counts."""
from __future__ import annotations

import re

import duckdb
import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO

NOTEBOOK = REPO / "notebooks" / "explore.ipynb"
SECONDS_PER_CELL = 300  # the first cell starts a kernel and imports pandas, polars, duckdb and altair


@pytest.fixture(scope="module")
def executed(sample_build, tmp_path_factory):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("UOFDB_PROCESSED", str(sample_build))  # the kernel inherits the environment
    try:
        NotebookClient(notebook, timeout=SECONDS_PER_CELL, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    finally:
        monkeypatch.undo()
    return notebook


def test_the_notebook_is_committed_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.outputs == [] and cell.execution_count is None for cell in code)


def test_the_notebook_reads_pandas_polars_and_duckdb(executed):
    source = "\n".join(cell.source for cell in executed.cells if cell.cell_type == "code")
    assert "pd.read_parquet" in source and "pl.read_parquet" in source and "duckdb.connect" in source
    errors = [output for cell in executed.cells for output in cell.get("outputs", []) if output.output_type == "error"]
    assert errors == []


def test_its_chart_shows_the_incidents_per_year_sql_counts(executed, sample_build):
    charts = [data["image/svg+xml"] for cell in executed.cells for output in cell.get("outputs", [])
              for data in [output.get("data", {})] if "image/svg+xml" in data]
    assert len(charts) == 1 and charts[0].lstrip().startswith("<svg")
    with duckdb.connect(str(sample_build / "uofdb.duckdb"), read_only=True) as con:
        expected = con.execute("""select cast(substr(incident_period, 1, 4) as int), outcome, count(*)
                                  from incidents where incident_period is not null group by all""").fetchall()
    labels = set(re.findall(r"<text[^>]*>([^<]+)</text>", charts[0]))
    assert {str(year) for year, _, _ in expected} <= labels  # a bar for every year SQL counts
    assert {outcome for _, outcome, _ in expected} <= labels  # and its legend
    assert len(re.findall(r'<path[^>]*aria-roledescription="bar"', charts[0])) == len(expected)
    printed = "".join(output.get("text", "") for cell in executed.cells for output in cell.get("outputs", []))
    assert f"{sum(n for _, _, n in expected)} dated incidents of " in printed

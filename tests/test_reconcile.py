"""Reconciliation: the dataset's counts per financial year against a reference CSV, blanks kept blank."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from conftest import REPO
from etl import reconcile
from etl.cli import main
from etl.tables import read_table

HEADER = "source,measure,financial_year,value,url,quote"
# An invented reference: the sample holds one fatal police shooting in 2021/22 (Kensington) and one
# in 2023/24 (Dagenham), both in England.
REFERENCE = "\n".join([
    HEADER,
    "IOPC,fatal_police_shootings,2021/22,2,https://example.org/a,two shootings",
    "IOPC,fatal_police_shootings,2022/23,,,",
    "IOPC,fatal_police_shootings,2023/24,3,https://example.org/b,three in the first edition",
    "IOPC,fatal_police_shootings,2023/24,1,https://example.org/c,one in the later edition",
    "HomeOffice,firearms_discharge_incidents,2021/22,1,https://example.org/d,one incident",
    "HomeOffice,firearms_operations,2021/22,18000,https://example.org/e,operations",
    "PSNI,firearm_discharge_occasions,2021/22,1,https://example.org/f,one occasion",
]) + "\n"


@pytest.fixture
def reference(tmp_path):
    path = tmp_path / "reference.csv"
    path.write_text(REFERENCE)
    return path


def incident_of(build, article_id):
    articles = read_table(build / "articles.parquet", "articles").set_index("article_id")
    return articles.loc[article_id, "incident_id"]


def test_the_years_that_differ_and_the_incidents_behind_them(sample_build, reference):
    comparison, notes = reconcile.run(sample_build, reference)
    rows = comparison.set_index(["measure", "financial_year"])
    differ = rows[rows["differs"].fillna(False).astype(bool)]
    assert sorted(differ.index) == [("fatal_police_shootings", "2021/22"), ("firearm_discharge_occasions", "2021/22")]
    assert rows.loc[("fatal_police_shootings", "2021/22"), "difference"] == -1
    assert rows.loc[("fatal_police_shootings", "2021/22"), "incident_ids"] == [incident_of(sample_build, "000_05d707c832ca879f")]
    assert rows.loc[("firearm_discharge_occasions", "2021/22"), "dataset"] == 0
    agree = rows.loc[("firearms_discharge_incidents", "2021/22")]
    assert (agree["official"], agree["dataset"], bool(agree["differs"])) == (1, 1, False)
    assert any("HomeOffice/firearms_operations" in note for note in notes)


def test_a_blank_official_figure_stays_blank(sample_build, reference):
    comparison, _ = reconcile.run(sample_build, reference)
    blank = comparison.set_index(["measure", "financial_year"]).loc[("fatal_police_shootings", "2022/23")]
    assert pd.isna(blank["official"]) and pd.isna(blank["difference"]) and pd.isna(blank["differs"])
    assert blank["dataset"] == 0


def test_the_later_edition_of_a_year_is_taken_and_the_earlier_kept(sample_build, reference):
    comparison, _ = reconcile.run(sample_build, reference)
    row = comparison.set_index(["measure", "financial_year"]).loc[("fatal_police_shootings", "2023/24")]
    assert (row["official"], row["dataset"], bool(row["differs"])) == (1, 1, False)
    assert row["other_editions"] == "3 (line 4)" and row["official_url"] == "https://example.org/c"


@pytest.mark.parametrize("day, year", [(dt.date(2022, 3, 31), "2021/22"), (dt.date(2022, 4, 1), "2022/23"),
                                       (dt.date(1999, 12, 31), "1999/00")])
def test_financial_years_run_from_april_to_march(day, year):
    assert reconcile.financial_year(day) == year


def test_a_month_without_a_day_still_places_an_incident_in_its_year():
    assert reconcile.incident_year({"incident_date": None, "incident_period": "2020-03"}) == "2019/20"
    assert reconcile.incident_year({"incident_date": None, "incident_period": "2020"}) is None


def test_a_bad_reference_line_is_an_error_naming_the_file_and_line(tmp_path):
    path = tmp_path / "reference.csv"
    path.write_text(HEADER + "\nIOPC,fatal_police_shootings,2021,2,,\n")
    with pytest.raises(ValueError, match=r"reference.csv line 2: financial_year '2021'"):
        reconcile.read_reference(path)
    path.write_text(HEADER + "\nIOPC,fatal_police_shootings,2021/22,two,,\n")
    with pytest.raises(ValueError, match=r"line 2: value 'two'"):
        reconcile.read_reference(path)


def test_the_shipped_official_counts_read_and_cover_every_measure_compared(sample_build):
    reference = reconcile.read_reference(REPO / "data" / "reference" / "official_counts.csv")
    comparison = reconcile.compare(read_table(sample_build / "incidents.parquet", "incidents"), reference)
    assert {(m.source, m.measure) for m in reconcile.MEASURES} <= set(zip(reference["source"], reference["measure"]))
    assert set(comparison["measure"]) == {m.measure for m in reconcile.MEASURES}
    gaps = reference[reference["value"].isna()]
    compared = comparison.set_index(["source", "measure", "financial_year"])
    for row in gaps.to_dict("records"):
        key = (row["source"], row["measure"], row["financial_year"])
        if key in compared.index:
            assert pd.isna(compared.loc[key, "official"])


def test_uofdb_reconcile_prints_the_years_that_differ(sample_build, reference, tmp_path, capsys):
    assert main(["reconcile", "--processed", str(sample_build), "--reference", str(reference),
                 "--out", str(tmp_path / "reconcile.csv")]) == 0
    printed = capsys.readouterr().out
    kensington = incident_of(sample_build, "000_05d707c832ca879f")
    assert f"2021/22: official 2, dataset 1 (-1): {kensington}" in printed
    assert "IOPC fatal_police_shootings: 3 years, 1 differ, 1 without an official figure" in printed
    assert (tmp_path / "reconcile.csv").read_text().count("\n") == 7  # the header and six years

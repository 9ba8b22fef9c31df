"""Printed datelines: the published date a page prints in its furniture, read from invented pages."""
from __future__ import annotations

import datetime as dt
import time

import pytest

from etl import ingest
from etl.datelines import printed_published_date
from schema import vocab

HEADLINE = "Man shot by armed officers in a town centre\n\n"
LEDE = "\n\nArmed officers were called to a street in the town centre after reports of a man with a knife.\n"


def printed(text: str) -> tuple[dt.date, str] | None:
    """The date read and the dateline text its offsets cover."""
    found = printed_published_date(text)
    return None if found is None else (found[0], text[found[1]:found[2]])


@pytest.mark.parametrize("line, day", [
    ("Published Date: 21.03.2011", dt.date(2011, 3, 21)),
    ("04/08/22", dt.date(2022, 8, 4)),  # day/month/year, as UK pages print it
    ("First published on Sat 4 Feb 2017 09.12 GMT", dt.date(2017, 2, 4)),
    ("Thursday 15 November 2018 08:40 GMT", dt.date(2018, 11, 15)),
    ("19 Sep 2022 4:25 PM", dt.date(2022, 9, 19)),
    ("Published: 18:02 BST, 9 July 2019", dt.date(2019, 7, 9)),
    ("Updated 07:45, 2 Feb 2021", dt.date(2021, 2, 2)),
    ("Posted on 23/10/2014", dt.date(2014, 10, 23)),
    ("Monday 16 February 2015", dt.date(2015, 2, 16)),
    ("February 16, 2015", dt.date(2015, 2, 16)),
    ("Sept. 8, 2016", dt.date(2016, 9, 8)),
    ("2018-01-30", dt.date(2018, 1, 30)),
    ("8th July 2018 at 6.30pm", dt.date(2018, 7, 8)),
    ("Last Updated: Tuesday, 4 March, 2008, 11:20 GMT 12:20 UK", dt.date(2008, 3, 4)),
    ("Page last updated at 09:05 GMT, Saturday, 6 February 2010", dt.date(2010, 2, 6)),
    ("Last updated at 17:30 21 April 2006", dt.date(2006, 4, 21)),
    ("Date - 3rd December 2020", dt.date(2020, 12, 3)),
    ("02 MARCH 2017", dt.date(2017, 3, 2)),
])
def test_a_dateline_line_gives_the_published_date(line, day):
    assert printed(HEADLINE + line + LEDE) == (day, line)


def test_the_offsets_cover_the_dateline_as_printed_not_the_byline_names():
    text = HEADLINE + "Anna Black and Sam Green 22.06.11" + LEDE
    assert printed(text) == (dt.date(2011, 6, 22), "22.06.11")
    text = HEADLINE + "Published: 9 July 2019 | comments" + LEDE
    assert printed(text) == (dt.date(2019, 7, 9), "Published: 9 July 2019")


@pytest.mark.parametrize("year, full", [("00", 2000), ("21", 2021), ("69", 2069), ("70", 1970), ("99", 1999)])
def test_two_digit_years_below_70_are_this_century(year, full):
    assert printed(HEADLINE + f"14.05.{year}" + LEDE) == (dt.date(full, 5, 14), f"14.05.{year}")


def test_first_published_wins_over_last_updated_whichever_comes_first():
    both = "Last updated: Wed 4 Jan 2017 10.00 GMT\nFirst published on Tue 3 Jan 2017 08.00 GMT"
    assert printed(HEADLINE + both + LEDE)[0] == dt.date(2017, 1, 3)
    one_line = "12 April 2012, 09:21 | Updated: 14 April 2012, 10:00"
    assert printed(HEADLINE + one_line + LEDE) == (dt.date(2012, 4, 12), "12 April 2012, 09:21")


def test_an_updated_date_is_taken_when_it_is_the_only_one():
    assert printed(HEADLINE + "Updated 30 November 2023" + LEDE)[0] == dt.date(2023, 11, 30)


def test_a_labelled_line_may_run_on_into_text():
    line = "Story originally published 05/03/2016: some readers may have seen it again today."
    assert printed(HEADLINE + line + LEDE) == (dt.date(2016, 3, 5), "Story originally published 05/03/2016")


def test_a_dateline_run_into_the_first_words_of_the_lede():
    assert printed("Car overturns in police chase\nMay 3, 2022A car overturned in a chase.\n")[0] == dt.date(2022, 5, 3)
    assert printed("4 August 2013 ARMED officers shot a bull that escaped.\n")[0] == dt.date(2013, 8, 4)


def test_a_syndication_credit_gives_its_date():
    line = ("This article titled \u201cMan shot by police\u201d was written by Jo Bloggs, crime correspondent, "
            "for The Daily Example on Friday 3rd March 2023 10.15 UTC")
    assert printed(HEADLINE + line + LEDE)[0] == dt.date(2023, 3, 3)


@pytest.mark.parametrize("text", [
    HEADLINE + "On 5 June 2019 police were called to a flat in the town." + LEDE,  # the incident, not the page
    HEADLINE + "Police said the man was shot on 5 June 2019 after a stand-off." + LEDE,
    HEADLINE + "The inquest heard that on Tuesday 4 June 2019 officers forced entry." + LEDE,
    HEADLINE + "March 2019" + LEDE,  # a month alone
    HEADLINE + "https://news.example.co.uk/2019/06/05/man-shot" + LEDE,  # a date only in a URL
    HEADLINE + "www.example.com/news/05-06-2019/man-shot" + LEDE,
    HEADLINE + "Monday 5 June 2019" + LEDE,  # 5 June 2019 was a Wednesday
    HEADLINE + "31/02/2019" + LEDE,  # not a real day
    HEADLINE + "06/13/2019" + LEDE,  # month first: not a UK date, and not guessed
    HEADLINE + "Incident Date: 26 June 2001" + LEDE,
    HEADLINE + "Date of death: 4 April 2018" + LEDE,
    HEADLINE + "Born 5 June 1980" + LEDE,
    HEADLINE + "Tuesday 7 May \u2013 6 June 2019" + LEDE,  # a range: the hearing's days
    HEADLINE + "7 May 2019 - 6 June 2019" + LEDE,
    HEADLINE + "Resumes at 10.30am 8 March 2022 and may sit for a fortnight" + LEDE,
    HEADLINE + "5 June 19" + LEDE,
    "",
    "No digits at all in this text.",
])
def test_no_dateline_is_read_from_prose_months_urls_or_impossible_dates(text):
    assert printed_published_date(text) is None


def test_a_bare_date_deep_in_the_text_is_not_a_dateline():
    filler = "".join(f"Paragraph {n} of the story says nothing about dates at all.\n\n" for n in range(20))
    assert printed_published_date(HEADLINE + filler + "5 June 2019" + LEDE) is None
    assert printed_published_date(HEADLINE + filler + "Published: 5 June 2019" + LEDE)[0] == dt.date(2019, 6, 5)


def test_month_and_weekday_names_come_from_the_vocabulary():
    assert vocab.months()["Sept"] == 9 and vocab.months()["January"] == 1
    assert vocab.weekdays()["Thurs"] == 4 and vocab.weekdays()["Sunday"] == 7
    assert set(vocab.months().values()) == set(range(1, 13))
    assert set(vocab.weekdays().values()) == set(range(1, 8))


def test_a_huge_text_is_read_quickly():
    text = HEADLINE + ("1, 2, 3 this article was " * 40 + "\n") * 2 + ("word 12 " * 200_000)
    started = time.perf_counter()
    for _ in range(20):
        printed_published_date(text)
    assert time.perf_counter() - started < 1.0


def test_ingest_fills_the_published_date_from_the_printed_dateline(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "printed.txt").write_text(HEADLINE + "Published: 18:02 BST, 9 July 2019" + LEDE)
    (raw / "dated.txt").write_text(" date 2020-01-02 Headline\nPublished: 9 July 2019" + LEDE)
    (raw / "undated.txt").write_text(HEADLINE + "On 5 June 2019 police were called." + LEDE)
    (raw / "page.html").write_text("<html><head><title>Man shot</title></head><body><article><h1>Man shot</h1>"
                                   "<p>Published: 9 July 2019</p><p>" + "Armed officers were called to a street. " * 8
                                   + "</p></article></body></html>")
    result = ingest.run(raw, tmp_path / "interim")
    dates = result.articles.set_index("article_id")["published_date"]
    assert dates["printed"] == dt.date(2019, 7, 9)
    assert dates["dated"] == dt.date(2020, 1, 2)  # the first line's date wins
    assert dates["undated"] is None or dates.isna()["undated"]
    assert dates["page.html"] == dt.date(2019, 7, 9)
    assert result.rejects.empty  # no new warning


def date_like_lines(count: int, seed: int) -> list[str]:
    """Invented lines around date-like runs: day, month (names in odd cases: a long s, a Kelvin sign and a
    dotted capital I fold to ASCII letters) and year in either order, or numbers and separators, and
    words, clock times and links around them; many are dates, many only nearly."""
    import random

    generator = random.Random(seed)
    months = list(vocab.months())
    months += [name.upper() for name in months] + [name.replace("s", "ſ").replace("k", "\u212a") for name in months]
    months += ["İune", "Junes", "Mayday"]
    days, years = ["5", "05", "31", "32", "1", "19", "123"], ["2019", "1999", "19", "2101", "20190", "0"]
    gaps = [" ", "  ", "-", ".", "/", ", ", "", " of "]
    around = ["", "Published: ", "by Jane Doe ", "Monday ", "a 15-year-old ", "at 10:32 ", "https://example.com/",
              "x", "/", "7.", " GMT", " 10.30pm", "th", "st ", "!"]

    def run() -> str:
        day, month, year, gap = (generator.choice(days), generator.choice(months), generator.choice(years),
                                 generator.choice(gaps))
        shapes = [(day, month, year), (month, day, year), (year, day, day), (day, day, year), (day, day, day)]
        return gap.join(generator.choice(shapes)) if generator.random() < 0.8 else generator.choice(gaps).join(
            generator.choice(shapes))

    return ["".join(generator.choice(around) + run() + generator.choice(around) for _ in range(generator.randint(1, 3)))
            for _ in range(count)]


def test_a_line_without_a_year_or_a_numeric_date_holds_no_date():
    from etl.datelines import MAYBE_DATE, _patterns

    dated = 0
    for line in date_like_lines(4000, 7):
        if _patterns().date.search(line):
            dated += 1
            assert MAYBE_DATE.search(line), line  # (every line skipped for want of one has no date)
    assert dated > 200


def test_dates_are_found_as_by_the_pattern_that_tries_every_month_name_at_every_place():
    import re

    from etl.datelines import _patterns

    pattern = _patterns().date
    plain = re.compile(re.sub(r"\(\?=\[[^\]]*\]\)(?=\(\?P<mdy_m>)", "", pattern.pattern), pattern.flags)
    assert plain.pattern != pattern.pattern
    lines = date_like_lines(4000, 8)
    assert sum(1 for line in lines if pattern.search(line)) > 200
    for line in lines:
        assert [(match.span(), match.groupdict()) for match in pattern.finditer(line)] == \
               [(match.span(), match.groupdict()) for match in plain.finditer(line)], line

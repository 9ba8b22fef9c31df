"""Dates: phrases found by pattern, resolved against the published date or a date in the text."""
from __future__ import annotations

import datetime as dt

import pytest

from etl.extract import dates
from etl.extract.document import read_document

FRIDAY = dt.date(2023, 11, 24)


def incident(text: str, anchor: dt.date | None):
    found, _, precision = dates.incident_date(read_document(text), anchor)
    return (found.value if found else None), (precision.value if precision else None)


@pytest.mark.parametrize("text, expected", [
    ("Officers shot the man on Thursday night.", dt.date(2023, 11, 23)),
    ("Armed police shot a 30-year-old driver in Hull last night.", dt.date(2023, 11, 23)),
    ("A man was Tasered by officers yesterday.", dt.date(2023, 11, 23)),
    ("He was shot in the early hours of Sunday.", dt.date(2023, 11, 19)),
    ("Police shot a man this morning.", FRIDAY),
    ("Police shot a man on Friday.", FRIDAY),
    ("Police shot a man last Friday.", dt.date(2023, 11, 17)),
    ("Officers were called on 3 June and the man was restrained.", dt.date(2023, 6, 3)),
    ("The man died after being restrained on 21 August 2008.", dt.date(2008, 8, 21)),
    ("The shooting happened on March 15, 2019.", dt.date(2019, 3, 15)),
])
def test_relative_and_absolute_days_resolve(text, expected):
    assert incident(text, FRIDAY) == (expected, "day")


def test_a_month_and_year_give_month_precision_and_no_day():
    assert incident("He was shot by police in August 2016.", FRIDAY) == (None, "month")


def test_a_weekday_without_any_anchor_gives_no_date():
    assert incident("Officers shot the man on Thursday.", None) == (None, None)


def test_a_later_event_date_does_not_beat_the_incident_date():
    text = "The inquest opened on 12 March 2024. Officers shot him on 5 September 2022."
    assert incident(text, dt.date(2024, 3, 12)) == (dt.date(2022, 9, 5), "day")


def test_a_date_without_year_takes_the_latest_such_day_before_the_anchor():
    assert incident("Police shot a man on 30 December.", dt.date(2024, 1, 2)) == (dt.date(2023, 12, 30), "day")


def test_the_anchor_is_the_dateline_when_there_is_one():
    assert dates.anchor_date(read_document("text December 11, 2021", FRIDAY)) == (FRIDAY, None)


def test_without_dateline_the_latest_full_date_in_the_text_anchors():
    text = "Shots were fired on Saturday. — Police (@Force) December 11, 2021. Earlier, on 2 May 2019, ..."
    anchor, phrase = dates.anchor_date(read_document(text))
    assert anchor == dt.date(2021, 12, 11)
    assert text[phrase.start:phrase.end] == "December 11, 2021"
    assert incident(text, anchor) == (dt.date(2021, 12, 11), "day")


def test_an_age_is_not_a_year():
    assert incident("The man, 34, was shot by police.", FRIDAY) == (None, None)


@pytest.mark.parametrize("weekday, strictly, expected", [
    ("Friday", False, FRIDAY), ("Friday", True, dt.date(2023, 11, 17)), ("Saturday", False, dt.date(2023, 11, 18)),
])
def test_weekday_before(weekday, strictly, expected):
    assert dates.weekday_before(FRIDAY, weekday, strictly) == expected


@pytest.mark.parametrize("text, expected", [
    ("Felix Allen 14.09.10\n\nPolice restrained a man yesterday.", dt.date(2010, 9, 13)),
    ("Published Date: 14.07.2009\n\nA Taser was discharged yesterday (13 July).", dt.date(2009, 7, 13)),
    ("03/09/21 Officers tackled the man on Saturday.", dt.date(2021, 8, 28)),
])
def test_numeric_bylines_anchor_articles_without_a_dateline(text, expected):
    anchor, _ = dates.anchor_date(read_document(text))
    assert incident(text, anchor)[0] == expected


def test_numbers_that_are_not_dates_do_not_anchor():
    assert dates.anchor_date(read_document("He scored 3.5 out of 10, and 31.02.2020 is no date.")) == (None, None)


def test_an_inquest_sentence_gives_the_incident_date_when_no_other_does():
    text = "The jury was asked whether he was shot lawfully on 22 July 2005. The hearing ended today."
    assert incident(text, dt.date(2008, 12, 12)) == (dt.date(2005, 7, 22), "day")


def test_the_earliest_incident_date_wins_over_the_aftermath():
    text = "He was shot by police on Thursday. He died in hospital on Saturday."
    assert incident(text, dt.date(2023, 11, 27)) == (dt.date(2023, 11, 23), "day")


def test_a_day_without_year_takes_the_year_the_article_gives_its_month():
    text = "Police shot the man on 15 March. The IOPC began investigating in March 2019."
    assert incident(text, dt.date(2021, 11, 16)) == (dt.date(2019, 3, 15), "day")
    assert incident(text, None) == (dt.date(2019, 3, 15), "day")


def test_a_year_about_the_incident_is_refined_by_a_day_given_elsewhere():
    text = "He was detained at the shopping centre in 2016. The inquest heard he died on 13 July 2016."
    assert incident(text, dt.date(2019, 12, 11)) == (dt.date(2016, 7, 13), "day")


def test_hearings_are_later_events():
    text = "He died after being restrained on May 3, 2015. Hearings resumed in Edinburgh on Tuesday."
    assert incident(text, dt.date(2023, 5, 12)) == (dt.date(2015, 5, 3), "day")


@pytest.mark.parametrize("text, expected", [
    ("Police shot a man earlier this month.", (None, "month")),
    ("A man was Tasered by officers last month.", (None, "month")),
    ("He was restrained by officers last year.", (None, "year")),
    ("Police shot a man at the weekend.", (None, None)),
])
def test_periods_give_precision_without_inventing_a_day(text, expected):
    assert incident(text, FRIDAY) == expected


def test_relative_periods_resolve_against_the_anchor():
    assert dates.relative_period("last month", dt.date(2024, 1, 15)) == (dt.date(2023, 12, 1), "month")
    assert dates.relative_period("earlier this month", FRIDAY) == (dt.date(2023, 11, 1), "month")
    assert dates.relative_period("last year", FRIDAY) == (dt.date(2022, 1, 1), "year")


@pytest.mark.parametrize("text, period", [
    ("He was shot by police in August 2016.", "2016-08"),
    ("He was restrained by officers in 2015.", "2015"),
    ("Officers shot the man on Thursday night.", "2023-11-23"),
])
def test_the_period_keeps_what_the_text_gives(text, period):
    _, found, _ = dates.incident_date(read_document(text), FRIDAY)
    assert found.value == period

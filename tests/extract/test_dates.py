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


# --- years from weekdays, named days, later events, deaths, hostile input --------------------

def test_a_weekday_written_with_a_day_and_month_gives_the_year():
    # 13 March was a Friday in 2020, not in 2024: the latest such year up to the dateline.
    assert incident("Officers shot the man outside a bakery on Friday 13 March.", dt.date(2024, 11, 20)) == (dt.date(2020, 3, 13), "day")
    assert incident("Officers Tasered a cyclist on Sat 4 Nov.", dt.date(2023, 11, 24)) == (dt.date(2023, 11, 4), "day")


def test_a_wrong_weekday_in_the_weeks_before_the_dateline_is_a_slip():
    # 7 May 2024 was a Tuesday; a report a fortnight later means that 7 May.
    assert incident("Police restrained a busker on Monday 7 May.", dt.date(2024, 5, 20)) == (dt.date(2024, 5, 7), "day")


def test_a_weekday_and_day_without_any_anchor_give_no_date():
    assert incident("Officers shot the man outside a bakery on Friday 13 March.", None) == (None, None)


def test_the_year_given_elsewhere_must_agree_with_the_weekday():
    text = "Officers shot a courier on Monday 15 March. The force reviewed its tactics in March 2019."
    assert incident(text, dt.date(2021, 11, 16)) == (None, "month")  # 15 March 2019 was a Friday: no day


def test_short_words_that_are_weekday_forms_are_not_weekdays_in_prose():
    assert incident("The Sun reported that police shot a man.", FRIDAY) == (None, None)


@pytest.mark.parametrize("text, anchor, expected", [
    ("A man was restrained by officers on New Year's Eve.", dt.date(2024, 1, 3), dt.date(2023, 12, 31)),
    ("A reveller was Tasered by police in the early hours of New Year’s Day.", dt.date(2024, 1, 2), dt.date(2024, 1, 1)),
    ("Police shot a man on Boxing Day 2019, the watchdog found.", dt.date(2021, 5, 4), dt.date(2019, 12, 26)),
    ("Officers pinned a teenager down on Bonfire Night.", dt.date(2022, 11, 9), dt.date(2022, 11, 5)),
])
def test_named_days_resolve_like_a_day_and_month(text, anchor, expected):
    assert incident(text, anchor) == (expected, "day")


def test_the_early_hours_of_a_weekday_are_that_weekday():
    assert incident("A marksman shot the driver in the early hours of Tuesday.", FRIDAY) == (dt.date(2023, 11, 21), "day")


@pytest.mark.parametrize("text, anchor, expected", [
    ("An inquest jury on Thursday found that the officers who shot him acted lawfully. "
     "He was shot near a canal lock in Hull on 4 June 2021.", FRIDAY, dt.date(2021, 6, 4)),
    ("The watchdog launched an investigation today into the restraint of a pensioner. "
     "Officers held him on the floor of a care home on 19 November.", FRIDAY, dt.date(2023, 11, 19)),
    ("At the inquest into her death, which opened on Monday, a nurse described the restraint. "
     "The woman was restrained on a ward on March 2, 2022.", dt.date(2022, 3, 2), dt.date(2022, 3, 2)),
])
def test_a_later_event_named_right_before_a_date_is_that_events_date(text, anchor, expected):
    assert incident(text, anchor) == (expected, "day")


def test_the_day_an_investigation_began_is_not_the_incident_date():
    text = "We opened our independent investigation on 9 April 2022 after the Taser was fired."
    assert incident(text, dt.date(2023, 1, 5)) == (None, None)


def test_what_a_hearing_heard_is_the_incidents_account():
    text = "The tribunal heard that no weapon was found in the garden flat on the night of 8 October 2019."
    assert incident(text, dt.date(2022, 6, 1)) == (dt.date(2019, 10, 8), "day")


def test_a_day_of_death_gives_way_to_a_day_in_the_weeks_before_it():
    text = "The man was taken into custody at a bus depot on 2 March 2020. He died on 9 March 2020."
    found, _, _ = dates.incident_date(read_document(text), dt.date(2020, 4, 1))
    assert found.value == dt.date(2020, 3, 2)
    assert "before the death on 2020-03-09" in found.detail


def test_a_day_long_before_the_death_does_not_replace_it():
    text = "He moved to a flat in Leeds on 2 March 2015. He died on 9 March 2020 after being restrained."
    assert incident(text, dt.date(2020, 4, 1)) == (dt.date(2020, 3, 9), "day")


def test_a_police_operation_is_about_the_incident():
    text = "On Sunday 5 May 2019, officers carried out a planned firearms operation at a farm. The shooting was reviewed in June 2020."
    assert incident(text, None) == (dt.date(2019, 5, 5), "day")


@pytest.mark.parametrize("text", [
    "Police shot a man on 31 December 9999. He died yesterday.",
    "Officers Tasered him on 1 January 0001, two days after the call, on Monday, last month, last year.",
    "He was restrained on 3 March 0000 and on 29 February, on New Year's Eve, on Friday 1 January.",
    "Published 01/01/0001. Police shot a man yesterday on Monday 31 December and on Boxing Day.",
])
@pytest.mark.parametrize("anchor", [None, dt.date.min, dt.date.max, FRIDAY])
def test_dates_out_of_range_give_no_error(text, anchor):
    doc = read_document(text, anchor)
    found, _, _ = dates.incident_date(doc, dates.anchor_date(doc)[0])
    assert found is None or isinstance(found.value, dt.date)


def test_many_date_phrases_in_one_sentence_stay_fast():
    import time
    text = "officers shot him on 3 May and the hearing heard that on Friday 4 May they fired " * 3000
    began = time.perf_counter()
    dates.incident_date(read_document(text), FRIDAY)
    assert time.perf_counter() - began < 10

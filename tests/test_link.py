"""Linking: articles about one event become one incident with a stable id and merged fields."""
from __future__ import annotations

import datetime as dt

from etl import link
from schema.codebook import EVENT_FIELDS, COLUMNS


def article(article_id, published=None, **fields):
    row = {name: COLUMNS[name].unstated for name in EVENT_FIELDS}
    row.update({"article_id": article_id, "published_date": published, "relevant": True})
    row.update(fields)
    return row


DAGENHAM = dict(force="Metropolitan Police Service", borough="Barking and Dagenham", borough_code="E09000002")
LEEDS = dict(force="West Yorkshire Police", borough="Leeds", borough_code="E08000035")


def groups(articles, window_days=3):
    return sorted(sorted(a["article_id"] for a in group) for group in link.cluster(articles, window_days))


def test_reports_of_one_event_link_and_an_undated_report_joins_them():
    articles = [
        article("a", dt.date(2023, 11, 24), incident_date=dt.date(2023, 11, 23), location="Weston Green", **DAGENHAM),
        article("b", dt.date(2023, 11, 24), incident_date=dt.date(2023, 11, 23), **DAGENHAM),
        article("c", None, location="Weston Green", subject_age=40, **DAGENHAM),
    ]
    assert groups(articles) == [["a", "b", "c"]]


def test_same_day_shootings_in_different_places_stay_apart():
    day = dt.date(2024, 1, 30)
    articles = [article("a", day, incident_date=day, **DAGENHAM), article("b", day, incident_date=day, **LEEDS)]
    assert groups(articles) == [["a"], ["b"]]


def test_events_of_one_place_months_apart_stay_apart():
    articles = [article("a", incident_date=dt.date(2020, 1, 1), **LEEDS),
                article("b", incident_date=dt.date(2020, 6, 1), **LEEDS)]
    assert groups(articles) == [["a"], ["b"]]


def test_incident_ids_do_not_change_when_unrelated_articles_are_added():
    first = [article("a", dt.date(2023, 11, 24), incident_date=dt.date(2023, 11, 23), **DAGENHAM)]
    more = first + [article("z", dt.date(2024, 1, 1), incident_date=dt.date(2023, 12, 31), **LEEDS)]
    before, _ = link.incidents_from(link.cluster(first, 3))
    after, _ = link.incidents_from(link.cluster(more, 3))
    assert set(before["incident_id"]) < set(after["incident_id"])


def test_the_founding_article_names_the_incident_whatever_joins_later():
    early = article("later-id", dt.date(2023, 11, 24), incident_date=dt.date(2023, 11, 23), **DAGENHAM)
    late = article("aaa-inquest", dt.date(2023, 11, 30), incident_date=dt.date(2023, 11, 23), **DAGENHAM)
    assert link.incident_id([early]) == link.incident_id([early, late])


def test_merge_follows_the_codebook_rules():
    first = article("a", dt.date(2019, 3, 16), incident_date=dt.date(2019, 3, 15), force_type="taser",
                    subject_age=52, weapon_recovered="firearm", referral_body="IOPC", **LEEDS)
    later = article("b", dt.date(2021, 11, 16), incident_date=dt.date(2019, 3, 15), force_type="firearm",
                    subject_age=54, weapon_recovered="imitation_firearm", referral_body="not_stated", **LEEDS)
    merged = link.merge_fields([later, first])
    assert merged["force_type"] == "firearm"               # most serious any article reports
    assert merged["subject_age"] == 52                     # age at the incident: the earliest report
    assert merged["weapon_recovered"] == "imitation_firearm"  # the later account wins a conflict
    assert merged["referral_body"] == "IOPC"               # stated beats not stated
    assert merged["borough_code"] == "E08000035"           # travels with borough


def test_referral_body_is_the_one_of_the_time():
    ipcc_era = article("a", dt.date(2016, 8, 16), incident_date=dt.date(2016, 8, 15), referral_body="IPCC", **LEEDS)
    retold = article("b", dt.date(2019, 7, 31), incident_date=dt.date(2016, 8, 15), referral_body="IOPC", **LEEDS)
    assert link.merge_fields([ipcc_era, retold])["referral_body"] == "IPCC"

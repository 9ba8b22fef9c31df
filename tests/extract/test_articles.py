"""Whole short articles, written for these tests in the ways UK news reports incidents,
run through `extract_article`: the fields a reader would take from each."""
from __future__ import annotations

import datetime as dt

import pytest

from etl.extract import extract_article

ARTICLES = {
    "cardiff_taser": (dt.date(2024, 3, 9), """
A man was Tasered by police officers in Cardiff city centre in the early hours of Friday.
South Wales Police said officers were called to reports of a disturbance on Queen Street at about 2.15am.
The 31-year-old man was taken to hospital as a precaution and later arrested on suspicion of affray.
The force said it had referred the matter to the Independent Office for Police Conduct.
""", dict(relevant=True, incident_date=dt.date(2024, 3, 8), borough="Cardiff", force="South Wales Police",
          force_type="taser", outcome="non_fatal", referral_body="IOPC", subject_age=31, subject_gender="male")),
    "glasgow_shooting": (dt.date(2021, 5, 2), """
A man has died after being shot by armed police in Glasgow last night.
Police Scotland said armed officers were sent to a flat in Govan after reports of a man with a knife.
The 45-year-old was shot at around 11.40pm and pronounced dead at the scene. A knife was recovered.
The Police Investigations and Review Commissioner has been informed. The incident is not being treated as terrorism.
""", dict(relevant=True, incident_date=dt.date(2021, 5, 1), incident_time="23:40", borough="Glasgow City",
          force="Police Scotland", force_type="firearm", outcome="fatal", referral_body="PIRC",
          terrorism_status="not_terrorism", weapon_recovered="knife", subject_age=45, subject_gender="male")),
    "belfast_baton_round": (dt.date(2013, 7, 14), """
A teenager was hit by a baton round fired by PSNI officers during disorder in north Belfast on Friday night.
The 16-year-old boy was treated in hospital for a leg injury.
The Police Ombudsman for Northern Ireland said it was investigating the circumstances.
""", dict(relevant=True, incident_date=dt.date(2013, 7, 12), borough="Belfast",
          force="Police Service of Northern Ireland", force_type="other", outcome="non_fatal", referral_body="PONI",
          subject_age=16, subject_gender="male")),
    "pursuit_death": (dt.date(2019, 10, 20), """
A motorcyclist has died after a collision with a marked police car during a pursuit in Sheffield.
South Yorkshire Police said the crash happened on Saturday evening on Staniforth Road.
The rider, a man in his 20s, died at the scene. The police watchdog has been notified.
""", dict(relevant=True, incident_date=dt.date(2019, 10, 19), borough="Sheffield", force="South Yorkshire Police",
          force_type="vehicle", outcome="fatal", referral_body="IOPC", subject_age=None, subject_gender="male")),
    "custody_restraint_inquest": (dt.date(2018, 2, 6), """
An inquest jury has found that restraint by police officers contributed to the death of a woman in Bristol.
Jane Doe, 38, died in hospital on 14 April 2016, two days after she was restrained by Avon and Somerset officers at her home.
The Independent Police Complaints Commission investigated the officers' conduct.
""", dict(relevant=True, incident_date=dt.date(2016, 4, 12), borough="Bristol", force="Avon and Somerset Constabulary",
          force_type="restraint", outcome="fatal", referral_body="IPCC", subject_age=38, subject_gender="female")),
    "btp_station": (dt.date(2022, 1, 16), """
British Transport Police officers Tasered a man at Manchester Piccadilly station yesterday after he threatened passengers with a knife.
The knife was seized and the man, 27, was arrested. He was not injured.
""", dict(relevant=True, incident_date=dt.date(2022, 1, 15), borough="Manchester", force="British Transport Police",
          force_type="taser", outcome="non_fatal", weapon_recovered="knife", subject_age=27, subject_gender="male")),
    "gang_shooting": (dt.date(2023, 8, 2), """
A man has been shot dead in a suspected gang-related attack in Hackney.
Police said the 19-year-old was found with gunshot wounds on Tuesday night. Detectives are appealing for witnesses.
No arrests have been made.
""", dict(relevant=False)),
    "officer_shot": (dt.date(2020, 9, 26), """
A police sergeant has been shot dead at a custody centre in Croydon.
The Metropolitan Police said the officer was shot by a man who had been arrested and handcuffed.
A 23-year-old man is in a critical condition in hospital.
""", dict(relevant=False)),
    "stand_off": (dt.date(2021, 4, 3), """
Armed police surrounded a house in Leeds for six hours on Friday before a man surrendered peacefully.
West Yorkshire Police said no one was injured and a replica gun was recovered.
""", dict(relevant=False)),
    "statistics": (dt.date(2022, 7, 28), """
Police in England and Wales used Tasers 34,000 times in the year to March, figures published by the Home Office show.
Firearms were discharged in 18 incidents, the statistics released today show.
""", dict(relevant=False)),
}


@pytest.mark.parametrize("name", list(ARTICLES))
def test_articles_read_as_a_researcher_would(name):
    published, body, expected = ARTICLES[name]
    text = f" date {published.isoformat()} Headline\n\n{body.strip()}\n"
    fields, evidence = extract_article(name, text, published, 3)
    got = {key: fields[key] for key in expected}
    assert got == {key: value for key, value in expected.items()}
    for row in evidence:
        assert text[row["start"]:row["end"]] == row["quote"]

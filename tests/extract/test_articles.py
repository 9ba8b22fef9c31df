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
    "lewisham_marksman": (dt.date(2023, 6, 12), """
A man has been shot dead by a police marksman in Lewisham, south-east London.
Officers were called to a house on Sunday evening after reports that a man was threatening neighbours.
Armed officers fired three shots shortly after 6pm, the Metropolitan Police said.
A non-police firearm was recovered at the scene. The IOPC has been informed.
""", dict(relevant=True, incident_date=dt.date(2023, 6, 11), incident_time="18:00", borough="Lewisham",
          force="Metropolitan Police Service", force_type="firearm", outcome="fatal", referral_body="IOPC",
          weapon_recovered="firearm", shots_fired=3, subject_gender="male")),
    "manslaughter_trial": (dt.date(2021, 11, 3), """
A police constable has been found not guilty of manslaughter over the death of a man who was restrained in Liverpool in May 2019.
The jury heard that the 29-year-old man stopped breathing after officers held him face down for several minutes.
""", dict(relevant=True, incident_date=None, incident_date_precision="month", borough="Liverpool",
          force="Merseyside Police", force_type="restraint", outcome="fatal", subject_age=29, subject_gender="male")),
    "birmingham_woman_taser": (dt.date(2020, 2, 20), """
West Midlands Police officers discharged a Taser at a 52-year-old woman in Erdington on Wednesday afternoon.
She was taken to hospital for checks and later released. The force has made a voluntary referral to the IOPC.
""", dict(relevant=True, incident_date=dt.date(2020, 2, 19), borough="Birmingham", force="West Midlands Police",
          force_type="taser", outcome="non_fatal", referral_body="IOPC", subject_age=52, subject_gender="female")),
    "edinburgh_custody": (dt.date(2017, 10, 9), """
A man has died after being restrained by police officers in Edinburgh.
Police Scotland said the man became unwell after officers detained him in Leith on Saturday.
The Police Investigations and Review Commissioner is investigating.
""", dict(relevant=True, incident_date=dt.date(2017, 10, 7), borough="City of Edinburgh", force="Police Scotland",
          force_type="restraint", outcome="fatal", referral_body="PIRC", subject_gender="male")),
    "streatham_terror": (dt.date(2020, 2, 3), """
Counter Terrorism Policing is leading the investigation after armed officers shot dead a man who stabbed two people in Streatham on Sunday.
The man, 20, was wearing a fake suicide vest. Officers fired shots at 1.58pm.
""", dict(relevant=True, incident_date=dt.date(2020, 2, 2), incident_time="13:58", borough="Lambeth",
          force="Metropolitan Police Service", force_type="firearm", outcome="fatal", terrorism_status="terrorism",
          weapon_recovered="other", subject_age=20, subject_gender="male")),
    "paris": (dt.date(2023, 7, 1), """
French police shot dead a man who attacked officers with a knife in Paris on Friday, the interior ministry said.
""", dict(relevant=False)),
    "bull": (dt.date(2019, 5, 5), """
Armed officers shot a bull that escaped from a farm and ran onto the A38 in Devon on Saturday.
Devon and Cornwall Police said the animal posed a danger to drivers.
""", dict(relevant=False)),
    "taser_policy": (dt.date(2019, 9, 26), """
Thousands more police officers in England and Wales will be given Tasers under a £10m scheme announced by the Home Secretary.
Forces will be able to bid for funding to train more officers.
""", dict(relevant=False)),
    "tottenham_taser_night": (dt.date(2018, 11, 5), """
Police used a Taser on a man in Tottenham, north London, at around 10.15pm on Saturday.
The Metropolitan Police said the 34-year-old was arrested on suspicion of assaulting an emergency worker.
He was checked by paramedics and did not need hospital treatment.
""", dict(relevant=True, incident_date=dt.date(2018, 11, 3), incident_time="22:15", borough="Haringey",
          force="Metropolitan Police Service", force_type="taser", outcome="non_fatal", subject_age=34,
          subject_gender="male")),
    "newcastle_shot_leg": (dt.date(2022, 4, 20), """
A man was shot in the leg by Northumbria Police firearms officers in Newcastle upon Tyne on Tuesday evening.
Police said officers were responding to reports of a man armed with a machete. A machete was later recovered.
The man, 41, is in a stable condition in hospital. The force has referred the incident to the IOPC.
""", dict(relevant=True, incident_date=dt.date(2022, 4, 19), borough="Newcastle upon Tyne", force="Northumbria Police",
          force_type="firearm", outcome="non_fatal", referral_body="IOPC", weapon_recovered="knife",
          subject_age=41, subject_gender="male")),
    "stabbing_arrest": (dt.date(2022, 2, 14), """
A man has been arrested after a woman was stabbed in Bradford on Sunday night.
West Yorkshire Police said the woman, 29, was taken to hospital with serious injuries.
""", dict(relevant=False)),
    "pursuit_no_contact": (dt.date(2021, 6, 6), """
Two men were arrested after a police pursuit through Coventry on Saturday. Officers recovered a stolen car.
""", dict(relevant=False)),
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
    fields, evidence = extract_article(name, text, published)
    got = {key: fields[key] for key in expected}
    assert got == {key: value for key, value in expected.items()}
    for row in evidence:
        assert text[row["start"]:row["end"]] == row["quote"]


def test_a_workers_arrow_tables_are_the_tables_of_the_frames_of_the_same_results():
    import pyarrow as pa

    from etl.extract import OUTPUT_TABLES, articles_of, extract_results, frames_of, result_tables
    from etl.tables import to_arrow

    articles = [{"article_id": name, "published_date": published, "text": text, "source_path": f"{name}.txt"}
                for name, (published, text, _) in ARTICLES.items()]
    rows = pa.Table.from_pylist([{**article, "headline": None} for article in articles])
    assert articles_of(rows) == articles  # (the columns the extractor reads, in order)
    results = extract_results(articles_of(rows))
    for direct, frame, name in zip(result_tables(results), frames_of(results), OUTPUT_TABLES):
        through_pandas = to_arrow(frame, name)
        assert direct.num_rows == len(frame)
        assert direct.equals(through_pandas.replace_schema_metadata(direct.schema.metadata), check_metadata=True)

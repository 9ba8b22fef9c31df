"""What happened: force type, outcome, terrorism, weapons, shots, time, subject; with negative cases."""
from __future__ import annotations

import pytest

from etl.extract import events
from etl.extract.document import read_document


def value(found):
    return None if found is None else found.value


@pytest.mark.parametrize("text, expected", [
    ("A man was shot dead by armed police in the street.", "firearm"),
    ("Officers fired two shots at the car.", "firearm"),
    ("The man was Tasered by officers and later restrained.", "taser"),
    ("He died after being restrained by officers in a cell.", "restraint"),
    ("A teenager was struck by a police car during a pursuit.", "vehicle"),
    ("The youth was hit by a baton round fired by police.", "other"),
    ("Officers went to a flat in Wigan after neighbours said a man was waving a knife. He was arrested without a struggle.", None),
    ("A police officer was shot and wounded in the leg.", "firearm"),  # wording matches; relevance rules it out
])
def test_force_type_is_the_most_serious_reported(text, expected):
    assert value(events.force_type(read_document(text))) == expected


def test_force_type_carries_its_span_and_rule():
    text = "Police said officers opened fire on the man."
    found = events.force_type(read_document(text))
    assert text[found.start:found.end].endswith("officers opened fire")
    assert found.value == "firearm" and found.rule == "force_type:named"


@pytest.mark.parametrize("text, expected", [
    ("Paramedics worked on the motorcyclist for half an hour, but he was pronounced dead on the hard shoulder.", "fatal"),
    ("He died in hospital two days later.", "fatal"),
    ("The man was taken to hospital with injuries that are not life-threatening.", "non_fatal"),
    ("He survived and was later charged with possession of a firearm.", "non_fatal"),
    ("Officers Tasered the man outside a shop.", None),
    ("A fatal police shooting is rare. The man was discharged from hospital.", "non_fatal"),
])
def test_outcome(text, expected):
    assert value(events.outcome(read_document(text))) == expected


@pytest.mark.parametrize("text, expected", [
    ("Detectives said the stabbing in the shopping centre is not being treated as terrorism.", "not_terrorism"),
    ("Police said it was not terror-related.", "not_terrorism"),
    ("Counter Terrorism Policing is leading the investigation.", "terrorism"),
    ("The attack was declared a terrorist incident.", "terrorism"),
    ("Officers were called to a disturbance.", None),
])
def test_terrorism_status_reads_negation(text, expected):
    assert value(events.terrorism_status(read_document(text))) == expected


@pytest.mark.parametrize("text, expected", [
    ("An item believed to be a firearm was recovered from the footwell of the car.", ["firearm"]),
    ("An imitation firearm was found at the scene.", ["imitation_firearm"]),
    ("A knife and a hammer were recovered from the flat.", ["knife", "other"]),
    ("No weapon was found on the man.", ["none"]),
    ("Officers were sent to the estate after a caller reported a man with a gun in a car park.", []),
    ("The man had been carrying a knife, witnesses said.", []),
])
def test_weapon_recovered_needs_a_recovery_not_a_report(text, expected):
    assert [found.value for found in events.weapon_recovered(read_document(text))] == expected


@pytest.mark.parametrize("text, expected", [
    ("A Met marksman fired two shots into the van's windscreen on Tuesday evening.", 2),
    ("Three shots were fired by police.", 3),
    ("An officer fired once.", 1),
    ("No shots were fired by officers.", 0),
    ("Shots were fired during the stop and the driver was left with gunshot wounds, police said.", None),
    ("The gunman fired two shots at passers-by.", None),  # no police in the sentence
])
def test_shots_fired_counts_only_written_numbers_of_police_shots(text, expected):
    assert value(events.shots_fired(read_document(text))) == expected


@pytest.mark.parametrize("text, expected", [
    ("Armed officers stopped a silver Audi on the slip road at 3:19pm.", "15:19"),
    ("Shortly before 21:00hrs two shots were fired by officers on Mill Street.", "21:00"),
    ("Officers were called at 7.45pm. Police shot the man at about 8.10pm.", "20:10"),
    ("Police were called at 19:59hrs. The man was pronounced dead at 21:30hrs.", None),
    ("An officer fired a Taser at around midnight.", "00:00"),
])
def test_incident_time_is_when_force_was_used_not_calls_or_deaths(text, expected):
    assert value(events.incident_time(read_document(text))) == expected


@pytest.mark.parametrize("text, expected", [
    ("The driver, believed to be aged 40, was shot by a marksman.", 40),
    ("A 23-year-old man was Tasered.", 23),
    ("John Smith, 36, died after being shot by police.", 36),
    ("A 45-year-old officer shot the man.", None),
    ("A man was shot by police.", None),
])
def test_subject_age(text, expected):
    assert value(events.subject_age(read_document(text))) == expected


@pytest.mark.parametrize("text, expected", [
    ("Officers shot a man on the towpath at Bingley. He died in hospital.", "male"),
    ("A woman was Tasered by officers; she was unhurt.", "female"),
    ("Someone was restrained.", None),
])
def test_subject_gender(text, expected):
    assert value(events.subject_gender(read_document(text))) == expected


@pytest.mark.parametrize("text, expected", [
    ("Callum Brierley, 21, was a passenger in the hatchback.", 21),
    ("The former striker, 48, died after being Tasered.", 48),
    ("Tendai was 18 years old on the night he was restrained at the station.", 18),
    ("A 42-year-old police officer was stabbed; the man was shot.", None),
    ("The shooting happened on March 3, 21, officers said.", None),
])
def test_subject_age_phrasings(text, expected):
    assert value(events.subject_age(read_document(text))) == expected


def test_relatives_do_not_decide_the_subjects_gender():
    text = "His mother, his sister and his wife said the man was loved. A woman officer gave first aid."
    assert value(events.subject_gender(read_document(text))) == "male"


@pytest.mark.parametrize("text, expected", [
    ("The man died after being shot with a Taser by officers.", "taser"),
    ("Officers fired a Taser and he was shot in the chest by the barbs.", "taser"),
    ("The jury returned a conclusion of unlawful killing after he was restrained by officers.", "restraint"),
])
def test_a_taser_shot_or_a_verdict_is_not_a_firearm(text, expected):
    assert value(events.force_type(read_document(text))) == expected


def test_the_victims_of_an_attack_are_not_the_subjects_death():
    text = "The attacker stabbed three people to death in a park. A sergeant rugby tackled him to the ground."
    assert value(events.outcome(read_document(text))) is None


@pytest.mark.parametrize("text, expected", [
    ("Police discharged the weapon at a man shortly before 2pm yesterday.", "14:00"),
    ("Around 10pm, as armed police moved to stop the hatchback on the A61, a shot was fired.", "22:00"),
    ("Police were called at 6.30pm. The IOPC is investigating an incident at an address at around 9pm in which officers attended.", "21:00"),
    ("Their van collided with the cyclist at about 8.45pm, the two constables told the inquest.", "20:45"),
])
def test_incident_time_falls_back_to_confrontations_and_the_incident(text, expected):
    assert value(events.incident_time(read_document(text))) == expected


@pytest.mark.parametrize("text, expected", [
    ("A silver pistol, later confirmed as an imitation firearm, was seized from the glovebox.", ["imitation_firearm"]),
    ("No non-police issue firearm has been found in the taxi, investigators said.", ["none"]),
    ("Unarmed, he was shot after commanders organised a firearms deployment, the inquiry found.", ["none"]),
    ("Police found him after a motorist said that a youth with a knife was heading to the leisure centre.", []),
])
def test_weapons_recovered_not_reported_nor_police_compounds(text, expected):
    assert [found.value for found in events.weapon_recovered(read_document(text))] == expected


@pytest.mark.parametrize("text, expected", [
    ("Six officers from the Met had fired 20 times at the man.", 20),
    ("Witnesses said the driver was shot at 20 times by Met marksmen.", 20),
    ("A jury heard the marksman who opened fire three times feared for his life.", 3),
    ("The constable who fired the fatal shot has given evidence anonymously.", 1),
    ("Jurors were told the teenager was struck in the neck by a single shot.", 1),
    ("No shots were fired at police, but officers shot the man.", None),
    ("The gunman fired 20 times at the crowd.", None),
])
def test_shot_counts_in_times_and_singular_forms(text, expected):
    assert value(events.shots_fired(read_document(text))) == expected


@pytest.mark.parametrize("text", [
    "Officers tried to detain the suspect and a Taser was discharged seven times during the struggle.",
    "Mr Smith was shot three times as he drove away from police officers.",
])
def test_taser_discharges_and_wounds_are_not_shot_counts(text):
    assert events.shots_fired(read_document(text)) is None


def test_the_gender_of_the_person_force_was_used_on_beats_witnesses():
    text = ("Mrs D said she heard shouting. Mrs D said she ran to the door. "
            "The officer shot the man as he ran towards the gate.")
    assert value(events.subject_gender(read_document(text))) == "male"


@pytest.mark.parametrize("text, expected", [
    ("Detectives said there was nothing to link the knife attack to terrorism.", "not_terrorism"),
    ("We are talking about criminality around drugs rather than terrorism.", "not_terrorism"),
    ("The sergeant told jurors he believed he was facing a terrorist attack.", None),
    ("A convicted terrorist was shot dead by police.", None),
    ("Police officers who captured the terrorist after he killed three men.", "terrorism"),
])
def test_terrorism_denials_and_beliefs(text, expected):
    assert value(events.terrorism_status(read_document(text))) == expected


@pytest.mark.parametrize("text", [
    "The 24-year-old has since been charged with assaulting an emergency worker.",
    "He has been in hospital since, with life-changing injuries.",
    "He later pleaded guilty to attempted murder.",
    "Police fired a baton round at a rioter in Londonderry. The man was injured.",
])
def test_survival_is_implied_by_what_happened_next(text):
    assert value(events.outcome(read_document(text))) == "non_fatal"


@pytest.mark.parametrize("text, expected", [
    ("Detectives shot the suspect with a Taser in the alleyway. He was shot as he climbed a garden fence, police said.", "taser"),
    ("The IPCC statement on the fatal shooting of Jermaine Baker. The shooting is under investigation.", "firearm"),
])
def test_force_type_from_context(text, expected):
    assert value(events.force_type(read_document(text))) == expected


def test_a_byline_timestamp_is_not_the_incident_time():
    text = "Man shot by police, by a reporter on Tuesday 21st June 2022 18.04 UTC. Officers shot him."
    assert events.incident_time(read_document(text)) is None


@pytest.mark.parametrize("text", [
    "Aaron Pike, 36, Martin Sollis, 49, and Dev Chauhan-Reid, 39, were stabbed before officers tackled the man.",
    "Four passers-by, men aged 19, 22, 27, 44 and 61, needed hospital treatment.",
])
def test_lists_of_ages_belong_to_other_people(text):
    assert events.subject_age(read_document(text)) is None


@pytest.mark.parametrize("text, expected", [
    ("He is charged after the attack in Leyton at around midnight on Thursday.", "00:00"),
    ("Armed officers attended her address in Hulme during a planned raid shortly before 5am.", "05:00"),
    ("Armed officers were deployed at 4am.", None),
])
def test_incident_time_from_the_attack_or_the_officers_attending_the_person(text, expected):
    assert value(events.incident_time(read_document(text))) == expected


@pytest.mark.parametrize("text, expected", [
    ("It turned out he had been holding a hairbrush, not a weapon.", ["none"]),
    ("Another 300 Tasers will go to Welsh forces after a rise in assaults on unarmed officers.", []),
    ("He was shot dead while wearing a fake suicide vest.", ["other"]),
])
def test_weapon_statements_about_what_it_was_not(text, expected):
    assert [found.value for found in events.weapon_recovered(read_document(text))] == expected


@pytest.mark.parametrize("text, expected", [
    ("Footage shows a police officer punched the man during an arrest in Manchester.", "other"),
    ("He was kicked by officers as he lay on the ground.", "other"),
    ("The youth was shot with a baton round by PSNI officers.", "other"),
    ("A man was shot in the leg with a plastic bullet fired by police.", "other"),
])
def test_blows_and_less_lethal_rounds_are_other_force(text, expected):
    assert value(events.force_type(read_document(text))) == expected


@pytest.mark.parametrize("text", [
    "A teenager was knocked off his bike by a police van in Leeds.",
    "The stolen car was rammed by a marked police car on the M6.",
])
def test_vehicle_contact_phrasings(text):
    assert value(events.force_type(read_document(text))) == "vehicle"


@pytest.mark.parametrize("text, expected", [
    ("Armed officers found a man crouching in a lay-by shortly before 11pm.", "23:00"),
    ("A pedestrian was struck at 02:40 GMT on the ring road, the force said.", "02:40"),
    ("The two constables were attacked outside a nightclub at about 4am.", "04:00"),
    ("She was shot in the leg by a marksman at 1915hrs.", "19:15"),
    ("A Taser was discharged at around 0200 hours in the stairwell.", "02:00"),
    ("The driver was shot by officers at 2245BST beside the toll booth.", "22:45"),
    ("Officers fired a Taser just after 1am on the towpath.", "01:00"),
    ("Just before midnight a marked police van struck the scooter rider at the crossroads.", "00:00"),
])
def test_qualified_and_compact_clock_times(text, expected):
    assert value(events.incident_time(read_document(text))) == expected


@pytest.mark.parametrize("text", [
    "Shortly after 6.20pm a duty inspector received a call saying officers had fired a Taser.",
    "Officers went to the bungalow after receiving reports of a fight just before 3.10am.",
    "Unarmed officers attended the address at about 5.40pm to speak to the tenant about an assault.",
    "At 7.05pm paramedics took the man to hospital after he was restrained.",
    "Police shot the man, who had a 9.45mm pistol and owed £12.30, near the bus stop.",
])
def test_times_of_calls_reports_unarmed_visits_and_amounts_are_not_the_incident_time(text):
    assert events.incident_time(read_document(text)) is None


@pytest.mark.parametrize("text", [
    # A witness's words and pronouns do not make the subject a woman.
    ("Armed officers shot a man outside a bakery in Hove. A woman who saw it said she heard three bangs. "
     "Mrs Patel stated she had never seen anything like it."),
    # Nor do the subject's victims.
    "The man stabbed a woman and her sister before officers shot him in the street.",
])
def test_witnesses_and_victims_are_not_the_subject(text):
    assert value(events.subject_gender(read_document(text))) == "male"


def test_an_age_after_a_rank_is_an_officer_and_the_victims_age_is_not_the_subjects():
    text = ("Sgt Dobson, 51, told the hearing he fired once. The 29-year-old had been wanted over the "
            "murder of a 64-year-old in a nearby flat.")
    assert value(events.subject_age(read_document(text))) == 29


@pytest.mark.parametrize("text, expected", [
    ("Officers said a man died after the shooting on the ring road, but two dogs were shot dead as well.", "fatal"),
    ("The watchdog is investigating the non-fatal shooting of a man in Preston.", "non_fatal"),
    ("He was apprehended at the scene and later received compensation from the force.", "non_fatal"),
])
def test_outcome_reads_non_fatal_and_other_deaths_rightly(text, expected):
    assert value(events.outcome(read_document(text))) == expected


def test_force_on_animals_is_not_the_force_type():
    text = "Officers fired a Taser at the man, and his two dogs were shot dead by firearms officers."
    assert value(events.force_type(read_document(text))) == "taser"


@pytest.mark.parametrize("text, expected", [
    # Hospital or a critical condition alone says nothing of survival (FIELDS.md conventions).
    ("The man was taken to hospital in a critical condition after officers opened fire.", None),
    # An officer's trial is not the person's survival.
    ("An officer who was convicted of assault after using a Taser on a man has won his appeal.", None),
    ("Officers Tasered the man, who was taken to hospital and later released.", "non_fatal"),
])
def test_survival_needs_to_be_stated_and_to_be_the_persons(text, expected):
    assert value(events.outcome(read_document(text))) == expected


@pytest.mark.parametrize("text, expected", [
    ("A cyclist was killed by a police car responding to a call in Hove.", "vehicle"),
    ("Officers fired baton rounds during the disorder. A firearm was discharged by an officer in the unit.", "other"),
])
def test_vehicles_and_less_lethal_rounds_are_not_firearms(text, expected):
    assert value(events.force_type(read_document(text))) == expected

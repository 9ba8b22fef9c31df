"""The closed set of extraction rule names: every evidence row's `rule` is one of these.

A rule name says which way of reading the text produced a value; it never holds the
value itself (what a rule weighed or counted from goes in the evidence's `detail`).
`docs/rules.md` is generated from this table (`uofdb rules`), and `Found` refuses
any other name.
"""
from __future__ import annotations

RULES: dict[str, str] = {
    # relevance
    "relevance:model": "The relevance model's decision: its log-odds score over the named signals against the fitted threshold.",
    "relevance:signal": "One signal of the relevance model that is present in the article, with its value and weight (detail).",
    # dates
    "date:day_month_year": "A written day and month (\"14 March 2019\", \"on the 3rd of May\"); with no year written, the year the article gives that month, else the dateline's (detail).",
    "date:month_day_year": "A written month and day, US style (\"March 14, 2019\").",
    "date:numeric_date": "A day-first numeric date (\"14.03.2019\", \"03/09/21\").",
    "date:month_year": "A month and year only (\"in March 2019\"): the period, no day.",
    "date:year_only": "A year only (\"in 2019\"): the period, no day.",
    "date:relative_day": "\"yesterday\", \"last night\", \"this morning\": counted from the dateline.",
    "date:weekday_from_anchor": "A weekday (\"on Thursday night\") counted back from the dateline, or from the latest full date in the text (detail).",
    "date:named_day": "A day news names instead of writing it (\"on New Year's Eve\", \"on Boxing Day\"): its day and month in the year written, else the dateline's (detail).",
    "date:relative_period": "\"last month\", \"earlier this year\": the month or year counted from the dateline.",
    # time
    "time:force_sentence": "A clock time in a sentence that reports the force.",
    "time:confrontation": "A clock time in a sentence where officers stopped, confronted or reached the person.",
    "time:incident_sentence": "A clock time in a sentence about the incident, when no closer time is given.",
    # place and force
    "borough:district_name": "The district named, weighted towards sentences that report the force.",
    "borough:place_in_district": "A place inside a district (a town, area, street or landmark of the gazetteer).",
    "location:junction": "\"the junction of A Road and B Street\" as written.",
    "location:street": "A street or estate name as written.",
    "location:place_name": "The place name the borough was read from, when no street is given.",
    "force:named": "The force named most in the sentences that report the force.",
    "force:several_named_acting": "Several forces named in one sentence that reports the force, joined.",
    "force:territorial_force_of_borough": "No force named: the territorial force of the district.",
    "referral:named": "The watchdog the article names.",
    "referral:unnamed_watchdog_for_place_and_date": "An unnamed \"police watchdog\": the body holding the role at that place and date.",
    # what happened
    "force_type:named": "A phrase that reports police force of that kind by itself (\"shot by police\", \"was Tasered\").",
    "force_type:with_police": "A force word in a sentence that names police (\"was shot\" beside \"officers\").",
    "force_type:most_mentioned": "No sentence names police force: the kind of force the article mentions most.",
    "outcome:died": "Words of the person's death (\"died\", \"shot dead\", \"pronounced dead\").",
    "outcome:survived": "Words of survival stated or implied (\"in a stable condition\", \"later charged\", \"appeared in court\").",
    "terrorism:declared": "Declared or treated as terrorism, or counter-terrorism policing leads.",
    "terrorism:denied": "Stated not to be terrorism-related.",
    "weapon:recovered": "A weapon word near a recovery verb (\"a knife was recovered\").",
    "weapon:none_found": "Stated that no weapon was found, or that the person was unarmed.",
    "shots:count": "A count of shots police fired, in words or figures (\"fired twice\", \"no shots were fired\").",
    "age:stated": "The age the article gives the person most often (\"a 34-year-old man\", \"Smith, 34,\").",
    "gender:force_sentence_noun": "A gendered noun or title in a sentence that reports the force.",
    "gender:force_sentence_pronoun": "A gendered pronoun in a sentence that reports the force.",
    "gender:noun": "A gendered noun or title elsewhere in the article.",
    "gender:pronoun": "A gendered pronoun elsewhere in the article.",
    # review
    "correction": "A row of the corrections file (data/corrections.csv) set the value; detail gives its line, the reason, the source and the value it replaced.",
}

# Rules that infer a value the text does not state (a default from the place, the kind of force
# mentioned most, the watchdog of the place and date): the review queue (etl/review.py) lists them.
INFERRED: frozenset[str] = frozenset({
    "force:territorial_force_of_borough", "force_type:most_mentioned",
    "referral:unnamed_watchdog_for_place_and_date", "location:place_name",
})
if not INFERRED <= set(RULES):
    raise ValueError(f"inferred rules that are no rules: {sorted(INFERRED - set(RULES))}")


def markdown() -> str:
    """docs/rules.md: every rule name and what it reads."""
    lines = ["# Extraction rules", "", "Every evidence row names one of these rules (generated from `etl/extract/rules.py`).", "",
             "| rule | what it reads |", "|---|---|"]
    lines += [f"| `{name}` | {description} |" for name, description in RULES.items()]
    return "\n".join(lines) + "\n"

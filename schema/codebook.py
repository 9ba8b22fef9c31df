"""The codebook: every column of every table, declared once.

Each column is declared here with its type, description and allowed values; the
pandera models (`schema.models`), the Parquet schemas (`schema.arrow`) and the
data dictionary are all generated from these declarations, so nothing else in the
project restates a vocabulary. The meanings follow `shared/FIELDS.md`.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from schema import vocab

NOT_STATED = "not_stated"

# Kinds of column. Each maps to one pandas dtype, one Arrow type and one pandera
# type in `schema.models` / `schema.arrow`.
KINDS = ("str", "bool", "int", "float", "date", "time", "enum", "list")
MERGE_RULES = ("latest", "earliest", "most_serious", "at_the_time")


@dataclass(frozen=True)
class Column:
    """One column: its kind, what it means and what values it may take."""

    name: str
    kind: str
    description: str
    values: tuple[str, ...] = ()
    nullable: bool = True
    minimum: int | None = None
    maximum: int | None = None
    # A joined column holds several values sorted and joined with "; " (the codebook's
    # `force` and `weapon_recovered`); each part must be one of `values`.
    joined: bool = False
    # How an incident's value is chosen from its articles' values (see etl.link):
    # "latest" stated value, "earliest", "most_serious" (in `values` order),
    # "at_the_time" (the body holding the role on the incident's date), or
    # "with:<field>" (taken from the same article as <field>).
    merge: str | None = None

    @property
    def unstated(self) -> str | list | None:
        """What the column holds when the article does not say: not_stated for vocabularies that have it,
        an empty list for a list (a new one each time), else null."""
        if self.kind == "list":
            return []
        return NOT_STATED if NOT_STATED in self.values else None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: unknown kind {self.kind!r}")
        if self.merge and not (self.merge in MERGE_RULES or self.merge.startswith("with:")):
            raise ValueError(f"column {self.name}: unknown merge rule {self.merge!r}")
        if self.kind == "enum" and not self.values:
            raise ValueError(f"column {self.name}: an enum needs its values")


@dataclass(frozen=True)
class Table:
    """A table: what one row is, its key and its columns in order."""

    name: str
    row: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    published: bool = True
    description: str = field(default="")
    # Columns that may not be null in this table although the column may be elsewhere
    # (incident_id is null in articles that are not relevant, never in incidents).
    required: tuple[str, ...] = ()
    # A reference table is built from schema/vocab at publish, not by a stage.
    reference: bool = False
    # The order rows are written in (nulls last), recorded as the Parquet file's sorting columns.
    sort_by: tuple[str, ...] = ()
    # False for a table of the database alone (build_info: it names the commit, which the
    # Parquet files, hashed by dvc.lock, must not hold).
    in_parquet: bool = True


def _enum(*values: str) -> tuple[str, ...]:
    return tuple(values) + (NOT_STATED,)


FORCE_TYPES = ("firearm", "taser", "restraint", "vehicle", "other")  # most serious first
OUTCOMES = ("fatal", "non_fatal")
TERRORISM = ("terrorism", "not_terrorism")
GENDERS = ("male", "female")
DATE_PRECISIONS = ("day", "month", "year")
REGIONS = tuple(region.name for region in vocab.regions().values())
NATIONS = tuple(dict.fromkeys(region.nation for region in vocab.regions().values()))
FORCE_KINDS = tuple(sorted({force.kind for force in vocab.forces().values()}))
REFERRAL_BODIES = tuple(sorted(vocab.referral_bodies()))
WEAPON_VALUES = vocab.WEAPON_CATEGORIES + ("none",)
# What the extract stage reads for the linker (etl/extract/link_features.py).
LINK_FEATURE_KINDS = ("person", "surname", "prominent_surname", "word", "street", "place", "month", "year",
                      "authority", "as_of")

_COLUMNS = [
    # --- articles: what ingest reads -------------------------------------------------
    Column("article_id", "str", "Input document id, unique by construction from the file's path under the raw folder: for a .txt file (or .txt.gz) the path without that extension (\"000_05d707c832ca879f\", \"a/story\"); for another one-article file the path as it is (\"story.html\"); for a record of an export the export's path and the record's id, or else its line (.jsonl) or row (.csv) number, joined with \":\" (\"export.jsonl:7\").", nullable=False),
    Column("source_path", "str", "Path of the input file, relative to the raw folder (in rejects, null for a row of a table no one input file holds, such as an incident or an evidence row: its row_key names it).", nullable=True),
    Column("sha256", "str", "SHA-256 of the document's bytes: the (decompressed) file for one-article files, the record's text in UTF-8 for records of exports.", nullable=False),
    Column("encoding", "str", "Text encoding the file was decoded with (utf-8, or the fallback used).", nullable=False),
    Column("published_date", "date", "Publication date from the article's own dateline (the ` date YYYY-MM-DD` first line), the page's metadata (article:published_time and the like) or the record's published/date field; null when it has none."),
    Column("headline", "str", "Headline from the dateline line, the page's title (HTML) or the record's title field; null when the document has none."),
    Column("outlet", "str", "Publication the document comes from: the page's site name (og:site_name, else its host name) or the record's outlet/source field; null when not stated."),
    Column("url", "str", "Address of the document: for a page `uofdb fetch` downloaded, the address that served it (its fetch record); else the page's canonical URL or the record's url/link field; null when not stated."),
    Column("text", "str", "The document's text as read (UTF-8, newlines normalised): the whole .txt file (dateline line included), the main text of an HTML page, the text field of a record; evidence offsets (start, end) index into it.", nullable=False),
    Column("duplicate_of", "str", "article_id of the first document read with the same normalised text (case, spacing and Unicode forms ignored); null for the first copy and for unique texts. Counts once as evidence."),
    Column("copy_of", "str", "article_id of the article this near-identical copy reproduces (a syndicated or wire story: word 5-shingle Jaccard similarity at or above ingest.copy_similarity); the original is the earliest published of the group. Null for originals, unique texts and exact duplicates. Counts once as evidence."),
    # --- extracted, article level and incident level ------------------------------
    Column("relevant", "bool", "True when the article reports at least one specific incident of police force on a person in the UK.", nullable=False),
    Column("relevance_score", "float", "Score behind `relevant`: the fitted relevance model's log-odds over its named signals (schema/vocab/relevance_model.json); relevant when at or above the model's fitted threshold (or extract.relevance_threshold in params.yaml when set).", nullable=False),
    Column("incident_id", "str", "Id of the incident: \"uof-\" and 12 hex digits of the SHA-256 of its founding article's article_id (the earliest published; undated last; ties by article_id), a function of the inputs alone (in articles: the incident the article reports, null when not relevant; in incident_aliases: null when dropped)."),
    Column("incident_date", "date", "Day police used force, resolved from relative words against the published date or an absolute date in the text; null when the day cannot be determined.", merge="latest"),
    Column("incident_period", "str", "The incident's date as far as the text gives it: YYYY-MM-DD, YYYY-MM or YYYY, matching incident_date_precision; null when no date is given. Keeps the month or year that incident_date, a day, cannot hold.", merge="with:incident_date"),
    Column("incident_date_precision", "enum", "How much of incident_date the text gives: day, month or year (ACLED-style); not_stated when no date.", values=_enum(*DATE_PRECISIONS), nullable=False, merge="with:incident_date"),
    Column("incident_time", "time", "24-hour HH:MM at which force was used, else when armed officers stopped or confronted the person; null when neither is stated.", merge="latest"),
    Column("borough", "str", "Local authority district where it happened, by its official short name (\"Barking and Dagenham\", \"Glasgow City\").",
           values=tuple(sorted(vocab.district_by_name())), merge="latest"),
    Column("borough_code", "str", "ONS GSS code of `borough` (e.g. E09000002), codes of the districts as they stand since April 2023.",
           values=tuple(sorted(vocab.districts())), merge="with:borough"),
    Column("location", "str", "Street, junction or place as written in the article.", merge="latest"),
    Column("force", "str", "Official name of the force whose officers used force; several forces sorted and joined with \"; \".",
           values=tuple(sorted(vocab.forces())), joined=True, merge="latest"),
    Column("force_type", "enum", "Most serious force used: firearm > taser > restraint > vehicle > other.", values=_enum(*FORCE_TYPES), nullable=False, merge="most_serious"),
    Column("outcome", "enum", "fatal when the person died in or as a result of the incident; non_fatal when stated or clearly implied to have survived.", values=_enum(*OUTCOMES), nullable=False, merge="latest"),
    Column("referral_body", "enum", "Police watchdog named (IOPC, IPCC from 1 April 2004 to 7 January 2018, PCA before April 2004, PIRC in Scotland, PONI in Northern Ireland); an unnamed \"police watchdog\" is the body holding the role there and then.", values=_enum(*REFERRAL_BODIES), nullable=False, merge="at_the_time"),
    Column("terrorism_status", "enum", "terrorism when declared or treated as terrorism; not_terrorism when stated not to be terrorism-related.", values=_enum(*TERRORISM), nullable=False, merge="latest"),
    Column("weapon_recovered", "str", "Weapons recovered from or near the person: any of " + ", ".join(vocab.WEAPON_CATEGORIES) + " sorted and joined with \"; \"; none when stated that none was found; not_stated otherwise.",
           values=WEAPON_VALUES + (NOT_STATED,), joined=True, nullable=False, merge="latest"),
    Column("subject_age", "int", "Age in years of the person force was used on, when a single number is given.", minimum=0, maximum=120, merge="earliest"),
    Column("subject_gender", "enum", "Gender of the person force was used on.", values=_enum(*GENDERS), nullable=False, merge="latest"),
    Column("shots_fired", "int", "Number of firearm shots fired by police, when stated (\"no shots\" is 0).", minimum=0, maximum=1000, merge="latest"),
    # --- incidents -----------------------------------------------------------------
    Column("incident_year", "int", "Year of the incident: the year of incident_period, so also when only the month or the year is given; null when no date is given."),
    Column("nation", "enum", "UK nation where it happened: the nation of the incident's district, else the one nation in which all its territorial forces police (a special force such as British Transport Police tells nothing); not_stated when neither tells. In districts, the district's nation; in forces, the nation of the force's area (not_stated for the special forces, which police several).",
           values=_enum(*NATIONS), nullable=False),
    Column("region", "enum", "Region where it happened: one of the nine ONS regions of England, or Wales, Scotland or Northern Ireland, which ONS does not divide into regions and which are each their own region here (as at the ITL1 level), so the column covers the UK. Taken like nation: the district's region, else the one region all the territorial forces' areas lie in (every English force area lies within one region); not_stated when neither tells. In districts and forces, the district's and the force area's.",
           values=_enum(*REGIONS), nullable=False),
    Column("forces", "list", "The forces of `force` as a list, one official name each, sorted; empty when not stated. Group by `unnest(forces)` to count each force once.",
           values=tuple(sorted(vocab.forces())), nullable=False),
    Column("weapons_recovered", "list", "The parts of `weapon_recovered` as a list, sorted: weapon categories, or [\"none\"] when stated that none was found; empty when not stated (weapon_recovered = not_stated), like `forces`.",
           values=WEAPON_VALUES, nullable=False),
    Column("n_articles", "int", "Number of articles that report the incident.", nullable=False, minimum=1),
    Column("article_ids", "list", "Ids of the articles that report the incident, sorted.", nullable=False),
    # --- incident_fields: where each incident value came from -------------------------
    Column("chosen_value", "str", "The incident's value of the field, as text (dates ISO, numbers plain); null when no article states it."),
    Column("source_article_id", "str", "The article the chosen value was taken from; null when no article states it."),
    Column("merge_rule", "str", "The codebook merge rule that chose the value (latest, earliest, most_serious, at_the_time, with:<field>), or correction: a row of the corrections table set it.", nullable=False),
    Column("other_values", "list", "Every other stated value the incident's articles give for the field, as text, sorted; empty when they agree.", nullable=False),
    # --- incident_aliases: ids of a previous release and where their articles are now ---
    Column("previous_incident_id", "str", "An incident id of the previous release the build was given (uofdb build --previous-release DIR) that is no incident's id today; ids an earlier release aliased are followed too. An id that is an incident's id today means that incident and is not listed.", nullable=False),
    Column("change", "enum", "What became of the previous id: renamed (all its articles still reported are in one incident, named after another founding article), merged (that incident also holds another previous incident's articles), split (its articles are in several incidents: one row each), dropped (none is in an incident today; incident_id null).", values=("renamed", "merged", "split", "dropped"), nullable=False),
    Column("shared_articles", "int", "Number of the previous incident's articles in this incident (0 when dropped); for an id followed from an earlier release's aliases, of the intermediate id.", nullable=False, minimum=0),
    # --- evidence ------------------------------------------------------------------
    Column("field", "str", "Codebook field the value belongs to.", nullable=False),
    Column("value", "str", "The extracted value, as text.", nullable=False),
    Column("start", "int", "Character offset where the quote starts in the article text.", nullable=False, minimum=0),
    Column("end", "int", "Character offset just past the quote's end in the article text.", nullable=False, minimum=0),
    Column("quote", "str", "The text the value was read from: text[start:end].", nullable=False),
    Column("sentence", "str", "The sentence of the article text the quote stands in (the quote itself when it spans sentences).", nullable=False),
    Column("rule", "str", "Name of the extraction rule that produced the value, one of the closed set documented in docs/rules.md.", nullable=False),
    Column("detail", "str", "What the rule weighed or counted from, in words (a relevance signal's value and weight, the date a weekday was counted from); null when there is nothing to add."),
    # --- link_features: what the linker compares besides the fields -----------------------
    Column("kind", "enum", "Kind of linking clue: person (\"first last\", lowercase), surname, prominent_surname (written at least twice), word (a capitalised word inside a sentence), street, place (below the district), month (YYYY-MM mentioned), year (YYYY mentioned), authority (2 watchdog findings, 1 inquest or trial report), as_of (the latest date the article mentions, ISO).", values=LINK_FEATURE_KINDS, nullable=False),
    # --- districts and forces: reference tables from schema/vocab ---------------------
    Column("district_code", "str", "ONS GSS code of the local authority district (April 2023 codes; incidents.borough_code joins here).", nullable=False),
    Column("district_name", "str", "The district's official short name, as incidents.borough writes it.", nullable=False),
    Column("region_code", "str", "GSS code of `region`: E12000001 to E12000009 for the regions of England, W92000004, S92000003 and N92000002 for Wales, Scotland and Northern Ireland.", nullable=False),
    Column("force_name", "str", "Official name of a police force (incidents.force and incidents.forces use these names); in districts, the district's territorial force today.", nullable=False),
    Column("force_kind", "enum", "territorial: the force of an area (43 in England and Wales, Police Scotland, the PSNI, and past forces); special: a force with a national remit (British Transport Police, Ministry of Defence Police, Civil Nuclear Constabulary).",
           values=FORCE_KINDS, nullable=False),
    Column("country", "str", "Where the force operates, as schema/vocab/forces.csv gives it: England, Wales, Scotland, Northern Ireland, or Great Britain or UK for the special forces.", nullable=False),
    Column("valid_from", "date", "First day the district or force existed (under this name); null when earlier than the records kept here (districts formed before 2009, forces with no recorded start)."),
    Column("valid_to", "date", "Last day the force existed under this name (a past force); null while it exists. Every district of the April 2023 vintage exists."),
    Column("successor", "str", "The force that took over a past force's area the next day; null for a force that exists."),
    Column("n_districts", "int", "Number of districts the force's area covers (covered, for a past force); 0 for the special forces.", nullable=False, minimum=0),
    # --- build_info: what made this build ---------------------------------------------
    Column("uofdb_version", "str", "Version of the uofdb package that built the tables (`uofdb --version`).", nullable=False),
    Column("git_commit", "str", "Commit of the uofdb checkout that built the database (git rev-parse HEAD); null when the code is not a git checkout or git is missing. Only in the database: the Parquet files, which dvc.lock hashes, carry the version and the codebook version instead."),
    Column("build_time", "str", "When the build's data stands: the latest published_date of its articles (ISO date), taken from the inputs and never from the clock, so rebuilding the same inputs gives the same files; null when no article is dated."),
    Column("codebook_version", "str", "First 12 hex digits of the SHA-256 of the data dictionary (every published table's columns, kinds and values, as the `codebook` table holds them): changes exactly when the codebook does."),
    Column("inputs_sha256", "str", "SHA-256 of the inputs read: every article's article_id and sha256, sorted by article_id, one per line.", nullable=False),
    Column("parameters", "str", "The build parameters that shape the tables (params.yaml without `paths`, which say only where files are), as JSON with sorted keys.", nullable=False),
    # --- rejects and flags ---------------------------------------------------------
    Column("stage", "enum", "Pipeline stage that rejected the input or row.", values=("ingest", "extract", "link", "validate", "publish"), nullable=False),
    Column("row_key", "str", "Table and key of a rejected row (\"incidents:uof-…\"), or the record of an export rejected at ingest (\"line 7\", \"row 3\"); null for a whole input file."),
    Column("check_id", "str", "Stable id of the check that failed (e.g. ingest.not_utf8, incidents.force_type.isin).", nullable=False),
    Column("severity", "enum", "error: the row was kept out of the tables; warning: published but flagged.", values=("error", "warning"), nullable=False),
    Column("reason", "str", "What was wrong, in words a user can act on.", nullable=False),
]
# --- corrections: the rows of data/corrections.csv and what became of each (etl/corrections.py) ---
CORRECTION_ACTIONS = ("relevant", "merge", "split")  # besides a field of the incident
CORRECTION_STATUSES = ("applied", "followed", "stale", "invalid")
_COLUMNS += [
    Column("line", "int", "Line of the corrections file the correction starts on (the header is line 1).", nullable=False, minimum=1),
    Column("target", "str", "What the correction is about, as written: an incident_id, or an article_id (for relevant and split, or for a field of the incident that article is in).", nullable=False),
    Column("correction_field", "str", "The incident field corrected (a field of the incidents table), or relevant (the target article is or is not relevant), merge (the target incident and the incident in correction_value are one), split (the target article reports an incident of its own), as written."),
    Column("correction_value", "str", "The value given, as written: the field's new value (not_stated, or empty for an open field, clears it), true or false for relevant, the other incident_id for merge; null when empty."),
    Column("correction_reason", "str", "Why the value is corrected, in the reviewer's words."),
    Column("correction_source", "str", "URL or document that supports the correction."),
    Column("reviewer", "str", "Who made the correction."),
    Column("correction_date", "str", "Day the correction was made, YYYY-MM-DD, as written."),
    Column("status", "enum", "applied: the correction is in the tables; followed: applied to the incident its target id became (through incident_aliases or another correction's merge or split); stale: its target is no longer in the dataset (a rejects row of severity warning); invalid: an unknown id, a field that does not exist, a value outside the vocabulary or a bad date (a rejects row of severity error).", values=CORRECTION_STATUSES, nullable=False),
    Column("status_detail", "str", "What was done or what was wrong, naming the incident or the problem.", nullable=False),
    Column("replaced_value", "str", "The value the correction replaced, as text (dates ISO); null when there was none or the correction was not applied."),
]
COLUMNS: dict[str, Column] = {column.name: column for column in _COLUMNS}
if len(COLUMNS) != len(_COLUMNS):
    raise ValueError("a column is declared twice in the codebook")

# The fields the extractor reads from each article; the same fields describe an incident.
EVENT_FIELDS = (
    "incident_date", "incident_period", "incident_date_precision", "incident_time", "borough", "borough_code",
    "location", "force", "force_type", "outcome", "referral_body", "terrorism_status",
    "weapon_recovered", "subject_age", "subject_gender", "shots_fired",
)
# Columns of an incident derived from its merged fields (etl.linking.merge.derived_columns).
INCIDENT_DERIVED = ("incident_year", "nation", "region", "forces", "weapons_recovered")
INGESTED = ("article_id", "source_path", "sha256", "encoding", "published_date", "headline", "outlet", "url", "text",
            "duplicate_of", "copy_of")

TABLES: dict[str, Table] = {
    table.name: table
    for table in [
        Table("articles", "input document that was read", ("article_id",),
              INGESTED + ("relevant", "relevance_score", "incident_id") + EVENT_FIELDS,
              description="One row per input document, with every field as extracted from that document alone.",
              required=("source_path",)),
        Table("incidents", "incident", ("incident_id",),
              ("incident_id",) + EVENT_FIELDS + INCIDENT_DERIVED + ("n_articles", "article_ids"),
              description="One row per incident: the fields its articles together establish, sorted by incident_date (undated last), then incident_id.",
              required=("incident_id",), sort_by=("incident_date", "incident_id")),
        Table("incident_fields", "incident and field", ("incident_id", "field"),
              ("incident_id", "field", "chosen_value", "source_article_id", "merge_rule", "other_values"),
              description="How each incident value was chosen: the value, the article it came from, the merge rule, and the other values its articles gave (the `conflicts` view lists the disagreements).",
              required=("incident_id",)),
        Table("incident_aliases", "id of a previous release and an incident it maps to", ("previous_incident_id", "incident_id"),
              ("previous_incident_id", "incident_id", "change", "shared_articles"),
              description="Ids of the previous release given to the build that are not ids today, each with the incident(s) of today its articles are in, so a cited id still resolves: look the id up in incidents, else here."),
        Table("evidence", "extracted value", ("article_id", "field", "start"),
              ("article_id", "incident_id", "field", "value", "start", "end", "quote", "sentence", "rule", "detail"),
              description="Where each extracted value came from: article, the incident the article reports (null when none), span, quote, the sentence around it, the rule and what it weighed."),
        Table("districts", "local authority district of the UK", ("district_code",),
              ("district_code", "district_name", "nation", "region", "region_code", "force_name", "valid_from", "valid_to"),
              description="Every UK local authority district (April 2023), with its nation, ONS region and territorial force (schema/vocab/districts.csv, regions.csv).",
              reference=True),
        Table("forces", "police force, present or past", ("force_name",),
              ("force_name", "force_kind", "country", "nation", "region", "n_districts", "valid_from", "valid_to", "successor"),
              description="Every police force the codebook names, present and past, with where it polices and when it existed (schema/vocab/forces.csv, force_areas.csv).",
              reference=True),
        Table("build_info", "build", (),
              ("uofdb_version", "git_commit", "build_time", "codebook_version", "inputs_sha256", "parameters"),
              description="What made this build: the package version, the commit, the time the data stands at (from the inputs), the codebook version, the inputs and the parameters. The same items, less the commit, are in every Parquet file's metadata (keys uofdb.<column>).",
              in_parquet=False),
        Table("rejects", "input or row that could not be used", (),
              ("source_path", "row_key", "stage", "check_id", "severity", "reason"),
              description="Inputs and rows kept out of the tables (severity error) or published with a flag (warning), with the reason."),
        # Intermediate tables passed between stages; not published.
        Table("ingested", "input document that was read", ("article_id",), INGESTED, published=False,
              required=("source_path",)),
        Table("extractions", "article", ("article_id",),
              ("article_id", "relevant", "relevance_score") + EVENT_FIELDS, published=False),
        Table("article_incidents", "relevant article", ("article_id",), ("article_id", "incident_id"), published=False),
        Table("link_features", "relevant article and linking clue", ("article_id", "kind", "value"),
              ("article_id", "kind", "value", "start", "end", "quote"), published=False,
              description="What the linker compares besides the fields (people, streets, places, dates mentioned, who is speaking), each at the span of the article text that gave it."),
    ]
}
TABLES["corrections"] = Table(
    "corrections", "row of the corrections file", ("line",),
    ("line", "target", "correction_field", "correction_value", "correction_reason", "correction_source", "reviewer",
     "correction_date", "status", "status_detail", "incident_id", "replaced_value"),
    description="Every correction of data/corrections.csv (paths.corrections), applied by the link stage, and whether it applied: the incident it changed and the value it replaced, or why it is stale or invalid.")
PUBLISHED = tuple(name for name, table in TABLES.items() if table.published)
# The published tables built from schema/vocab at publish, those the stages build, and
# those of the database alone (built at publish too).
REFERENCE = tuple(name for name in PUBLISHED if TABLES[name].reference)
DATABASE_ONLY = tuple(name for name in PUBLISHED if not TABLES[name].in_parquet)
STAGED = tuple(name for name in PUBLISHED if not TABLES[name].reference and name not in DATABASE_ONLY)


def columns_of(table: str) -> list[Column]:
    """The declared columns of a table, in order (a column the table requires is not nullable in it)."""
    required = TABLES[table].required
    return [replace(COLUMNS[name], nullable=False) if name in required else COLUMNS[name]
            for name in TABLES[table].columns]


def data_dictionary() -> list[dict]:
    """One record per (table, column): the codebook as rows, for the docs and the database."""
    return [
        {"table_name": table.name, "column_name": column.name, "kind": column.kind,
         "nullable": column.nullable, "values": list(column.values), "description": column.description}
        for table in TABLES.values() if table.published
        for column in columns_of(table.name)
    ]

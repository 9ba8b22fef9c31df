"""`uofdb release VERSION`: a versioned, citable copy of one published build, for researchers.

`releases/VERSION/` holds every published table of the build that `DIR/.uofdb/current`
shows (so all files come from one build, see etl/publish.py) as Parquet and as CSV (list
and other nested columns as JSON arrays), a Frictionless `datapackage.json` generated from
the codebook and validated with the `frictionless` library, `SHA256SUMS`, the build's
parameters (`params.yaml`) and `dvc.lock`, the data dictionary (`codebook.md`), a
`CITATION.cff`, the data licence and a README. Articles' full text is left out unless
`--with-text` is given (quotes, sentences and URLs stay, each excerpt cut to
MAX_EXCERPT_CHARS): a release is meant to be shared, and the text belongs to its publishers.

A release is written into a hidden folder beside its destination and renamed into place
when complete, and an existing version is never overwritten. Its bytes depend only on the
build, the parameters, dvc.lock and the release date, never on the clock when a date is
given or read from VERSION.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pa_compute
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import yaml

from etl import params as params_module
from etl.publish import DATABASE, current_build
from schema.codebook import COLUMNS, PUBLISHED, TABLES

# The published tables a build writes as Parquet (build_info is in the database alone).
PARQUET_TABLES = tuple(name for name in PUBLISHED if TABLES[name].in_parquet)
from schema.docs import markdown as codebook_markdown
from schema.models import TIME_FORMAT

REPOSITORY = Path(__file__).resolve().parent.parent
CITATION = REPOSITORY / "CITATION.cff"
# The data licence of every release (the code's is LICENSE, MIT). Quotes in the evidence
# stay their publishers' words, quoted for the audit of each value.
DATA_LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0 International",
                "path": "https://creativecommons.org/licenses/by/4.0/"}
# The one column a release leaves out unless asked: articles' full text.
FULL_TEXT = ("articles", "text")
# Excerpts of the text a release keeps, each cut to MAX_EXCERPT_CHARS unless the text is included:
# a quote is a few words or sentences, but a signal read from the whole article (its share of
# sentences reporting force) quotes all of it, and a text without full stops is one "sentence".
EXCERPTS = ("evidence", ("quote", "sentence"))
MAX_EXCERPT_CHARS = 400
CUT = "…"
SEMANTIC_VERSION = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?")
DATE_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}")
PARQUET_MEDIA_TYPE = "application/vnd.apache.parquet"
PUBLISH_STAGE = "publish"  # the dvc.yaml stage whose outs are the published Parquet files


class ReleaseExistsError(ValueError):
    """The version was released before: a release is never overwritten."""


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release: its path inside the release folder and its bytes."""

    path: str
    content: bytes


def run(version: str, processed: Path, out_root: Path, params_file: Path | None, dvc_lock: Path | None,
        with_text: bool = False, date: str | None = None) -> Path:
    """Write `out_root/version/` from the build `processed` shows now; its path."""
    check_version(version)
    released = release_date(version, date)
    target = out_root / version
    if target.exists():
        raise ReleaseExistsError(f"{target}: release {version} already exists; a release is never overwritten "
                              f"(choose the next version)")
    # load: every table of one build, its parameters and dvc.lock
    build = current_build(processed)
    if build is None:
        raise FileNotFoundError(f"{processed}: no published build (no {processed}/.uofdb/current); "
                                f"run `uofdb build` or `dvc repro` first")
    tables = {name: pq.read_table(path) for name, path in build_tables(build).items()}
    originals = {name: (build / f"{name}.parquet").read_bytes() for name in tables}
    parameters = params_file.read_bytes() if params_file is not None else default_params()
    lock = dvc_lock.read_bytes() if dvc_lock is not None and dvc_lock.is_file() else None
    info = build_info_of(build)
    # process: the files of the release
    files = release_files(version, released, tables, originals, parameters, lock, with_text, info)
    # save: a complete hidden folder, validated, then renamed into place
    return write_release(files, target)


def check_version(version: str) -> None:
    """A semantic version (1.0.0, 1.1.0-rc.1) or a date (2026-12-01); else a clear error."""
    if SEMANTIC_VERSION.fullmatch(version):
        return
    if DATE_VERSION.fullmatch(version):
        try:
            dt.date.fromisoformat(version)
            return
        except ValueError:
            raise ValueError(f"release version {version!r}: not a calendar date") from None
    raise ValueError(f"release version {version!r}: expected a semantic version (1.0.0, 1.1.0-rc.1) or a date "
                     f"(YYYY-MM-DD)")


def release_date(version: str, given: str | None) -> str:
    """The release's date: --date, else VERSION when it is a date, else SOURCE_DATE_EPOCH's, else today (UTC)."""
    if given is not None:
        try:
            return dt.date.fromisoformat(given).isoformat()
        except ValueError:
            raise ValueError(f"--date {given!r}: expected YYYY-MM-DD") from None
    if DATE_VERSION.fullmatch(version):
        return version
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    return moment.date().isoformat()


def build_tables(build: Path) -> dict[str, Path]:
    """The published tables of a build folder, in the codebook's order; every Parquet file must be one."""
    found = {path.name[:-len(".parquet")]: path for path in sorted(build.glob("*.parquet"))}
    unknown = sorted(set(found) - set(PARQUET_TABLES))
    if unknown:
        raise ValueError(f"{build}: {', '.join(name + '.parquet' for name in unknown)} not a published table of "
                         f"the codebook (schema/codebook.py); rebuild with this version of uofdb")
    missing = [name for name in PARQUET_TABLES if name not in found]
    if missing:
        raise FileNotFoundError(f"{build}: the build has no {', '.join(name + '.parquet' for name in missing)}; "
                                f"rebuild with this version of uofdb")
    return {name: found[name] for name in PARQUET_TABLES}


def default_params() -> bytes:
    """The built-in parameters as YAML: what a build without params.yaml used."""
    return yaml.safe_dump(params_module.DEFAULTS, sort_keys=False).encode("utf-8")


# --- the files of a release (pure) ----------------------------------------------------

def build_info_of(build: Path) -> dict | None:
    """The build's one build_info row (version, commit, build time, codebook version, inputs, parameters),
    from its database; None for a build without one."""
    database = build / DATABASE
    if not database.is_file():
        return None
    with duckdb.connect(str(database), read_only=True) as con:
        result = con.execute("SELECT * FROM build_info")
        names = [column[0] for column in result.description]
        rows = result.fetchall()
    return dict(zip(names, rows[0])) if rows else None


def release_files(version: str, released: str, tables: dict[str, pa.Table], originals: dict[str, bytes],
                  parameters: bytes, lock: bytes | None, with_text: bool,
                  info: dict | None = None) -> list[ReleaseFile]:
    """Every file of the release, `SHA256SUMS` last; `datapackage.json` describes the data files."""
    shown = {name: released_table(name, table, with_text) for name, table in tables.items()}
    for name, table in shown.items():
        check_columns(name, table)
    data = []
    for name, table in shown.items():
        parquet = originals[name] if table.equals(tables[name]) else parquet_bytes(table, originals[name])
        data += [ReleaseFile(f"parquet/{name}.parquet", parquet), ReleaseFile(f"csv/{name}.csv", csv_bytes(table))]
    lock_matches = dvc_lock_matches(lock, originals) if lock is not None else None
    files = data + [
        ReleaseFile("datapackage.json", datapackage_json(version, released, shown, data, with_text)),
        ReleaseFile("codebook.md", codebook_markdown().encode("utf-8")),
        ReleaseFile("params.yaml", parameters),
        *([ReleaseFile("dvc.lock", lock)] if lock is not None else []),
        *([ReleaseFile("build_info.json", (json.dumps(info, indent=2, sort_keys=True, default=str) + "\n")
                       .encode("utf-8"))] if info is not None else []),
        ReleaseFile("CITATION.cff", citation(version, released)),
        ReleaseFile("LICENSE-DATA.md", licence_notice().encode("utf-8")),
        ReleaseFile("README.md", release_readme(version, released, shown, with_text, lock_matches).encode("utf-8")),
    ]
    return files + [ReleaseFile("SHA256SUMS", checksums(files))]


def released_table(name: str, table: pa.Table, with_text: bool) -> pa.Table:
    """The table as released: unless `with_text`, articles without their full text and evidence's
    excerpts cut to MAX_EXCERPT_CHARS (and CUT), so no article can be read whole from a release."""
    if with_text:
        return table
    if name == FULL_TEXT[0] and FULL_TEXT[1] in table.column_names:
        return table.drop_columns([FULL_TEXT[1]])
    if name == EXCERPTS[0]:
        for column in EXCERPTS[1]:
            index = table.schema.get_field_index(column)
            table = table.set_column(index, table.schema.field(index), cut_excerpts(table.column(index)))
    return table


def cut_excerpts(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Texts longer than MAX_EXCERPT_CHARS cut to their first MAX_EXCERPT_CHARS characters and CUT."""
    long = pa_compute.greater(pa_compute.utf8_length(column), MAX_EXCERPT_CHARS)
    cut = pa_compute.binary_join_element_wise(pa_compute.utf8_slice_codeunits(column, 0, MAX_EXCERPT_CHARS), CUT, "")
    return pa_compute.if_else(long, cut, column)


def check_columns(name: str, table: pa.Table) -> None:
    """The build's columns are the codebook's (the text left out aside): else it was built by another version."""
    declared = [column for column in TABLES[name].columns if (name, column) != FULL_TEXT or column in table.column_names]
    if table.column_names != declared:
        raise ValueError(f"{name}.parquet: columns {table.column_names} are not the codebook's {declared}; "
                         f"rebuild with this version of uofdb")


def parquet_bytes(table: pa.Table, original: bytes) -> bytes:
    """The table as Parquet, sorted by what the original file records as its sorting columns (those kept)."""
    source = pq.ParquetFile(pa.BufferReader(original))
    recorded = source.metadata.row_group(0).sorting_columns if source.metadata.num_row_groups else ()
    names = source.schema_arrow.names
    sorting = [pq.SortingColumn(table.column_names.index(names[column.column_index]), column.descending,
                                column.nulls_first)
               for column in recorded or () if names[column.column_index] in table.column_names]
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, sorting_columns=sorting or None)
    return sink.getvalue().to_pybytes()


def csv_bytes(table: pa.Table) -> bytes:
    """The table as CSV (UTF-8, a header, RFC 4180 quoting, null as an empty field): nested columns
    (lists, structs) as JSON, dictionary-encoded columns as their values; read from the Arrow types,
    so any column of any table is covered."""
    columns = [flat_column(table.column(index)) for index in range(table.num_columns)]
    flat = pa.table(columns, names=table.column_names)
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(flat, sink)
    return sink.getvalue().to_pybytes()


def flat_column(column: pa.ChunkedArray) -> pa.ChunkedArray | pa.Array:
    kind = column.type
    if pa.types.is_dictionary(kind):
        return flat_column(column.cast(kind.value_type))
    if pa.types.is_nested(kind):
        return pa.array([None if value is None else json.dumps(value, ensure_ascii=False, default=str)
                         for value in column.to_pylist()], pa.string())
    return column


def checksums(files: list[ReleaseFile]) -> bytes:
    """`sha256sum -c SHA256SUMS` input: one `<hex>  <path>` line per file."""
    return "".join(f"{_sha256(file.content)}  {file.path}\n" for file in sorted(files, key=lambda f: f.path)).encode()


def dvc_lock_matches(lock: bytes, originals: dict[str, bytes]) -> bool:
    """Whether dvc.lock's publish outputs are this build's Parquet files (same MD5), so dvc.lock describes it."""
    outs = (yaml.safe_load(lock) or {}).get("stages", {}).get(PUBLISH_STAGE, {}).get("outs", [])
    recorded = {Path(out["path"]).name: out.get("md5") for out in outs if isinstance(out, dict) and "path" in out}
    return all(recorded.get(f"{name}.parquet") == hashlib.md5(content).hexdigest()
               for name, content in originals.items())


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# --- the datapackage ------------------------------------------------------------------

def datapackage_json(version: str, released: str, tables: dict[str, pa.Table], data: list[ReleaseFile],
                     with_text: bool) -> bytes:
    """The Frictionless data package: each table as a CSV resource with its codebook schema, and its
    Parquet file beside it; hashes and sizes of every data file."""
    content = {file.path: file.content for file in data}
    resources = []
    for name, table in tables.items():
        described = TABLES[name].description or f"One row per {TABLES[name].row}."
        csv_path, parquet_path = f"csv/{name}.csv", f"parquet/{name}.parquet"
        resources.append({
            "name": name, "path": csv_path, "profile": "tabular-data-resource", "title": name,
            "description": described, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "bytes": len(content[csv_path]), "hash": f"sha256:{_sha256(content[csv_path])}",
            "schema": table_schema(name, table)})
        resources.append({
            "name": f"{name}-parquet", "path": parquet_path, "type": "file", "title": f"{name} (Parquet)",
            "description": f"{described} The same rows as {csv_path}, with the Arrow types and the codebook "
                           f"descriptions as field metadata.",
            "format": "parquet", "mediatype": PARQUET_MEDIA_TYPE,
            "bytes": len(content[parquet_path]), "hash": f"sha256:{_sha256(content[parquet_path])}"})
    package = {
        "profile": "data-package", "name": "uofdb", "title": "uofdb: police use of force in the UK, from news reports",
        "description": "Incidents in which police in the UK used force on a person, extracted from news articles "
                       "with the evidence for every value (article, span, quote, sentence, rule). "
                       + ("Articles' full text is included, for private use only: do not share this release."
                          if with_text else f"Articles' full text is left out; quotes, sentences and URLs stay (each quote "
                                          f"and sentence cut to {MAX_EXCERPT_CHARS} characters and {CUT})."),
        "version": version, "created": f"{released}T00:00:00Z", "licenses": [DATA_LICENCE],
        "contributors": [{"title": "uofdb contributors", "role": "author"}],
        "keywords": ["police", "use of force", "United Kingdom", "news"],
        "resources": resources,
    }
    return (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def table_schema(name: str, table: pa.Table) -> dict:
    """A Frictionless table schema: each column's type from its Arrow type, its description and
    constraints (required, allowed values, bounds) from the codebook."""
    fields = [schema_field(table.schema.field(index)) for index in range(table.num_columns)]
    schema = {"fields": fields, "missingValues": [""]}
    if is_primary_key(table, TABLES[name].key):
        schema["primaryKey"] = list(TABLES[name].key)
    return schema


def is_primary_key(table: pa.Table, key: tuple[str, ...]) -> bool:
    """Whether the codebook's key of a table is a primary key of these rows: never null (a Table Schema
    key cannot be) and no two rows share it. (evidence's article_id, field and start are not one: a
    span can give several relevance signals; incident_aliases' incident_id is null when dropped.)"""
    if not key or any(table.column(column).null_count for column in key):
        return False
    return table.group_by(list(key)).aggregate([]).num_rows == table.num_rows


def schema_field(arrow_field: pa.Field) -> dict:
    column = COLUMNS[arrow_field.name]
    described = {"name": column.name, "type": frictionless_type(arrow_field.type), "description": column.description}
    constraints: dict = {}
    if not column.nullable:
        constraints["required"] = True
    if column.values and not column.joined and described["type"] == "string":
        constraints["enum"] = list(column.values)
    if column.kind == "time":
        constraints["pattern"] = TIME_FORMAT  # (a Table Schema pattern matches the whole value)
    if column.minimum is not None:
        constraints["minimum"] = column.minimum
    if column.maximum is not None:
        constraints["maximum"] = column.maximum
    if described["type"] == "array":
        described["description"] += " (CSV: a JSON array)"
    return {**described, **({"constraints": constraints} if constraints else {})}


def frictionless_type(kind: pa.DataType) -> str:
    """The Table Schema type of an Arrow type."""
    if pa.types.is_dictionary(kind):
        return frictionless_type(kind.value_type)
    checks = [(pa.types.is_boolean, "boolean"), (pa.types.is_integer, "integer"), (pa.types.is_floating, "number"),
              (pa.types.is_date, "date"), (pa.types.is_timestamp, "datetime"), (pa.types.is_struct, "object"),
              (pa.types.is_map, "object"), (pa.types.is_nested, "array"), (pa.types.is_string, "string"),
              (pa.types.is_large_string, "string")]
    for check, name in checks:
        if check(kind):
            return name
    raise ValueError(f"no Table Schema type for the Arrow type {kind}")


# --- citation, licence, README --------------------------------------------------------

def citation(version: str, released: str) -> bytes:
    """The repository's CITATION.cff for this release of the data: its version, date and licence."""
    cff = yaml.safe_load(CITATION.read_text(encoding="utf-8"))
    cff.update({"type": "dataset", "version": version, "date-released": released, "license": DATA_LICENCE["name"],
                "title": f"{cff['title']} (data release {version})"})
    return yaml.safe_dump(cff, sort_keys=False, allow_unicode=True).encode("utf-8")


def licence_notice() -> str:
    return (f"# Data licence\n\nThe data of this release is licensed under the {DATA_LICENCE['title']} licence "
            f"({DATA_LICENCE['name']}): {DATA_LICENCE['path']}\n\nYou may share and adapt it for any purpose, with "
            f"credit to \"uofdb contributors\" (see CITATION.cff) and a link to the licence, saying what you "
            f"changed.\n\nThe quotes and sentences in `evidence` and the headlines in `articles` are the words of "
            f"the publications named in `articles.outlet` and `articles.url`; they are quoted so each value can be "
            f"checked against its source, and remain their publishers'.\n")


def release_readme(version: str, released: str, tables: dict[str, pa.Table], with_text: bool,
                   lock_matches: bool | None) -> str:
    rows = "\n".join(f"| `{name}` | {table.num_rows} | {TABLES[name].row} |" for name, table in tables.items())
    text = ("**This release includes the full text of every article (`--with-text`), for private use only: do not "
            "publish or share it.**" if with_text else
            "Articles' full text (`articles.text`) is not included; the quotes and sentences behind every value "
            f"(`evidence`, each cut to {MAX_EXCERPT_CHARS} characters and {CUT}, so no article can be read whole) and "
            "each article's URL are.")
    lock = {None: "No `dvc.lock` was found, so none is included.",
            True: "`dvc.lock` records the hashes of the code, data and parameters of the pipeline that built these "
                  "tables (its publish outputs are these Parquet files).",
            False: "`dvc.lock` is the repository's at release time; its publish outputs are **not** these Parquet "
                   "files, so it does not describe this build exactly."}[lock_matches]
    return f"""# uofdb data release {version} ({released})

UK police use of force, from news reports: one row per incident with the evidence for every value.
{text}

| table | rows | one row per |
|---|---|---|
{rows}

- `parquet/`: the tables as Parquet (column descriptions in the field metadata); `csv/`: the same as CSV
  (UTF-8, header row, empty field for null, lists as JSON arrays).
- `datapackage.json`: a Frictionless data package describing every file (types, allowed values, hashes);
  `frictionless validate datapackage.json` checks it.
- `codebook.md`: the data dictionary; `params.yaml`: the parameters file the release was made with. {lock}
- `build_info.json`: what made the build (uofdb version, commit, the date its data stands at, codebook
  version, a hash of the inputs, the parameters that shape the tables), as its database's `build_info` table.
- `SHA256SUMS`: `sha256sum -c SHA256SUMS` checks every file.
- Licence: {DATA_LICENCE['name']} (`LICENSE-DATA.md`); cite as in `CITATION.cff`.
"""


# --- writing --------------------------------------------------------------------------

def write_release(files: list[ReleaseFile], target: Path) -> Path:
    """The files into a hidden folder beside `target`, the datapackage validated, then one rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    try:
        for file in files:
            path = folder / file.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(file.content)
        validate_datapackage(folder / "datapackage.json")
        _give_umask_modes(folder)
        if target.exists():
            raise ReleaseExistsError(f"{target}: release {target.name} was written meanwhile; not overwritten")
        os.rename(folder, target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return target


def validate_datapackage(path: Path) -> None:
    """Frictionless's validation of the package (schemas, types, allowed values, hashes); an error listing the first problems."""
    import frictionless  # imported here: it takes a second and only releases need it

    report = frictionless.validate(str(path))
    if not report.valid:
        problems = report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])[:10]
        raise ValueError(f"{path}: the release does not validate: "
                         + "; ".join(" ".join(str(part) for part in problem if part is not None)
                                     for problem in problems))


def _give_umask_modes(folder: Path) -> None:
    # mkdtemp makes the folder private; a release is meant to be read.
    mask = os.umask(0o022)
    os.umask(mask)
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~mask)

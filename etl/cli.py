"""`uofdb`: build the dataset, run one stage, or query the published database.

    uofdb build --raw DIR --out DIR          all stages, no DVC needed
    uofdb ingest|extract|link|validate|publish   one stage (what dvc.yaml runs)
    uofdb query "select ..." | FILE.sql      print or save a result from uofdb.duckdb (--format csv|json|parquet)
    uofdb codebook                           print the data dictionary
    uofdb report --out DIR                   write a static site of charts and per-incident audit pages
    uofdb rules                              print the closed set of extraction rule names
    uofdb fit --corpus DIR                   fit the relevance model on a labelled corpus (make fit)
    uofdb release VERSION                    a versioned release: Parquet, CSV, datapackage.json, checksums
    uofdb fetch URLS.txt                     download pages (a URL list or a feed) into the raw folder
"""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import textwrap
from pathlib import Path

from etl import params as params_module
from etl import stage_server
from etl.params import cache_folder

STAGES = ("ingest", "extract", "link", "validate", "publish")
STAGE_DESCRIPTIONS = {
    "ingest": "Read every input file under --raw (.txt, .html, .jsonl, .csv, .gz) into the ingested table, marking "
              "duplicates and near-identical copies; every file or record not used is a rejects row.",
    "extract": "Read each ingested article once and extract its relevance and every field with the evidence behind "
               "each value, in batches on every core (--jobs) or on a Dask cluster (--engine dask).",
    "link": "Group the relevant articles into incidents, merge their fields, give the incidents their ids and "
            "apply the corrections file (paths.corrections).",
    "validate": "Check every table against the codebook's pandera schemas; rows that fail become rejects rows.",
    "publish": "Write the validated tables as Parquet and as uofdb.duckdb into --out, replacing the previous build "
               "in one atomic step.",
}
STAGE_EXAMPLES = {
    "ingest": "uofdb ingest --raw data/raw --interim data/interim --jobs 2",
    "extract": "uofdb extract --interim data/interim --jobs 2",
    "link": "uofdb link --interim data/interim",
    "validate": "uofdb validate --interim data/interim",
    "publish": "uofdb publish --interim data/interim --out data/processed",
}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    with _signals_interrupt():
        try:
            return args.handler(args, load_params(args))
        except (KeyboardInterrupt, *_interrupts()) as interrupt:
            # Ctrl-C or SIGTERM: the stages cleaned up on the way out; one line says what is left.
            line = interrupt.line() if hasattr(interrupt, "line") else "interrupted"
            print(f"uofdb {args.command}: {line}", file=sys.stderr)
            return 128 + _signals_interrupt.received
        except (FileNotFoundError, ValueError, *_user_errors()) as error:
            # Problems the user can fix get one clear line, not a traceback.
            print(f"uofdb {args.command}: error: {error}", file=sys.stderr)
            return 2


# (the modules that raise these are imported by the commands that use them, not before every command:
# `uofdb build` starts its stage processes' server before it imports the stages, so the two import side by side)
def _interrupts() -> tuple[type[BaseException], ...]:
    """What a Ctrl-C inside DuckDB raises, besides KeyboardInterrupt."""
    import duckdb

    return (duckdb.InterruptException,)


def _user_errors() -> tuple[type[BaseException], ...]:
    """The errors the user can fix, besides a missing file and a bad value: each printed as one line."""
    import duckdb

    from etl.ingest import EmptyCorpusError
    from etl.publish import OutputBusyError

    return (EmptyCorpusError, duckdb.Error, OutputBusyError)


@contextlib.contextmanager
def _signals_interrupt():
    """SIGINT and SIGTERM raise KeyboardInterrupt once, so every stage's cleanup (`finally`) runs;
    a second signal during that cleanup is ignored. The previous handlers are restored after."""
    _signals_interrupt.received = signal.SIGINT

    def interrupt(signum, frame):
        _signals_interrupt.received = signum
        for each in (signal.SIGINT, signal.SIGTERM):
            signal.signal(each, signal.SIG_IGN)
        raise KeyboardInterrupt

    try:
        previous = {each: signal.signal(each, interrupt) for each in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        for each, handler in previous.items():
            signal.signal(each, handler)


def load_params(args: argparse.Namespace) -> dict:
    """The parameters: --params FILE, which must exist when given, else ./params.yaml when present,
    else the defaults. Relative `paths` in a file are relative to the file's folder, so
    `uofdb --params repo/params.yaml query ...` works from any folder."""
    given = args.params
    if given is not None and not given.is_file():
        raise FileNotFoundError(f"--params {given}: no such parameters file" +
                                (" (it is a folder)" if given.is_dir() else ""))
    path = given if given is not None else (Path("params.yaml") if Path("params.yaml").is_file() else None)
    args.params_file = path
    params = params_module.load(path)
    if path is not None and path.parent != Path("."):
        params["paths"] = {key: str(path.parent / value) if value is not None and not Path(value).is_absolute()
                           else value for key, value in params["paths"].items()}
    return params


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="uofdb", description="Build and query the UK police use-of-force dataset.")
    from etl.buildinfo import version

    top.add_argument("--version", action="version", version=f"uofdb {version()}",
                     help="print the package version and exit")
    top.add_argument("--params", type=Path, default=None,
                     help="parameters file; its relative paths are relative to its folder "
                          "(default: ./params.yaml when present, else the built-in defaults)")
    commands = top.add_subparsers(dest="command", required=True)

    build = commands.add_parser(
        "build", help="run every stage: raw articles to published tables",
        description=textwrap.fill(
            "Read every article under --raw, extract one row per article with the evidence for each value, "
            "link the articles into incidents, validate the tables against the codebook and publish them "
            "(Parquet and uofdb.duckdb) into --out in one atomic step. What `dvc repro` runs stage by stage.", 78),
        epilog="examples:\n  uofdb build\n  uofdb build --raw data/raw --out data/processed --jobs 2\n"
               "  uofdb build --engine dask --scheduler tcp://scheduler-host:8786",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    build.add_argument("--raw", type=Path, help="folder of input articles (default: paths.raw)")
    build.add_argument("--out", type=Path, help="output folder (default: paths.processed)")
    build.add_argument("--interim", type=Path,
                       help="keep the stage tables here (default: a scratch folder inside the output folder, "
                            "deleted at the end)")
    build.add_argument("--previous-release", type=Path, metavar="DIR",
                       help="a previous release's output folder: incident_aliases maps its ids to today's")
    _engine_options(build)
    build.set_defaults(handler=run_build)

    for stage in STAGES:
        command = commands.add_parser(stage, help=f"run the {stage} stage alone", description=STAGE_DESCRIPTIONS[stage],
                                      epilog=f"example: {STAGE_EXAMPLES[stage]}")
        command.add_argument("--interim", type=Path, help="folder of stage tables (default: paths.interim)")
        if stage == "ingest":
            command.add_argument("--raw", type=Path, help="folder of input articles (default: paths.raw)")
            command.add_argument("--jobs", type=int, metavar="N",
                                 help="processes that read the files (default: ingest.jobs; 0: every core); "
                                      "the tables are the same")
        if stage == "extract":
            _engine_options(command)
        if stage == "publish":
            command.add_argument("--out", type=Path, help="output folder (default: paths.processed)")
        if stage == "link":
            command.add_argument("--jobs", type=int, metavar="N",
                                 help="processes that score the candidate pairs (default: link.jobs; 0: every core)")
            command.add_argument("--previous-release", type=Path, metavar="DIR",
                                 help="a previous release's output folder: incident_aliases maps its ids to "
                                      "today's (ids never depend on it; default: none)")
        command.set_defaults(handler=run_stage, stage=stage)

    rules = commands.add_parser("rules", help="print the extraction rule names evidence rows use (docs/rules.md)",
                                description="Print, as Markdown, the closed set of rule names an evidence row's "
                                            "`rule` column takes, each with what it means.",
                                epilog="example: uofdb rules > docs/rules.md")
    rules.set_defaults(handler=run_rules)

    fit = commands.add_parser("fit", help="fit the relevance model's weights on a labelled corpus, with cross-validation",
                              description="Fit the relevance model on CORPUS/articles and CORPUS/gold.jsonl and write "
                                          "its weights, intercept and threshold as data. Example: uofdb fit --corpus ../shared/corpus/dev")
    fit.add_argument("--corpus", type=Path, required=True, help="folder with articles/ and gold.jsonl")
    fit.add_argument("--out", type=Path, help="model file to write (default: schema/vocab/relevance_model.json)")
    fit.set_defaults(handler=run_fit)

    from etl import query as query_module

    query = commands.add_parser(
        "query", help="run SQL (or a .sql file) against the published database and print or save the result",
        description="Run SQL, or the .sql file named, against uofdb.duckdb (tables, views, codebook, build_info). "
                    "The table format shows lists as lists, escapes newlines, cuts long text and shows at most "
                    f"{query_module.SHOWN_ROWS} rows unless --limit is given; csv (lists as JSON arrays), json and "
                    "parquet write every row.",
        epilog="examples:\n  uofdb query \"select region, count(*) from incidents group by 1\"\n"
               "  uofdb query sql/fatal_shootings_by_region.sql --format csv --out shootings.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    query.add_argument("sql", help="SQL to run, or the path of a .sql file holding it")
    query.add_argument("--db", type=Path, help="database file (default: paths.processed/uofdb.duckdb)")
    query.add_argument("--format", choices=query_module.FORMATS, default="table",
                       help="table (default), csv, json or parquet (parquet needs --out)")
    query.add_argument("--out", type=Path, metavar="FILE", help="write the result to FILE (default: print it)")
    query.add_argument("--limit", type=int, metavar="N",
                       help=f"at most N rows (default: {query_module.SHOWN_ROWS} for a table, all otherwise)")
    query.add_argument("--width", type=int, default=query_module.CELL_WIDTH, metavar="N",
                       help=f"characters of a table cell before it is cut (default {query_module.CELL_WIDTH})")
    query.add_argument("--safe", action=argparse.BooleanOptionalAction, default=None,
                       help="no access to files, other databases or extensions, and the configuration locked "
                            "(default: safe unless run from an interactive terminal; --no-safe lifts it)")
    query.set_defaults(handler=run_query)

    # --- report: a static site of the published tables (etl/report) ---
    report = commands.add_parser(
        "report", help="write a static site: charts, data quality and an audit page per incident",
        description="Write a static HTML site from a build's published tables: headline counts, incidents per "
                    "year by outcome and force type, by force, nation and region and district, the latest "
                    "incidents, data quality, and one page per incident with every value and the quotes behind "
                    "it highlighted in its articles. Charts are SVG; the pages need no network or JavaScript.",
        epilog="example: uofdb report --processed data/processed --out data/report "
               "(then open data/report/index.html in a browser)")
    report.add_argument("--processed", type=Path, help="a build's output folder (default: paths.processed)")
    report.add_argument("--out", type=Path, required=True,
                        help="folder to write the site to (replaced whole; it must be empty, new or a previous report)")
    report.add_argument("--reference", type=Path, default=None,
                        help="official counts to compare with (default: data/reference/official_counts.csv; "
                             "see uofdb reconcile)")
    report.set_defaults(handler=run_report)

    codebook = commands.add_parser("codebook", help="print the data dictionary (Markdown) generated from the codebook",
                                   description="Print the data dictionary: every published table and column, its "
                                               "type, description and allowed values, from schema/codebook.py.",
                                   epilog="example: uofdb codebook > docs/codebook.md")
    codebook.set_defaults(handler=run_codebook)
    add_release_and_fetch(commands)

    # review, reconcile, diff: reviewing a build and correcting it (etl/review_cli.py)
    from etl.review_cli import add_commands as add_review_commands
    add_review_commands(commands)
    return top


def _path(given: Path | None, params: dict, key: str) -> Path:
    return given if given is not None else Path(params["paths"][key])


def _engine_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--jobs", type=int, metavar="N",
                         help="processes (or Dask workers) that extract; for build also the processes that ingest "
                              "and that score the link stage's pairs (default: extract.jobs, ingest.jobs, link.jobs; "
                              "0: every core)")
    command.add_argument("--engine", choices=("local", "dask"),
                         help="where extraction runs: local processes or a Dask cluster (default: extract.engine); "
                              "the tables are the same")
    command.add_argument("--scheduler", metavar="ADDRESS",
                         help="with --engine dask: the Dask scheduler's address, e.g. tcp://10.0.0.5:8786 "
                              "(default: extract.scheduler; none: a local cluster of --jobs workers)")


def _take_engine_options(args: argparse.Namespace, params: dict) -> dict:
    """The extract parameters with --jobs, --engine and --scheduler laid over them."""
    settings = params["extract"]
    for name in ("jobs", "engine", "scheduler"):
        if getattr(args, name) is not None:
            settings[name] = getattr(args, name)
    return settings


def _take_jobs(args: argparse.Namespace, params: dict, *stages: str) -> None:
    """--jobs, when given, sets the processes of these stages too (ingest.jobs, link.jobs)."""
    if args.jobs is not None:
        for stage in stages:
            params[stage]["jobs"] = args.jobs


def run_build(args: argparse.Namespace, params: dict) -> int:
    stage_server.start()  # (first: its imports run beside this process's next one)
    from etl.build import build
    from etl.tables import read_table

    out = _path(args.out, params, "processed")
    _take_engine_options(args, params)
    _take_jobs(args, params, "ingest", "link")
    # (each stage in its own process: the build's peak memory is its largest stage's; README "Scale")
    summary = build(_path(args.raw, params, "raw"), out, params, args.interim, show_progress=True,
                    previous_release=args.previous_release, stage_processes=True)
    print_rejects(read_table(out / "rejects.parquet", "rejects"))
    print(f"uofdb build: {summary.line()} -> {out}")
    return 0


SHOWN_REJECTS = 20  # the rest are in the rejects table


def print_rejects(rejects) -> None:
    """One line per rejected or flagged input on stderr, so problems are seen, not only stored."""
    for row in rejects.head(SHOWN_REJECTS).to_dict("records"):
        print(f"  {'rejected' if row['severity'] == 'error' else 'flagged'}: {row['reason']} [{row['check_id']}]",
              file=sys.stderr)
    if len(rejects) > SHOWN_REJECTS:
        print(f"  ... and {len(rejects) - SHOWN_REJECTS} more: see the rejects table", file=sys.stderr)


def run_stage(args: argparse.Namespace, params: dict) -> int:
    from etl import extract, ingest, link, publish, validate
    from etl.build import corrections_file

    interim = _path(args.interim, params, "interim")
    if args.stage == "ingest":
        from etl.progress import Progress

        _take_jobs(args, params, "ingest")
        ingested = ingest.run(_path(args.raw, params, "raw"), interim, params["ingest"], Progress("ingest", 0, "files"),
                              cache=cache_folder(params))
        rejects = ingested.rejects
        errors = int((rejects["severity"] == "error").sum()) if len(rejects) else 0
        cached = f"; {ingested.cached} files from the cache" if cache_folder(params) is not None else ""
        print(f"uofdb ingest: {ingested.documents} documents in {ingested.files} files = {ingested.article_count} "
              f"articles + {errors} rejected; {len(rejects) - errors} flagged{cached} -> {interim}")
        for severity, reason in zip(rejects["severity"], rejects["reason"]):
            print(f"  {'rejected' if severity == 'error' else 'flagged'}: {reason}", file=sys.stderr)
    elif args.stage == "extract":
        settings = _take_engine_options(args, params)
        done = extract.run(interim / "ingested.parquet", interim, settings["relevance_threshold"],
                           seconds_per_article=settings["seconds_per_article"], jobs=settings["jobs"],
                           batch_articles=settings["batch_articles"], engine=settings["engine"],
                           scheduler=settings["scheduler"], cache=cache_folder(params))
        print(f"uofdb extract: {done.relevant} of {done.articles} articles relevant, "
              f"{done.evidence} evidence rows ({done.cached} articles from the cache) -> {interim}")
    elif args.stage == "link":
        incidents, membership = link.run(interim / "ingested.parquet", interim / "extractions.parquet",
                                         interim / "link_features.parquet", interim,
                                         params["link"]["window_days"], params["link"]["threshold"],
                                         params["link"]["max_block"], previous_release=args.previous_release,
                                         corrections_path=corrections_file(params),
                                         jobs=args.jobs if args.jobs is not None else params["link"]["jobs"],
                                         cache=cache_folder(params))
        print(f"uofdb link: {len(membership)} relevant articles in {len(incidents)} incidents -> {interim}")
    elif args.stage == "validate":
        tables = validate.run(interim, interim / "validated")
        print(f"uofdb validate: {len(tables['rejects'])} rejects rows -> {interim / 'validated'}")
    else:
        out = _path(args.out, params, "processed")
        publish.run(interim / "validated", out, params=params)
        print(f"uofdb publish: tables and {publish.DATABASE} -> {out}")
    return 0


def run_query(args: argparse.Namespace, params: dict) -> int:
    from etl.publish import DATABASE

    database = args.db or Path(params["paths"]["processed"]) / DATABASE
    if not database.exists():
        if args.db is not None:
            where = "given as --db"
        elif getattr(args, "params_file", None) is not None:
            where = f"paths.processed of {args.params_file}"
        else:
            where = f"the default paths.processed; there is no params.yaml in {Path.cwd()}: pass --params FILE"
        raise FileNotFoundError(f"no database at {os.path.abspath(database)} ({where}); "
                                f"run `make build` or `uofdb build` first, or pass --db FILE")
    from etl import query

    safe = args.safe if args.safe is not None else not _own_shell()
    text = query.run(args.sql, database, safe, args.format, args.out, args.limit, args.width)
    if text is not None:
        print(text, end="" if text.endswith("\n") else "\n")
    return 0


def _own_shell() -> bool:
    """Run by a person at a terminal (stdin and stdout are terminals), not by a script, a service or a pipe."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def run_rules(args: argparse.Namespace, params: dict) -> int:
    from etl.extract.rules import markdown

    print(markdown(), end="")
    return 0


def run_fit(args: argparse.Namespace, params: dict) -> int:
    from etl import fit
    from etl.extract.relevance import MODEL_PATH

    report = fit.run(args.corpus, args.out or MODEL_PATH)
    print(fit.summary(report))
    print(f"uofdb fit: model -> {args.out or MODEL_PATH}")
    return 0


def run_report(args: argparse.Namespace, params: dict) -> int:
    from etl import report

    from etl import reconcile

    reference = args.reference or (reconcile.REFERENCE if reconcile.REFERENCE.is_file() else None)
    summary = report.run(_path(args.processed, params, "processed"), args.out, reference)
    print(f"uofdb report: {summary.line()}")
    return 0


def run_codebook(args: argparse.Namespace, params: dict) -> int:
    from schema.docs import markdown

    print(markdown(), end="")
    return 0


# --- releases and collecting articles (etl/release.py, etl/fetch.py) -------------------

def add_release_and_fetch(commands) -> None:
    release = commands.add_parser(
        "release", help="write releases/VERSION/ from the published build: Parquet, CSV, datapackage, checksums",
        description="Write a versioned release of the build that DIR shows now: every table as Parquet and CSV "
                    "(lists as JSON arrays), a Frictionless datapackage.json validated with frictionless, SHA256SUMS, "
                    "params.yaml, dvc.lock, the codebook, CITATION.cff and the data licence (CC BY 4.0). Articles' "
                    "full text is left out unless --with-text. An existing version is never overwritten.",
        epilog="example: uofdb release 1.0.0 --processed data/processed --out releases",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    release.add_argument("version", metavar="VERSION", help="a semantic version (1.0.0) or a date (YYYY-MM-DD)")
    release.add_argument("--processed", type=Path, metavar="DIR", help="published output folder (default: paths.processed)")
    release.add_argument("--out", type=Path, default=Path("releases"), help="folder of releases (default: releases)")
    release.add_argument("--with-text", action="store_true",
                         help="include articles' full text, for private use only (the release says so)")
    release.add_argument("--date", metavar="YYYY-MM-DD",
                         help="release date (default: VERSION when it is a date, else SOURCE_DATE_EPOCH's, else today)")
    release.set_defaults(handler=run_release)

    fetch = commands.add_parser(
        "fetch", help="download news pages (a URL list or an RSS/Atom feed) into the raw folder, politely",
        description="Download each page of URLS (a file with one URL a line and # comments, an RSS or Atom feed "
                    "file, or a feed's URL) into the raw folder as <hash>.html with its fetch record "
                    "<hash>.html.fetch.json (URL, fetch time), ready for `uofdb build`. One request per host every "
                    "fetch.seconds_between_requests, robots.txt obeyed, retries with back-off, size and time "
                    "limits (params.yaml, fetch); a URL fetched before is not fetched again. Exit code 1 when a "
                    "page could not be had.",
        epilog="example: uofdb fetch urls.txt --raw data/raw/web",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    fetch.add_argument("urls", metavar="URLS", help="file of URLs, feed file, or feed URL")
    fetch.add_argument("--raw", type=Path, help="folder to write pages into (default: paths.raw)")
    fetch.set_defaults(handler=run_fetch)


def run_release(args: argparse.Namespace, params: dict) -> int:
    from etl import release

    params_file = getattr(args, "params_file", None)
    lock = (params_file.parent if params_file is not None else Path(".")) / "dvc.lock"
    target = release.run(args.version, _path(args.processed, params, "processed"), args.out, params_file, lock,
                         with_text=args.with_text, date=args.date)
    print(f"uofdb release: {args.version}{' (with article text: private use only)' if args.with_text else ''} "
          f"-> {target}")
    return 0


def run_fetch(args: argparse.Namespace, params: dict) -> int:
    from etl import fetch

    raw = _path(args.raw, params, "raw")
    summary = fetch.run(args.urls, raw, fetch.Settings.from_params(params["fetch"]))
    for url, reason in summary.failed:
        print(f"  failed: {url}: {reason}", file=sys.stderr)
    print(f"uofdb fetch: {summary.line()} -> {raw}")
    return 1 if summary.failed else 0


if __name__ == "__main__":
    sys.exit(main())

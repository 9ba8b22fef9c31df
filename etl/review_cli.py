"""The `uofdb` subcommands of review: `review`, `reconcile` and `diff` (added to the parser by etl/cli.py)."""
from __future__ import annotations

import argparse
from pathlib import Path


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add `review`, `reconcile` and `diff` to the `uofdb` subcommands."""
    review = commands.add_parser(
        "review", help="write a ranked CSV of what a person should check first, and print a summary",
        description="Rank what deserves a look in a build: incidents whose articles disagree, values read only by "
                    "inferred or light rules, relevant articles linked to nothing, articles near the relevance "
                    "threshold, incidents without a core field. Each row has the sentences to decide by and a line "
                    "to fill in and append to the corrections file (see README, \"Reviewing and correcting\").",
        epilog="Example: uofdb review --processed data/processed --out review.csv")
    review.add_argument("--processed", type=Path, help="a build's output folder (default: paths.processed)")
    review.add_argument("--out", type=Path, default=Path("review.csv"), help="CSV to write (default: review.csv)")
    review.add_argument("--margin", type=float, default=None,
                        help="log-odds either side of the relevance threshold that count as near it "
                             "(default: RELEVANCE_MARGIN of etl/review.py)")
    review.set_defaults(handler=run_review)

    reconcile = commands.add_parser(
        "reconcile", help="compare the dataset's counts per financial year with the official counts",
        description="Count the dataset's incidents per financial year (April to March) by the definitions of each "
                    "official measure (IOPC fatal police shootings, Home Office incidents in which police fired, "
                    "PSNI firearm discharges) and list the years that differ with the incidents behind each. "
                    "Blank official figures stay blank.",
        epilog="Example: uofdb reconcile --processed data/processed --reference data/reference/official_counts.csv")
    reconcile.add_argument("--processed", type=Path, help="a build's output folder (default: paths.processed)")
    reconcile.add_argument("--reference", type=Path, default=None,
                           help="official counts CSV (default: data/reference/official_counts.csv)")
    reconcile.add_argument("--out", type=Path, default=None, help="also write the comparison to this CSV")
    reconcile.set_defaults(handler=run_reconcile)

    diff = commands.add_parser(
        "diff", help="list the incidents added, removed, merged and changed between two builds",
        description="Compare two build output folders or releases (their Parquet tables): incidents added, removed "
                    "(dropped), merged, renamed or split (through their articles, as incident_aliases does), and "
                    "every field that changed, old value and new.",
        epilog="Example: uofdb diff releases/2026-01 data/processed --out diff.csv")
    diff.add_argument("old", type=Path, help="the earlier build or release folder")
    diff.add_argument("new", type=Path, help="the later build or release folder")
    diff.add_argument("--out", type=Path, default=None, help="also write the changes to this CSV")
    diff.set_defaults(handler=run_diff)


def _processed(args: argparse.Namespace, params: dict) -> Path:
    return args.processed if args.processed is not None else Path(params["paths"]["processed"])


def run_review(args: argparse.Namespace, params: dict) -> int:
    from etl import review

    margin = review.RELEVANCE_MARGIN if args.margin is None else args.margin
    queue = review.run(_processed(args, params), args.out, params["extract"]["relevance_threshold"], margin)
    print(review.summary(queue, args.out))
    return 0


def run_reconcile(args: argparse.Namespace, params: dict) -> int:
    from etl import reconcile

    comparison, notes = reconcile.run(_processed(args, params), args.reference or reconcile.REFERENCE, args.out)
    print(reconcile.summary(comparison, notes))
    return 0


def run_diff(args: argparse.Namespace, params: dict) -> int:
    from etl import diff

    changes = diff.run(args.old, args.new, args.out)
    print(diff.summary(changes, args.old, args.new))
    return 0

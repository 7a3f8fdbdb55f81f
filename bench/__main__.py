"""``python -m bench [NAME ...] [--rows N] [--db sqlite|postgresql|both]``: run benchmarks, print a markdown table.

Progress goes to stderr, the table alone to stdout. PostgreSQL runs use a
database created and dropped on the server of ``BENCH_DATABASE_URL``
(default ``postgresql://feedback:feedback@127.0.0.1/feedback_bench``).
"""
from __future__ import annotations

import argparse
import importlib
import sys

from bench.harness import DATABASES, Result, markdown_table, say, target

BENCHMARKS = ("accounts_upsert", "response_submit", "events_ingest", "email_dispatch", "widget")
DEFAULT_ROWS = 10_000  # unless the module sets its own DEFAULT_ROWS


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"benchmarks to run (default: all of {', '.join(BENCHMARKS)})")
    parser.add_argument("--rows", type=int, default=None,
                        help=f"rows (or requests) per measured run (default: the benchmark's own, else {DEFAULT_ROWS})")
    parser.add_argument("--db", choices=(*DATABASES, "both"), default="both", help="database(s) to run on (default: both)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    if args.rows is not None and args.rows < 1:
        parser.error("--rows must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    databases = DATABASES if args.db == "both" else (args.db,)
    results: list[Result] = []
    for name in args.names or BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        rows = args.rows or getattr(module, "DEFAULT_ROWS", DEFAULT_ROWS)
        for database in databases:
            say(f"{name} on {database}, {rows:,} rows")
            with target(database) as where:
                results += module.run(where, rows)
    print(markdown_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

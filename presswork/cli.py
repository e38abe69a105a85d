"""`presswork` command line: run, query, versions (see CONTRACT.md)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

from pipeline.ingest import DEFAULT_MAX_BYTES
from pipeline.shards import DEFAULT_SHARD_WORDS
from pipeline.warehouse import Warehouse, WarehouseBusyError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A failure to report as one line and a non-zero exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED):
        super().__init__(message)
        self.code = code


def _warehouse_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse", default=os.environ.get("PRESSWORK_WAREHOUSE", "warehouse"),
        help="warehouse folder (default: $PRESSWORK_WAREHOUSE or ./warehouse); run, query and versions also "
        "take a URL (s3://..., gs://..., file://...; see push)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="presswork",
        description="Turn a folder of news articles into a versioned, validated dataset.",
        epilog="Example: presswork run --input seeds && presswork query \"select count(*) from sentences\"",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run", help="process every article and commit a new dataset version",
        description="Materialise every asset (ingest -> sentences -> tokens -> entities -> quotes -> checks) for all "
        ".txt "
        "files under the "
        "input folder and commit them as one new version. Nothing is visible until every check passed.",
    )
    run.add_argument("--input", default=os.environ.get("PRESSWORK_INPUT", "seeds"),
                     help="folder of .txt articles, read recursively (default: $PRESSWORK_INPUT or ./seeds)")
    _warehouse_arg(run)
    run.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES,
                     help=f"reject files larger than this (default: {DEFAULT_MAX_BYTES:,})")
    run.add_argument("--model", default=os.environ.get("PRESSWORK_NLP_MODEL", ""),
                     help="spaCy pipeline: installed package name or path (default: $PRESSWORK_NLP_MODEL "
                     "or the shipped models/en_presswork_news)")
    run.add_argument("--workers", default=os.environ.get("PRESSWORK_WORKERS", "auto"),
                     help="processes for parallel steps (NLP shards) under Dagster's multiprocess executor; 1 runs "
                     "everything in this process (default: $PRESSWORK_WORKERS or auto: 1 below 2 MB of input, "
                     "else one per core)")
    run.add_argument("--shard-words", type=int, default=int(os.environ.get("PRESSWORK_SHARD_WORDS", DEFAULT_SHARD_WORDS)),
                     help=f"most words per NLP shard; shards are evened out, and there are a multiple of --workers of them "
                     f"(default: {DEFAULT_SHARD_WORDS:,})")
    run.add_argument("--rebuild", action="store_true",
                     help="reprocess every article instead of carrying unchanged ones over from the latest version "
                     "(entity ids still stay stable against it)")
    run.add_argument("--mirror", default=os.environ.get("PRESSWORK_MIRROR"),
                     help="with a URL as --warehouse: the local working copy the run pulls the URL's latest version "
                     "into, commits to, and pushes from (default: $PRESSWORK_MIRROR or ~/.cache/presswork/<url>)")
    run.add_argument("--quiet", action="store_true", help="print only the final line")
    run.add_argument("--no-wait", action="store_true",
                     help="refuse, instead of waiting, when another run is writing to the warehouse")

    query = commands.add_parser(
        "query", help="run read-only DuckDB SQL over a version's tables",
        description="Run DuckDB SQL (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN) over the tables of the "
        "latest version (or --version). Tables: documents, sentences, tokens, entity_mentions, entities, "
        "entity_changes, quotes, events, event_mentions, rejected.",
    )
    query.add_argument("sql", help='e.g. "select count(*) from sentences"')
    _warehouse_arg(query)
    query.add_argument("--format", choices=["table", "csv", "json"], default="table")
    query.add_argument("--version", help="query this version instead of the latest")

    versions = commands.add_parser("versions", help="list committed versions, newest last")
    _warehouse_arg(versions)

    push = commands.add_parser(
        "push", help="copy a committed version to object storage (any fsspec URL), for query from anywhere",
        description="Copy one version's Parquet files, then its manifest, then LATEST to URL, in the warehouse's "
        "layout (s3://bucket/prefix needs `pip install s3fs`, gs:// gcsfs, az:// adlfs). Files already there are "
        "skipped, so an interrupted push resumes; an older version never moves LATEST back. "
        "`presswork run`, `query` and `versions` take the URL as --warehouse.",
    )
    push.add_argument("url", help="e.g. s3://bucket/presswork or file:///mnt/share/presswork")
    push.add_argument("--version", help="version to push (default: the latest)")
    _warehouse_arg(push)

    publish = commands.add_parser(
        "publish", help="write a self-contained release of one version (Parquet, card, Croissant, Frictionless)",
        description="Write the version's Parquet tables, a dataset card (README.md with a Hugging Face header), "
        "croissant.json and datapackage.json (both validated), CHANGES.md against the previous release and "
        "SHA256SUMS into --out.",
    )
    publish.add_argument("--out", required=True, help="release folder (must be empty unless --force)")
    publish.add_argument("--version", help="version to publish (default: the latest)")
    publish.add_argument("--force", action="store_true", help="overwrite a previous release in --out")
    _warehouse_arg(publish)

    diff = commands.add_parser(
        "diff", help="rows added / removed / changed per table between two versions",
        description="Compare two committed versions table by table, matching rows by their stable ids.",
    )
    diff.add_argument("old", help="the earlier version")
    diff.add_argument("new", nargs="?", help="the later version (default: the latest)")
    _warehouse_arg(diff)

    train = commands.add_parser(
        "train-model", help="train the shipped spaCy pipeline from ../shared/data (training/train_model.py)",
        description="Runs training/train_model.py with the given options (see `presswork train-model -- --help`).",
    )
    train.add_argument("options", nargs=argparse.REMAINDER, help="options for training/train_model.py")
    return parser


def cmd_run(args: argparse.Namespace) -> int:
    input_dir = Path(args.input)
    if not input_dir.is_dir():
        raise CliError(f"input folder not found: {input_dir}", EXIT_USAGE)
    if args.shard_words < 1:
        raise CliError(f"--shard-words must be positive, got {args.shard_words}", EXIT_USAGE)
    from presswork.workers import auto_workers, set_run_environment, start_step_server

    if args.workers != "auto" and not args.workers.isdigit():
        raise CliError(f"--workers must be a number or 'auto', got {args.workers!r}", EXIT_USAGE)
    from pipeline.remote import RemoteError, default_mirror, is_url, pull_version, push_version

    interactive = sys.stderr.isatty() and not args.quiet
    url = args.warehouse if is_url(args.warehouse) else None  # the run works in a local copy, then pushes
    warehouse_dir = str(Path(args.mirror or default_mirror(url)).absolute() if url else Warehouse(args.warehouse).root)
    env = {
        "PRESSWORK_INPUT": str(input_dir.absolute()), "PRESSWORK_WAREHOUSE": warehouse_dir,
        "PRESSWORK_MAX_BYTES": str(args.max_bytes), "PRESSWORK_NLP_MODEL": args.model or "",
        "PRESSWORK_SHARD_WORDS": str(args.shard_words), "PRESSWORK_PROGRESS": "1" if interactive else "0",
        "PRESSWORK_REBUILD": "1" if args.rebuild else "",
    }
    # The step server takes seconds to load the project and the model: started on a guess of the
    # workers now, it loads on the other core while this process imports spaCy and Dagster. The
    # guess can only be too low (it assumes an unchanged model), so under the warehouse lock below the
    # server is at most started late; a version committed meanwhile by another run leaves it idle.
    guessed = int(args.workers) if args.workers != "auto" else auto_workers(
        input_dir, None if args.rebuild else Warehouse(warehouse_dir), guess=True)
    if guessed > 1:
        set_run_environment(env, guessed)
        start_step_server()
    from pipeline.nlp import ModelNotFoundError, model_info
    from presswork.progress import ProgressHandler

    try:
        model = model_info(args.model or None)
    except ModelNotFoundError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    handler = ProgressHandler(stream=open(os.devnull, "w") if args.quiet else sys.stderr)
    started = time.monotonic()

    def say_waiting(holder: str) -> None:
        print(f"presswork: waiting for the run already writing to {warehouse_dir} ({holder}); "
              "--no-wait refuses instead", file=sys.stderr, flush=True)

    try:
        with Warehouse(warehouse_dir).run_lock(wait=not args.no_wait, on_wait=say_waiting):
            if url:
                try:
                    pulled = pull_version(url, Warehouse(warehouse_dir))
                except (RemoteError, OSError) as exc:
                    raise CliError(f"cannot pull the latest version of {url}: {exc}") from None
                ahead = Warehouse(warehouse_dir).latest()
                if pulled and ahead != pulled:  # built on it, a run would ignore what the URL holds
                    raise CliError(f"the working copy {warehouse_dir} holds {ahead}, newer than {url}'s LATEST "
                                   f"{pulled} and never pushed there: push it (presswork push {url} --warehouse "
                                   f"{warehouse_dir}) or remove the working copy, then run again")
                if not args.quiet:
                    print(f"presswork: working copy of {url} in {warehouse_dir} "
                          f"({'at ' + pulled if pulled else 'empty: no version there yet'})", file=sys.stderr)
            # decided under the lock: what is left to parse depends on the version this run builds on
            workers = int(args.workers) if args.workers != "auto" else auto_workers(
                input_dir, None if args.rebuild else Warehouse(warehouse_dir), model)
            if not args.quiet:
                print(f"presswork: {input_dir} -> {warehouse_dir} ({workers} worker{'s' if workers > 1 else ''})",
                      file=sys.stderr)
            if workers > 1:  # the guessed server unless its settings differ
                set_run_environment(env, workers)
                start_step_server()
            from presswork.execution import execute_run

            result = execute_run(env, workers, handler)
    except WarehouseBusyError as exc:
        raise CliError(str(exc)) from None
    if not result.success or handler.failed_checks:
        reasons = handler.failed_checks and [f"check failed: {', '.join(handler.failed_checks)}"]
        reasons = reasons or handler.step_errors or ["run failed"]
        raise CliError(f"run failed, nothing committed: {reasons[0]}")
    warehouse = Warehouse(warehouse_dir)
    manifest = warehouse.manifest(warehouse.latest())
    rows = ", ".join(f"{t}={e['rows']:,}" for t, e in manifest["tables"].items())
    print(f"committed {manifest['version']} in {time.monotonic() - started:.1f}s: {rows}")
    if url:
        try:
            done = push_version(warehouse, url, manifest["version"], expected_latest=pulled)
        except (RemoteError, OSError) as exc:
            raise CliError(f"not pushed: {exc}") from None
        print(f"pushed {done['version']} to {url} ({done['uploaded']} files, {done['bytes'] / 2**20:,.1f} MiB)")
    return EXIT_OK


def _readable_warehouse(location: str):
    """A warehouse folder, or the versions `presswork push` wrote to a URL."""
    from pipeline.remote import RemoteError, RemoteWarehouse, is_url

    if is_url(location):
        try:
            return RemoteWarehouse(location)
        except RemoteError as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
    warehouse = Warehouse(location)
    warehouse.ensure_catalog()
    return warehouse


def _local_warehouse(location: str, command: str) -> Warehouse:
    from pipeline.remote import is_url

    if is_url(location):
        raise CliError(f"`presswork {command}` needs a warehouse folder, not a URL (run, query and versions "
                       "take a URL)", EXIT_USAGE)
    return Warehouse(location)


def cmd_query(args: argparse.Namespace) -> int:
    from pipeline.query import QueryError, run_query

    warehouse = _readable_warehouse(args.warehouse)
    try:
        columns, rows = run_query(warehouse, args.sql, version=args.version)
    except QueryError as exc:
        raise CliError(str(exc)) from None
    sys.stdout.write(format_rows(columns, rows, args.format))
    return EXIT_OK


def format_rows(columns: list[str], rows: list[tuple], fmt: str) -> str:
    import csv
    import io
    import json

    if fmt == "json":
        return json.dumps([dict(zip(columns, row)) for row in rows], default=str, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return out.getvalue()
    from tabulate import tabulate

    return tabulate(rows, headers=columns, tablefmt="simple_outline", maxcolwidths=80) + "\n"


def cmd_versions(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    warehouse = _readable_warehouse(args.warehouse)
    manifests = warehouse.versions()
    if not manifests:
        raise CliError(f"no committed versions in {args.warehouse}")
    latest = warehouse.latest()
    tables = list(manifests[-1]["tables"])
    rows = [
        [m["version"] + (" (LATEST)" if m["version"] == latest else ""), m["created_at"][:19]]
        + [m["tables"].get(t, {}).get("rows", "") for t in tables]
        for m in manifests
    ]
    print(tabulate(rows, headers=["version", "created_at (UTC)", *tables]))
    return EXIT_OK


def cmd_push(args: argparse.Namespace) -> int:
    from pipeline.remote import RemoteError, push_version

    try:
        done = push_version(_local_warehouse(args.warehouse, "push"), args.url, version=args.version)
    except RemoteError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:  # the store refused (no such bucket, no permission, network)
        raise CliError(f"push to {args.url} failed: {exc} (LATEST there moves only once every file and the "
                       "manifest are written; pushing again resumes)") from None
    moved = "LATEST" if done["latest"] == done["version"] else f"LATEST stays {done['latest']} (newer)"
    print(f"pushed {done['version']} to {done['url']}: {done['uploaded']} files uploaded "
          f"({done['bytes'] / 2**20:,.1f} MiB), {done['skipped']} already there; {moved}")
    return EXIT_OK


def cmd_publish(args: argparse.Namespace) -> int:
    from pipeline.release import PublishError, publish

    try:
        summary = publish(_local_warehouse(args.warehouse, "publish"), Path(args.out), version=args.version,
                          force=args.force)
    except PublishError as exc:
        raise CliError(str(exc)) from None
    previous = summary["previous"] or "none (first release)"
    print(f"published {summary['version']} to {summary['out']} (previous release: {previous})")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from pipeline.diff import changes_markdown, diff_versions

    warehouse = _local_warehouse(args.warehouse, "diff")
    new = args.new or warehouse.latest()
    try:
        warehouse.manifest(args.old)
        if new is None:
            raise KeyError(f"no committed version in {warehouse.root}")
        warehouse.manifest(new)
    except KeyError as exc:
        raise CliError(exc.args[0]) from None
    sys.stdout.write(changes_markdown(diff_versions(warehouse, args.old, new), args.old, new))
    return EXIT_OK


def cmd_train_model(args: argparse.Namespace) -> int:
    import runpy

    script = Path(__file__).resolve().parents[1] / "training" / "train_model.py"
    if not script.exists():
        raise CliError(f"training recipe not found at {script} (train from a source checkout)")
    options = [o for o in args.options if o != "--"]
    sys.argv = [str(script), *options]
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:
        return int(exc.code or 0)
    return EXIT_OK


COMMANDS = {"run": cmd_run, "query": cmd_query, "versions": cmd_versions, "push": cmd_push, "publish": cmd_publish,
            "diff": cmd_diff, "train-model": cmd_train_model}


def main(argv: list[str] | None = None) -> int:
    """The `presswork` program; the process ends when it returns."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except CliError as exc:
        print(f"presswork: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("presswork: interrupted; the previous version is untouched", file=sys.stderr)
        return 130
    finally:
        # Frozen, what the process holds is left out of the interpreter's last garbage
        # collections, which walk every object Dagster, spaCy and pandas made: a one-article
        # `presswork run` took 1.21 to 1.39 s to exit after printing its commit, 0.13 to 0.14 s frozen.
        gc.freeze()


if __name__ == "__main__":
    sys.exit(main())

"""Peak memory of staging a big table, held whole or written as it is made.

    python benchmarks/table_memory.py [--warehouse DIR] [--table quotes] [--articles 100000]

A step that holds its table gathers every batch's rows, concatenates them,
validates the whole and writes it once (`pipeline.files.write_parquet`,
sorted by doc_id): what quotes and events did until they moved to
`pipeline.staged.TableWriter`, which validates and writes a row group at a
time. Both are measured here on the same rows: the table of the latest
version in DIR (default: the README's `warehouse/`, made from the seeds),
copied until it holds as many articles as --articles (each copy's ids made
unique), and handed over in batches of about 100 articles, as the steps get
them. Each way runs in its own process; what is reported is that process's
peak RSS above what it held before the first batch.
"""

from __future__ import annotations

import argparse
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.files import write_parquet  # noqa: E402
from pipeline.staged import write_table  # noqa: E402
from pipeline.warehouse import Warehouse  # noqa: E402
from schemas import TABLES, arrow_schema, validate_table  # noqa: E402

ID_COLUMNS = {"quotes": ["quote_id", "group_id"], "events": ["event_id"], "event_mentions": ["event_id"]}
ARTICLES_PER_BATCH = 100


def batches(source: pd.DataFrame, table: str, copies: int):
    """The source rows `copies` times over, in doc_id order, ~100 articles a batch."""
    doc_ids = sorted(source["doc_id"].unique())
    for copy in range(copies):
        prefix = f"{copy:05d}-"
        for start in range(0, len(doc_ids), ARTICLES_PER_BATCH):
            batch = source[source["doc_id"].isin(doc_ids[start:start + ARTICLES_PER_BATCH])].copy()
            for column in ["doc_id", *ID_COLUMNS.get(table, [])]:
                batch[column] = prefix + batch[column].astype(str)
            yield batch


def measure(way: str, warehouse: Path, table: str, copies: int, out: Path) -> None:
    """One way, in this process: prints rows, seconds, baseline and peak RSS (MiB)."""
    source = Warehouse(warehouse).read_table(table).drop(columns="version", errors="ignore")
    source = source.sort_values("doc_id", kind="stable", ignore_index=True)
    model, schema = TABLES[table], arrow_schema(table)
    baseline = psutil.Process().memory_info().rss / 2**20
    started = time.perf_counter()
    if way == "whole":
        found = list(batches(source, table, copies))
        whole = validate_table(model, pd.concat(found, ignore_index=True))
        write_parquet(whole, out, schema=schema, sort_by="doc_id")
        rows = len(whole)
    else:
        rows = write_table(batches(source, table, copies), out, schema,
                           lambda chunk: validate_table(model, chunk)).num_rows()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"{rows} {time.perf_counter() - started:.1f} {baseline:.0f} {peak:.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, default=REPO / "warehouse")
    parser.add_argument("--table", default="quotes", choices=sorted(ID_COLUMNS))
    parser.add_argument("--articles", type=int, default=100_000, help="articles the copied table holds")
    parser.add_argument("--way", choices=["whole", "streamed"], help=argparse.SUPPRESS)  # one measurement
    parser.add_argument("--copies", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.way:
        measure(args.way, args.warehouse, args.table, args.copies, args.out)
        return 0
    if Warehouse(args.warehouse).latest() is None:
        print(f"no committed version in {args.warehouse}: run `presswork run` first", file=sys.stderr)
        return 2
    documents = Warehouse(args.warehouse).read_table("documents", columns=["doc_id"])
    copies = math.ceil(args.articles / len(documents))
    print(f"{args.table} of {len(documents):,} articles in {args.warehouse}, copied {copies} times "
          f"({copies * len(documents):,} articles):")
    with tempfile.TemporaryDirectory() as work:
        for way in ("whole", "streamed"):
            result = subprocess.run(
                [sys.executable, __file__, "--way", way, "--warehouse", str(args.warehouse), "--table", args.table,
                 "--copies", str(copies), "--out", str(Path(work) / f"{way}.parquet")],
                capture_output=True, text=True, check=True)
            rows, seconds, baseline, peak = result.stdout.split()
            print(f"  {way:<9} {int(rows):>10,} rows  {float(seconds):6.1f} s  peak RSS {float(peak):7,.0f} MiB, "
                  f"{float(peak) - float(baseline):7,.0f} MiB above the {float(baseline):,.0f} held before")
    return 0


if __name__ == "__main__":
    sys.exit(main())

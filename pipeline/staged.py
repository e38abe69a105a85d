"""Tables too big to hold in memory at once (tokens: ~45 million rows for
100,000 articles), staged as Parquet sorted by doc_id and read back a batch of
whole documents at a time.

Steps pass a `StagedTable` (where the table is) instead of the table itself;
each reader keeps one batch in memory, so a run's peak memory does not grow
with the size of the corpus.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

BATCH_ROWS = 100_000  # ~50 MB of tokens as a DataFrame
MERGE_MEMORY = "512MB"  # DuckDB spills its sort to disk beyond this


@dataclass(frozen=True)
class StagedTable:
    """A run's staged table on disk (`_staging/<run_id>/<table>.parquet`)."""

    path: str

    def batches(self, columns: list[str] | None = None, exclude: Iterable[str] = (),
                batch_rows: int | None = None) -> Iterator[pd.DataFrame]:
        return doc_batches(Path(self.path), columns, exclude, batch_rows)

    def read(self, columns: list[str] | None = None) -> pd.DataFrame:
        return pq.read_table(self.path, columns=columns).to_pandas()

    def num_rows(self) -> int:
        return pq.ParquetFile(self.path).metadata.num_rows

    def count_where(self, condition: str) -> int:
        """Rows meeting a DuckDB SQL condition, counted without loading the table."""
        import duckdb

        with duckdb.connect() as con:
            return con.execute(f"SELECT count(*) FROM read_parquet({_quoted(self.path)}, hive_partitioning = false) "
                               f"WHERE {condition}").fetchall()[0][0]


def doc_batches(path: Path, columns: list[str] | None = None, exclude: Iterable[str] = (),
                batch_rows: int | None = None) -> Iterator[pd.DataFrame]:
    """The rows of a doc_id-sorted Parquet file as DataFrames of about
    `batch_rows` (default BATCH_ROWS) rows, never splitting a document;
    documents in `exclude` are left out."""
    batch_rows = batch_rows or BATCH_ROWS
    exclude = set(exclude)
    if columns is not None and "doc_id" not in columns:
        columns = ["doc_id", *columns]
    pending: pd.DataFrame | None = None

    def kept(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[~frame["doc_id"].isin(exclude)].reset_index(drop=True) if exclude else frame

    for record_batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows, columns=columns):
        frame = record_batch.to_pandas()
        if pending is not None:
            frame = pd.concat([pending, frame], ignore_index=True)
        doc_ids = frame["doc_id"].to_numpy()
        cut = int(np.argmax(doc_ids == doc_ids[-1]))  # the last document may go on in the next batch
        pending = frame.iloc[cut:].reset_index(drop=True)
        ready = kept(frame.iloc[:cut].reset_index(drop=True))
        if len(ready):
            yield ready
    if pending is not None and len(pending):
        ready = kept(pending)
        if len(ready):
            yield ready


def _quoted(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def merge_sorted(files: list[Path], out: Path, order_by: list[str], row_group_size: int,
                 doc_ids: list[str] | None = None) -> int:
    """Parquet files with one schema -> one file sorted by `order_by` (only
    the rows of `doc_ids`, if given), with DuckDB's out-of-core sort: bounded
    memory, spilling next to `out`. Written beside `out` and renamed into
    place. Returns the row count."""
    import duckdb

    tmp = out.with_name(f".{out.name}.tmp")
    source = f"read_parquet([{', '.join(_quoted(f) for f in files)}], hive_partitioning = false)"
    query = f"SELECT * FROM {source}"
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{MERGE_MEMORY}'")
        con.execute(f"SET temp_directory = {_quoted(out.parent / '.duckdb-spill')}")
        if doc_ids is not None:
            con.register("wanted", pd.DataFrame({"doc_id": pd.Series(list(doc_ids), dtype="object")}))
            query += " WHERE doc_id IN (SELECT doc_id FROM wanted)"
        query += " ORDER BY " + ", ".join(f'"{c}"' for c in order_by)
        con.execute(f"COPY ({query}) TO {_quoted(tmp)} "
                    f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {row_group_size})")
    finally:
        con.close()
    with open(tmp, "rb") as fh:  # on disk before it can be committed
        os.fsync(fh.fileno())
    os.replace(tmp, out)
    return pq.ParquetFile(out).metadata.num_rows

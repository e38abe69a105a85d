"""Writing files that a crash cannot leave half-written: Parquet tables and
small blobs are written beside their place, synced to disk, then renamed in
(a rename is atomic), and the directory synced so the rename survives a
power cut. The row-group sizes every table is written with live here too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP_SIZE = 64 * 1024
# Tables of whole article texts: a reader decodes a column a row group at a time, and
# 65,536 articles' texts are some 250 MB. 1,024 articles are about 4 MB.
TEXT_ROW_GROUP_SIZE = 1024
ROW_GROUP_SIZES = {"articles": TEXT_ROW_GROUP_SIZE, "documents": TEXT_ROW_GROUP_SIZE}


def row_group_size(table: str) -> int:
    return ROW_GROUP_SIZES.get(table, ROW_GROUP_SIZE)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def store_in_cache(root: Path, folder: Path, run_id: str, suffix: str, data: bytes | None) -> None:
    """One run's results as a new file in `folder`, a cache under `root` whose
    other folders hold results of another key (code, model or settings) and are
    removed: nothing in them is of use any more. `data` None stores nothing."""
    if root.exists():
        for stale in root.iterdir():
            if stale != folder:
                shutil.rmtree(stale, ignore_errors=True)
    if data is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(".*.tmp-*"):  # a run killed while writing (one writer: the run lock)
        leftover.unlink()
    write_atomic(folder / f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S%f}-{run_id}{suffix}", data)


def write_atomic(path: Path, data: bytes) -> None:
    """Bytes to `path` all or nothing: written beside it, synced, renamed into place."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_parquet(
    df: pd.DataFrame, path: Path, schema: pa.Schema | None = None, sort_by: str | None = None,
    row_group_size: int = ROW_GROUP_SIZE,
) -> None:
    """Sorted by doc_id with modest row groups so DuckDB can skip most of a
    file when a query filters on one article."""
    if sort_by and sort_by in df.columns and len(df):
        df = df.sort_values(sort_by, kind="stable")
    table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, compression="zstd", row_group_size=row_group_size)
    with open(tmp, "rb") as fh:  # on disk before it can be committed, not just in the page cache
        os.fsync(fh.fileno())
    os.replace(tmp, path)

"""Tables too big to hold in memory at once (tokens: ~60 million rows for
100,000 articles), staged as Parquet sorted by doc_id and read back a batch of
whole documents at a time.

Steps pass a `StagedTable` (where the table is) instead of the table itself;
each reader keeps one batch in memory, so a run's peak memory does not grow
with the size of the corpus.
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.files import ROW_GROUP_SIZE

# ~25 MB of tokens as a DataFrame. A step's working set on a batch (its Docs, their
# quotes or events) is several times that: at 100,000 rows a quotes step held 70 MB
# more at the same speed.
BATCH_ROWS = 50_000
MERGE_MEMORY = "512MB"  # DuckDB spills its sort to disk beyond this


def open_parquet(path: Path | str) -> pq.ParquetFile:
    """A Parquet file to read a batch at a time. pyarrow pre-buffers by default,
    and then `iter_batches` reads the whole file into memory before the first
    batch (a 255 MB file of texts: 254 MB allocated, 16 MB without)."""
    return pq.ParquetFile(path, pre_buffer=False)


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

    def head(self, n: int) -> pd.DataFrame:
        file = open_parquet(self.path)
        first = next(file.iter_batches(batch_size=n), None) if n > 0 else None
        return (first.to_pandas() if first is not None else file.schema_arrow.empty_table().to_pandas()).head(n)

    def query(self, select: str, rest: str = "") -> pd.DataFrame:
        """`SELECT <select> FROM <this table> <rest>` in DuckDB, without loading the table."""
        return query_staged(f"SELECT {select} FROM t {rest}", t=self)

    def count_where(self, condition: str) -> int:
        """Rows meeting a DuckDB SQL condition, counted without loading the table."""
        return int(self.query("count(*)", f"WHERE {condition}").iat[0, 0])


def doc_batches(path: Path, columns: list[str] | None = None, exclude: Iterable[str] = (),
                batch_rows: int | None = None) -> Iterator[pd.DataFrame]:
    """The rows of a doc_id-sorted Parquet file as DataFrames of about
    `batch_rows` (default BATCH_ROWS) rows, never splitting a document;
    documents in `exclude` are left out."""
    batch_rows = batch_rows or BATCH_ROWS
    file = open_parquet(path)
    excluded = pa.array(list(set(exclude)), type=file.schema_arrow.field("doc_id").type)
    if columns is not None and "doc_id" not in columns:
        columns = ["doc_id", *columns]
    record_batches = _kept_batches(file, columns, excluded, batch_rows) if len(excluded) \
        else file.iter_batches(batch_size=batch_rows, columns=columns)
    # Cut in Arrow, converted once: doc_ids as Python strings cost more than the rest at 60 million rows
    pending: pa.Table | None = None
    for record_batch in record_batches:
        if not record_batch.num_rows:
            continue
        rows = pa.Table.from_batches([record_batch])
        if pending is not None:
            rows = pa.concat_tables([pending, rows])
        doc_ids = rows.column("doc_id")
        cut = pc.index(doc_ids, doc_ids[-1]).as_py()  # the last document may go on in the next batch
        pending = rows.slice(cut)
        if cut:
            yield rows.slice(0, cut).to_pandas()
    if pending is not None and pending.num_rows:
        yield pending.to_pandas()


def _kept_batches(file: pq.ParquetFile, columns: list[str] | None, excluded: pa.Array,
                  batch_rows: int) -> Iterator[pa.RecordBatch]:
    """The rows of documents not in `excluded`, dropped before pandas sees
    them: an incremental run excludes nearly every article."""
    for rows in _row_groups_where(file, columns, lambda doc_ids: pc.invert(pc.is_in(doc_ids, value_set=excluded))):
        yield from rows.to_batches(max_chunksize=batch_rows)


def _row_groups_where(file: pq.ParquetFile, columns: list[str] | None,
                      keep: Callable[[pa.ChunkedArray], pa.ChunkedArray]) -> Iterator[pa.Table]:
    """Each row group's rows whose doc_id `keep` marks. A row group is decoded
    past its doc_id column only if one of its documents is kept: the file is
    sorted by doc_id, so most row groups are skipped whole or kept whole."""
    for group in range(file.num_row_groups):
        kept = keep(file.read_row_group(group, columns=["doc_id"]).column("doc_id"))
        if not pc.any(kept).as_py():
            continue
        rows = file.read_row_group(group, columns=columns)
        yield rows if pc.all(kept).as_py() else rows.filter(kept)


def query_staged(sql: str, **tables: StagedTable | list[Path] | pd.DataFrame) -> pd.DataFrame:
    """A DuckDB query over staged tables (or lists of Parquet files, or small
    DataFrames), each a view under its keyword's name
    (`query_staged("SELECT count(*) FROM s", s=sentences)`). DuckDB spills
    past MERGE_MEMORY, so a join or group-by over a table of any size holds
    bounded memory."""
    import duckdb

    with duckdb.connect() as con:
        con.execute(f"SET memory_limit = '{MERGE_MEMORY}'")
        for name, table in tables.items():
            if isinstance(table, pd.DataFrame):
                con.register(name, table)
                continue
            files = [Path(table.path)] if isinstance(table, StagedTable) else table
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM {_read(files)}")
        return con.execute(sql).df()


def doc_digests(hashed: str, source: str, **tables: StagedTable | list[Path] | pd.DataFrame) -> dict[str, str]:
    """doc_id -> digest of each article's rows, in doc_id order: the XOR of
    DuckDB's hashes of `hashed` (a comma-separated SQL list) over the rows of
    `source` (a FROM clause over `tables`, as query_staged takes them). The
    XOR does not depend on row order, so the rows should hold their own
    position or be a set. Equal digests, equal rows, to one chance in 2**64."""
    found = query_staged(f"SELECT doc_id, lower(hex(bit_xor(hash({hashed})))) AS digest FROM {source} "
                         "GROUP BY doc_id ORDER BY doc_id", **tables)
    return dict(zip(found["doc_id"].tolist(), found["digest"].tolist()))


def _quoted(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _read(files: list[Path]) -> str:
    return f"read_parquet([{', '.join(_quoted(f) for f in files)}], hive_partitioning = false)"


def merge_sorted(files: list[Path], out: Path, order_by: list[str], row_group_size: int, schema: pa.Schema,
                 carried: tuple[list[Path], Path] | None = None) -> int:
    """Parquet files with one schema -> one file of `schema` sorted by
    `order_by` (doc_id first), with DuckDB's out-of-core sort: bounded memory,
    spilling next to `out`. `carried` = (more such files, already sorted, a
    Parquet file with a doc_id column) adds the rows of those files whose
    doc_id is listed: an incremental run's unchanged articles, read straight
    from the base version a row group at a time and merged into the sorted
    rows, never sorted again (at 100,000 articles, sorting them with the new
    ones ran DuckDB out of memory). Written beside `out` and renamed into
    place. Returns the row count."""
    import duckdb

    tmp = out.with_name(f".{out.name}.tmp")
    query = f"SELECT * FROM {_read(files)} ORDER BY " + ", ".join(f'"{c}"' for c in order_by)
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{MERGE_MEMORY}'")
        con.execute(f"SET temp_directory = {_quoted(out.parent / '.duckdb-spill')}")
        # Cast to the declared schema (which columns may hold nulls), whatever DuckDB
        # infers from how many files it read: the same rows always give the same bytes.
        rows: Iterator[pa.Table] = (pa.Table.from_batches([batch]).cast(schema)
                                    for batch in con.sql(query).to_arrow_reader(row_group_size))
        if carried is not None:
            carried_files, listed = carried
            keep = pq.read_table(listed, columns=["doc_id"]).column("doc_id").combine_chunks()
            rows = merge_by_document(rows, _listed_rows(carried_files, keep, schema), order_by)
        n_rows = _write_row_groups(rows, tmp, schema, row_group_size)
    finally:
        con.close()
    with open(tmp, "rb") as fh:  # on disk before it can be committed
        os.fsync(fh.fileno())
    os.replace(tmp, out)
    return n_rows


def _listed_rows(files: list[Path], doc_ids: pa.Array, schema: pa.Schema) -> Iterator[pa.Table]:
    """The rows of doc_id-sorted files whose doc_id is listed, a row group at a time."""
    for path in files:
        for rows in _row_groups_where(open_parquet(path), None, lambda ids: pc.is_in(ids, value_set=doc_ids)):
            yield rows if rows.schema.equals(schema) else rows.cast(schema)


def merge_by_document(first: Iterable[pa.Table], second: Iterable[pa.Table],
                      order_by: list[str]) -> Iterator[pa.Table]:
    """Two streams of tables, each sorted by `order_by` (doc_id first), whose
    documents are each in one stream only -> one stream in that order. What
    goes out each time: both streams' rows up to the smaller of their current
    tables' last doc_ids, since no later table sorts before those."""
    streams = [iter(first), iter(second)]
    heads = [_next_rows(stream) for stream in streams]
    while heads[0] is not None and heads[1] is not None:
        bound = min(head.column("doc_id")[-1].as_py() for head in heads)
        parts = []
        for n, head in enumerate(heads):
            due = int(pc.sum(pc.less_equal(head.column("doc_id"), bound)).as_py() or 0)
            parts.append(head.slice(0, due))
            heads[n] = head.slice(due) if due < head.num_rows else _next_rows(streams[n])
        if not (parts[0].num_rows and parts[1].num_rows):  # one stream's rows alone are in order
            yield parts[0] if parts[0].num_rows else parts[1]
            continue
        if pc.any(pc.is_in(parts[0].column("doc_id"), value_set=parts[1].column("doc_id"))).as_py():
            raise ValueError("a document's rows are in both streams: merging would interleave them")
        yield pa.concat_tables(parts).sort_by([(column, "ascending") for column in order_by])
    for head, stream in zip(heads, streams):
        if head is not None:
            yield head
            yield from stream


def _next_rows(stream: Iterator[pa.Table]) -> pa.Table | None:
    """The stream's next table with rows (None at its end)."""
    return next((table for table in stream if table.num_rows), None)


def _write_row_groups(tables: Iterable[pa.Table], path: Path, schema: pa.Schema, row_group_size: int) -> int:
    """Tables in `schema` written in row groups of exactly `row_group_size`
    rows but the last, however the tables are cut. Returns the row count."""
    pending, n_rows = schema.empty_table(), 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for table in tables:
            pending = pa.concat_tables([pending, table])
            whole_groups = pending.num_rows // row_group_size * row_group_size
            if whole_groups:
                writer.write_table(pending.slice(0, whole_groups), row_group_size=row_group_size)
                pending, n_rows = pending.slice(whole_groups), n_rows + whole_groups
        if pending.num_rows:
            writer.write_table(pending, row_group_size=row_group_size)
    return n_rows + pending.num_rows


def merge_sorted_parts(parts: list[Path], out: Path, schema: pa.Schema, row_group_size: int,
                       batch_rows: int = 16) -> int:
    """Parquet files each sorted by doc_id (ids unique across them) -> one
    file of `schema` sorted by doc_id, by a k-way merge that holds one batch
    of `batch_rows` rows per file. For wide rows (whole article texts), which
    DuckDB's sort could not spill within its memory limit (100,000 articles).
    Written beside `out` and renamed into place. Returns the row count."""
    def rows(number: int, part: Path) -> Iterator[tuple[str, int, int, pa.RecordBatch]]:
        for batch in open_parquet(part).iter_batches(batch_size=batch_rows):
            for row, doc_id in enumerate(batch.column("doc_id").to_pylist()):
                yield doc_id, number, row, batch

    tmp = out.with_name(f".{out.name}.tmp")
    n_rows, pending = 0, []
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for _, _, row, batch in heapq.merge(*(rows(n, part) for n, part in enumerate(parts))):
            pending.append(batch.slice(row, 1))
            if len(pending) == row_group_size:
                writer.write_table(pa.Table.from_batches(pending).cast(schema), row_group_size=row_group_size)
                n_rows, pending = n_rows + len(pending), []
        if pending or not n_rows:
            table = pa.Table.from_batches(pending).cast(schema) if pending else schema.empty_table()
            writer.write_table(table, row_group_size=row_group_size)
            n_rows += len(pending)
    with open(tmp, "rb") as fh:  # on disk before it can be committed
        os.fsync(fh.fileno())
    os.replace(tmp, out)
    return n_rows


class DocRows:
    """Hands out the rows of a doc_id-sorted Parquet file a few documents at a
    time, reading the file once from start to end: asked for documents in
    ascending doc_id order (the order of every staged table), it keeps only
    the unread rest of one batch in memory, so a step can walk a second table
    alongside its first without loading it."""

    def __init__(self, path: Path | str, columns: list[str] | None = None, batch_rows: int | None = None):
        if columns is not None and "doc_id" not in columns:
            columns = ["doc_id", *columns]
        file = open_parquet(path)
        if batch_rows is None:  # a row group is decoded whole anyway; article texts come in small ones
            first_group = file.metadata.row_group(0).num_rows if file.num_row_groups else BATCH_ROWS
            batch_rows = min(BATCH_ROWS, max(1, first_group))
        self._batches = file.iter_batches(batch_size=batch_rows, columns=columns)
        schema = file.schema_arrow
        self._unread = schema.empty_table().select(columns or schema.names).to_pandas()
        self._last: str | None = None

    def rows_of(self, doc_ids: Iterable[str]) -> pd.DataFrame:
        """The rows of these documents; rows of documents skipped over are dropped."""
        wanted = set(doc_ids)
        if not wanted:
            return self._unread.iloc[0:0]
        last = max(wanted)
        if self._last is not None and min(wanted) <= self._last:  # those rows are gone: never a silent empty answer
            raise ValueError(f"documents asked for out of order: {min(wanted)} after {self._last}")
        self._last = last
        frames = []
        while True:
            if not len(self._unread):
                batch = next(self._batches, None)
                if batch is None:
                    break
                self._unread = batch.to_pandas()
            cut = int(np.searchsorted(self._unread["doc_id"].to_numpy(), last, side="right"))
            head, self._unread = self._unread.iloc[:cut], self._unread.iloc[cut:]
            frames.append(head[head["doc_id"].isin(wanted)])
            if len(self._unread):  # the rest belongs to later documents
                break
        if not frames:
            return self._unread.iloc[0:0]
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)


def frame_doc_batches(frame: pd.DataFrame, batch_rows: int | None = None) -> Iterator[pd.DataFrame]:
    """A doc_id-sorted DataFrame in slices of about `batch_rows` rows, never splitting a document."""
    batch_rows = batch_rows or BATCH_ROWS
    doc_ids = frame["doc_id"].to_numpy()
    start = 0
    while start < len(frame):
        end = min(start + batch_rows, len(frame))
        if end < len(frame):
            end = int(np.searchsorted(doc_ids, doc_ids[end - 1], side="right"))
        yield frame.iloc[start:end]
        start = end


def alongside(batches: Iterable[pd.DataFrame], *others: DocRows) -> Iterator[tuple[pd.DataFrame, ...]]:
    """Each batch of whole documents, with those documents' rows in each of `others`."""
    for batch in batches:
        doc_ids = batch["doc_id"].unique()
        yield (batch, *(rows.rows_of(doc_ids) for rows in others))


class TableWriter:
    """A staged table written as a step makes it, a batch of whole documents
    at a time, so that no step holds its whole output. Batches come in doc_id
    order (each is sorted by doc_id, stably); they gather to about
    `row_group_size` rows, which `validate` checks (whole documents at once,
    so a rule within a document sees all of its rows) before they are
    written. The file appears under its name only when closed. Memory holds
    about two row groups, however big the table."""

    def __init__(self, path: Path | str, schema: pa.Schema,
                 validate: Callable[[pd.DataFrame], pd.DataFrame] = lambda frame: frame,
                 row_group_size: int | None = None):
        self.path, self.schema, self.validate = Path(path), schema, validate
        self.row_group_size = row_group_size or ROW_GROUP_SIZE
        self.n_rows = 0
        self._pending: list[pd.DataFrame] = []
        self._n_pending = 0
        self._last_doc: str | None = None
        self._validated: pa.Table | None = None  # validated rows not yet written: less than a row group
        self._tmp = self.path.with_name(f".{self.path.name}.tmp")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer: pq.ParquetWriter | None = None  # opened with the first rows' pandas metadata (Int64 columns)

    def write(self, *parts: pd.DataFrame | None) -> None:
        """Rows of whole documents; several parts (a step's rows and carried
        ones) are written as one batch, sorted by doc_id."""
        parts = [part for part in parts if part is not None and len(part)]
        if not parts:
            return
        batch = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        batch = batch.sort_values("doc_id", kind="stable", ignore_index=True)
        first, last = batch["doc_id"].iat[0], batch["doc_id"].iat[-1]
        if self._last_doc is not None and first <= self._last_doc:  # a document split, or out of order
            raise ValueError(f"{self.path.name}: rows of {first} after rows of {self._last_doc}")
        self._last_doc = last
        self._pending.append(batch)
        self._n_pending += len(batch)
        if self._n_pending >= self.row_group_size:
            self._flush()

    def _flush(self, last: bool = False) -> None:
        """Validates the pending documents and writes row groups of exactly
        `row_group_size` rows (the last may be smaller), as one write of the
        whole table would; the validated rest waits for the next group."""
        if self._pending:
            chunk = self.validate(pd.concat(self._pending, ignore_index=True))
            self._pending, self._n_pending = [], 0
            table = pa.Table.from_pandas(chunk, schema=self.schema, preserve_index=False)
            self._validated = table if self._validated is None else pa.concat_tables([self._validated, table])
        if self._validated is None:
            return
        n = len(self._validated) if last else len(self._validated) // self.row_group_size * self.row_group_size
        if n:
            if self._writer is None:
                self._writer = pq.ParquetWriter(self._tmp, self._validated.schema, compression="zstd")
            self._writer.write_table(self._validated.slice(0, n), row_group_size=self.row_group_size)
            self._validated = self._validated.slice(n)
            self.n_rows += n

    def close(self) -> StagedTable:
        self._flush(last=True)
        if self._writer is None:  # no rows
            pq.write_table(self.schema.empty_table(), self._tmp, compression="zstd")
        else:
            self._writer.close()
        with open(self._tmp, "rb") as fh:  # on disk before it can be committed
            os.fsync(fh.fileno())
        os.replace(self._tmp, self.path)
        return StagedTable(str(self.path))

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is not None:
            if self._writer is not None:
                self._writer.close()
            self._tmp.unlink(missing_ok=True)


def write_table(batches: Iterable[pd.DataFrame], path: Path | str, schema: pa.Schema,
                validate: Callable[[pd.DataFrame], pd.DataFrame] = lambda frame: frame) -> StagedTable:
    """Batches of whole documents, in doc_id order -> a staged table (see TableWriter)."""
    with TableWriter(path, schema, validate) as writer:
        for batch in batches:
            writer.write(batch)
        return writer.close()

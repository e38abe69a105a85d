"""Read-only DuckDB access to one version of the warehouse."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.remote import RemoteWarehouse
from pipeline.warehouse import Warehouse, view_statements

# Statement types that only read. Anything else (COPY, ATTACH, CREATE, INSERT,
# SET, INSTALL...) could write files or change the session: refused.
READ_ONLY_STATEMENTS = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}


class QueryError(ValueError):
    pass


def connect(warehouse: Warehouse | RemoteWarehouse, version: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with one view per table of `version` (default:
    LATEST), allowed to read only that version's Parquet files. The tables of a
    pushed version (a URL) are pyarrow datasets read through fsspec: DuckDB
    reaches no file system of its own, and needs none of its extensions."""
    try:
        manifest = warehouse.manifest(version)
    except KeyError as exc:
        raise QueryError(exc.args[0]) from None
    version = manifest["version"]
    con = duckdb.connect(":memory:")
    if isinstance(warehouse, RemoteWarehouse):
        for table in manifest["tables"]:
            try:
                con.register(table, warehouse.dataset(table, version, manifest))
            except (OSError, pa.ArrowException) as exc:  # a file missing or unreadable at the URL
                con.close()
                raise QueryError(f"cannot read table {table} of {version} at {warehouse.url}: {_one_line(exc)}") from None
        files = []
    else:
        for statement in view_statements(warehouse, manifest):
            con.execute(statement)
        files = [str(p) for t in manifest["tables"] for p in warehouse.table_files(t, version)]
    con.execute("SET allowed_paths = ?", [files])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def run_query(warehouse: Warehouse | RemoteWarehouse, sql: str, version: str | None = None) -> tuple[list[str], list[tuple]]:
    """Run one or more read-only statements; return the last one's columns and rows."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(_one_line(exc)) from None
    if not statements:
        raise QueryError("empty query")
    for statement in statements:
        if statement.type not in READ_ONLY_STATEMENTS:
            raise QueryError(
                f"queries are read-only: {statement.type.name} statements are not allowed "
                "(use SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE or EXPLAIN)"
            )
    con = connect(warehouse, version)
    try:
        for statement in statements:
            relation = con.sql(statement.query)
        if relation is None:
            return [], []
        return list(relation.columns), relation.fetchall()
    except duckdb.Error as exc:
        raise QueryError(_one_line(exc)) from None
    finally:
        con.close()


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())

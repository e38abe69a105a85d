"""What changed between two versions, table by table, by stable ids.

A row is identified by its table's key (doc_id, quote_id, entity_id...);
`added` and `removed` compare keys, `changed` counts rows whose key is in
both versions but whose content differs. Computed in DuckDB straight from
the Parquet files, so it costs a scan, not a load into Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipeline.warehouse import Warehouse

# The stable key of each table's rows.
KEYS = {
    "documents": ["doc_id"],
    "sentences": ["sentence_id"],
    "tokens": ["doc_id", "token_index"],
    "quotes": ["quote_id"],
    "entity_mentions": ["mention_id"],
    "entities": ["entity_id"],
    "entity_changes": ["entity_id", "change", "previous_entity_id"],
    "events": ["event_id"],
    "event_mentions": ["event_id", "trigger_start_char"],
    "rejected": ["source_file"],
}


@dataclass(frozen=True)
class TableChange:
    table: str
    before: int
    after: int
    added: int
    removed: int
    changed: int


def diff_versions(warehouse: Warehouse, old: str | None, new: str) -> list[TableChange]:
    """Per-table counts of `new` against `old` (None: everything is added)."""
    new_tables = warehouse.manifest(new)["tables"]
    old_tables = warehouse.manifest(old)["tables"] if old else {}
    con = duckdb.connect(":memory:")
    changes = []
    for table in new_tables:
        if table not in KEYS:
            continue
        new_sql = _scan(warehouse, table, new)
        old_sql = _scan(warehouse, table, old) if table in old_tables else None
        changes.append(_table_change(con, table, old_sql, new_sql, KEYS[table]))
    for table in old_tables:
        if table not in new_tables and table in KEYS:
            before = con.sql(f"select count(*) from {_scan(warehouse, table, old)}").fetchall()[0][0]
            changes.append(TableChange(table, before, 0, 0, before, 0))
    return changes


def _scan(warehouse: Warehouse, table: str, version: str) -> str:
    files = ", ".join(f"'{p.as_posix()}'" for p in warehouse.table_files(table, version))
    return f"read_parquet([{files}], hive_partitioning = false)"


def _table_change(con, table: str, old_sql: str | None, new_sql: str, key: list[str]) -> TableChange:
    after = con.sql(f"select count(*) from {new_sql}").fetchall()[0][0]
    if old_sql is None:
        return TableChange(table, 0, after, after, 0, 0)
    keys = ", ".join(key)
    on = " and ".join(f"o.{k} is not distinct from n.{k}" for k in key)
    row = con.sql(f"""
        with o as (select {keys}, md5(cast(t as varchar)) as h from {old_sql} t),
             n as (select {keys}, md5(cast(t as varchar)) as h from {new_sql} t)
        select
            (select count(*) from o),
            (select count(*) from n anti join o on {on}),
            (select count(*) from o anti join n on {on}),
            (select count(*) from n join o on {on} where n.h <> o.h)
    """).fetchall()[0]
    before, added, removed, changed = row
    return TableChange(table, before, after, added, removed, changed)


def changes_markdown(changes: list[TableChange], old: str | None, new: str) -> str:
    """The change summary as a Markdown table (CHANGES.md and `presswork diff`)."""
    title = f"Changes from {old} to {new}" if old else f"{new}: first release (everything is new)"
    lines = [f"# {title}", "", "| table | rows before | rows after | added | removed | changed |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for c in changes:
        lines.append(f"| {c.table} | {c.before:,} | {c.after:,} | {c.added:,} | {c.removed:,} | {c.changed:,} |")
    lines += ["", "Rows are matched by stable id (" + "; ".join(f"{t}: {', '.join(k)}" for t, k in KEYS.items())
              + "). *changed* = same id, different content."]
    return "\n".join(lines) + "\n"

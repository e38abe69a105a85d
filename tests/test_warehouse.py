"""Warehouse versioning: staging, atomic commit, recovery, catalog."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

import schemas
from conftest import SEEDS
from pipeline.ingest import ingest_folder
from pipeline.query import QueryError, run_query
from pipeline.sentences import build_documents, segment_sentences
from pipeline.warehouse import Warehouse, new_version_id

# The warehouse commits whatever tables a run staged; these tests stage three.
STAGED = ["documents", "sentences", "rejected"]


def _stage_seeds(warehouse: Warehouse, run_id: str) -> dict[str, pd.DataFrame]:
    articles, rejected = ingest_folder(SEEDS)
    sentences = segment_sentences(articles)
    tables = {"documents": build_documents(articles, sentences), "sentences": sentences, "rejected": rejected}
    warehouse.claim_staging(run_id)
    for name, df in tables.items():
        warehouse.stage_table(run_id, name, df, schema=schemas.arrow_schema(name))
    return tables


def test_commit_publishes_tables_manifest_latest_and_catalog(tmp_path):
    warehouse = Warehouse(tmp_path / "wh")
    tables = _stage_seeds(warehouse, "run1")
    manifest = warehouse.commit_version("run1", STAGED, {"note": "test"})
    version = manifest["version"]
    assert warehouse.latest() == version
    assert manifest["tables"]["sentences"]["rows"] == len(tables["sentences"]) > 0
    assert json.loads((tmp_path / "wh" / "_versions" / f"{version}.json").read_text()) == manifest
    assert not (tmp_path / "wh" / "_staging" / "run1").exists()
    con = duckdb.connect(str(tmp_path / "wh" / "catalog.duckdb"), read_only=True)
    assert con.sql("select count(*) from documents").fetchall() == [(5,)]
    assert con.sql("select version from presswork_catalog").fetchall() == [(version,)]
    # Sorted by doc_id within the file, so DuckDB can prune row groups by article.
    doc_ids = con.sql("select doc_id from sentences").fetchall()
    assert doc_ids == sorted(doc_ids)


def test_versions_sort_in_commit_order_and_old_versions_stay_readable(tmp_path):
    warehouse = Warehouse(tmp_path / "wh")
    versions = []
    for run in ("r1", "r2", "r3"):
        _stage_seeds(warehouse, run)
        versions.append(warehouse.commit_version(run, STAGED, {})["version"])
    assert versions == sorted(versions) and len(set(versions)) == 3
    assert [m["version"] for m in warehouse.versions()] == versions
    cols, rows = run_query(warehouse, "select count(*) from sentences", version=versions[0])
    assert rows[0][0] > 0
    every = duckdb.sql(
        f"select count(distinct version) from read_parquet('{tmp_path}/wh/sentences/*/*.parquet', hive_partitioning=true)"
    ).fetchall()
    assert every == [(3,)]


def test_version_ids_never_go_backwards():
    later = "v2999-01-01T00-00-00.000000Z"
    assert new_version_id(after=later) > later


def test_recover_removes_uncommitted_leftovers(tmp_path):
    warehouse = Warehouse(tmp_path / "wh")
    _stage_seeds(warehouse, "r1")
    committed = warehouse.commit_version("r1", STAGED, {})["version"]
    # What a run killed mid-commit leaves: a table folder and a manifest newer than LATEST,
    # a temp file, and a staging folder whose owner is dead.
    orphan = new_version_id(after=committed)
    (tmp_path / "wh" / "sentences" / f"version={orphan}").mkdir()
    (tmp_path / "wh" / "_versions" / f"{orphan}.json").write_text("{}")
    (tmp_path / "wh" / ".LATEST.tmp-999").write_text(orphan)
    dead = tmp_path / "wh" / "_staging" / "dead-run"
    dead.mkdir(parents=True)
    (dead / "owner.pid").write_text("999999999")
    with warehouse.lock():
        removed = warehouse.recover()
    assert len(removed) == 4
    assert warehouse.latest() == committed
    assert [m["version"] for m in warehouse.versions()] == [committed]
    assert not (tmp_path / "wh" / "sentences" / f"version={orphan}").exists()


def test_commit_refuses_when_a_table_was_not_staged(tmp_path):
    warehouse = Warehouse(tmp_path / "wh")
    warehouse.claim_staging("r1")
    with pytest.raises(FileNotFoundError, match="no staged table"):
        warehouse.commit_version("r1", ["documents"], {})
    assert warehouse.latest() is None


def test_query_is_read_only(tmp_path):
    warehouse = Warehouse(tmp_path / "wh")
    _stage_seeds(warehouse, "r1")
    warehouse.commit_version("r1", STAGED, {})
    for sql in (
        f"copy sentences to '{tmp_path}/leak.csv'",
        "create table x as select 1",
        f"attach '{tmp_path}/other.duckdb'",
        "select 1; drop view sentences",
    ):
        with pytest.raises(QueryError, match="read-only"):
            run_query(warehouse, sql)
    with pytest.raises(QueryError, match="Permission Error"):
        run_query(warehouse, "select * from read_csv('/etc/passwd')")
    assert not (tmp_path / "leak.csv").exists()
    assert run_query(warehouse, "select count(*) from documents")[1] == [(5,)]


def test_query_without_versions_says_so(tmp_path):
    with pytest.raises(QueryError, match="no committed version"):
        run_query(Warehouse(tmp_path / "empty"), "select 1")

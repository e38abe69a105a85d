"""Determinism and concurrency, through the real CLI: the same input always
gives the same tables, and two runs on one warehouse never tear or mix a version."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pandas as pd
import pyarrow.parquet as pq
import pytest

import schemas
from conftest import REPO, SEEDS, run_cli
from pipeline.files import sha256_file
from pipeline.warehouse import RUN_LOCK, StaleBaseError, Warehouse


def _table_files(warehouse: Warehouse) -> dict[str, object]:
    version = warehouse.latest()
    return {table: warehouse.table_files(table, version) for table in schemas.TABLES}


def test_two_runs_on_the_same_input_give_byte_identical_tables(tmp_path):
    first, second = Warehouse(tmp_path / "a"), Warehouse(tmp_path / "b")
    run_cli("run", "--input", str(SEEDS), "--warehouse", str(first.root))
    run_cli("run", "--input", str(SEEDS), "--warehouse", str(second.root), "--workers", "2", "--shard-words", "2000")
    assert first.latest() != second.latest()  # versions and timestamps aside...
    for table, files in _table_files(first).items():
        others = _table_files(second)[table]
        # ...same ids, same rows, same order, same bytes.
        assert pq.read_table(files[0]).equals(pq.read_table(others[0])), table
        assert [sha256_file(f) for f in files] == [sha256_file(f) for f in others], table


def _version_is_whole(warehouse: Warehouse, version: str, n_documents: int) -> None:
    """Every table of the version holds rows of that version's documents only, and checksums verify."""
    manifest = warehouse.manifest(version)
    documents = warehouse.read_table("documents", version)
    assert len(documents) == n_documents
    for table, entry in manifest["tables"].items():
        for name, checksum in entry["files"].items():
            assert sha256_file(warehouse.table_dir(table, version) / name) == checksum
        rows = warehouse.read_table(table, version)
        if "doc_id" in rows and table != "rejected":
            assert set(rows["doc_id"]) <= set(documents["doc_id"]), f"{table} of {version} mixes in other articles"


def _start_run(input_dir, warehouse) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "presswork.cli", "run", "--input", str(input_dir),
                             "--warehouse", str(warehouse)], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_two_runs_at_once_commit_two_whole_versions_one_after_the_other(tmp_path):
    three = tmp_path / "three"
    three.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:3]:
        shutil.copy(seed, three / seed.name)
    warehouse = Warehouse(tmp_path / "wh")

    first = _start_run(SEEDS, warehouse.root)
    deadline = time.monotonic() + 60
    while not ((warehouse.root / RUN_LOCK).exists() and (warehouse.root / RUN_LOCK).read_text()):
        assert time.monotonic() < deadline and first.poll() is None, "the first run never took the warehouse"
        time.sleep(0.05)
    second = _start_run(three, warehouse.root)
    outputs = [proc.communicate(timeout=600) for proc in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert "waiting for the run already writing to" in outputs[1][1]

    versions = [v["version"] for v in warehouse.versions()]
    assert len(versions) == 2 and warehouse.latest() == versions[1]
    _version_is_whole(warehouse, versions[0], 5)
    _version_is_whole(warehouse, versions[1], 3)
    # The second run started from the first one's version: its work and its entity ids build on it.
    assert warehouse.manifest(versions[1])["nlp_work"]["previous"] == versions[0]
    assert warehouse.manifest(versions[1])["nlp_work"]["carried"] == 3


def test_no_wait_refuses_with_one_line_while_another_run_writes(tmp_path):
    warehouse = Warehouse(tmp_path / "wh")
    with warehouse.run_lock():
        refused = run_cli("run", "--input", str(SEEDS), "--warehouse", str(warehouse.root), "--no-wait", check=False)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1].startswith("presswork: error: another run (pid ")
    assert warehouse.latest() is None


def test_a_commit_from_a_base_that_another_run_replaced_is_refused(tmp_path):
    """Runs started outside the CLI (the Dagster UI) do not take the run lock:
    the commit itself refuses to build on a version that is no longer LATEST."""
    warehouse = Warehouse(tmp_path / "wh")
    rejected = pd.DataFrame({"source_file": ["x.bin"], "reason": ["not a .txt file"], "detail": ["1 bytes"]})
    for run_id, base in [("early", None), ("late", None)]:
        warehouse.claim_staging(run_id)
        warehouse.stage_table(run_id, "rejected", rejected, schema=schemas.arrow_schema("rejected"))
        (warehouse.staging_dir(run_id) / "nlp_plan.json").write_text(json.dumps({"previous": base}))
    committed = warehouse.commit_version("early", ["rejected"], {})["version"]
    with pytest.raises(StaleBaseError, match=f"another run committed {committed} while this run was working from "
                                             "an empty warehouse; nothing committed"):
        warehouse.commit_version("late", ["rejected"], {})
    assert [v["version"] for v in warehouse.versions()] == [committed]

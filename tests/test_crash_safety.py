"""SIGKILL a real `presswork run` at every step of writing and committing: the
previous version must stay intact and visible, and the next run must succeed
and clean up after the dead one."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from conftest import REPO, SEEDS, run_cli
from pipeline.files import sha256_file

FAILPOINTS = [
    "ingest.file", "stage.articles", "stage.rejected", "stage.sentences", "stage.documents", "nlp.shard",
    "stage.tokens", "stage.entity_mentions", "stage.entities", "stage.quotes", "stage.events", "stage.event_mentions",
    "commit.start", "commit.table.documents", "commit.table.sentences", "commit.table.tokens",
    "commit.table.quotes", "commit.table.entity_mentions", "commit.table.events", "commit.table.rejected",
    "commit.manifest", "commit.latest", "commit.catalog",
]


def _committed_state(warehouse):
    """LATEST and, for every committed version, its files' checksums as found on disk."""
    latest = (warehouse / "LATEST").read_text().strip()
    state = {}
    for manifest_path in sorted((warehouse / "_versions").glob("*.json")):
        manifest = json.loads(manifest_path.read_text())
        if manifest["version"] > latest:
            continue
        for table, entry in manifest["tables"].items():
            for name, checksum in entry["files"].items():
                path = warehouse / table / f"version={manifest['version']}" / name
                assert sha256_file(path) == checksum, f"{path} changed after commit"
        state[manifest["version"]] = manifest["tables"]
    return latest, state


def _catalog_version(warehouse):
    con = duckdb.connect(str(warehouse / "catalog.duckdb"), read_only=True)
    try:
        return con.sql("select version from presswork_catalog").fetchall()[0][0]
    finally:
        con.close()


def _assert_clean(warehouse):
    latest, _ = _committed_state(warehouse)
    leftovers = [p for p in warehouse.rglob("*") if ".tmp" in p.name]
    assert not leftovers, leftovers
    assert not any((warehouse / "_staging").iterdir())
    versions = {p.stem for p in (warehouse / "_versions").glob("*.json")}
    for table_dir in warehouse.glob("*/version=*"):
        assert table_dir.name.removeprefix("version=") in versions, f"orphan {table_dir}"
    assert max(versions) == latest == _catalog_version(warehouse)




@pytest.fixture(scope="module")
def one_version(tmp_path_factory):
    """A warehouse with one committed version of the seeds, copied by each test."""
    warehouse = tmp_path_factory.mktemp("base") / "wh"
    run_cli("run", "--input", str(SEEDS), "--warehouse", str(warehouse))
    return warehouse


def test_there_are_at_least_twenty_kill_points():
    assert len(set(FAILPOINTS)) >= 20


@pytest.mark.parametrize("point", FAILPOINTS)
def test_sigkill_at_failpoint_leaves_previous_version_intact(point, one_version, tmp_path):
    warehouse = tmp_path / "wh"
    shutil.copytree(one_version, warehouse)
    before_latest, before = _committed_state(warehouse)

    killed = run_cli("run", "--input", str(SEEDS), "--warehouse", str(warehouse),
                     env={"PRESSWORK_FAILPOINT": point}, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    latest, after = _committed_state(warehouse)  # also re-verifies every checksum
    assert after[before_latest] == before[before_latest]
    if point in ("commit.latest", "commit.catalog"):
        assert latest > before_latest  # the kill came after the commit point
    else:
        assert latest == before_latest and _catalog_version(warehouse) == before_latest
    # Readers see a consistent LATEST/catalog pair right away.
    count = run_cli("query", "select count(*) from documents", "--warehouse", str(warehouse),
                    "--format", "csv").stdout.splitlines()[1]
    assert count == "5" and _catalog_version(warehouse) == latest

    run_cli("run", "--input", str(SEEDS), "--warehouse", str(warehouse))
    _assert_clean(warehouse)


def test_a_step_process_killed_under_the_multiprocess_executor_fails_the_run_cleanly(tmp_path):
    """With several workers a kill takes one step's process, not the run: the
    run must fail with a reason, commit nothing, and leave no mess behind."""
    warehouse = tmp_path / "wh"
    run_cli("run", "--input", str(SEEDS), "--warehouse", str(warehouse))
    before_latest, before = _committed_state(warehouse)
    failed = run_cli("run", "--input", str(SEEDS), "--warehouse", str(warehouse), "--workers", "2",
                     "--shard-words", "1000", env={"PRESSWORK_FAILPOINT": "nlp.shard"}, check=False)
    assert failed.returncode == 1 and "run failed, nothing committed" in failed.stderr, failed.stderr
    latest, after = _committed_state(warehouse)
    assert latest == before_latest and after == before
    run_cli("run", "--input", str(SEEDS), "--warehouse", str(warehouse), "--workers", "2")
    _assert_clean(warehouse)


@pytest.mark.parametrize("delay", [0.5, 2.0, 4.0, 6.0, 8.0])
def test_sigkill_at_arbitrary_moments(delay, tmp_path):
    """Kills by the clock rather than by failpoint, on a corpus big enough that
    the run is mid-work (ingesting, segmenting, writing or committing)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(30):
        for seed in SEEDS.glob("*.txt"):
            (corpus / f"{i:03d}_{seed.name}").write_text(seed.read_text() + f"\n\nCopy {i}.")
    warehouse = tmp_path / "wh"
    run_cli("run", "--input", str(SEEDS), "--warehouse", str(warehouse))
    before_latest, before = _committed_state(warehouse)

    proc = subprocess.Popen([sys.executable, "-m", "presswork.cli", "run", "--input", str(corpus),
                             "--warehouse", str(warehouse)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    latest, after = _committed_state(warehouse)
    assert after[before_latest] == before[before_latest]
    run_cli("run", "--input", str(corpus), "--warehouse", str(warehouse))
    _assert_clean(warehouse)
    count = run_cli("query", "select count(*) from documents", "--warehouse", str(warehouse),
                    "--format", "csv").stdout.splitlines()[1]
    assert count == "150"

"""`presswork publish` and `presswork diff`: a release folder a stranger can
use with duckdb, mlcroissant, frictionless and datasets, without our code."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEEDS, run_cli
from pipeline.warehouse import Warehouse

# Run in a fresh interpreter, in the release folder, with no project code importable (-I: isolated mode).
STRANGER = r"""
import json, sys
import duckdb, frictionless, mlcroissant
manifest = json.loads(sys.argv[1])
counts = {t: duckdb.sql(f"select count(*) from 'data/{t}/part-0.parquet'").fetchall()[0][0] for t in manifest}
report = frictionless.validate("datapackage.json")
records = list(mlcroissant.Dataset(jsonld="croissant.json").records(record_set="documents"))
try:
    import datasets
    loaded = datasets.load_dataset("parquet", data_files={"train": "data/documents/part-0.parquet"})["train"]
    hf_rows = loaded.num_rows
except ImportError:
    hf_rows = None
print(json.dumps({"counts": counts, "frictionless": report.valid, "croissant_records": len(records),
                  "croissant_doc_ids": sorted(r["documents/doc_id"].decode() for r in records), "hf_rows": hf_rows}))
"""


@pytest.fixture(scope="module")
def release(seeds_warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "seeds-release"
    result = run_cli("publish", "--out", str(out), "--warehouse", str(seeds_warehouse))
    assert "published" in result.stdout
    return out


def test_release_holds_every_file_and_checksums_verify(release):
    for name in ("README.md", "croissant.json", "datapackage.json", "CHANGES.md", "SHA256SUMS"):
        assert (release / name).is_file(), name
    lines = (release / "SHA256SUMS").read_text().splitlines()
    assert len(lines) >= 14
    for line in lines:
        digest, path = line.split("  ", 1)
        assert hashlib.sha256((release / path).read_bytes()).hexdigest() == digest, path


def test_card_has_a_hugging_face_header_and_column_descriptions_from_the_models(release):
    card = (release / "README.md").read_text()
    header = card.split("---")[1]
    assert "configs:" in header and "config_name: quotes" in header and "path: data/quotes/part-0.parquet" in header
    assert "language:\n- en" in header and "pretty_name:" in header and "license:" in header
    from schemas import QuotesModel
    description = QuotesModel.to_schema().columns["speaker_entity_id"].description
    assert description in card  # written once, in the pandera model
    assert "How to cite" in card and "Known limitations" in card and "content_sha256" in card
    assert "| `000_7a06572e777c9b9d.txt` |" in card  # provenance: source files and their hashes


def test_a_stranger_loads_it_with_duckdb_croissant_frictionless_and_datasets(release, seeds_warehouse):
    manifest = Warehouse(seeds_warehouse).manifest(Warehouse(seeds_warehouse).latest())
    rows = {t: e["rows"] for t, e in manifest["tables"].items()}
    result = subprocess.run([sys.executable, "-I", "-c", STRANGER, json.dumps(rows)], cwd=release,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["counts"] == rows
    assert seen["frictionless"] is True
    assert seen["croissant_records"] == rows["documents"] == 5
    assert seen["hf_rows"] in (None, 5)


def test_publish_refuses_a_non_empty_folder_without_force(release, seeds_warehouse):
    result = run_cli("publish", "--out", str(release), "--warehouse", str(seeds_warehouse), check=False)
    assert result.returncode == 1 and "not empty" in result.stderr
    assert run_cli("publish", "--out", str(release), "--warehouse", str(seeds_warehouse), "--force").returncode == 0


def test_publish_with_force_never_writes_through_a_symlink_out_of_the_folder(seeds_warehouse, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_text("do not touch")
    out = tmp_path / "release"
    out.mkdir()
    (out / "README.md").symlink_to(outside / "victim.txt")
    (out / "data").symlink_to(outside, target_is_directory=True)
    (out / "my notes.txt").write_text("kept")
    run_cli("publish", "--out", str(out), "--warehouse", str(seeds_warehouse), "--force")
    assert [p.name for p in outside.iterdir()] == ["victim.txt"]
    assert (outside / "victim.txt").read_text() == "do not touch"
    assert not (out / "README.md").is_symlink() and not (out / "data").is_symlink()
    assert (out / "my notes.txt").read_text() == "kept"
    assert "my notes.txt" not in (out / "SHA256SUMS").read_text()


def test_second_release_lists_the_added_article_and_diff_agrees(tmp_path):
    corpus, warehouse = tmp_path / "in", tmp_path / "wh"
    shutil.copytree(SEEDS, corpus)
    run_cli("run", "--input", str(corpus), "--warehouse", str(warehouse))
    first = Warehouse(warehouse).latest()
    run_cli("publish", "--out", str(tmp_path / "r1"), "--warehouse", str(warehouse))
    (corpus / "added.txt").write_text("Board meets Labour\n\nThe Board of Deputies met Labour officials on Monday, "
                                      "Jonathan Goldstein said.\n", encoding="utf-8")
    run_cli("run", "--input", str(corpus), "--warehouse", str(warehouse))
    second = Warehouse(warehouse).latest()
    run_cli("publish", "--out", str(tmp_path / "r2"), "--warehouse", str(warehouse))
    changes = (tmp_path / "r2" / "CHANGES.md").read_text()
    assert f"Changes from {first} to {second}" in changes
    assert "| documents | 5 | 6 | 1 | 0 | 0 |" in changes
    assert "| sentences | 92 |" in changes
    printed = run_cli("diff", first, second, "--warehouse", str(warehouse)).stdout
    assert printed == changes
    assert "first release" in (tmp_path / "r1" / "CHANGES.md").read_text()


def test_the_publish_job_writes_a_release_from_dagster(seeds_warehouse, tmp_path):
    from assets.definitions import PUBLISH_JOB, build_definitions
    from assets.resources import PressworkSettings

    settings = PressworkSettings(input_dir=str(SEEDS), warehouse_dir=str(seeds_warehouse))
    job = build_definitions(settings).resolve_job_def(PUBLISH_JOB)
    out = tmp_path / "from-dagster"
    result = job.execute_in_process(run_config={"ops": {"release": {"config": {"out": str(out)}}}})
    assert result.success
    assert (out / "croissant.json").is_file() and (out / "SHA256SUMS").is_file()

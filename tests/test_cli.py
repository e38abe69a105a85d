"""End to end through the real `presswork` command, queried with the duckdb package."""

from __future__ import annotations

import json
import shutil

import duckdb

from conftest import SEEDS, run_cli


def test_run_on_seeds_commits_a_queryable_version(seeds_warehouse):
    latest = (seeds_warehouse / "LATEST").read_text().strip()
    manifest = json.loads((seeds_warehouse / "_versions" / f"{latest}.json").read_text())
    assert manifest["tables"]["documents"]["rows"] == 5
    assert manifest["tables"]["rejected"]["rows"] == 0
    assert manifest["code_version"]["source_fingerprint"]
    assert len(manifest["inputs_fingerprint"]) == 64
    con = duckdb.connect(str(seeds_warehouse / "catalog.duckdb"), read_only=True)
    n_sentences = con.sql("select count(*) from sentences").fetchall()[0][0]
    assert n_sentences == manifest["tables"]["sentences"]["rows"] > 50
    # Offsets are exact into documents.text, checked with DuckDB's 1-based substring.
    mismatches = con.sql(
        "select count(*) from sentences s join documents d using (doc_id) "
        "where substring(d.text, s.start_char + 1, s.end_char - s.start_char) <> s.text"
    ).fetchall()
    assert mismatches == [(0,)]
    assert con.sql("select sum(n_sentences) from documents").fetchall() == [(n_sentences,)]


def test_query_command_formats(seeds_warehouse):
    out = run_cli("query", "select count(*) as n from documents", "--warehouse", str(seeds_warehouse),
                  "--format", "csv").stdout
    assert out == "n\n5\n"
    rows = json.loads(run_cli("query", "select headline from documents order by source_file",
                              "--warehouse", str(seeds_warehouse), "--format", "json").stdout)
    assert rows[1]["headline"] == "Corbyn says it is his ‘heartfelt wish’ for JLM to remain affiliated to party"
    table = run_cli("query", "select count(*) from sentences", "--warehouse", str(seeds_warehouse)).stdout
    assert "count_star()" in table


def test_query_refuses_writes_with_one_line_reason(seeds_warehouse):
    result = run_cli("query", "delete from sentences", "--warehouse", str(seeds_warehouse), check=False)
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 and "read-only" in result.stderr


def test_catalog_works_from_any_directory(seeds_warehouse, tmp_path):
    con = duckdb.connect(str(seeds_warehouse / "catalog.duckdb"), read_only=True)
    cwd_free = con.sql("select count(*) from documents").fetchall()
    assert cwd_free == [(5,)]
    out = run_cli("query", "select count(*) from rejected", "--warehouse", str(seeds_warehouse),
                  "--format", "csv", cwd=tmp_path).stdout
    assert out.splitlines()[1] == "0"


def test_second_run_adds_a_version_and_keeps_the_first(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    warehouse = tmp_path / "wh"
    run_cli("run", "--input", str(corpus), "--warehouse", str(warehouse))
    (corpus / "junk.bin.txt").write_bytes(b"\x00\x01\x02" * 100)
    shutil.copy(SEEDS / "000_7a06572e777c9b9d.txt", corpus / "copy.txt")
    run_cli("run", "--input", str(corpus), "--warehouse", str(warehouse), env={"PRESSWORK_INPUT": "/nonexistent"})
    listing = run_cli("versions", "--warehouse", str(warehouse)).stdout
    assert listing.count("v20") == 2 and "(LATEST)" in listing.splitlines()[-1]
    first, second = sorted(p.stem for p in (warehouse / "_versions").glob("*.json"))
    counts = run_cli("query", "select (select count(*) from documents), (select count(*) from rejected), "
                     "(select count(*) from documents where duplicate_of is not null)",
                     "--warehouse", str(warehouse), "--format", "csv").stdout.splitlines()[1]
    assert counts == "6,1,1"
    old = run_cli("query", "select count(*) from documents", "--warehouse", str(warehouse),
                  "--version", first, "--format", "csv").stdout.splitlines()[1]
    assert old == "5"


def test_env_vars_choose_input_and_warehouse(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(SEEDS / "002_910b036e5245e9eb.txt", corpus / "one.txt")
    result = run_cli("run", env={"PRESSWORK_INPUT": str(corpus), "PRESSWORK_WAREHOUSE": str(tmp_path / "w")},
                     cwd=tmp_path)
    assert "documents=1" in result.stdout
    assert (tmp_path / "w" / "LATEST").exists()


def test_bad_input_folder_fails_with_one_line(tmp_path):
    result = run_cli("run", "--input", str(tmp_path / "missing"), "--warehouse", str(tmp_path / "w"), check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == f"presswork: error: input folder not found: {tmp_path / 'missing'}"
    assert not (tmp_path / "w").exists()


def test_help_lists_commands():
    out = run_cli("--help").stdout
    for command in ("run", "query", "versions"):
        assert command in out
    assert "--input" in run_cli("run", "--help").stdout


def test_query_help_names_every_table_a_version_holds():
    from schemas import TABLES

    out = " ".join(run_cli("query", "--help").stdout.split())
    assert [t for t in TABLES if t not in out] == []


def test_run_with_bad_inputs_commits_good_rows_and_lists_the_rest(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / "004_6d42bed67616d20b.txt", corpus / "good.txt")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "latin1.txt").write_bytes("Chelsea sack Mutu\n\nA \xa315.8m signing. He left.".encode("latin-1"))
    paragraph = "Ministers said on Tuesday that the report would be published in full. " * 300
    (corpus / "big.txt").write_text("A very long article\n\n" + (paragraph + "\n\n") * 1000)
    assert (corpus / "big.txt").stat().st_size > 20_000_000
    warehouse = tmp_path / "wh"
    # Over the default 16 MB limit, the big file is listed with its reason; the
    # ingest tests process a 20 MB file with a raised limit.
    run_cli("run", "--input", str(corpus), "--warehouse", str(warehouse))
    con = duckdb.connect(str(warehouse / "catalog.duckdb"), read_only=True)
    rejected = con.sql("select source_file, reason from rejected order by 1").fetchall()
    assert rejected[1:] == [("binary.txt", "binary file: contains NUL bytes"), ("empty.txt", "empty file")]
    assert rejected[0][0] == "big.txt" and rejected[0][1].startswith("file too large: 21,")
    docs = dict(con.sql("select source_file, encoding from documents").fetchall())
    assert docs == {"good.txt": "utf-8", "latin1.txt": "cp1252"}
    latin = con.sql("select text from documents where source_file = 'latin1.txt'").fetchall()[0][0]
    assert "£15.8m" in latin
    assert con.sql("select count(*) from tokens t join documents d using (doc_id) "
                   "where d.source_file = 'latin1.txt'").fetchall()[0][0] > 5

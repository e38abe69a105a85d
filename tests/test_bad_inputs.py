"""A real `presswork run` over a folder of hostile inputs: every file ends up in
`documents` with valid rows or in `rejected` with a one-line reason, never both,
never neither, and the run still commits a version.

The corpus is generated here (nothing binary is committed). Each entry says what
we expect: "doc" (processed), a reason prefix (rejected with that reason), or
"either" where the outcome depends on the machine (root can read a mode-000 file).
"""

from __future__ import annotations

import codecs
import os
import random

import pandas as pd
import pytest

from conftest import SEEDS, run_cli
from pipeline import ingest
from pipeline.ingest import ingest_folder
from pipeline.warehouse import Warehouse

SEED = (SEEDS / "003_4b811579ac37a3ea.txt").read_text(encoding="utf-8")
SHORT = "Council approves new budget\n\nThe council said on Monday it had approved the budget."


def _write(folder, name, data: bytes | str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def build_corpus(folder, outside) -> dict[str, str]:
    """Write one file per kind of bad input; return {source_file: expectation}."""
    rng = random.Random(7)
    expect: dict[str, str] = {}

    def add(name, data, expectation="doc"):
        _write(folder, name, data)
        expect[name] = expectation

    add("binary.txt", bytes(rng.randrange(256) for _ in range(4096)), "binary file")
    add("nul_bytes.txt", SHORT.encode() + b"\x00\x00" + SHORT.encode(), "binary file")
    add("control_chars.txt", "\x01\x02\x03\x1b" * 500, "binary file")
    add("empty.txt", b"", "empty file")
    add("whitespace_only.txt", " \t\n\n\u3000\n \r\n", "no text")
    add("bom_utf8.txt", codecs.BOM_UTF8 + SHORT.encode())
    add("bom_utf8_invalid.txt", codecs.BOM_UTF8 + b"Headline\n\n\xff\xfe\xfa broken", "UTF-8 BOM but invalid")
    add("utf16_le_bom.txt", codecs.BOM_UTF16_LE + SHORT.encode("utf-16-le"))
    add("utf16_be_bom.txt", codecs.BOM_UTF16_BE + SHORT.encode("utf-16-be"))
    add("utf16_no_bom.txt", SHORT.encode("utf-16-le"), "binary file")
    add("latin1.txt", "Chelsea sack Mutu\n\nA \xa315.8m signing from Parma, caf\xe9 owners said.".encode("latin-1"))
    add("cp1252_quotes.txt", "Minister speaks\n\n\x93We will act,\x94 the minister said.".encode("latin-1"))
    add("mixed_encodings.txt", SHORT.encode() + "\n\nCaf\u00e9 ".encode() + "na\xefve \xa3".encode("latin-1"))
    add("truncated_utf8.txt", SHORT.encode() + "\n\nThe caf\u00e9".encode()[:-1])
    add("crlf.txt", SHORT.replace("\n", "\r\n"))
    add("cr_only.txt", SHORT.replace("\n", "\r"))
    add("page.html", "<html><body><p>Not an article</p></body></html>", "not a .txt file")
    add("html_page.txt", "<!DOCTYPE html>\n<html><head><title>x</title></head><body>" + SHORT + "</body></html>",
        "an HTML page")
    add("notes.md", "# Notes\n\n* not an article", "not a .txt file")
    add("markdown.txt", "# Council approves budget\n\n**Bold** claims and a [link](http://example.com).\n\n"
        "- The council *said* it would act.\n- Critics said \"not enough\".")
    add("only_quote_marks.txt", "\u201c\u201d\u2018\u2019\"'" * 2000)
    add("unbalanced_quotes.txt", "Quotes everywhere\n\n" + "He said \u201cyes and then 'no. " * 10_000)
    add("nested_quotes.txt", "Nested\n\nShe said " + "\u201cA said \u2018B said " * 300 + "end"
        + "\u2019\u201d" * 300 + ".")
    add("emoji_rtl.txt", "Fans react \U0001F600\n\nSupporters said \u201cwe love it \U0001F44D\u201d. "
        "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd and \u0645\u0631\u062d\u0628\u0627 were written on banners.")
    add("zero_width.txt", "Zero\u200bwidth head\u200dline\n\nThe mini\u00adster said\u200b it was \ufeffover.")
    add("only_zero_width.txt", "\u200b\u200c\u200d\ufeff" * 100)
    add("very_long_word.txt", "Long word\n\nThe word " + "a" * 200_000 + " was said.")
    add("one_mb_paragraph.txt", "One paragraph\n\n" + "The committee met and said it would report. " * 24_000)
    add("big_50mb.txt", ("The committee met again on Tuesday. " * 30 + "\n\n") * 46_000, "file too large")
    add("clutter_only.txt", "read more:\nComments\n", "either")
    add("headline_only.txt", "Just a headline")
    add("duplicate_a.txt", SEED)
    add("duplicate_b.txt", SEED)
    add("same_article_utf8.txt", SHORT.replace("budget", "budget plan"))
    add("same_article_utf16.txt", SHORT.replace("budget", "budget plan").encode("utf-16"))
    add("name with spaces.txt", SHORT + " Spaces.")
    add("\u00fcn\u00efc\u00f8d\u00e9 \u8a18\u4e8b.txt", SHORT + " Unicode.")
    add("new\nline.txt", SHORT + " Newline.")
    add("$(touch PWNED).txt", SHORT + " Shell.")
    add("x'; drop table documents; --.txt", SHORT + " SQL.")
    add("sub/dir/deep.txt", SHORT + " Deep.")
    add("dir_named_like_file.txt/inner.txt", SHORT + " Inner.")
    expect["dir_named_like_file.txt"] = "a directory named like an article"

    (outside / "secret.txt").write_text("Secret\n\nOutside the corpus.")
    (folder / "symlink_outside.txt").symlink_to(outside / "secret.txt")
    expect["symlink_outside.txt"] = "symlink points outside"
    (folder / "symlink_dir").symlink_to(outside)
    expect["symlink_dir"] = "symlink points outside"
    (folder / "symlink_dangling.txt").symlink_to(folder / "does-not-exist.txt")
    expect["symlink_dangling.txt"] = "unreadable"
    os.mkfifo(folder / "named_pipe.txt")
    expect["named_pipe.txt"] = "not a regular file (named pipe)"
    _write(folder, "unreadable.txt", SHORT + " Locked.")
    os.chmod(folder / "unreadable.txt", 0)
    expect["unreadable.txt"] = "doc" if os.geteuid() == 0 else "unreadable"
    return expect


def _snapshot(root) -> dict[str, tuple[int, int]]:
    """Size and mtime of everything under root except the warehouse."""
    return {str(p): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in root.rglob("*")
            if "warehouse" not in p.parts and not p.is_fifo()}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    corpus, outside, warehouse = root / "corpus", root / "outside", root / "warehouse"
    corpus.mkdir()
    outside.mkdir()
    expect = build_corpus(corpus, outside)
    before = _snapshot(root)
    result = run_cli("run", "--input", str(corpus), "--warehouse", str(warehouse), cwd=root, timeout=900)
    assert _snapshot(root) == before, "the run changed its input folder or what lies beside it"
    yield expect, Warehouse(warehouse), result, root
    os.chmod(corpus / "unreadable.txt", 0o644)


def test_the_corpus_has_at_least_thirty_kinds(hostile_run):
    expect, *_ = hostile_run
    assert len(expect) >= 30


def test_every_input_is_a_document_or_rejected_never_both_never_neither(hostile_run):
    expect, warehouse, result, _ = hostile_run
    documents = warehouse.read_table("documents")
    rejected = warehouse.read_table("rejected")
    processed, refused = set(documents["source_file"]), set(rejected["source_file"])
    assert not processed & refused
    assert processed | refused == set(expect)
    assert len(documents) + len(rejected) == len(expect)
    # and the run's last line says so
    assert f"documents={len(documents)}," in result.stdout and f"rejected={len(rejected)}" in result.stdout


def test_each_kind_has_the_expected_outcome_and_a_one_line_reason(hostile_run):
    expect, warehouse, *_ = hostile_run
    reasons = dict(warehouse.read_table("rejected")[["source_file", "reason"]].itertuples(index=False))
    for name, expectation in expect.items():
        if expectation == "either":
            continue
        if expectation == "doc":
            assert name not in reasons, f"{name!r} rejected: {reasons.get(name)}"
        else:
            assert reasons.get(name, "").startswith(expectation), f"{name!r}: {reasons.get(name)!r}"
    assert all(reason and "\n" not in reason for reason in reasons.values())


def test_processed_hostile_text_has_valid_spans_in_every_table(hostile_run):
    _, warehouse, _, _ = hostile_run
    texts = warehouse.read_table("documents").set_index("doc_id")["text"]
    for table, start, end in [("sentences", "start_char", "end_char"), ("tokens", "start_char", "end_char"),
                              ("quotes", "start_char", "end_char"), ("entity_mentions", "start_char", "end_char")]:
        rows = warehouse.read_table(table)
        assert rows["doc_id"].isin(texts.index).all(), table
        for row in rows.itertuples(index=False):
            text = texts[row.doc_id]
            assert 0 <= getattr(row, start) <= getattr(row, end) <= len(text), (table, row.doc_id)
            assert text[getattr(row, start):getattr(row, end)] == row.text, (table, row.doc_id)


def test_decoding_and_duplicates_are_recorded(hostile_run):
    _, warehouse, _, _ = hostile_run
    docs = warehouse.read_table("documents").set_index("source_file")
    assert docs.loc["latin1.txt", "text"].endswith("\u00a315.8m signing from Parma, caf\u00e9 owners said.")
    assert "\u201cWe will act,\u201d" in docs.loc["cp1252_quotes.txt", "text"]
    assert docs.loc["crlf.txt", "text"] == docs.loc["cr_only.txt", "text"]
    assert docs.loc["duplicate_b.txt", "duplicate_group"] == docs.loc["duplicate_a.txt", "duplicate_group"]
    assert pd.isna(docs.loc["only_quote_marks.txt", "duplicate_group"])  # no words is not the same text
    assert docs.loc["same_article_utf16.txt", "duplicate_group"] == docs.loc["same_article_utf8.txt",
                                                                             "duplicate_group"]


def test_no_input_name_or_text_executes_anything(hostile_run):
    _, _, _, root = hostile_run
    assert not any(p.name == "PWNED" for p in root.rglob("*"))


def test_a_file_that_changes_while_read_is_rejected(tmp_path, monkeypatch):
    (tmp_path / "growing.txt").write_text(SHORT)
    (tmp_path / "steady.txt").write_text(SHORT + " Steady.")
    real_read = ingest._read_bytes

    def read_while_a_writer_appends(path):
        data = real_read(path)
        if path.name == "growing.txt":
            with open(path, "a") as fh:
                fh.write(" More text arrives.")
        return data

    monkeypatch.setattr(ingest, "_read_bytes", read_while_a_writer_appends)
    articles, rejected = ingest_folder(tmp_path)
    assert list(articles["source_file"]) == ["steady.txt"]
    assert rejected.to_dict("records")[0]["reason"].startswith("file changed while being read")


def test_an_unreadable_file_is_rejected_with_the_os_reason(tmp_path, monkeypatch):
    (tmp_path / "locked.txt").write_text(SHORT)

    def permission_denied(path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(ingest, "_read_bytes", permission_denied)
    articles, rejected = ingest_folder(tmp_path)
    assert articles.empty and rejected["reason"].tolist() == ["unreadable: Permission denied"]

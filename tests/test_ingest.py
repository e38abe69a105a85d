"""Ingest on the real seeds and on bad input: decoding, clutter removal, ids, rejections."""

from __future__ import annotations

import codecs
import shutil

import pytest

from conftest import SEEDS
from pipeline.cleaning import clean_article
from pipeline.ingest import ingest_folder
from schemas import ArticlesModel, RejectedModel, validate_table


@pytest.fixture(scope="module")
def seeds():
    articles, rejected = ingest_folder(SEEDS)
    return articles.set_index("source_file"), rejected


def test_every_seed_is_a_valid_document(seeds):
    articles, rejected = seeds
    assert len(articles) == 5 and rejected.empty
    validate_table(ArticlesModel, articles.reset_index())
    assert articles["encoding"].eq("utf-8").all()


def _removed(article) -> set[tuple[str, str]]:
    return {(r["rule"], r["text"]) for r in article["removed"]}


def test_clutter_is_removed_from_text_but_kept(seeds):
    articles, _ = seeds
    exclusive = articles.loc["001_0939b6c171992a13.txt"]
    assert exclusive["headline"] == "Corbyn says it is his ‘heartfelt wish’ for JLM to remain affiliated to party"
    assert ("kicker", "EXCLUSIVE") in _removed(exclusive)
    assert {("page_label", "read more:"), ("page_label", "comments")} <= _removed(exclusive)
    assert "read more" not in exclusive["text"] and exclusive["text"].endswith("keep track of them.")
    assert "EXCLUSIVE" in exclusive["raw_text"]

    telegraph = articles.loc["002_910b036e5245e9eb.txt"]
    assert "privacy settings" not in telegraph["text"] and "click here" not in telegraph["text"]
    assert sum(r["rule"] == "consent_notice" for r in telegraph["removed"]) == 4

    independent = articles.loc["003_4b811579ac37a3ea.txt"]
    assert ("glued_credit", "Reuters") in _removed(independent)
    assert "under pressure from Jewish groups.\n" in independent["text"]
    assert "groups.Reuters" not in independent["text"]

    politicshome = articles.loc["004_6d42bed67616d20b.txt"]
    assert ("reading_time", "3 min read") in _removed(politicshome)
    assert {r["rule"] for r in politicshome["removed"]} == {"reading_time", "newsletter"}
    assert "Subscribe" not in politicshome["text"] and "PoliticsHome" not in politicshome["text"]
    assert politicshome["text"].endswith("nearly two years ago.")


def test_article_without_clutter_is_untouched(seeds):
    articles, _ = seeds
    jewish_news = articles.loc["000_7a06572e777c9b9d.txt"]
    assert len(jewish_news["removed"]) == 0
    assert jewish_news["text"].replace("\n\n", "\n") == jewish_news["raw_text"]


@pytest.mark.parametrize("line, is_blurb", [
    ("Get our free newsletter", True),
    ("Sign up to the NEWSLETTERS now", True),  # 6 words, any case
    ("Sign up to our daily politics newsletter here today", False),  # 8 words: prose that names one
    ("Read it in the newſletter", True),  # a long s folds to s, as in the rule's case-blind search
    ("Newsletterish words", False),  # not the word itself
    (" ".join(["word"] * 38) + " subscribe now!", True),  # 40 words ending in a call to subscribe
    (" ".join(["word"] * 39) + " subscribe now!", False),  # 41: a paragraph, not a blurb
])
def test_newsletter_blurbs_are_short(line, is_blurb):
    cleaned = clean_article("Headline\n" + line)
    assert ([r.rule for r in cleaned.removed] == ["newsletter"]) is is_blurb
    assert (line in cleaned.text) is not is_blurb


def test_doc_id_depends_on_content_not_encoding_or_line_ends(tmp_path, seeds):
    articles, _ = seeds
    original = (SEEDS / "000_7a06572e777c9b9d.txt").read_text(encoding="utf-8")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "renamed.txt").write_bytes(codecs.BOM_UTF8 + original.replace("\n", "\r\n").encode())
    (tmp_path / "b.txt").write_bytes(original.encode("utf-16"))
    copied, _ = ingest_folder(tmp_path)
    by_file = copied.set_index("source_file")
    assert by_file.loc["a/renamed.txt", "doc_id"] == articles.loc["000_7a06572e777c9b9d.txt", "doc_id"]
    # The second file (path order) is the same article in UTF-16: flagged, not dropped.
    assert by_file.loc["b.txt", "duplicate_of"] == by_file.loc["a/renamed.txt", "doc_id"]
    assert by_file.loc["b.txt", "doc_id"] != by_file.loc["a/renamed.txt", "doc_id"]
    assert by_file.loc["b.txt", "encoding"] == "utf-16"


def test_bad_inputs_are_rejected_with_reasons_and_the_rest_processed(tmp_path):
    shutil.copy(SEEDS / "003_4b811579ac37a3ea.txt", tmp_path / "good.txt")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\n \t \n")
    (tmp_path / "latin1.txt").write_bytes("Chelsea sack Mutu\n\nA \xa315.8m signing from Parma.".encode("latin-1"))
    (tmp_path / "notes.md").write_text("# not an article")
    paragraph = "The committee met again on Tuesday and said it would publish its report. "
    (tmp_path / "big.txt").write_text("A very long article\n\n" + (paragraph * 300 + "\n\n") * 950)
    assert (tmp_path / "big.txt").stat().st_size > 20_000_000

    articles, rejected = ingest_folder(tmp_path, max_bytes=32 * 1024 * 1024)
    validate_table(RejectedModel, rejected)
    reasons = dict(zip(rejected["source_file"], rejected["reason"]))
    assert reasons == {
        "binary.txt": "binary file: contains NUL bytes",
        "empty.txt": "empty file",
        "blank.txt": "no text: whitespace only",
        "notes.md": "not a .txt file",
    }
    by_file = articles.set_index("source_file")
    assert sorted(by_file.index) == ["big.txt", "good.txt", "latin1.txt"]
    latin = by_file.loc["latin1.txt"]
    assert "£15.8m" in latin["text"] and latin["encoding_detected"] and latin["encoding"] == "cp1252"
    assert by_file.loc["big.txt", "n_chars"] > 20_000_000


def test_oversized_file_is_rejected_not_dropped(tmp_path):
    (tmp_path / "huge.txt").write_text("Headline\n\n" + "word " * 1000)
    articles, rejected = ingest_folder(tmp_path, max_bytes=1000)
    assert articles.empty
    assert rejected["reason"].iloc[0].startswith("file too large: 5,010 bytes > limit of 1,000")


def test_symlink_outside_input_is_rejected(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("Secret\n\nNot part of the corpus.")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "link.txt").symlink_to(outside)
    articles, rejected = ingest_folder(corpus)
    assert articles.empty
    assert rejected.to_dict("records")[0]["reason"] == "symlink points outside the input folder"


def test_missing_input_folder_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="input folder not found"):
        ingest_folder(tmp_path / "nope")

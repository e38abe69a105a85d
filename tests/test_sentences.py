"""The sentences table on the real seeds: the cases news text throws at a segmenter."""

from __future__ import annotations

import pytest

from conftest import SEEDS
from pipeline.ingest import ingest_folder
from pipeline.sentences import segment_sentences
from pipeline.validation import span_mismatches, uncovered_text
from schemas import SentencesModel, validate_table


@pytest.fixture(scope="module")
def tables():
    articles, _ = ingest_folder(SEEDS)
    return articles, validate_table(SentencesModel, segment_sentences(articles))


def _texts(tables, source_file):
    articles, sentences = tables
    doc_id = articles.set_index("source_file").loc[source_file, "doc_id"]
    return sentences[sentences["doc_id"] == doc_id]["text"].tolist()


def test_offsets_are_exact_and_nothing_is_dropped(tables):
    articles, sentences = tables
    assert span_mismatches(sentences, articles).empty
    assert uncovered_text(articles, sentences).empty


def test_headline_and_standfirst_lines_are_sentences(tables):
    texts = _texts(tables, "001_0939b6c171992a13.txt")
    assert texts[0] == "Corbyn says it is his ‘heartfelt wish’ for JLM to remain affiliated to party"
    assert texts[2] == "Labour leader Jeremy Corbyn (second left) presenting an award to JLM in 2017"


def test_sentences_inside_a_multi_sentence_quote(tables):
    texts = _texts(tables, "001_0939b6c171992a13.txt")
    assert "I deeply regret that this is under consideration." in texts
    assert "I hope we will continue to work towards it together.”" in texts


def test_titles_do_not_end_sentences(tables):
    for text in _texts(tables, "000_7a06572e777c9b9d.txt") + _texts(tables, "002_910b036e5245e9eb.txt"):
        assert not text.endswith((" Mr", " Mr.", " Dame", " Ms"))
    assert any(t.startswith("Labour MPs Ruth Smeeth and Dame Margaret Hodge are") for t in
               _texts(tables, "000_7a06572e777c9b9d.txt"))


def test_quote_then_attribution_stays_one_sentence(tables):
    texts = _texts(tables, "003_4b811579ac37a3ea.txt")
    assert ("'I think if members of the PLP have concerns then obviously he should be encouraged "
            "to go along and address that,' she said.") in texts


def test_caption_with_glued_credit_is_its_own_sentence(tables):
    texts = _texts(tables, "003_4b811579ac37a3ea.txt")
    assert "Labour party leader Jeremy Corbyn is under pressure from Jewish groups." in texts


def test_quote_split_across_sentences_keeps_marks_with_their_sentence(tables):
    texts = _texts(tables, "004_6d42bed67616d20b.txt")
    assert 'They said: "There were lots of areas of agreement.' in texts
    assert "The party is looking at introducing time limits, but we need to look at legal issues around this." in texts


def test_paragraph_index_counts_blank_line_separated_paragraphs(tables):
    articles, sentences = tables
    for doc_id, text in zip(articles["doc_id"], articles["text"]):
        rows = sentences[sentences["doc_id"] == doc_id]
        assert rows["paragraph_index"].min() == 0
        assert rows["paragraph_index"].max() == text.count("\n\n")
        assert rows["paragraph_index"].is_monotonic_increasing

"""Quote-mark pairing on the seeds' real typography and on adversarial input."""

from __future__ import annotations

import pytest

from conftest import SEEDS
from pipeline.ingest import ingest_folder
from pipeline.quote_marks import CLOSED, CONTINUED, MISMATCHED, UNCLOSED, find_quoted_spans


@pytest.fixture(scope="module")
def seed_texts():
    articles, _ = ingest_folder(SEEDS)
    return dict(zip(articles["source_file"], articles["text"]))


def _quotes(text):
    return [(text[q.start:q.end], q) for q in find_quoted_spans(text)]


def test_curly_quotes_and_apostrophes(seed_texts):
    found = _quotes(seed_texts["000_7a06572e777c9b9d.txt"])
    texts = [t for t, _ in found]
    assert texts[:4] == ["enormous stress", "great regret", "scourge", "does exist within our party"]
    assert not any("Labour leader’s" in t for t in texts)  # the apostrophe is not a mark
    assert texts[-1].startswith("After three years of constant and growing racist abuse")
    assert all(q.confidence == CLOSED for _, q in found)


def test_uk_single_quotes_with_possessives(seed_texts):
    texts = [t for t, _ in _quotes(seed_texts["003_4b811579ac37a3ea.txt"])]
    assert "sincerely sorry" in texts and "pockets of antisemitism" in texts
    assert "the far left's obsessive hatred of Zionism" in texts
    assert ("I think if members of the PLP have concerns then obviously he should be encouraged "
            "to go along and address that,") in texts
    headline = [t for t, _ in _quotes(seed_texts["004_6d42bed67616d20b.txt"])][0]
    assert headline == "disappointing"  # "groups' version" is a plural possessive, not a closer


def test_mismatched_pair_is_recovered_with_lower_confidence(seed_texts):
    found = _quotes(seed_texts["001_0939b6c171992a13.txt"])
    solidarity = [q for t, q in found if t == "solidarity"]
    assert len(solidarity) == 1
    assert (solidarity[0].open_mark, solidarity[0].close_mark) == ("‘", "”")
    assert solidarity[0].confidence == MISMATCHED


def test_multi_paragraph_quotes_share_a_group(seed_texts):
    found = _quotes(seed_texts["001_0939b6c171992a13.txt"])
    letter = [q for t, q in found if t.startswith(("I know that your decision", "The Jewish Labour Movement is",
                                                    "It is my heartfelt wish that"))]
    assert len(letter) == 3 and len({q.group for q in letter}) == 1
    assert [q.confidence for q in letter] == [CONTINUED, CONTINUED, CLOSED]
    spokesman = [q for t, q in found if t.startswith(("At every stage", "Having made bold", "The path through",
                                                       "Until they set out"))]
    assert len({q.group for q in spokesman}) == 1 and spokesman[0].group != letter[0].group
    assert len({q.group for _, q in found}) == 13


def test_nested_quote_inside_a_quote(seed_texts):
    found = _quotes(seed_texts["002_910b036e5245e9eb.txt"])
    nested = [(t, q) for t, q in found if q.depth == 1]
    assert [t for t, _ in nested] == ["smear"]
    outer = [q for t, q in found if t.startswith("They need to hear you say")][0]
    assert outer.start < nested[0][1].start < outer.end


def test_offsets_index_the_text(seed_texts):
    for text in seed_texts.values():
        for q in find_quoted_spans(text):
            assert 0 <= q.start < q.end <= len(text)
            assert text[q.start:q.end] == text[q.start:q.end].strip()
            assert "\n" not in text[q.start:q.end]


@pytest.mark.parametrize("text", [
    '"' * 10_001, "“" * 5000 + "”" * 3, "'a " * 200_000, "‘“" * 100_000 + "”’" * 100_000, "Unclosed “quote here. And more",
    "‘‘‘nested ‘deep ‘deeper” end", "He said: “one\n\nno reopen here\n\n“three”", "’’’''\"\"\"",
])
def test_unbalanced_marks_never_crash(text):
    for q in find_quoted_spans(text):
        assert 0 <= q.start < q.end <= len(text)
        assert 0 < q.confidence <= 1


def test_unclosed_quote_runs_to_paragraph_end_with_low_confidence():
    text = "He said: “we will win this\n\nThe vote is on Monday."
    [quote] = find_quoted_spans(text)
    assert text[quote.start:quote.end] == "we will win this" and quote.confidence == UNCLOSED

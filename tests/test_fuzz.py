"""Invariants on random and adversarial text (hypothesis), and bounded time on
inputs built to trigger catastrophic regex backtracking or quadratic scans.

Invariants: no exception; every offset inside the text; `text[start:end]` is
the row's text; quoted spans nest or are disjoint, never cross.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipeline
from pipeline.cleaning import clean_article
from pipeline.decoding import UndecodableError, decode_bytes
from pipeline.ingest import normalise_text
from pipeline.quote_marks import find_quoted_spans
from pipeline.sentences import segment_document

# The characters that make news text hard: every quote mark, dashes, dots,
# line breaks, zero-width and right-to-left characters, emoji.
HARD_CHARS = list("\"'“”‘’«»„‚`´—–-.…!?:;,()[] \t\n\r\u00a0\u200b\u200d\ufeff\u202e\u05e9\u0645") + ["\U0001F600"]
WORDS = ["said", "says", "Mr", "Mrs.", "Dr.", "U.S.", "Corbyn", "the", "JLM", "told", "he", "they", "added",
         "according", "to", "Labour", "’s", "e.g.", "No.", "10", "3.5", "am", "p.m.", "read more:", "Reuters"]

texts = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from(HARD_CHARS + list("abcXYZ")), max_size=300),
    st.lists(st.sampled_from(WORDS + HARD_CHARS), max_size=120).map("".join),
    st.lists(st.sampled_from(WORDS + HARD_CHARS), max_size=60).map(" ".join),
)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _article_text(raw: str) -> str:
    """What ingest makes of raw text (normalised, cleaned)."""
    return clean_article(normalise_text(raw)).text


@FUZZ
@given(st.binary(max_size=400))
def test_decoding_any_bytes_gives_text_or_a_one_line_reason(data):
    try:
        decoded = decode_bytes(data)
    except UndecodableError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert isinstance(decoded.text, str)


@FUZZ
@given(texts)
def test_cleaning_keeps_text_and_records_every_removal(raw):
    normalised = normalise_text(raw)
    cleaned = clean_article(normalised)
    assert "\r" not in normalised
    for removal in cleaned.removed:
        assert removal.rule and removal.text in normalised


@FUZZ
@given(texts)
def test_sentences_are_ordered_non_overlapping_and_match_the_text(raw):
    text = _article_text(raw)
    previous_end = 0
    for _, _, index, paragraph, start, end, sentence in segment_document("d", text):
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == sentence and sentence == sentence.strip()
        assert paragraph >= 0
        previous_end = end
    # Every non-space character belongs to a sentence: nothing is dropped.
    covered = sum(end - start for *_, start, end, _ in segment_document("d", text))
    assert covered >= len("".join(text.split()))


@FUZZ
@given(texts)
def test_quoted_spans_stay_inside_the_text_and_never_cross(raw):
    text = _article_text(raw)
    spans = find_quoted_spans(text)
    for span in spans:
        assert 0 <= span.start <= span.end <= len(text)
        assert 0.0 <= span.confidence <= 1.0 and span.depth >= 0
    for a in spans:
        for b in spans:
            disjoint = a.end <= b.start or b.end <= a.start
            nested = (a.start <= b.start and b.end <= a.end) or (b.start <= a.start and a.end <= b.end)
            assert disjoint or nested, (a, b)


@pytest.fixture(scope="module")
def nlp():
    from pipeline.nlp import load_pipeline

    return load_pipeline(None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts)
def test_tokens_and_quotes_of_random_text_index_the_document(nlp, raw):
    from pipeline.nlp import blank_vocab, parse_documents
    from pipeline.quotes import extract_quotes
    from pipeline.sentences import segment_sentences

    text = _article_text(raw)
    documents = pd.DataFrame({"doc_id": ["d"], "text": [text]})
    sentences = segment_sentences(documents)
    tokens = parse_documents(documents, sentences, nlp)
    for start, end, token in zip(tokens["start_char"], tokens["end_char"], tokens["text"]):
        assert text[start:end] == token
    quotes = extract_quotes(documents, tokens, blank_vocab())
    for row in quotes.itertuples(index=False):
        assert text[row.start_char:row.end_char] == row.text
        for start, end in [(row.speaker_start_char, row.speaker_end_char), (row.cue_start_char, row.cue_end_char)]:
            if pd.notna(start):
                assert 0 <= start <= end <= len(text)


# -- bounded time ---------------------------------------------------------------

ADVERSARIAL = {
    "quote marks": "“”‘’\"'" * 4000,
    "unbalanced opens": "“a ‘b " * 4000,
    "dots": "." * 20000,
    "initials": "A. " * 7000,
    "spaces": " " * 20000 + "x",
    "newlines": "\n" * 20000 + "x",
    "one word": "a" * 20000,
    "capitalised words": "Mr Smith Jones " * 1500,
    "said chains": "“Yes,” said A B C D E " * 1000,
    "dashes": "—-–" * 7000,
    "digits and dots": "1.2.3.4." * 3000,
    "url-like": "http://" + "a/" * 10000,
}
# Generous: linear work on these 20,000-odd characters takes milliseconds, while
# catastrophic backtracking or a quadratic scan takes many seconds to forever.
BUDGET_SECONDS = 3.0


def _pipeline_patterns() -> list[tuple[str, re.Pattern]]:
    found = []
    for info in pkgutil.iter_modules(pipeline.__path__):
        module = importlib.import_module(f"pipeline.{info.name}")
        found += [(f"{info.name}.{name}", value) for name, value in vars(module).items()
                  if isinstance(value, re.Pattern)]
    return found


def test_the_pipeline_has_patterns_to_check():
    assert len(_pipeline_patterns()) >= 10


@pytest.mark.parametrize("kind", ADVERSARIAL)
def test_every_pipeline_regex_runs_in_bounded_time_on_adversarial_text(kind):
    text = ADVERSARIAL[kind]
    for name, pattern in _pipeline_patterns():
        started = time.perf_counter()
        for _ in pattern.finditer(text):
            pass
        pattern.search(text)
        pattern.match(text)
        elapsed = time.perf_counter() - started
        assert elapsed < BUDGET_SECONDS, f"{name} took {elapsed:.1f}s on {kind}"


@pytest.mark.parametrize("kind", ADVERSARIAL)
def test_cleaning_segmenting_and_quote_marks_run_in_bounded_time(kind):
    raw = "Headline\n\n" + ADVERSARIAL[kind] * 5
    started = time.perf_counter()
    text = _article_text(raw)
    segment_document("d", text)
    find_quoted_spans(text)
    elapsed = time.perf_counter() - started
    assert elapsed < 5 * BUDGET_SECONDS, f"{kind}: {elapsed:.1f}s for {len(raw):,} characters"

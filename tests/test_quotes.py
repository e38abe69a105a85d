"""Quotes on the five seeds, checked against our own reading of them."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import SEEDS
from pipeline.ingest import ingest_folder
from pipeline.nlp import blank_vocab, load_pipeline, parse_documents
from pipeline.quotes import extract_quotes
from pipeline.sentences import segment_sentences
from pipeline.validation import span_mismatches
from schemas import QuotesModel, validate_table


@pytest.fixture(scope="module")
def seeds():
    articles, _ = ingest_folder(SEEDS)
    tokens = parse_documents(articles, segment_sentences(articles), load_pipeline())
    quotes = validate_table(QuotesModel, extract_quotes(articles, tokens, blank_vocab()))
    files = dict(zip(articles["doc_id"], articles["source_file"]))
    return articles, quotes.assign(source=quotes["doc_id"].map(files))


def _quote(quotes: pd.DataFrame, source: str, starts: str) -> pd.Series:
    rows = quotes[(quotes["source"] == source) & quotes["text"].str.startswith(starts)]
    assert len(rows) == 1, f"{starts!r}: {len(rows)} rows"
    return rows.iloc[0]


def test_offsets_of_content_cue_and_speaker_are_exact(seeds):
    articles, quotes = seeds
    assert span_mismatches(quotes, articles).empty
    texts = dict(zip(articles["doc_id"], articles["text"]))
    for row in quotes.dropna(subset=["cue_start_char"]).itertuples():
        assert texts[row.doc_id][int(row.cue_start_char):int(row.cue_end_char)] == row.cue


def test_corbyns_letter_is_one_group_with_one_speaker(seeds):
    _, quotes = seeds
    first = _quote(quotes, "001_0939b6c171992a13.txt", "I know that your decision")
    group = quotes[quotes["group_id"] == first["group_id"]]
    assert len(group) == 3
    assert set(group["speaker"]) == {"Jeremy Corbyn"} and set(group["kind"]) == {"direct"}
    assert first["cue"] == "wrote"


def test_unnamed_spokesman_is_the_speaker_of_a_four_paragraph_quote(seeds):
    _, quotes = seeds
    first = _quote(quotes, "001_0939b6c171992a13.txt", "At every stage of crisis")
    group = quotes[quotes["group_id"] == first["group_id"]]
    assert len(group) == 4 and set(group["speaker"]) == {"A JLM spokesman"}
    assert first["cue"] == "told Jewish News"
    assert first["speaker_entity_id"] is None or pd.isna(first["speaker_entity_id"])


@pytest.mark.parametrize("source, starts, speaker", [
    ("000_7a06572e777c9b9d.txt", "After three years of constant", "A senior source"),
    ("002_910b036e5245e9eb.txt", "I'm appalled and heartbroken", "Sadiq Khan"),
    ("003_4b811579ac37a3ea.txt", "I think if members of the PLP", "Valerie Vaz"),
    ("004_6d42bed67616d20b.txt", "We are extremely disappointed", "Jonathan Goldstein"),
    ("004_6d42bed67616d20b.txt", "There was agreement that elected", "The source"),
    ("001_0939b6c171992a13.txt", "The Labour Party and the Jewish community", "Jeremy Corbyn"),
    # "The Labour leader added": the article names him as "Labour leader Jeremy Corbyn".
    ("001_0939b6c171992a13.txt", "The abuse she has received", "Jeremy Corbyn"),
    # "The Prime Minister told MPs": nothing in this article ties the role to a name.
    ("002_910b036e5245e9eb.txt", "There should be a very clear message", "The Prime Minister"),
])
def test_direct_quote_speakers(seeds, source, starts, speaker):
    _, quotes = seeds
    row = _quote(quotes, source, starts)
    assert row["kind"] == "direct" and row["speaker"] == speaker


def test_pronoun_speaker_keeps_the_pronoun_as_mention(seeds):
    articles, quotes = seeds
    row = _quote(quotes, "003_4b811579ac37a3ea.txt", "I think if members of the PLP")
    text = articles.set_index("source_file").loc["003_4b811579ac37a3ea.txt", "text"]
    assert text[int(row["speaker_start_char"]):int(row["speaker_end_char"])] == "she"


def test_partial_and_scare_quotes(seeds):
    _, quotes = seeds
    sorry = _quote(quotes, "003_4b811579ac37a3ea.txt", "sincerely sorry")
    assert sorry["kind"] == "partial" and sorry["speaker"] == "Jeremy Corbyn"
    nested = quotes[(quotes["source"] == "002_910b036e5245e9eb.txt") & (quotes["text"] == "smear")]
    assert "scare" in set(nested["kind"])
    assert nested[nested["kind"] == "scare"]["speaker"].isna().all()
    headline = _quote(quotes, "004_6d42bed67616d20b.txt", "disappointing")
    assert headline["kind"] == "scare"


def test_indirect_quote_is_the_reported_clause(seeds):
    _, quotes = seeds
    row = _quote(quotes, "002_910b036e5245e9eb.txt", "there was no place for racial hatred")
    assert row["kind"] == "indirect" and row["cue"] == "said"


def _quotes_of(text: str) -> pd.DataFrame:
    documents = pd.DataFrame({"doc_id": ["d"], "text": [text]})
    tokens = parse_documents(documents, segment_sentences(documents), load_pipeline())
    return extract_quotes(documents, tokens, blank_vocab())


def test_quote_credited_after_a_dash():
    text = ("Readers react\n\n“He makes simple blanket statements about people he knows nothing about.” ― John Smith\n\n"
            "“We stand with our neighbours and we will vote.” — Maria Lopez")
    quotes = _quotes_of(text)
    assert list(quotes["speaker"]) == ["John Smith", "Maria Lopez"]
    assert list(quotes["kind"]) == ["direct", "direct"]


def test_quote_after_a_colon_at_paragraph_end():
    text = ("Poll shock\n\nThe Guardian reports:\n\n"
            "“Support for the government has fallen to its lowest level since the election.”")
    quotes = _quotes_of(text)
    assert quotes.iloc[0]["speaker"] == "The Guardian" and quotes.iloc[0]["cue"] == "reports"


def test_cue_and_speaker_offsets_outside_the_document_are_caught(seeds):
    from pipeline.validation import offsets_out_of_range

    articles, quotes = seeds
    assert offsets_out_of_range(quotes, "cue_start_char", "cue_end_char", articles).empty
    broken = quotes.copy()
    row = broken["cue_start_char"].first_valid_index()
    broken.loc[row, "cue_end_char"] = 10_000_000
    assert list(offsets_out_of_range(broken, "cue_start_char", "cue_end_char", articles).index) == [row]


@pytest.mark.parametrize("text, content, speaker", [
    # an inverted cue whose speaker the parser takes for an object
    ("Families of victims say the claims are unfounded.\n\n“The president’s rationales to veto JASTA don’t hold "
     "weight. They are 100 percent wrong,” said 9/11 widow Terry Strada.", "The president’s", "Terry Strada"),
    # a speech form closing the sentence, read as a plural noun by the tagger
    ("The spot is blunt.\n\n“You work hard. You pay your taxes. So why didn’t Donald Trump pay his?” a narrator "
     "in the Clinton ad asks.", "You work hard", "a narrator in the Clinton ad"),
    # a dash credit naming someone the NER does not know
    ("Readers answered.\n\n“Donald Trump scares me. Hearing his hateful words makes me afraid for the future.” "
     "― Krystal Correa\n\nMore followed.", "Donald Trump scares me", "Krystal Correa"),
])
def test_speaker_patterns_from_us_news(text, content, speaker):
    quotes = _quotes_of(text)
    row = quotes[quotes["text"].str.startswith(content)].iloc[0]
    assert row["kind"] == "direct" and row["speaker"] == speaker
    assert text[int(row["speaker_start_char"]):int(row["speaker_end_char"])].endswith(speaker.split()[-1])


@pytest.mark.parametrize("text, content, speaker", [
    # a term someone is reported as calling someone: their words, though title-cased
    ("The row grew.\n\nShe pointed to reports that Trump called the 1996 pageant winner “Miss Piggy” as an example "
     "of his disrespect for women.", "Miss Piggy", "Trump"),
    # a naming verb whose complement is the quoted comparison
    ("The rally went on.\n\nAt a rally, Donald Trump likened the refugees to a “vicious snake” in a song.",
     "vicious snake", "Donald Trump"),
    # "according to X" parsed the UD way (the phrase is the case marker of X)
    ("The campaign answered.\n\nAccording to conservative talk radio host Rush Limbaugh, the move reeks of “fear” "
     "and desperation.", "fear", "Rush Limbaugh"),
])
def test_quoted_terms_someone_is_reported_as_using_are_partial_quotes(text, content, speaker):
    quotes = _quotes_of(text)
    row = quotes[quotes["text"] == content].iloc[0]
    assert row["kind"] == "partial" and speaker in row["speaker"]


def test_a_term_nobody_is_reported_as_using_stays_a_scare_quote():
    quotes = _quotes_of("Markets fell.\n\nThe bill, known as the “Justice Against Sponsors of Terrorism Act”, "
                        "was passed by Congress with wide support.")
    row = quotes[quotes["text"].str.startswith("Justice")].iloc[0]
    assert row["kind"] == "scare" and row["speaker"] is None

"""The NLP stage: model loading, the tokens table on the seeds, Doc round trip."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import SEEDS
from pipeline.ingest import ingest_folder
from pipeline.nlp import ModelNotFoundError, blank_vocab, docs_from_tokens, load_pipeline, model_info, parse_documents
from pipeline.sentences import segment_sentences
from pipeline.validation import span_mismatches
from schemas import TokensModel, validate_table


@pytest.fixture(scope="module")
def parsed():
    articles, _ = ingest_folder(SEEDS)
    sentences = segment_sentences(articles)
    tokens = parse_documents(articles, sentences, load_pipeline())
    return articles, sentences, tokens


def test_model_is_loaded_once_per_process():
    assert load_pipeline() is load_pipeline()
    info = model_info()
    assert info["name"] and info["version"] and "parser" in info["pipeline"] and "ner" in info["pipeline"]


def test_unknown_model_fails_with_a_clear_message():
    with pytest.raises(ModelNotFoundError, match="not found"):
        load_pipeline("en_no_such_pipeline")


def test_tokens_table_is_valid_and_exact(parsed):
    articles, _, tokens = parsed
    validate_table(TokensModel, tokens)
    assert span_mismatches(tokens, articles).empty


def test_parser_keeps_our_sentence_boundaries(parsed):
    _, sentences, tokens = parsed
    per_doc = tokens.groupby("doc_id")["sentence_index"].max() + 1
    assert per_doc.to_dict() == sentences.groupby("doc_id").size().to_dict()


def test_seed_people_and_organisations_are_tagged(parsed):
    articles, _, tokens = parsed
    docs = dict(docs_from_tokens(tokens, blank_vocab()))
    first = docs[articles.set_index("source_file").loc["000_7a06572e777c9b9d.txt", "doc_id"]]
    entities = {(e.text, e.label_) for e in first.ents}
    assert ("Jeremy Corbyn", "PERSON") in entities
    assert ("Stella Creasy", "PERSON") in entities


def test_docs_rebuild_from_tokens_without_the_model(parsed):
    """Every annotation survives the round trip: the rebuilt Docs written back
    as a tokens table give the table they were built from."""
    from pipeline.nlp import TOKEN_COLUMNS, _token_frame

    articles, sentences, tokens = parsed
    texts = dict(zip(articles["doc_id"], articles["text"]))
    starts = sentences.groupby("doc_id")["start_char"].agg(list)
    for doc_id, doc in docs_from_tokens(tokens, blank_vocab()):
        assert doc.text == texts[doc_id]
        assert [s.start_char for s in doc.sents] == starts[doc_id]
        again = _token_frame(doc_id, doc, texts[doc_id], 0, 0, starts[doc_id])
        original = tokens[tokens["doc_id"] == doc_id].reset_index(drop=True)[TOKEN_COLUMNS]
        pd.testing.assert_frame_equal(again[TOKEN_COLUMNS], original, check_dtype=False)


def test_docs_rebuild_in_small_chunks_and_from_shuffled_rows(monkeypatch, parsed):
    import pipeline.nlp

    articles, _, tokens = parsed
    texts = dict(zip(articles["doc_id"], articles["text"]))
    monkeypatch.setattr(pipeline.nlp, "DOCS_CHUNK_TOKENS", 700)  # several chunks, documents longer than one
    shuffled = tokens.sample(frac=1.0, random_state=7)
    for table in (tokens, shuffled):
        rebuilt = list(docs_from_tokens(table, blank_vocab()))
        assert sorted(doc_id for doc_id, _ in rebuilt) == sorted(texts)
        assert all(doc.text == texts[doc_id] for doc_id, doc in rebuilt)


def test_the_rebuild_vocabulary_is_replaced_once_it_holds_too_many_strings(monkeypatch, parsed):
    """One vocabulary kept for a whole run grows with every string of the corpus."""
    import pipeline.nlp

    _, _, tokens = parsed
    monkeypatch.setattr(pipeline.nlp, "_vocab", None)
    monkeypatch.setattr(pipeline.nlp, "VOCAB_MAX_STRINGS", 500)
    first = blank_vocab()
    assert blank_vocab() is first  # still small: kept, its lexemes made once
    docs = [doc for _, doc in docs_from_tokens(tokens, first)]
    assert len(first.strings) > 500
    second = blank_vocab()
    assert second is not first and len(second.strings) == 0
    assert all(doc.vocab is first for doc in docs)  # Docs already built keep theirs
    again = [doc for _, doc in docs_from_tokens(tokens, second)]
    assert [doc.to_json() for doc in again] == [doc.to_json() for doc in docs]


def test_long_documents_are_parsed_in_pieces_with_exact_offsets(monkeypatch, parsed):
    import pipeline.nlp

    articles, sentences, whole = parsed
    monkeypatch.setattr(pipeline.nlp, "MAX_CHUNK_CHARS", 300)
    pieces = parse_documents(articles, sentences, load_pipeline())
    assert span_mismatches(pieces, articles).empty
    assert len(pieces) >= len(whole) - 5 * len(articles)  # only piece edges may tokenise differently
    per_doc = pieces.groupby("doc_id")["sentence_index"].max() + 1
    assert per_doc.to_dict() == sentences.groupby("doc_id").size().to_dict()
    for doc_id, doc in docs_from_tokens(pieces, blank_vocab()):
        assert doc.text == articles.set_index("doc_id").loc[doc_id, "text"]


def test_unicode_spaces_are_spaces_to_the_model_and_kept_in_the_tokens():
    text = "They are 100\u00a0percent\u00a0wrong,\u2009he said.\u00a0\u00a0Next\u202fone."
    documents = pd.DataFrame({"doc_id": ["d"], "text": [text]})
    tokens = parse_documents(documents, segment_sentences(documents), load_pipeline())
    words = list(tokens["text"])
    assert words[:6] == ["They", "are", "100", "percent", "wrong", ","]  # no token made of a no-break space
    assert "".join(w + s for w, s in zip(tokens["text"], tokens["whitespace"])) == text
    assert all(text[a:b] == w for a, b, w in zip(tokens["start_char"], tokens["end_char"], tokens["text"]))
    assert "\u00a0" in set(tokens["whitespace"]) and "PROPN" not in set(tokens["pos"][:6])


def test_paragraph_breaks_are_never_a_sentence_root(parsed):
    """The parser never saw whitespace tokens in training: a paragraph break
    ending a sentence is parsed on its own and hung on its neighbour, so each
    sentence's root is a word and no word hangs under a break."""
    _, _, tokens = parsed
    space = tokens["text"].str.isspace()
    assert space.any()
    assert (tokens.loc[space, "pos"] == "SPACE").all()
    roots = tokens[tokens["dep"] == "ROOT"]
    assert roots.groupby(["doc_id", "sentence_index"]).size().eq(1).all()
    assert not roots["text"].str.isspace().any()
    heads = tokens.set_index(["doc_id", "token_index"])["text"]
    words = tokens[~space]
    head_text = heads.reindex(list(zip(words["doc_id"], words["head_index"]))).to_numpy()
    assert not pd.Series(head_text).str.isspace().any()


def test_only_a_lone_whitespace_root_is_hung_on_its_neighbour():
    """A double space mid-sentence may be parsed as the root with the words
    under it; moving that root would close a cycle, so it stays."""
    import numpy as np

    from pipeline.nlp import _attach_whitespace
    from spacy.tokens import Doc

    words = ["the", "logistics", "are", " ", "similar", ".", "\n\n"]
    heads = [1, 3, 3, 3, 3, 3, 6]  # the mid-sentence space is the root; the break is a lone root
    deps = ["det", "nsubj", "cop", "ROOT", "xcomp", "punct", "ROOT"]
    doc = Doc(blank_vocab(), words=words, spaces=[True, True, False, False, False, False, False],
              heads=heads, deps=deps)
    new_heads, new_deps = _attach_whitespace(doc, np.zeros(len(words), dtype="int64"))
    assert new_heads[3] == 3 and new_deps[3] == "ROOT"
    assert new_heads[6] == 5 and new_deps[6] == "dep"

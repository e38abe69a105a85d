"""Cross-table rules as blocking asset checks: a version whose tables break
any of them is never committed (`dataset_version` runs only after they pass)."""

import dagster as dg
import pandas as pd

from assets.resources import PressworkSettings
from pipeline import validation
from pipeline.ingest import discover_files
from pipeline.staged import StagedTable

SHOWN_FAILURES = 10


def _result(bad: pd.DataFrame, what: str) -> dg.AssetCheckResult:
    shown = bad.head(SHOWN_FAILURES).astype(str).map(lambda v: v[:80])
    return dg.AssetCheckResult(
        passed=bad.empty,
        metadata={
            "failures": dg.MetadataValue.int(len(bad)),
            "rule": what,
            **({"examples": dg.MetadataValue.md(shown.to_markdown(index=False))} if len(bad) else {}),
        },
    )


# Sentence checks read `articles`, which holds the same doc_id/text as
# `documents` but sits upstream of `sentences` (documents is downstream: a
# blocking check on sentences cannot wait for it).
_ARTICLES = {"articles": dg.AssetIn("articles", metadata={"columns": ["doc_id", "source_file", "text"]})}


@dg.asset_check(asset="sentences", additional_ins=_ARTICLES, blocking=True)
def sentence_spans_match_text(sentences: pd.DataFrame, articles: pd.DataFrame) -> dg.AssetCheckResult:
    """Every sentence's offsets lie inside its document and text == documents.text[start:end]."""
    return _result(validation.span_mismatches(sentences, articles), "text == documents.text[start_char:end_char]")


@dg.asset_check(asset="sentences", additional_ins=_ARTICLES, blocking=True)
def sentence_doc_ids_exist(sentences: pd.DataFrame, articles: pd.DataFrame) -> dg.AssetCheckResult:
    """Foreign key: sentences.doc_id -> documents.doc_id."""
    return _result(validation.orphans(sentences, "doc_id", articles), "sentences.doc_id in documents.doc_id")


@dg.asset_check(asset="sentences", additional_ins=_ARTICLES, blocking=True)
def sentences_cover_all_text(sentences: pd.DataFrame, articles: pd.DataFrame) -> dg.AssetCheckResult:
    """No word of a document is left outside every sentence."""
    return _result(validation.uncovered_text(articles, sentences), "every non-space character is in a sentence")


@dg.asset_check(asset="sentences", blocking=True)
def sentence_ids_unique(sentences: pd.DataFrame) -> dg.AssetCheckResult:
    """sentence_id is a primary key."""
    return _result(validation.duplicates(sentences, "sentence_id"), "sentence_id is unique")


@dg.asset_check(asset="documents", blocking=True)
def doc_ids_unique(documents: pd.DataFrame) -> dg.AssetCheckResult:
    """doc_id is a primary key (exact duplicates get their own id and a duplicate_of link)."""
    return _result(validation.duplicates(documents, "doc_id"), "doc_id is unique")


@dg.asset_check(asset="documents", additional_ins={"sentences": dg.AssetIn("sentences")}, blocking=True)
def document_sentence_counts(documents: pd.DataFrame, sentences: pd.DataFrame) -> dg.AssetCheckResult:
    """documents.n_sentences equals the number of sentence rows of each document."""
    return _result(validation.sentence_count_mismatches(documents, sentences), "n_sentences == count(sentences)")


@dg.asset_check(asset="documents", additional_ins={"rejected": dg.AssetIn("rejected")}, blocking=True)
def every_input_accounted_for(
    documents: pd.DataFrame, rejected: pd.DataFrame, settings: PressworkSettings
) -> dg.AssetCheckResult:
    """Each input file is in exactly one of documents and rejected: nothing silently dropped."""
    from pathlib import Path

    root = Path(settings.input_dir)
    inputs = pd.DataFrame({"source_file": [p.relative_to(root).as_posix() for p in discover_files(root)]})
    outputs = pd.concat([documents["source_file"], rejected["source_file"]])
    missing = inputs[~inputs["source_file"].isin(outputs)].assign(problem="neither document nor rejected")
    doubled = outputs[outputs.duplicated()].to_frame().assign(problem="in both tables")
    return _result(pd.concat([missing, doubled]), "inputs == documents + rejected")


@dg.asset_check(asset="tokens", additional_ins=_ARTICLES, blocking=True)
def token_spans_match_text(tokens: StagedTable, articles: pd.DataFrame) -> dg.AssetCheckResult:
    """Every token's offsets index documents.text exactly (and its doc_id exists)."""
    bad = [validation.span_mismatches(batch, articles)
           for batch in tokens.batches(columns=["token_index", "start_char", "end_char", "text"])]
    return _result(pd.concat(bad, ignore_index=True) if bad else pd.DataFrame(),
                   "text == documents.text[start_char:end_char]")


@dg.asset_check(asset="quotes", additional_ins=_ARTICLES, blocking=True)
def quote_spans_match_text(quotes: pd.DataFrame, articles: pd.DataFrame) -> dg.AssetCheckResult:
    """Quoted content is exactly documents.text[start:end]; cue and speaker mention lie inside the document."""
    bad = pd.concat([
        validation.span_mismatches(quotes, articles),
        validation.offsets_out_of_range(quotes, "cue_start_char", "cue_end_char", articles),
        validation.offsets_out_of_range(quotes, "speaker_start_char", "speaker_end_char", articles),
    ])
    return _result(bad, "quote text == documents.text[start:end]; cue and speaker offsets inside the document")


@dg.asset_check(asset="entity_mentions", additional_ins=_ARTICLES, blocking=True)
def entity_mention_spans_match_text(entity_mentions: pd.DataFrame, articles: pd.DataFrame) -> dg.AssetCheckResult:
    """Every mention is exactly documents.text[start:end] of an existing document."""
    return _result(validation.span_mismatches(entity_mentions, articles), "text == documents.text[start:end]")


@dg.asset_check(asset="entity_mentions", additional_ins={"entities": dg.AssetIn("entities")}, blocking=True)
def entity_mentions_point_at_entities(entity_mentions: pd.DataFrame, entities: pd.DataFrame) -> dg.AssetCheckResult:
    """Foreign key entity_mentions.entity_id -> entities.entity_id, and each entity's n_mentions / n_docs
    equal its rows in entity_mentions."""
    return _result(pd.concat([
        validation.orphans(entity_mentions, "entity_id", entities),
        validation.entity_count_mismatches(entities, entity_mentions),
    ]), "entity_id exists; n_mentions and n_docs match entity_mentions")


@dg.asset_check(asset="quotes", additional_ins={"entities": dg.AssetIn("entities")}, blocking=True)
def quote_speakers_point_at_entities(quotes: pd.DataFrame, entities: pd.DataFrame) -> dg.AssetCheckResult:
    """Foreign keys: quotes.speaker_entity_id and speaker_affiliation_entity_id -> entities.entity_id."""
    return _result(pd.concat([
        validation.orphans(quotes.dropna(subset=["speaker_entity_id"]), "speaker_entity_id", entities, "entity_id"),
        validation.orphans(quotes.dropna(subset=["speaker_affiliation_entity_id"]), "speaker_affiliation_entity_id",
                           entities, "entity_id"),
    ]), "speaker ids exist in entities")


@dg.asset_check(asset="events", additional_ins={**_ARTICLES, "entities": dg.AssetIn("entities"),
                                                "sentences": dg.AssetIn("sentences")}, blocking=True)
def event_spans_and_ids_hold(
    events: pd.DataFrame, articles: pd.DataFrame, entities: pd.DataFrame, sentences: pd.DataFrame
) -> dg.AssetCheckResult:
    """Evidence clause == documents.text[start:end]; the trigger lies inside it; agent/target ids exist in
    entities; sentence_id exists in sentences."""
    trigger_outside = events[(events["trigger_start_char"] < events["start_char"])
                             | (events["trigger_end_char"] > events["end_char"])]
    return _result(pd.concat([
        validation.span_mismatches(events, articles),
        trigger_outside.assign(problem="trigger outside its evidence clause"),
        validation.orphans(events, "agent_entity_id", entities, "entity_id"),
        validation.orphans(events, "target_entity_id", entities, "entity_id"),
        validation.orphans(events, "sentence_id", sentences),
    ]), "evidence == documents.text[start:end]; trigger inside; entity and sentence ids exist")


@dg.asset_check(asset="event_mentions", additional_ins={**_ARTICLES, "events": dg.AssetIn("events")},
                blocking=True)
def event_mentions_point_at_events(
    event_mentions: pd.DataFrame, articles: pd.DataFrame, events: pd.DataFrame
) -> dg.AssetCheckResult:
    """Every mention's clause matches the text, its event exists, and events.n_mentions counts them."""
    counts = event_mentions.groupby("event_id").size()
    wrong = events[events["event_id"].map(counts).fillna(0).astype("int64") != events["n_mentions"]]
    return _result(pd.concat([
        validation.span_mismatches(event_mentions, articles),
        validation.orphans(event_mentions, "event_id", events),
        wrong.assign(problem="n_mentions differs from event_mentions"),
    ]), "mention text == documents.text[start:end]; event_id exists; n_mentions matches")


CHECKS = [
    event_spans_and_ids_hold,
    event_mentions_point_at_events,
    entity_mention_spans_match_text,
    entity_mentions_point_at_entities,
    quote_speakers_point_at_entities,
    token_spans_match_text,
    quote_spans_match_text,
    sentence_ids_unique,
    doc_ids_unique,
    sentence_spans_match_text,
    sentence_doc_ids_exist,
    sentences_cover_all_text,
    document_sentence_counts,
    every_input_accounted_for,
]

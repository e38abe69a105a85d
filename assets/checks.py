"""Cross-table rules as blocking asset checks: a version whose tables break
any of them is never committed (`dataset_version` runs only after they pass).

Each rule is its own check (its own pass/fail and examples in the UI), but the
rules on one stage's tables run as one step: a step costs a process and a read
of its inputs, and fourteen of them lengthened a run by seconds."""

from pathlib import Path

import dagster as dg
import pandas as pd

from assets.resources import STAGED_TABLE_LOADER, PressworkSettings
from pipeline import validation
from pipeline.files import TEXT_ROW_GROUP_SIZE
from pipeline.ingest import discover_files
from pipeline.staged import DocRows, StagedTable, alongside, query_staged

SHOWN_FAILURES = 10


def _result(bad: pd.DataFrame, what: str, check: str, asset: str) -> dg.AssetCheckResult:
    shown = bad.head(SHOWN_FAILURES).map(lambda v: str(v)[:80])  # pandas 3: astype(str) keeps NaN a float
    return dg.AssetCheckResult(
        check_name=check,
        asset_key=asset,
        passed=bad.empty,
        metadata={
            "failures": dg.MetadataValue.int(len(bad)),
            "rule": what,
            **({"examples": dg.MetadataValue.md(shown.to_markdown(index=False))} if len(bad) else {}),
        },
    )


def _specs(ins: dict[str, dg.AssetIn], *rules: tuple[str, str, str]) -> list[dg.AssetCheckSpec]:
    """(name, asset, description) -> blocking check specs that may read every one of `ins`."""
    return [dg.AssetCheckSpec(name, asset=asset, description=description, blocking=True,
                              additional_deps=[key for key in ins if key != asset])
            for name, asset, description in rules]


# Sentence checks read `articles`, which holds the same doc_id/text as
# `documents` but sits upstream of `sentences` (documents is downstream: a
# blocking check on sentences cannot wait for it). They walk the articles a
# batch at a time with their sentences alongside, and leave keys to DuckDB.
SENTENCE_INS = {"sentences": dg.AssetIn("sentences", input_manager_key=STAGED_TABLE_LOADER),
                "articles": dg.AssetIn("articles", input_manager_key=STAGED_TABLE_LOADER)}


@dg.multi_asset_check(ins=SENTENCE_INS, specs=_specs(
    SENTENCE_INS,
    ("sentence_spans_match_text", "sentences",
     "Every sentence's offsets lie inside its document and text == documents.text[start:end]."),
    ("sentence_doc_ids_exist", "sentences", "Foreign key: sentences.doc_id -> documents.doc_id."),
    ("sentences_cover_all_text", "sentences", "No word of a document is left outside every sentence."),
    ("sentence_ids_unique", "sentences", "sentence_id is a primary key."),
))
def sentence_checks(sentences: StagedTable, articles: StagedTable):
    spans, uncovered = [], []
    for texts, rows in alongside(articles.batches(columns=["source_file", "text"], batch_rows=TEXT_ROW_GROUP_SIZE),
                                 DocRows(sentences.path)):
        spans.append(validation.span_mismatches(rows, texts))
        uncovered.append(validation.uncovered_text(texts, rows))
    yield _result(_batched(spans), "text == documents.text[start_char:end_char]",
                  "sentence_spans_match_text", "sentences")
    yield _result(validation.staged_orphans(sentences, "doc_id", articles), "sentences.doc_id in documents.doc_id",
                  "sentence_doc_ids_exist", "sentences")
    yield _result(_batched(uncovered), "every non-space character is in a sentence",
                  "sentences_cover_all_text", "sentences")
    yield _result(validation.staged_duplicates(sentences, "sentence_id"), "sentence_id is unique",
                  "sentence_ids_unique", "sentences")


DOCUMENT_INS = {"documents": dg.AssetIn("documents", input_manager_key=STAGED_TABLE_LOADER),
                "sentences": dg.AssetIn("sentences", input_manager_key=STAGED_TABLE_LOADER),
                "rejected": dg.AssetIn("rejected")}


@dg.multi_asset_check(ins=DOCUMENT_INS, specs=_specs(
    DOCUMENT_INS,
    ("doc_ids_unique", "documents",
     "doc_id is a primary key (exact duplicates get their own id and a duplicate_of link)."),
    ("document_sentence_counts", "documents",
     "documents.n_sentences equals the number of sentence rows of each document."),
    ("every_input_accounted_for", "documents",
     "Each input file is in exactly one of documents and rejected: nothing silently dropped."),
    ("duplicate_groups_name_documents", "documents",
     "Foreign key: documents.duplicate_group -> documents.doc_id (a group is named by its first article)."),
))
def document_checks(documents: StagedTable, sentences: StagedTable, rejected: pd.DataFrame,
                    settings: PressworkSettings):
    keys = documents.read(columns=["doc_id", "source_file", "n_sentences", "duplicate_group"])
    yield _result(validation.duplicates(keys, "doc_id"), "doc_id is unique", "doc_ids_unique", "documents")
    counts = sentences.query("doc_id, count(*) AS n", "GROUP BY doc_id").set_index("doc_id")["n"]
    yield _result(validation.sentence_count_mismatches(keys, counts), "n_sentences == count(sentences)",
                  "document_sentence_counts", "documents")
    root = Path(settings.input_dir)
    inputs = pd.DataFrame({"source_file": [p.relative_to(root).as_posix() for p in discover_files(root)]})
    outputs = pd.concat([keys["source_file"], rejected["source_file"]])
    missing = inputs[~inputs["source_file"].isin(outputs)].assign(problem="neither document nor rejected")
    doubled = outputs[outputs.duplicated()].to_frame().assign(problem="in both tables")
    yield _result(pd.concat([missing, doubled]), "inputs == documents + rejected",
                  "every_input_accounted_for", "documents")
    yield _result(validation.orphans(keys, "duplicate_group", keys, "doc_id"), "duplicate_group in documents.doc_id",
                  "duplicate_groups_name_documents", "documents")


# The checks from tokens on compare spans with the text a batch of articles
# at a time, reading only those articles' texts: never every text at once.
_STAGED_ARTICLES = {"articles": dg.AssetIn("articles", input_manager_key=STAGED_TABLE_LOADER)}


def _with_texts(batches, articles: StagedTable):
    """(a batch of whole articles' rows, those articles' doc_id and text) for each batch."""
    return alongside(batches, DocRows(articles.path, ["text"]))


def _span_mismatches(batches, articles: StagedTable) -> list[pd.DataFrame]:
    return [validation.span_mismatches(batch, texts) for batch, texts in _with_texts(batches, articles)]


def _batched(found: list[pd.DataFrame]) -> pd.DataFrame:
    found = [f for f in found if len(f)]
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame()


TOKEN_INS = {"tokens": dg.AssetIn("tokens"), **_STAGED_ARTICLES}


@dg.multi_asset_check(ins=TOKEN_INS, specs=_specs(
    TOKEN_INS,
    ("token_spans_match_text", "tokens",
     "Every token's offsets index documents.text exactly (and its doc_id exists)."),
))
def token_checks(tokens: StagedTable, articles: StagedTable):
    bad = _span_mismatches(tokens.batches(columns=["token_index", "start_char", "end_char", "text"]), articles)
    yield _result(_batched(bad), "text == documents.text[start_char:end_char]", "token_spans_match_text", "tokens")


ENTITY_INS = {"entity_mentions": dg.AssetIn("entity_mentions", input_manager_key=STAGED_TABLE_LOADER),
              "entities": dg.AssetIn("entities", input_manager_key=STAGED_TABLE_LOADER), **_STAGED_ARTICLES}


@dg.multi_asset_check(ins=ENTITY_INS, specs=_specs(
    ENTITY_INS,
    ("entity_mention_spans_match_text", "entity_mentions",
     "Every mention is exactly documents.text[start:end] of an existing document."),
    ("entity_mentions_point_at_entities", "entity_mentions",
     "Foreign key entity_mentions.entity_id -> entities.entity_id, and each entity's n_mentions / n_docs "
     "equal its rows in entity_mentions."),
))
def entity_checks(entity_mentions: StagedTable, entities: StagedTable, articles: StagedTable):
    yield _result(_batched(_span_mismatches(entity_mentions.batches(), articles)), "text == documents.text[start:end]",
                  "entity_mention_spans_match_text", "entity_mentions")
    counted = query_staged("SELECT entity_id, count(*) AS n_mentions, count(DISTINCT doc_id) AS n_docs FROM m "
                           "GROUP BY entity_id", m=entity_mentions).set_index("entity_id")
    yield _result(_batched([validation.staged_orphans(entity_mentions, "entity_id", entities),
                            validation.entity_count_mismatches(
                                entities.read(columns=["entity_id", "name", "n_mentions", "n_docs"]), counted)]),
                  "entity_id exists; n_mentions and n_docs match entity_mentions",
                  "entity_mentions_point_at_entities", "entity_mentions")


QUOTE_INS = {"quotes": dg.AssetIn("quotes", input_manager_key=STAGED_TABLE_LOADER),
             "entities": dg.AssetIn("entities", input_manager_key=STAGED_TABLE_LOADER), **_STAGED_ARTICLES}


@dg.multi_asset_check(ins=QUOTE_INS, specs=_specs(
    QUOTE_INS,
    ("quote_spans_match_text", "quotes",
     "Quoted content is exactly documents.text[start:end]; cue and speaker mention lie inside the document."),
    ("quote_speakers_point_at_entities", "quotes",
     "Foreign keys: quotes.speaker_entity_id and speaker_affiliation_entity_id -> entities.entity_id."),
))
def quote_checks(quotes: StagedTable, entities: StagedTable, articles: StagedTable):
    bad = []
    for batch, texts in _with_texts(quotes.batches(), articles):
        bad += [validation.span_mismatches(batch, texts),
                validation.offsets_out_of_range(batch, "cue_start_char", "cue_end_char", texts),
                validation.offsets_out_of_range(batch, "speaker_start_char", "speaker_end_char", texts)]
    yield _result(_batched(bad), "quote text == documents.text[start:end]; cue and speaker offsets inside the "
                  "document", "quote_spans_match_text", "quotes")
    yield _result(_batched([validation.staged_orphans(quotes, key, entities, "entity_id")
                            for key in ("speaker_entity_id", "speaker_affiliation_entity_id")]),
                  "speaker ids exist in entities", "quote_speakers_point_at_entities", "quotes")


EVENT_INS = {"events": dg.AssetIn("events", input_manager_key=STAGED_TABLE_LOADER),
             "event_mentions": dg.AssetIn("event_mentions", input_manager_key=STAGED_TABLE_LOADER),
             "entities": dg.AssetIn("entities", input_manager_key=STAGED_TABLE_LOADER),
             "sentences": dg.AssetIn("sentences", input_manager_key=STAGED_TABLE_LOADER), **_STAGED_ARTICLES}


@dg.multi_asset_check(ins=EVENT_INS, specs=_specs(
    EVENT_INS,
    ("event_spans_and_ids_hold", "events",
     "Evidence clause == documents.text[start:end]; the trigger lies inside it; agent/target ids exist in "
     "entities; sentence_id exists in sentences."),
    ("event_mentions_point_at_events", "event_mentions",
     "Every mention's clause matches the text, its event exists, and events.n_mentions counts them."),
))
def event_checks(events: StagedTable, event_mentions: StagedTable, entities: StagedTable,
                 sentences: StagedTable, articles: StagedTable):
    spans, outside = [], []
    for batch, texts in _with_texts(events.batches(), articles):
        spans.append(validation.span_mismatches(batch, texts))
        outside.append(batch[(batch["trigger_start_char"] < batch["start_char"])
                             | (batch["trigger_end_char"] > batch["end_char"])])
    yield _result(_batched([
        *spans,
        _batched(outside).assign(problem="trigger outside its evidence clause"),
        validation.staged_orphans(events, "agent_entity_id", entities, "entity_id"),
        validation.staged_orphans(events, "target_entity_id", entities, "entity_id"),
        validation.staged_orphans(events, "sentence_id", sentences),
    ]), "evidence == documents.text[start:end]; trigger inside; entity and sentence ids exist",
        "event_spans_and_ids_hold", "events")
    wrong = query_staged("SELECT e.event_id, e.doc_id, e.n_mentions, coalesce(c.n, 0) AS counted FROM e LEFT JOIN "
                         "(SELECT event_id, count(*) AS n FROM m GROUP BY event_id) c USING (event_id) "
                         "WHERE coalesce(c.n, 0) <> e.n_mentions", e=events, m=event_mentions)
    yield _result(_batched([
        *_span_mismatches(event_mentions.batches(), articles),
        validation.staged_orphans(event_mentions, "event_id", events),
        wrong.assign(problem="n_mentions differs from event_mentions"),
    ]), "mention text == documents.text[start:end]; event_id exists; n_mentions matches",
        "event_mentions_point_at_events", "event_mentions")


CHECKS = [sentence_checks, document_checks, token_checks, entity_checks, quote_checks, event_checks]

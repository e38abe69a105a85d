"""Stage 5, entities: `entity_mentions`, `entities` and `entity_changes`."""

import functools

import dagster as dg

from assets._metadata import progress_bar, table_metadata
from assets.resources import PressworkSettings
from pipeline.entities import extract_entities
from pipeline.mentions import person_word_counts, shares
from pipeline.nlp import blank_vocab, docs_from_tokens
from pipeline.staged import StagedTable
from schemas import EntitiesModel, EntityChangesModel, EntityMentionsModel, validate_table


@dg.multi_asset(
    outs={
        "entity_mentions": dg.AssetOut(
            group_name="entities", io_manager_key="staging_io_manager",
            description="Every mention of a named entity (names, defined acronyms, role descriptions tied to a "
            "person) with its entity_id and how it was resolved.",
        ),
        "entities": dg.AssetOut(
            group_name="entities", io_manager_key="staging_io_manager",
            description="One row per real-world entity across all articles; ids stable across versions.",
        ),
        "entity_changes": dg.AssetOut(
            group_name="entities", io_manager_key="staging_io_manager",
            description="Entity ids merged, split or renamed against the previous version.",
        ),
    },
)
def entities(context: dg.AssetExecutionContext, tokens: StagedTable, settings: PressworkSettings):
    """NER mentions repaired for news, resolved within each article (surnames,
    acronyms, roles, misspellings) and linked across articles, blocked by name key."""
    # Ids stay stable against the version this run started from (the one its tokens were carried from).
    warehouse = settings.warehouse
    base = warehouse.base_version(context.run.run_id)
    previous = warehouse.read_if_present("entities", base)
    previous_mentions = warehouse.read_if_present("entity_mentions", base)
    counts = [person_word_counts(b["text"], b["ent_type"]) for b in tokens.batches(columns=["text", "ent_type"])]
    person_share = shares(functools.reduce(lambda a, b: a.add(b, fill_value=0), counts))
    docs = (doc for batch in tokens.batches() for doc in docs_from_tokens(batch, blank_vocab()))
    mentions, table, changes = extract_entities(
        progress_bar(settings.show_progress, "entities")(docs), previous, person_share, previous_mentions)
    mentions = validate_table(EntityMentionsModel, mentions)
    table = validate_table(EntitiesModel, table)
    changes = validate_table(EntityChangesModel, changes)
    context.log.info(f"{len(mentions)} mentions of {len(table)} entities; {len(changes)} id changes "
                     f"against {'the previous version' if previous is not None else 'nothing (first version)'}")
    yield dg.Output(
        mentions, "entity_mentions",
        metadata=table_metadata(
            mentions[["text", "type", "kind", "resolution", "corpus_link"]],
            **{f"n_{kind}": int((mentions["kind"] == kind).sum()) for kind in ("name", "acronym", "role")},
            n_near_miss=int((mentions["resolution"] == "near_miss").sum() + (mentions["corpus_link"] == "near_miss").sum()),
        ),
    )
    yield dg.Output(
        table, "entities",
        metadata=table_metadata(table[["name", "type", "n_docs", "n_mentions"]],
                                n_cross_document=int((table["n_docs"] > 1).sum())),
    )
    yield dg.Output(changes, "entity_changes", metadata=table_metadata(changes))

"""Stage 6, events: CAMEO-coded actions with agent, target, place, time and modality."""

import dagster as dg
import pandas as pd

from assets._metadata import progress_counter, table_metadata
from assets.resources import STAGED_TABLE_LOADER, PressworkSettings
from pipeline.carry import articles_to_carry, with_carried
from pipeline.events import EVENT_COLUMNS, MENTION_COLUMNS, extract_events
from pipeline.nlp import blank_vocab, docs_from_tokens
from pipeline.staged import DocRows, StagedTable, alongside
from schemas import EventMentionsModel, EventsModel, validate_table


@dg.multi_asset(
    outs={
        "events": dg.AssetOut(
            group_name="events", io_manager_key="staging_io_manager",
            description="One row per real-world action per article: CAMEO root, trigger, agent and target "
            "(entity ids), location, time, negated / hypothetical, evidence clause, mention count.",
        ),
        "event_mentions": dg.AssetOut(
            group_name="events", io_manager_key="staging_io_manager",
            description="Every mention of each event (an article may name one meeting three times).",
        ),
    },
    ins={"entity_mentions": dg.AssetIn("entity_mentions", input_manager_key=STAGED_TABLE_LOADER)},
)
def events(
    context: dg.AssetExecutionContext, tokens: StagedTable, entity_mentions: StagedTable,
    entities: pd.DataFrame, settings: PressworkSettings,
):
    """Verbs and event nouns from the CAMEO lexicon, arguments from the parse
    and the entity tables, modality from negation, modals and governing verbs.
    An article whose parse and entity context are unchanged keeps its events
    from the base version."""
    warehouse = settings.warehouse
    base, carried_ids = articles_to_carry(warehouse, context.run.run_id, entity_mentions, entities)
    # a batch of articles at a time: their tokens and entity mentions, never the whole corpus's
    found = []
    with progress_counter(settings.show_progress, "events") as progress:
        for batch, in_batch in alongside(tokens.batches(exclude=carried_ids), DocRows(entity_mentions.path)):
            found.append(extract_events(docs_from_tokens(batch, blank_vocab()), in_batch,
                                        entities[entities["entity_id"].isin(in_batch["entity_id"])]))
            progress.update(batch["doc_id"].nunique())
    fresh, fresh_mentions = (pd.concat(tables, ignore_index=True) for tables in zip(*found)) if found else (
        pd.DataFrame([], columns=EVENT_COLUMNS), pd.DataFrame([], columns=MENTION_COLUMNS))
    table = validate_table(EventsModel, with_carried(fresh, warehouse, "events", base, carried_ids, EVENT_COLUMNS))
    mentions = validate_table(EventMentionsModel, with_carried(
        fresh_mentions, warehouse, "event_mentions", base, carried_ids, MENTION_COLUMNS))
    warehouse.record_carried(context.run.run_id, "events", len(carried_ids))
    context.log.info(f"events: {len(carried_ids)} articles carried from {base}, "
                     f"{fresh['doc_id'].nunique()} with events extracted")
    roots = table["event_type"].value_counts()
    yield dg.Output(table, "events", metadata=table_metadata(
        table[["event_type", "trigger", "agent", "target", "hypothetical", "negated"]],
        n_hypothetical=int(table["hypothetical"].sum()), n_negated=int(table["negated"].sum()),
        by_type=dg.MetadataValue.md(roots.to_frame("events").to_markdown()),
        articles_carried_over=len(carried_ids),
    ))
    yield dg.Output(mentions, "event_mentions", metadata=table_metadata(mentions[["event_id", "trigger", "text"]]))

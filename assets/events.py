"""Stage 6, events: CAMEO-coded actions with agent, target, place, time and modality."""

import dagster as dg
import pandas as pd

from assets._metadata import PREVIEW_ROWS, progress_counter, table_metadata
from assets.resources import STAGED_TABLE_LOADER, PressworkSettings
from pipeline.carry import CarriedRows, articles_to_carry
from pipeline.events import EVENT_COLUMNS, MENTION_COLUMNS, extract_events
from pipeline.nlp import blank_vocab, docs_from_tokens
from pipeline.staged import DocRows, StagedTable, TableWriter, alongside
from schemas import EventMentionsModel, EventsModel, arrow_schema, validate_table


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
    warehouse, run_id = settings.warehouse, context.run.run_id
    base, carried_ids = articles_to_carry(warehouse, run_id, entity_mentions, entities)
    carried = {table: CarriedRows(warehouse, table, base, carried_ids, columns)
               for table, columns in (("events", EVENT_COLUMNS), ("event_mentions", MENTION_COLUMNS))}
    n_fresh = 0
    # a batch of articles at a time: their tokens and entity mentions; their events written as found
    with TableWriter(warehouse.staged_path(run_id, "events"), arrow_schema("events"),
                     lambda chunk: validate_table(EventsModel, chunk)) as events_out, \
            TableWriter(warehouse.staged_path(run_id, "event_mentions"), arrow_schema("event_mentions"),
                        lambda chunk: validate_table(EventMentionsModel, chunk)) as mentions_out, \
            progress_counter(settings.show_progress, "events") as progress:
        for batch, in_batch in alongside(tokens.batches(exclude=carried_ids), DocRows(entity_mentions.path)):
            found, found_mentions = extract_events(docs_from_tokens(batch, blank_vocab()), in_batch,
                                                   entities[entities["entity_id"].isin(in_batch["entity_id"])])
            last = batch["doc_id"].iat[-1]
            for part in carried["events"].with_rows(found[EVENT_COLUMNS], upto=last):
                events_out.write(part)
            for part in carried["event_mentions"].with_rows(found_mentions[MENTION_COLUMNS], upto=last):
                mentions_out.write(part)
            n_fresh += found["doc_id"].nunique()
            progress.update(batch["doc_id"].nunique())
        for out, name in ((events_out, "events"), (mentions_out, "event_mentions")):
            for rows in carried[name].rest():
                out.write(rows)
        table, mentions = events_out.close(), mentions_out.close()
    warehouse.record_carried(run_id, "events", len(carried_ids))
    context.log.info(f"events: {len(carried_ids)} articles carried from {base}, {n_fresh} with events extracted")
    roots = table.query("event_type, count(*) AS events, count(*) FILTER (WHERE hypothetical) AS hypothetical, "
                        "count(*) FILTER (WHERE negated) AS negated",
                        "GROUP BY event_type ORDER BY events DESC, event_type").set_index("event_type")
    yield dg.Output(table, "events", metadata=table_metadata(
        table.head(PREVIEW_ROWS)[["event_type", "trigger", "agent", "target", "hypothetical", "negated"]],
        **{"dagster/row_count": dg.MetadataValue.int(table.num_rows())},
        n_hypothetical=int(roots["hypothetical"].sum()), n_negated=int(roots["negated"].sum()),
        by_type=dg.MetadataValue.md(roots[["events"]].to_markdown()),
        articles_carried_over=len(carried_ids),
    ))
    yield dg.Output(mentions, "event_mentions", metadata=table_metadata(
        mentions.head(PREVIEW_ROWS)[["event_id", "trigger", "text"]],
        **{"dagster/row_count": dg.MetadataValue.int(mentions.num_rows())}))


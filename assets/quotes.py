"""Stage 4, quotes: quoted and reported statements with their speakers."""

import dagster as dg
import pandas as pd

from assets._metadata import table_metadata
from assets.resources import STAGED_TABLE_LOADER, PressworkSettings
from pipeline.carry import articles_to_carry, with_carried
from pipeline.nlp import blank_vocab
from pipeline.quotes import QUOTE_COLUMNS, extract_quotes
from pipeline.staged import DocRows, StagedTable, alongside
from pipeline.speakers import link_speakers
from schemas import QuotesModel, validate_table


@dg.asset(group_name="quotes", io_manager_key="staging_io_manager",
          ins={"articles": dg.AssetIn("articles", input_manager_key=STAGED_TABLE_LOADER),
               "entity_mentions": dg.AssetIn("entity_mentions", input_manager_key=STAGED_TABLE_LOADER)})
def quotes(
    context: dg.AssetExecutionContext, articles: StagedTable, tokens: StagedTable,
    entity_mentions: StagedTable, entities: pd.DataFrame, settings: PressworkSettings,
) -> dg.Output[pd.DataFrame]:
    """Direct, partial, scare and indirect quotes from quote marks and the parse;
    cue and speaker mention with offsets; multi-paragraph quotes share a group_id;
    speakers linked to their entity. An article whose parse and entity context
    are unchanged keeps its quotes from the base version."""
    warehouse = settings.warehouse
    base, carried_ids = articles_to_carry(warehouse, context.run.run_id, entity_mentions, entities)
    # a batch of articles at a time: their tokens, texts and entity mentions, never the whole corpus's
    found, n_extracted = [], 0
    for batch, texts, in_batch in alongside(tokens.batches(exclude=carried_ids), DocRows(articles.path, ["text"]),
                                            DocRows(entity_mentions.path)):
        found.append(link_speakers(extract_quotes(texts, batch, blank_vocab()), in_batch,
                                   entities[entities["entity_id"].isin(in_batch["entity_id"])]))
        n_extracted += len(texts)
    found = [f for f in found if len(f)]
    fresh = pd.concat(found, ignore_index=True) if found else pd.DataFrame([], columns=QUOTE_COLUMNS)
    table = validate_table(QuotesModel, with_carried(fresh, warehouse, "quotes", base, carried_ids, QUOTE_COLUMNS))
    warehouse.record_carried(context.run.run_id, "quotes", len(carried_ids))
    context.log.info(f"quotes: {len(carried_ids)} articles carried from {base}, "
                     f"{n_extracted} extracted")
    counts = table["kind"].value_counts()
    attributed = table[table["kind"] != "scare"]["speaker"].notna()
    linked = table[table["kind"] != "scare"]["speaker_entity_id"].notna()
    return dg.Output(
        table,
        metadata=table_metadata(
            table[["kind", "text", "speaker", "cue"]],
            **{f"n_{kind}": int(counts.get(kind, 0)) for kind in ("direct", "partial", "scare", "indirect")},
            share_attributed=float(attributed.mean()) if len(attributed) else 0.0,
            share_linked_to_entity=float(linked.mean()) if len(linked) else 0.0,
            articles_carried_over=len(carried_ids),
        ),
    )

"""Stage 4, quotes: quoted and reported statements with their speakers."""

import dagster as dg
import pandas as pd

from assets._metadata import table_metadata
from assets.resources import ARTICLE_TEXT_LOADER, PressworkSettings
from pipeline.carry import articles_to_carry, with_carried
from pipeline.nlp import blank_vocab
from pipeline.quotes import QUOTE_COLUMNS, extract_quotes
from pipeline.staged import StagedTable
from pipeline.speakers import link_speakers
from schemas import QuotesModel, validate_table


@dg.asset(group_name="quotes", io_manager_key="staging_io_manager",
          ins={"articles": dg.AssetIn("articles", input_manager_key=ARTICLE_TEXT_LOADER)})
def quotes(
    context: dg.AssetExecutionContext, articles: pd.DataFrame, tokens: StagedTable,
    entity_mentions: pd.DataFrame, entities: pd.DataFrame, settings: PressworkSettings,
) -> dg.Output[pd.DataFrame]:
    """Direct, partial, scare and indirect quotes from quote marks and the parse;
    cue and speaker mention with offsets; multi-paragraph quotes share a group_id;
    speakers linked to their entity. An article whose parse and entity context
    are unchanged keeps its quotes from the base version."""
    warehouse = settings.warehouse
    base, carried_ids = articles_to_carry(warehouse, context.run.run_id, entity_mentions, entities)
    found = [extract_quotes(articles, batch, blank_vocab()) for batch in tokens.batches(exclude=carried_ids)]
    found = [f for f in found if len(f)]
    fresh = pd.concat(found, ignore_index=True) if found else pd.DataFrame([], columns=QUOTE_COLUMNS)
    fresh = link_speakers(fresh, entity_mentions, entities)
    table = validate_table(QuotesModel, with_carried(fresh, warehouse, "quotes", base, carried_ids, QUOTE_COLUMNS))
    warehouse.record_carried(context.run.run_id, "quotes", len(carried_ids))
    context.log.info(f"quotes: {len(carried_ids)} articles carried from {base}, "
                     f"{articles['doc_id'].nunique() - len(carried_ids)} extracted")
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

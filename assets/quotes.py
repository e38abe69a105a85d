"""Stage 4, quotes: quoted and reported statements with their speakers."""

import dagster as dg
import pandas as pd

from assets._metadata import PREVIEW_ROWS, table_metadata
from assets.resources import STAGED_TABLE_LOADER, PressworkSettings
from pipeline.carry import CarriedRows, articles_to_carry
from pipeline.nlp import blank_vocab
from pipeline.quotes import QUOTE_COLUMNS, extract_quotes
from pipeline.speakers import link_speakers
from pipeline.staged import DocRows, StagedTable, TableWriter, alongside
from schemas import QuotesModel, arrow_schema, validate_table


@dg.asset(group_name="quotes", io_manager_key="staging_io_manager",
          ins={"articles": dg.AssetIn("articles", input_manager_key=STAGED_TABLE_LOADER),
               "entity_mentions": dg.AssetIn("entity_mentions", input_manager_key=STAGED_TABLE_LOADER)})
def quotes(
    context: dg.AssetExecutionContext, articles: StagedTable, tokens: StagedTable,
    entity_mentions: StagedTable, entities: pd.DataFrame, settings: PressworkSettings,
) -> dg.Output[StagedTable]:
    """Direct, partial, scare and indirect quotes from quote marks and the parse;
    cue and speaker mention with offsets; multi-paragraph quotes share a group_id;
    speakers linked to their entity. An article whose parse and entity context
    are unchanged keeps its quotes from the base version."""
    warehouse = settings.warehouse
    base, carried_ids = articles_to_carry(warehouse, context.run.run_id, entity_mentions, entities)
    carried = CarriedRows(warehouse, "quotes", base, carried_ids, QUOTE_COLUMNS)
    n_fresh = 0
    # a batch of articles at a time: their tokens, texts and entity mentions; their quotes written as found
    with TableWriter(warehouse.staged_path(context.run.run_id, "quotes"), arrow_schema("quotes"),
                     lambda chunk: validate_table(QuotesModel, chunk)) as writer:
        for batch, texts, in_batch in alongside(tokens.batches(exclude=carried_ids),
                                                DocRows(articles.path, ["text"]), DocRows(entity_mentions.path)):
            found = link_speakers(extract_quotes(texts, batch, blank_vocab()), in_batch,
                                  entities[entities["entity_id"].isin(in_batch["entity_id"])])
            for part in carried.with_rows(found[QUOTE_COLUMNS], upto=batch["doc_id"].iat[-1]):
                writer.write(part)
            n_fresh += len(found)
        for rows in carried.rest():
            writer.write(rows)
        table = writer.close()
    warehouse.record_carried(context.run.run_id, "quotes", len(carried_ids))
    context.log.info(f"quotes: {len(carried_ids)} articles carried from {base}, {n_fresh} quotes extracted")
    kinds = table.query("kind, count(*) AS n, count(speaker) AS attributed, count(speaker_entity_id) AS linked",
                        "GROUP BY kind").set_index("kind")
    said = kinds.drop(index="scare", errors="ignore").sum()
    return dg.Output(
        table,
        metadata=table_metadata(
            table.head(PREVIEW_ROWS)[["kind", "text", "speaker", "cue"]],
            **{"dagster/row_count": dg.MetadataValue.int(table.num_rows())},
            **{f"n_{kind}": int(kinds["n"].get(kind, 0)) for kind in ("direct", "partial", "scare", "indirect")},
            share_attributed=float(said["attributed"] / said["n"]) if said["n"] else 0.0,
            share_linked_to_entity=float(said["linked"] / said["n"]) if said["n"] else 0.0,
            articles_carried_over=len(carried_ids),
        ),
    )


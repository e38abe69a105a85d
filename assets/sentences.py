"""Stage 2, sentences: `sentences` and the published `documents` table."""

import dagster as dg

from assets._metadata import PREVIEW_ROWS, progress_counter, table_metadata
from assets.resources import STAGED_TABLE_LOADER, PressworkSettings
from pipeline.carry import CarriedRows, sentences_to_carry
from pipeline.files import TEXT_ROW_GROUP_SIZE
from pipeline.near_duplicates import SignatureCache, group_near_duplicates
from pipeline.sentences import SENTENCE_COLUMNS, document_batches, segment_sentences
from pipeline.staged import StagedTable, TableWriter
from schemas import DocumentsModel, SentencesModel, arrow_schema, validate_table


@dg.asset(group_name="sentences", io_manager_key="staging_io_manager",
          ins={"articles": dg.AssetIn("articles", input_manager_key=STAGED_TABLE_LOADER)})
def sentences(context: dg.AssetExecutionContext, articles: StagedTable,
              settings: PressworkSettings) -> dg.Output[StagedTable]:
    """Every sentence of every document, with character offsets into
    documents.text (rule-based news segmenter: titles, initialisms, quotes,
    headline lines without stops, glued captions). An article the latest
    version holds, made by the same code, keeps its sentences from it.
    Written a batch of articles at a time."""
    warehouse = settings.warehouse
    doc_ids = articles.read(columns=["doc_id"])["doc_id"].tolist()
    base, carried_ids = (None, []) if settings.rebuild else sentences_to_carry(warehouse, doc_ids)
    carried = CarriedRows(warehouse, "sentences", base, carried_ids, SENTENCE_COLUMNS)
    progress = progress_counter(settings.show_progress, "sentences")
    with TableWriter(warehouse.staged_path(context.run.run_id, "sentences"), arrow_schema("sentences"),
                     lambda chunk: validate_table(SentencesModel, chunk)) as writer:
        for batch in articles.batches(columns=["text"], exclude=carried_ids, batch_rows=TEXT_ROW_GROUP_SIZE):
            found = segment_sentences(batch)[SENTENCE_COLUMNS]
            for part in carried.with_rows(found, upto=batch["doc_id"].iat[-1]):
                writer.write(part)
            progress.update(len(batch))
        for rows in carried.rest():
            writer.write(rows)
        table = writer.close()
    progress.close()
    warehouse.record_carried(context.run.run_id, "sentences", len(carried_ids))
    lengths = table.query("avg(length(text)) AS mean, max(length(text)) AS max")
    return dg.Output(
        table,
        metadata=table_metadata(
            table.head(PREVIEW_ROWS)[["sentence_id", "start_char", "end_char", "text"]],
            **{"dagster/row_count": dg.MetadataValue.int(table.num_rows())},
            mean_chars=float(lengths["mean"].iat[0]) if table.num_rows() else 0.0,
            max_chars=int(lengths["max"].iat[0]) if table.num_rows() else 0,
            articles_carried_over=len(carried_ids),
        ),
    )


@dg.asset(group_name="sentences", io_manager_key="staging_io_manager",
          ins={"articles": dg.AssetIn("articles", input_manager_key=STAGED_TABLE_LOADER),
               "sentences": dg.AssetIn("sentences", input_manager_key=STAGED_TABLE_LOADER)})
def documents(context: dg.AssetExecutionContext, articles: StagedTable, sentences: StagedTable,
              settings: PressworkSettings) -> dg.Output[StagedTable]:
    """The published documents table: cleaned articles with their sentence counts
    and their exact / near-duplicate group. Articles are read a batch at a
    time, twice: for their MinHash signatures, then to be written out."""
    run_id = context.run.run_id
    signatures, n_hashed = SignatureCache(settings.warehouse.root).signatures(
        articles.batches(columns=["text"], batch_rows=TEXT_ROW_GROUP_SIZE), run_id, reuse=not settings.rebuild)
    in_input_order = articles.read(columns=["doc_id", "source_file"]).sort_values("source_file", kind="stable")
    duplicates = group_near_duplicates(in_input_order[["doc_id"]], signatures=signatures)
    del signatures
    counts = sentences.query("doc_id, count(*) AS n", "GROUP BY doc_id").set_index("doc_id")["n"]
    with TableWriter(settings.warehouse.staged_path(run_id, "documents"), arrow_schema("documents"),
                     lambda chunk: validate_table(DocumentsModel, chunk), row_group_size=TEXT_ROW_GROUP_SIZE) as writer:
        for batch in document_batches(articles.batches(batch_rows=TEXT_ROW_GROUP_SIZE), counts, duplicates):
            writer.write(batch)
        table = writer.close()
    grouped = duplicates["duplicate_group"].notna()
    return dg.Output(
        table,
        metadata=table_metadata(
            table.head(PREVIEW_ROWS)[["doc_id", "source_file", "headline", "n_sentences", "duplicate_group"]],
            **{"dagster/row_count": dg.MetadataValue.int(table.num_rows())},
            n_duplicate_groups=int(duplicates.loc[grouped, "duplicate_group"].nunique()),
            n_articles_in_duplicate_groups=int(grouped.sum()),
            minhash_signatures_computed=n_hashed,
        ),
    )

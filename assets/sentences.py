"""Stage 2, sentences: `sentences` and the published `documents` table."""

import dagster as dg
import pandas as pd

from assets._metadata import progress_bar, table_metadata
from assets.resources import DOC_ID_LOADER, PressworkSettings
from pipeline.carry import sentences_to_carry, with_carried
from pipeline.near_duplicates import SignatureCache
from pipeline.sentences import SENTENCE_COLUMNS, build_documents, segment_sentences
from schemas import DocumentsModel, SentencesModel, validate_table


@dg.asset(group_name="sentences", io_manager_key="staging_io_manager")
def sentences(context: dg.AssetExecutionContext, articles: pd.DataFrame,
              settings: PressworkSettings) -> dg.Output[pd.DataFrame]:
    """Every sentence of every document, with character offsets into
    documents.text (rule-based news segmenter: titles, initialisms, quotes,
    headline lines without stops, glued captions). An article the latest
    version holds, made by the same code, keeps its sentences from it."""
    warehouse = settings.warehouse
    doc_ids = articles["doc_id"].tolist()
    base, carried_ids = (None, []) if settings.rebuild else sentences_to_carry(warehouse, doc_ids)
    carried = set(carried_ids)
    to_segment = articles[[doc_id not in carried for doc_id in doc_ids]]
    segmented = segment_sentences(to_segment, progress=progress_bar(settings.show_progress, "sentences"))
    table = validate_table(SentencesModel,
                           with_carried(segmented, warehouse, "sentences", base, carried_ids, SENTENCE_COLUMNS))
    warehouse.record_carried(context.run.run_id, "sentences", len(carried_ids))
    lengths = table["text"].str.len()
    return dg.Output(
        table,
        metadata=table_metadata(
            table[["sentence_id", "start_char", "end_char", "text"]],
            mean_chars=float(lengths.mean()) if len(table) else 0.0,
            max_chars=int(lengths.max()) if len(table) else 0,
            articles_carried_over=len(carried_ids),
        ),
    )


@dg.asset(group_name="sentences", io_manager_key="staging_io_manager",
          ins={"sentences": dg.AssetIn("sentences", input_manager_key=DOC_ID_LOADER)})
def documents(context: dg.AssetExecutionContext, articles: pd.DataFrame, sentences: pd.DataFrame,
              settings: PressworkSettings) -> dg.Output[pd.DataFrame]:
    """The published documents table: cleaned articles with their sentence counts
    and their exact / near-duplicate group."""
    signatures, n_hashed = SignatureCache(settings.warehouse.root).signatures(
        articles, context.run.run_id, reuse=not settings.rebuild)
    table = validate_table(DocumentsModel, build_documents(articles, sentences, signatures))
    grouped = table["duplicate_group"].notna()
    return dg.Output(
        table,
        metadata=table_metadata(
            table[["doc_id", "source_file", "headline", "n_sentences", "duplicate_group"]],
            n_duplicate_groups=int(table.loc[grouped, "duplicate_group"].nunique()),
            n_articles_in_duplicate_groups=int(grouped.sum()),
            minhash_signatures_computed=n_hashed,
        ),
    )

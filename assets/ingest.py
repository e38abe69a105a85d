"""Stage 1, ingest: input folder -> `articles` (internal) and `rejected`."""

import shutil

import dagster as dg
import pandas as pd

from assets._metadata import PREVIEW_ROWS, progress_bar, table_metadata
from assets.resources import PressworkSettings
from pipeline.files import TEXT_ROW_GROUP_SIZE, write_parquet
from pipeline.ingest import ingest_batches
from pipeline.staged import StagedTable, merge_sorted_parts
from schemas import ArticlesModel, RejectedModel, arrow_schema, validate_table


@dg.multi_asset(
    outs={
        "articles": dg.AssetOut(
            group_name="ingest", io_manager_key="staging_io_manager",
            description="Decoded, cleaned articles (documents without sentence counts).",
        ),
        "rejected": dg.AssetOut(
            group_name="ingest", io_manager_key="staging_io_manager",
            description="Input files that could not be processed, each with a one-line reason.",
        ),
    },
)
def ingest(context: dg.AssetExecutionContext, settings: PressworkSettings):
    """Read every .txt file under the input folder: decode (UTF-8, BOM, UTF-16,
    detected legacy encodings), remove page clutter, assign content-derived ids.
    Articles are validated and written a batch of files at a time, each batch
    sorted by doc_id, then merged file to file: the corpus's texts are never in
    memory at once."""
    warehouse = settings.warehouse
    parts_dir = warehouse.staging_dir(context.run.run_id) / "articles-parts"
    parts, rejected = [], []
    counts = {"n_duplicates": 0, "n_encoding_detected": 0, "n_clutter_removed": 0}
    for n, (articles, refused) in enumerate(ingest_batches(
            settings.input_dir, max_bytes=settings.max_bytes, progress=progress_bar(settings.show_progress, "ingest"))):
        articles = validate_table(ArticlesModel, articles)
        parts.append(parts_dir / f"part-{n:05d}.parquet")
        write_parquet(articles, parts[-1], schema=arrow_schema("articles"), sort_by="doc_id", row_group_size=256)
        rejected.append(validate_table(RejectedModel, refused))
        counts["n_duplicates"] += int(articles["duplicate_of"].notna().sum())
        counts["n_encoding_detected"] += int(articles["encoding_detected"].sum())
        counts["n_clutter_removed"] += int(articles["removed"].map(len).sum())
    path = warehouse.staged_path(context.run.run_id, "articles")
    n_articles = merge_sorted_parts(parts, path, arrow_schema("articles"), TEXT_ROW_GROUP_SIZE)
    table = StagedTable(str(path))
    shutil.rmtree(parts_dir)
    rejected = pd.concat(rejected, ignore_index=True) if len(rejected) > 1 else rejected[0]
    context.log.info(f"ingested {n_articles} articles, rejected {len(rejected)} files")
    yield dg.Output(
        table, "articles",
        metadata=table_metadata(
            table.head(PREVIEW_ROWS)[["doc_id", "source_file", "headline", "encoding", "n_chars"]],
            **{"dagster/row_count": dg.MetadataValue.int(n_articles)}, **counts,
        ),
    )
    yield dg.Output(rejected, "rejected", metadata=table_metadata(rejected))

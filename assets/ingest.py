"""Stage 1, ingest: input folder -> `articles` (internal) and `rejected`."""

import dagster as dg

from assets._metadata import progress_bar, table_metadata
from assets.resources import PressworkSettings
from pipeline.ingest import ingest_folder
from schemas import ArticlesModel, RejectedModel, validate_table


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
    detected legacy encodings), remove page clutter, assign content-derived ids."""
    articles, rejected = ingest_folder(
        settings.input_dir, max_bytes=settings.max_bytes,
        progress=progress_bar(settings.show_progress, "ingest"),
    )
    articles = validate_table(ArticlesModel, articles)
    rejected = validate_table(RejectedModel, rejected)
    context.log.info(f"ingested {len(articles)} articles, rejected {len(rejected)} files")
    yield dg.Output(
        articles, "articles",
        metadata=table_metadata(
            articles[["doc_id", "source_file", "headline", "encoding", "n_chars"]],
            n_duplicates=int(articles["duplicate_of"].notna().sum()),
            n_encoding_detected=int(articles["encoding_detected"].sum()),
            n_clutter_removed=int(articles["removed"].map(len).sum()),
        ),
    )
    yield dg.Output(rejected, "rejected", metadata=table_metadata(rejected))

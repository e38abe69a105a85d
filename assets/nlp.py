"""Stage 3, NLP: the `tokens` table (tags, lemmas, dependencies, entities)."""

import dagster as dg
import pandas as pd

from assets._metadata import progress_bar, table_metadata
from assets.resources import NlpModel, PressworkSettings
from pipeline.nlp import parse_documents
from schemas import TokensModel, validate_table


@dg.asset(group_name="nlp", io_manager_key="staging_io_manager")
def tokens(
    context: dg.AssetExecutionContext, articles: pd.DataFrame, sentences: pd.DataFrame,
    nlp_model: NlpModel, settings: PressworkSettings,
) -> dg.Output[pd.DataFrame]:
    """Every token of every document parsed by the spaCy pipeline (our sentence
    boundaries kept): POS, lemma, morphology, dependency head, entity label."""
    nlp = nlp_model.load()
    table = parse_documents(articles, sentences, nlp, progress=progress_bar(settings.show_progress, "nlp"))
    table = validate_table(TokensModel, table)
    info = nlp_model.info()
    context.log.info(f"parsed {len(articles)} documents with {info['name']} {info['version']}")
    return dg.Output(
        table,
        metadata=table_metadata(
            table[["doc_id", "text", "pos", "dep", "head_index", "ent_type"]],
            model=f"{info['name']} {info['version']}",
            n_words=int((table["pos"] != "SPACE").sum()),
        ),
    )

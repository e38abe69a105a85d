"""Stage 4, quotes: quoted and reported statements with their speakers."""

import dagster as dg
import pandas as pd

from assets._metadata import table_metadata
from pipeline.nlp import blank_vocab
from pipeline.quotes import extract_quotes
from pipeline.speakers import link_speakers
from schemas import QuotesModel, validate_table


@dg.asset(group_name="quotes", io_manager_key="staging_io_manager")
def quotes(
    articles: pd.DataFrame, tokens: pd.DataFrame, entity_mentions: pd.DataFrame, entities: pd.DataFrame
) -> dg.Output[pd.DataFrame]:
    """Direct, partial, scare and indirect quotes from quote marks and the parse;
    cue and speaker mention with offsets; multi-paragraph quotes share a group_id;
    speakers linked to their entity."""
    table = extract_quotes(articles, tokens, blank_vocab())
    table = validate_table(QuotesModel, link_speakers(table, entity_mentions, entities))
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
        ),
    )

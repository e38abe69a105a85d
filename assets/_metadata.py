"""Metadata every table asset records: row count and a markdown preview."""

from __future__ import annotations

import dagster as dg
import pandas as pd

PREVIEW_ROWS = 10
PREVIEW_CHARS = 60


def _short(value) -> str:
    text = str(value).replace("\n", " ").replace("|", "\\|")
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def table_metadata(df: pd.DataFrame, **extra) -> dict:
    preview = df.head(PREVIEW_ROWS).map(_short)
    return {
        "dagster/row_count": dg.MetadataValue.int(len(df)),
        "preview": dg.MetadataValue.md(preview.to_markdown(index=False)),
        **extra,
    }


def progress_bar(enabled: bool, description: str):
    """A tqdm wrapper for long loops when running on a terminal; identity otherwise."""
    if not enabled:
        return lambda items: items
    from tqdm import tqdm

    return lambda items: tqdm(items, desc=f"  {description}", unit=" docs", leave=False, mininterval=0.5)


def progress_counter(enabled: bool, description: str):
    """A tqdm bar advanced by hand (`.update(n)`), for loops over batches of
    documents; a silent stand-in otherwise."""
    from tqdm import tqdm

    return tqdm(desc=f"  {description}", unit=" docs", leave=False, mininterval=0.5, disable=not enabled)

"""`articles` (ingest output) and `documents` (articles + sentence counts)."""

from __future__ import annotations

import pandera.pandas as pa
import pyarrow
from pandera.typing import Series

from schemas._base import TableModel

_HEX16 = r"^[0-9a-f]{16}$"

REMOVED_ARROW_TYPE = pyarrow.list_(
    pyarrow.struct([("rule", pyarrow.string()), ("text", pyarrow.string()), ("line_number", pyarrow.int64())])
)


class ArticlesModel(TableModel):
    """One decoded, cleaned input article (ingest output)."""

    doc_id: Series[str] = pa.Field(
        unique=True, str_matches=_HEX16,
        description="Stable article id: first 16 hex digits of the SHA-256 of the normalised raw text "
        "(exact duplicates fold in their path and point at the original through duplicate_of).",
    )
    source_file: Series[str] = pa.Field(
        unique=True, description="Path of the input file, relative to the input folder."
    )
    headline: Series[str] = pa.Field(str_length={"min_value": 1}, description="First line of the cleaned text.")
    text: Series[str] = pa.Field(
        str_length={"min_value": 1},
        description="Cleaned article: headline first, page clutter removed, paragraphs separated by a blank line. "
        "All character offsets in every table index into this string.",
    )
    raw_text: Series[str] = pa.Field(
        description="The decoded input with line ends and Unicode normalised (NFC), before clutter removal."
    )
    removed: Series[object] = pa.Field(
        description="Lines or fragments removed as page clutter: list of {rule, text, line_number} "
        "(line_number is 1-based in raw_text)."
    )
    encoding: Series[str] = pa.Field(description="Character encoding used to decode the file.")
    encoding_detected: Series[bool] = pa.Field(
        description="True when the encoding was inferred (the file was not valid UTF-8/UTF-16 with BOM)."
    )
    source_bytes: Series[int] = pa.Field(ge=1, description="Size of the input file in bytes.")
    content_sha256: Series[str] = pa.Field(
        str_matches=r"^[0-9a-f]{64}$", description="SHA-256 of raw_text (UTF-8)."
    )
    duplicate_of: Series[str] = pa.Field(
        nullable=True,
        description="doc_id of the first article (in path order) with identical content, or null.",
    )
    n_chars: Series[int] = pa.Field(ge=1, description="Length of text in characters.")

    @pa.dataframe_check(error="text must start with the headline")
    def headline_first(cls, df):
        return df.apply(lambda row: row["text"].startswith(row["headline"]), axis=1)


class DocumentsModel(ArticlesModel):
    """One article: cleaned text (headline first), source file, encoding, removed clutter, sentence count."""

    n_sentences: Series[int] = pa.Field(ge=1, description="Number of rows in `sentences` for this document.")
    duplicate_group: Series[str] = pa.Field(
        nullable=True,
        description="Exact or near-duplicate group (MinHash LSH over word 5-grams, Jaccard >= 0.8): the doc_id of "
        "the group's first article in path order; null when the article has no duplicate. Never dropped. "
        "(That it names a document is the document check duplicate_groups_name_documents.)",
    )
    duplicate_similarity: Series[float] = pa.Field(
        nullable=True, ge=0, le=1,
        description="Estimated Jaccard similarity of the article's 5-grams to the group's first article "
        "(1.0 for that article); null when there is no group.",
    )

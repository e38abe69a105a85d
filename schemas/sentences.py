"""`sentences`: one row per sentence, with offsets into documents.text."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from schemas._base import TableModel


class SentencesModel(TableModel):
    """One sentence of an article, with its offsets."""

    sentence_id: Series[str] = pa.Field(
        unique=True, description="`<doc_id>-<sentence_index>`: stable while the text and segmenter are."
    )
    doc_id: Series[str] = pa.Field(description="Document this sentence belongs to (documents.doc_id).")
    sentence_index: Series[int] = pa.Field(ge=0, description="0-based position of the sentence in its document.")
    paragraph_index: Series[int] = pa.Field(
        ge=0, description="0-based paragraph (0 is the headline) the sentence sits in."
    )
    start_char: Series[int] = pa.Field(ge=0, description="Offset of the first character in documents.text.")
    end_char: Series[int] = pa.Field(ge=1, description="Offset one past the last character (end-exclusive).")
    text: Series[str] = pa.Field(
        str_length={"min_value": 1}, description="The sentence: documents.text[start_char:end_char]."
    )

    @pa.dataframe_check(error="end_char must be greater than start_char")
    def span_not_empty(cls, df):
        return df["end_char"] > df["start_char"]

    @pa.dataframe_check(error="len(text) must equal end_char - start_char")
    def text_length_matches_span(cls, df):
        return df["text"].str.len() == df["end_char"] - df["start_char"]

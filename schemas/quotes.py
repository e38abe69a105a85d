"""`quotes`: quoted and reported statements with their speakers."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._base import TableModel

KINDS = ["direct", "partial", "scare", "indirect"]


class QuotesModel(TableModel):
    """One quoted or reported statement (a paragraph of a multi-paragraph quote) with cue and speaker."""

    quote_id: Series[str] = pa.Field(unique=True, description="`<doc_id>-q<n>`, in order within the document.")
    doc_id: Series[str] = pa.Field(description="Document (documents.doc_id).")
    start_char: Series[int] = pa.Field(ge=0, description="Start of the quoted content (without quote marks).")
    end_char: Series[int] = pa.Field(ge=1, description="End of the quoted content (exclusive).")
    text: Series[str] = pa.Field(str_length={"min_value": 1}, description="documents.text[start_char:end_char].")
    kind: Series[str] = pa.Field(isin=KINDS, description="direct | partial | scare | indirect.")
    speaker: Series[str] = pa.Field(
        nullable=True, description="Canonical name of the speaker entity (entities.name), or the speaker phrase "
        "when unnamed ('A JLM spokesman'); null for scare quotes and unattributed quotes.")
    speaker_entity_id: Series[str] = pa.Field(nullable=True, description="entities.entity_id of the speaker.")
    speaker_affiliation_entity_id: Series[str] = pa.Field(
        nullable=True, description="For an unnamed source ('A JLM spokesman'), the organisation named in the "
        "phrase (entities.entity_id).")
    speaker_type: Series[str] = pa.Field(nullable=True, description="Entity label of a named speaker (PERSON, ORG...).")
    cue: Series[str] = pa.Field(nullable=True, description="The attribution verb or phrase ('said', 'told Jewish News').")
    cue_start_char: Series[pd.Int64Dtype] = pa.Field(nullable=True, description="Offset of the cue.")
    cue_end_char: Series[pd.Int64Dtype] = pa.Field(nullable=True, description="End offset of the cue (exclusive).")
    speaker_start_char: Series[float] = pa.Field(
        nullable=True, description="Offset of the mention the attribution rests on (e.g. the 'he' of 'he added').")
    speaker_end_char: Series[pd.Int64Dtype] = pa.Field(nullable=True, description="End offset of that mention (exclusive).")
    group_id: Series[str] = pa.Field(description="Paragraphs of one multi-paragraph quote share it.")
    confidence: Series[float] = pa.Field(ge=0, le=1, description="Quote-mark pairing x attribution confidence.")
    paragraph_index: Series[int] = pa.Field(ge=0, description="Paragraph of the quote (0 is the headline).")
    sentence_index: Series[int] = pa.Field(ge=0, description="sentences.sentence_index where the quote starts.")

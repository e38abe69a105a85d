"""`tokens`: the spaCy parse of every document, one row per token."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from schemas._base import TableModel


class TokensModel(TableModel):
    """One token of an article with its tag, lemma, morphology, dependency head and entity label."""

    doc_id: Series[str] = pa.Field(description="Document (documents.doc_id).")
    token_index: Series[int] = pa.Field(ge=0, description="0-based position of the token in its document.")
    sentence_index: Series[int] = pa.Field(ge=0, description="sentences.sentence_index of the token's sentence.")
    start_char: Series[int] = pa.Field(ge=0, description="Offset of the token in documents.text.")
    end_char: Series[int] = pa.Field(ge=1, description="End offset (exclusive).")
    text: Series[str] = pa.Field(description="The token: documents.text[start_char:end_char].")
    whitespace: Series[str] = pa.Field(description="Whitespace after the token (rebuilds the text exactly).")
    lemma: Series[str] = pa.Field(description="Lemma from the NLP model.")
    pos: Series[str] = pa.Field(description="Universal POS tag.")
    tag: Series[str] = pa.Field(description="Fine-grained (Penn Treebank) tag.")
    morph: Series[str] = pa.Field(description="Universal Dependencies morphological features.")
    dep: Series[str] = pa.Field(description="Dependency relation to the head.")
    head_index: Series[int] = pa.Field(ge=0, description="token_index of the syntactic head (itself for a root).")
    ent_iob: Series[str] = pa.Field(isin=["B", "I", "O", ""], description="Named-entity IOB code.")
    ent_type: Series[str] = pa.Field(description="Named-entity label (OntoNotes names), empty outside entities.")

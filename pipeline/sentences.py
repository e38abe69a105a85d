"""Sentence table: every sentence of every document, with exact offsets."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping

import numpy as np
import pandas as pd

from pipeline.ingest import Progress, no_progress
from pipeline.near_duplicates import group_near_duplicates
from pipeline.segmenter import split_spans

SENTENCE_COLUMNS = [
    "sentence_id", "doc_id", "sentence_index", "paragraph_index", "start_char", "end_char", "text",
]
PARAGRAPH_BREAK = "\n\n"


def paragraph_starts(text: str) -> list[int]:
    starts = [0]
    at = text.find(PARAGRAPH_BREAK)
    while at != -1:
        starts.append(at + len(PARAGRAPH_BREAK))
        at = text.find(PARAGRAPH_BREAK, at + len(PARAGRAPH_BREAK))
    return starts


def sentence_id(doc_id: str, index: int) -> str:
    return f"{doc_id}-{index:04d}"


def segment_document(doc_id: str, text: str) -> list[tuple]:
    paragraphs = paragraph_starts(text)
    return [
        (sentence_id(doc_id, i), doc_id, i, bisect.bisect_right(paragraphs, start) - 1, start, end, text[start:end])
        for i, (start, end) in enumerate(split_spans(text))
    ]


def segment_sentences(documents: pd.DataFrame, progress: Progress = no_progress) -> pd.DataFrame:
    """documents (doc_id, text) -> sentences table."""
    rows: list[tuple] = []
    for doc_id, text in progress(list(zip(documents["doc_id"].tolist(), documents["text"].tolist()))):
        rows.extend(segment_document(doc_id, text))
    return pd.DataFrame(rows, columns=SENTENCE_COLUMNS)


def count_sentences(documents: pd.DataFrame, counts: pd.Series) -> pd.DataFrame:
    """documents + n_sentences, from the sentence count of each doc_id."""
    return documents.assign(n_sentences=documents["doc_id"].map(counts).fillna(0).astype("int64"))


def build_documents(articles: pd.DataFrame, sentences: pd.DataFrame,
                    signatures: Mapping[str, np.ndarray] | None = None) -> pd.DataFrame:
    """The published `documents` table: articles, their sentence counts and
    their exact / near-duplicate groups (first article in path order names a group).
    `signatures`: MinHash hash values by doc_id, from an earlier run."""
    duplicates = group_near_duplicates(articles.sort_values("source_file", kind="stable"), signatures=signatures)
    return next(document_batches([articles], sentences.groupby("doc_id").size(), duplicates))


def document_batches(articles: Iterable[pd.DataFrame], sentence_counts: pd.Series,
                     duplicates: pd.DataFrame) -> Iterator[pd.DataFrame]:
    """Batches of articles -> the same batches of the `documents` table, given
    each doc_id's sentence count and duplicate group (group_near_duplicates)."""
    for batch in articles:
        yield count_sentences(batch, sentence_counts).merge(duplicates, on="doc_id")

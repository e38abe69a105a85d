"""Cross-table rules every version must satisfy. Each function returns the
offending rows (empty = the rule holds), so a check can show what broke."""

from __future__ import annotations

import pandas as pd


def span_mismatches(spans: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Rows whose offsets fall outside their document or whose text is not
    exactly documents.text[start_char:end_char]."""
    # Look each document's text up once per document, never once per row:
    # mapping a long article onto 300,000 sentence rows would copy it each time.
    texts = dict(zip(documents["doc_id"], documents["text"]))
    problems: list[tuple] = []
    for doc_id, group in spans.groupby("doc_id", sort=False):
        doc_text = texts.get(doc_id)
        for row, start, end, text in zip(group.index, group["start_char"], group["end_char"], group["text"]):
            if doc_text is None:
                problems.append((row, "unknown doc_id"))
            elif not 0 <= start < end <= len(doc_text):
                problems.append((row, f"offsets {start}:{end} outside document of length {len(doc_text)}"))
            elif doc_text[start:end] != text:
                problems.append((row, f"text differs from document[{start}:{end}]"))
    bad = spans.loc[[row for row, _ in problems]].copy()
    bad["problem"] = [problem for _, problem in problems]
    return bad


def offsets_out_of_range(df: pd.DataFrame, start: str, end: str, documents: pd.DataFrame) -> pd.DataFrame:
    """Rows whose optional (start, end) pair, e.g. a quote's cue or speaker
    mention, does not lie inside its document. Rows without the pair pass."""
    located = df.dropna(subset=[start])
    lengths = located["doc_id"].map(documents.set_index("doc_id")["text"].str.len())
    bad = lengths.isna() | (located[start] < 0) | (located[end] <= located[start]) | (located[end] > lengths)
    return located[bad]


def orphans(child: pd.DataFrame, key: str, parent: pd.DataFrame, parent_key: str | None = None) -> pd.DataFrame:
    """Rows of child whose key has no match in parent (a broken foreign key)."""
    known = parent[parent_key or key]
    present = child[key].notna()
    return child[present & ~child[key].isin(known)]


def duplicates(df: pd.DataFrame, key: str) -> pd.DataFrame:
    return df[df[key].duplicated(keep=False)]


def sentence_count_mismatches(documents: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    counts = sentences.groupby("doc_id").size()
    actual = documents["doc_id"].map(counts).fillna(0).astype("int64")
    return documents.loc[actual != documents["n_sentences"], ["doc_id", "source_file", "n_sentences"]].assign(
        counted=actual[actual != documents["n_sentences"]]
    )


def uncovered_text(documents: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Documents with non-whitespace text that no sentence covers: the segmenter
    must never drop words."""
    covered_chars = (sentences["end_char"] - sentences["start_char"]).groupby(sentences["doc_id"]).sum()
    nonspace = documents["text"].str.count(r"\S")
    spaces_inside = sentences["text"].str.count(r"\s").groupby(sentences["doc_id"]).sum()
    expected = documents["doc_id"].map(covered_chars).fillna(0) - documents["doc_id"].map(spaces_inside).fillna(0)
    return documents.loc[expected != nonspace, ["doc_id", "source_file"]]


def entity_count_mismatches(entities: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """Entities whose n_mentions / n_docs disagree with their entity_mentions rows
    (an entity without mentions counts 0 and fails: n_mentions >= 1)."""
    grouped = mentions.groupby("entity_id")
    n_mentions = entities["entity_id"].map(grouped.size()).fillna(0).astype("int64")
    n_docs = entities["entity_id"].map(grouped["doc_id"].nunique()).fillna(0).astype("int64")
    bad = (n_mentions != entities["n_mentions"]) | (n_docs != entities["n_docs"])
    return entities.loc[bad, ["entity_id", "name", "n_mentions", "n_docs"]].assign(
        counted_mentions=n_mentions[bad], counted_docs=n_docs[bad])

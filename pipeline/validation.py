"""Cross-table rules every version must satisfy. Each function returns the
offending rows (empty = the rule holds), so a check can show what broke."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.staged import StagedTable, query_staged


def span_mismatches(spans: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Rows whose offsets fall outside their document (or are missing) or whose
    text is not exactly documents.text[start_char:end_char]."""
    # At 100,000 articles there are 60 million tokens: nothing loops in Python per
    # row. Rows refer to their document's text by the document's number (pd.factorize).
    texts = dict(zip(documents["doc_id"].tolist(), documents["text"].tolist()))
    doc_numbers, doc_ids = pd.factorize(spans["doc_id"])  # a missing doc_id is -1: the last, unknown, entry
    doc_texts = [texts.get(doc_id) for doc_id in doc_ids] + [None]
    lengths = np.array([-1 if text is None else len(text) for text in doc_texts], dtype="float64")[doc_numbers]
    starts = spans["start_char"].to_numpy(dtype="float64", na_value=np.nan)
    ends = spans["end_char"].to_numpy(dtype="float64", na_value=np.nan)
    unknown = lengths < 0
    with np.errstate(invalid="ignore"):  # a missing offset compares False: outside
        inside = (0 <= starts) & (starts < ends) & (ends <= lengths)
    outside = ~unknown & ~inside
    rows = np.flatnonzero(inside)
    differs = np.zeros(len(spans), dtype=bool)
    differs[rows] = _slices_differ(doc_texts[:-1], doc_numbers[rows], starts[rows].astype("int64"),
                                   ends[rows].astype("int64"), _utf8(spans["text"]).take(pa.array(rows)))
    problem = np.full(len(spans), None, dtype=object)
    problem[unknown] = "unknown doc_id"
    for i in np.flatnonzero(outside).tolist():
        start, end = spans["start_char"].iat[i], spans["end_char"].iat[i]
        problem[i] = f"offsets {start}:{end} outside document of length {int(lengths[i])}"
    for i in np.flatnonzero(differs).tolist():
        problem[i] = f"text differs from document[{int(starts[i])}:{int(ends[i])}]"
    bad = unknown | outside | differs
    return spans[bad].assign(problem=problem[bad])


# Bytes compared at a time: the index arrays of a comparison take 16 bytes per byte compared
COMPARE_BYTES = 1 << 20


def _utf8(values: pd.Series) -> pa.LargeStringArray:
    found = pa.array(values, from_pandas=True)
    if isinstance(found, pa.ChunkedArray):
        found = found.combine_chunks()
    return found.cast(pa.large_string())


def _slices_differ(texts: list[str | None], doc_numbers: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                   spans: pa.LargeStringArray) -> np.ndarray:
    """texts[doc_numbers[i]][starts[i]:ends[i]] != spans[i] for every i (the
    offsets count code points, as Python does, and lie inside the text).
    The documents are taken in groups of about COMPARE_BYTES characters: a
    group's bytes and byte offsets take 9 bytes per character, and a batch of
    event mentions can span 30 million characters of article text."""
    differs = np.zeros(len(doc_numbers), dtype=bool)
    sizes = np.array([len(text) if text else 0 for text in texts], dtype=np.int64)
    group = (np.cumsum(sizes) - sizes) // COMPARE_BYTES  # by where each text starts
    firsts = np.flatnonzero(np.diff(group, prepend=-1))
    order = np.argsort(doc_numbers, kind="stable")
    bounds = np.searchsorted(doc_numbers[order], np.append(firsts, len(texts)))
    for n, first in enumerate(firsts.tolist()):
        rows = order[bounds[n]:bounds[n + 1]]
        if len(rows):
            last = int(firsts[n + 1]) if n + 1 < len(firsts) else len(texts)
            differs[rows] = _group_differs(texts[first:last], doc_numbers[rows] - first, starts[rows], ends[rows],
                                           spans.take(pa.array(rows)))
    return differs


def _group_differs(texts: list[str | None], doc_numbers: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                   spans: pa.LargeStringArray) -> np.ndarray:
    """_slices_differ for a group of documents, compared as UTF-8 bytes with
    numpy: the texts' bytes are joined, each code point offset is turned into
    a byte offset, and the spans' bytes are gathered against the texts' bytes
    in slices of COMPARE_BYTES."""
    texts = [text or "" for text in texts]  # an unknown document: none of its rows are asked about
    encoded = [text.encode("utf-8") for text in texts]
    joined = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    first_char = np.concatenate([[0], np.cumsum([len(text) for text in texts])]).astype(np.int64)
    if len(joined) == first_char[-1]:  # all ASCII: a code point is a byte
        byte_at = np.arange(len(joined) + 1, dtype=np.int64)
    else:  # where each code point's bytes start (a continuation byte is 10xxxxxx)
        byte_at = np.append(np.flatnonzero((joined & 0xC0) != 0x80), len(joined)).astype(np.int64)
    doc_starts, doc_ends = byte_at[first_char[doc_numbers] + starts], byte_at[first_char[doc_numbers] + ends]
    offsets = np.frombuffer(spans.buffers()[1], dtype=np.int64)[spans.offset:spans.offset + len(spans) + 1]
    data = np.frombuffer(spans.buffers()[2], dtype=np.uint8) if len(spans) else np.zeros(0, dtype=np.uint8)
    lengths = np.diff(offsets)
    differs = (doc_ends - doc_starts != lengths) | spans.is_null().to_numpy(zero_copy_only=False)
    same = np.flatnonzero(~differs)  # lengths agree: each at least one byte (start < end)
    ends_at = np.cumsum(lengths[same])
    cuts = np.searchsorted(ends_at, np.arange(COMPARE_BYTES, ends_at[-1], COMPARE_BYTES)) if len(same) else []
    for piece in np.split(np.arange(len(same)), cuts):
        if not len(piece):
            continue
        rows, n = same[piece], lengths[same[piece]]
        at = np.concatenate([[0], np.cumsum(n)[:-1]])
        step = np.arange(int(n.sum())) - np.repeat(at, n)
        unequal = joined[np.repeat(doc_starts[rows], n) + step] != data[np.repeat(offsets[rows], n) + step]
        differs[rows] = np.add.reduceat(unequal, at) > 0
    return differs


def offsets_out_of_range(df: pd.DataFrame, start: str, end: str, documents: pd.DataFrame) -> pd.DataFrame:
    """Rows whose optional (start, end) pair, e.g. a quote's cue or speaker
    mention, does not lie inside its document. Rows without the pair pass."""
    located = df.dropna(subset=[start])
    lengths = located["doc_id"].map(documents.set_index("doc_id")["text"].str.len())
    bad = lengths.isna() | (located[start] < 0) | (located[end] <= located[start]) | (located[end] > lengths)
    return located[bad]


def orphans(child: pd.DataFrame, key: str, parent: pd.DataFrame, parent_key: str | None = None) -> pd.DataFrame:
    """Rows of child whose key has no match in parent (a broken foreign key)."""
    present = child[key].notna().to_numpy()
    return child[present & ~is_in(child[key], parent[parent_key or key])]


def is_in(values: pd.Series, known: pd.Series) -> np.ndarray:
    """values.isin(known) as a numpy mask, by Arrow's hash lookup: pandas 3
    builds a Python scalar per known value first, seconds for a million keys."""
    values_array = pa.array(values, from_pandas=True)
    if pa.types.is_null(values_array.type):  # empty, or nothing but missing values
        return np.zeros(len(values), dtype=bool)
    known_array = pa.array(known, from_pandas=True)
    if known_array.type != values_array.type:
        known_array = known_array.cast(values_array.type)
    return pc.is_in(values_array, value_set=known_array).to_numpy(zero_copy_only=False)


def duplicates(df: pd.DataFrame, key: str) -> pd.DataFrame:
    return df[df[key].duplicated(keep=False)]


def staged_duplicates(table: StagedTable, key: str) -> pd.DataFrame:
    """duplicates() of a staged table, found by DuckDB without loading it
    (only the key column is read unless some key is duplicated)."""
    found = query_staged(f'SELECT "{key}" FROM t GROUP BY 1 HAVING count(*) > 1', t=table)
    if found.empty:
        return table.head(0)
    return query_staged(f'SELECT * FROM t WHERE "{key}" IN (SELECT "{key}" FROM f)', t=table, f=found)


def staged_orphans(child: StagedTable, key: str, parent: StagedTable, parent_key: str | None = None) -> pd.DataFrame:
    """orphans() of staged tables, found by DuckDB without loading them
    (only the key columns are read unless some key has no parent)."""
    found = query_staged(f'SELECT DISTINCT c."{key}" FROM c ANTI JOIN p ON c."{key}" = p."{parent_key or key}" '
                         f'WHERE c."{key}" IS NOT NULL', c=child, p=parent)
    if found.empty:
        return child.head(0)
    return query_staged(f'SELECT * FROM c WHERE "{key}" IN (SELECT "{key}" FROM f)', c=child, f=found)


def sentence_count_mismatches(documents: pd.DataFrame, counts: pd.Series) -> pd.DataFrame:
    """Documents whose n_sentences is not their count of sentence rows (`counts`: doc_id -> rows)."""
    actual = documents["doc_id"].map(counts).fillna(0).astype("int64")
    return documents.loc[actual != documents["n_sentences"], ["doc_id", "source_file", "n_sentences"]].assign(
        counted=actual[actual != documents["n_sentences"]]
    )


def uncovered_text(documents: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Documents with non-whitespace text that no sentence covers: the segmenter
    must never drop words."""
    covered_chars = (sentences["end_char"] - sentences["start_char"]).groupby(sentences["doc_id"]).sum()
    nonspace = pd.Series(_nonspace_counts(documents["text"].tolist()), index=documents.index)
    sentence_texts = sentences["text"].tolist()
    spaces = np.array([len(text) for text in sentence_texts], dtype="int64") - _nonspace_counts(sentence_texts)
    spaces_inside = pd.Series(spaces, index=sentences.index).groupby(sentences["doc_id"]).sum()
    expected = documents["doc_id"].map(covered_chars).fillna(0) - documents["doc_id"].map(spaces_inside).fillna(0)
    return documents.loc[expected != nonspace, ["doc_id", "source_file"]]


def entity_count_mismatches(entities: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Entities whose n_mentions / n_docs disagree with their entity_mentions
    rows, counted in `counts` (entity_id -> n_mentions, n_docs; an entity
    without mentions counts 0 and fails: n_mentions >= 1)."""
    n_mentions = entities["entity_id"].map(counts["n_mentions"]).fillna(0).astype("int64")
    n_docs = entities["entity_id"].map(counts["n_docs"]).fillna(0).astype("int64")
    bad = (n_mentions != entities["n_mentions"]) | (n_docs != entities["n_docs"])
    return entities.loc[bad, ["entity_id", "name", "n_mentions", "n_docs"]].assign(
        counted_mentions=n_mentions[bad], counted_docs=n_docs[bad])


def _nonspace_counts(texts: list[str]) -> np.ndarray:
    """How many characters of each text are not whitespace: str.split() cuts at
    exactly the characters regex \\s matches, and is ten times faster than counting them."""
    return np.array([sum(map(len, text.split())) for text in texts], dtype="int64")

"""Cross-table rules every version must satisfy. Each function returns the
offending rows (empty = the rule holds), so a check can show what broke."""

from __future__ import annotations

import duckdb
import pandas as pd


def span_mismatches(spans: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Rows whose offsets fall outside their document or whose text is not
    exactly documents.text[start_char:end_char]."""
    # One DuckDB join instead of a Python loop over every row: a version has a
    # million tokens. DuckDB's substring and length count code points, as
    # Python's str does. Missing offsets count as outside the document.
    rows = pd.DataFrame({
        "row": range(len(spans)), "doc_id": spans["doc_id"].to_numpy(),
        "s": spans["start_char"].astype("Int64").to_numpy(), "e": spans["end_char"].astype("Int64").to_numpy(),
        "t": spans["text"].to_numpy(),
    }).astype({"s": "Int64", "e": "Int64"})
    docs = documents[["doc_id", "text"]]
    with duckdb.connect() as con:
        con.register("rows", rows)
        con.register("docs", docs)
        found = con.sql("""
            SELECT row, CASE
                WHEN d.text IS NULL THEN 'unknown doc_id'
                WHEN s IS NULL OR e IS NULL OR NOT (0 <= s AND s < e AND e <= length(d.text))
                    THEN 'offsets ' || coalesce(s::VARCHAR, 'null') || ':' || coalesce(e::VARCHAR, 'null')
                         || ' outside document of length ' || length(d.text)::VARCHAR
                ELSE 'text differs from document[' || s::VARCHAR || ':' || e::VARCHAR || ']' END AS problem
            FROM rows LEFT JOIN docs d USING (doc_id)
            WHERE d.text IS NULL OR s IS NULL OR e IS NULL OR NOT (0 <= s AND s < e AND e <= length(d.text))
               OR substring(d.text, s + 1, e - s) IS DISTINCT FROM t
            ORDER BY row
        """).df()
    bad = spans.iloc[found["row"].to_numpy()].copy()
    bad["problem"] = found["problem"].to_numpy()
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

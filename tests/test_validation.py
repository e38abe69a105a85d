"""The offsets rule every table's check applies: text == documents.text[start:end], in code points."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from conftest import SEEDS
from pipeline import validation
from pipeline.validation import span_mismatches


def expected_problem(texts: dict, doc_id, start, end, text):
    doc = texts.get(doc_id)
    if doc is None:
        return "unknown doc_id"
    if pd.isna(start) or pd.isna(end) or not 0 <= start < end <= len(doc):
        return "outside"
    return None if doc[int(start):int(end)] == text else "differs"


@pytest.mark.parametrize("compare_bytes", [validation.COMPARE_BYTES, 37])  # 37: spans compared in many slices
def test_span_mismatches_agrees_with_slicing_the_seed_articles(monkeypatch, compare_bytes):
    monkeypatch.setattr(validation, "COMPARE_BYTES", compare_bytes)
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    texts["emoji"] = "Corbyn 😀 said “no” to £3m."  # characters outside the BMP count once, as in Python
    rng = random.Random(7)
    rows = []
    for _ in range(3000):
        doc_id = rng.choice([*texts, "missing"])
        doc = texts.get(doc_id, "x" * 50)
        start = rng.randrange(0, len(doc))
        end = start + rng.randrange(1, 40)
        text = doc[start:end]
        kind = rng.random()
        if kind < 0.1:
            text = text[:-1] + "#"
        elif kind < 0.15:
            end = len(doc) + rng.randrange(1, 5)
        elif kind < 0.18:
            start, end = end, start
        rows.append((doc_id, start, end, text))
    rows.append(("emoji", None, 3, "Cor"))
    rows.append((None, 0, 3, "Cor"))  # no doc_id at all: unknown, whatever the offsets
    spans = pd.DataFrame(rows, columns=["doc_id", "start_char", "end_char", "text"],
                         index=pd.RangeIndex(100, 100 + len(rows)))
    spans["start_char"] = spans["start_char"].astype("Int64")
    documents = pd.DataFrame({"doc_id": list(texts), "text": list(texts.values())})

    bad = span_mismatches(spans, documents)

    expected = {i: p for i, r in zip(spans.index, rows) if (p := expected_problem(texts, *r))}
    assert 300 < len(expected) < 1500  # every kind of problem is exercised, and most rows are fine
    assert list(bad.index) == sorted(expected)
    for row, problem in bad["problem"].items():
        want = expected[row]
        assert problem.startswith({"unknown doc_id": "unknown doc_id", "outside": "offsets ",
                                   "differs": "text differs"}[want]), (row, problem)
    pd.testing.assert_frame_equal(bad.drop(columns="problem"), spans.loc[bad.index])


def test_span_mismatches_of_a_clean_table_is_empty():
    text = "Jeremy Corbyn said “no”."
    documents = pd.DataFrame({"doc_id": ["d"], "text": [text]})
    spans = pd.DataFrame({"doc_id": ["d", "d"], "start_char": [0, 19], "end_char": [13, 23],
                          "text": ["Jeremy Corbyn", "“no”"]})
    assert span_mismatches(spans, documents).empty


def test_keys_checked_by_duckdb_find_exactly_what_pandas_finds(tmp_path):
    """Unique keys and foreign keys of staged tables are checked by DuckDB over the files."""
    from pipeline.staged import StagedTable
    from pipeline.validation import duplicates, orphans, staged_duplicates, staged_orphans

    parents = pd.DataFrame({"entity_id": ["E1", "E2", "E3"], "name": ["a", "b", "c"]})
    children = pd.DataFrame({"quote_id": ["q1", "q2", "q3", "q2", "q5"],
                             "speaker_entity_id": ["E1", None, "E9", "E2", "E8"], "text": ["x"] * 5})
    parents.to_parquet(tmp_path / "entities.parquet")
    children.to_parquet(tmp_path / "quotes.parquet")
    entities, quotes = StagedTable(str(tmp_path / "entities.parquet")), StagedTable(str(tmp_path / "quotes.parquet"))
    found = staged_orphans(quotes, "speaker_entity_id", entities, "entity_id")
    assert sorted(found["quote_id"]) == ["q3", "q5"]  # a missing id is no orphan
    assert sorted(found["quote_id"]) == sorted(orphans(children, "speaker_entity_id", parents, "entity_id")["quote_id"])
    assert list(found.columns) == list(children.columns)
    doubled = staged_duplicates(quotes, "quote_id")
    assert sorted(doubled["speaker_entity_id"].fillna("-")) == ["-", "E2"]
    assert len(doubled) == len(duplicates(children, "quote_id"))
    clean = StagedTable(str(tmp_path / "entities.parquet"))
    assert staged_duplicates(clean, "entity_id").empty and list(staged_duplicates(clean, "entity_id").columns) == \
        ["entity_id", "name"]
    assert staged_orphans(clean, "entity_id", clean).empty

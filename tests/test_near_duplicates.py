"""Near-duplicate articles are grouped (never dropped): exact copies and light
rewrites of a seed join its group, different articles do not."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from conftest import SEEDS
from pipeline.ingest import ingest_folder
from pipeline.near_duplicates import group_near_duplicates


def _rewrite(text: str, rng: random.Random, share: float) -> str:
    """A light edit: drop and swap a few words, as a syndicated copy would."""
    words = text.split(" ")
    for _ in range(int(len(words) * share)):
        i = rng.randrange(len(words))
        if rng.random() < 0.5:
            del words[i]
        else:
            words[i] = words[i].upper()
    return " ".join(words)


@pytest.fixture(scope="module")
def seed_articles():
    articles, _ = ingest_folder(SEEDS)
    return articles.sort_values("source_file", ignore_index=True)


def test_copies_and_light_rewrites_join_their_original_and_nothing_else(seed_articles):
    rng = random.Random(7)
    rows = list(seed_articles[["doc_id", "text"]].itertuples(index=False))
    truth = {}
    for n, (doc_id, text) in enumerate(list(rows)):
        rows.append((f"copy{n}", text))
        rows.append((f"edit{n}", _rewrite(text, rng, 0.01)))
        truth[f"copy{n}"] = truth[f"edit{n}"] = doc_id
    groups = group_near_duplicates(pd.DataFrame(rows, columns=["doc_id", "text"])).set_index("doc_id")
    for copy, original in truth.items():
        assert groups.loc[copy, "duplicate_group"] == original, copy
    # the five seeds share a topic and many names but are different articles
    originals = groups.loc[list(seed_articles["doc_id"])]
    assert list(originals["duplicate_group"]) == list(seed_articles["doc_id"])
    assert (originals["duplicate_similarity"] == 1.0).all()
    assert (groups.loc[list(truth), "duplicate_similarity"] >= 0.8).all()


def test_a_heavy_rewrite_is_not_a_duplicate(seed_articles):
    text = seed_articles["text"][0]
    rewritten = _rewrite(text, random.Random(1), 0.4)
    groups = group_near_duplicates(pd.DataFrame({"doc_id": ["a", "b"], "text": [text, rewritten]}))
    assert groups["duplicate_group"].isna().all()


def test_documents_table_records_groups(seeds_warehouse):
    from pipeline.warehouse import Warehouse

    documents = Warehouse(seeds_warehouse).read_table("documents")
    assert {"duplicate_group", "duplicate_similarity"} <= set(documents.columns)
    assert documents["duplicate_group"].isna().all()  # the seeds are five different articles


def test_bad_threshold_is_refused():
    with pytest.raises(ValueError):
        group_near_duplicates(pd.DataFrame({"doc_id": [], "text": []}), threshold=0)

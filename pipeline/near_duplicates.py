"""Exact and near-duplicate articles: syndicated copies, light rewrites.

Each article becomes a MinHash of its word 5-grams (datasketch); a MinHash
LSH index proposes candidate pairs above the similarity threshold, and a
candidate joins a group only if its estimated Jaccard similarity to an
article already in the group reaches the threshold. Duplicates are recorded,
never dropped: the group id is the doc_id of the group's first article in
input order, and the similarity is to that article.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from datasketch import MinHash, MinHashLSH

DEFAULT_THRESHOLD = 0.8
NUM_PERM = 128
SHINGLE_WORDS = 5
_WORD = re.compile(r"\w+")
DUPLICATE_COLUMNS = ["doc_id", "duplicate_group", "duplicate_similarity"]


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    words = _WORD.findall(text.lower())
    if not words:  # only marks or symbols: the text itself, or every such article would look alike
        return {text.strip().encode()}
    if len(words) <= size:
        return {" ".join(words).encode()}
    return {" ".join(words[i:i + size]).encode() for i in range(len(words) - size + 1)}


def minhash(text: str) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, seed=1)
    m.update_batch(list(shingles(text)))
    return m


def group_near_duplicates(articles: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """articles (doc_id, text, in input order) -> doc_id, duplicate_group (null
    for an article with no duplicate), duplicate_similarity."""
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    hashes: dict[str, MinHash] = {}
    group_of: dict[str, str] = {}
    similarity: dict[str, float] = {}
    for doc_id, text in zip(articles["doc_id"], articles["text"]):
        m = minhash(text)
        best_group, best = None, 0.0
        for other in lsh.query(m):
            group = group_of.get(other, other)
            score = m.jaccard(hashes[group])  # to the group's first article, the one its id names
            if score >= threshold and score > best:
                best_group, best = group, score
        if best_group is not None:
            group_of[doc_id] = best_group
            group_of.setdefault(best_group, best_group)
            similarity[doc_id] = best
            similarity[best_group] = 1.0
        hashes[doc_id] = m
        lsh.insert(doc_id, m)
    ids = list(articles["doc_id"])
    return pd.DataFrame({
        "doc_id": ids,
        "duplicate_group": [group_of.get(d) for d in ids],
        "duplicate_similarity": np.array([similarity.get(d, np.nan) for d in ids], dtype="float64"),
    }, columns=DUPLICATE_COLUMNS)

"""Exact and near-duplicate articles: syndicated copies, light rewrites.

Each article becomes a MinHash of its word 5-grams (datasketch); articles
sharing a locality-sensitive band of it (datasketch's MinHashLSH bands for
the similarity threshold) are candidate pairs, and a candidate joins a group
only if its estimated Jaccard similarity to the group's first article
reaches the threshold. Duplicates are recorded,
never dropped: the group id is the doc_id of the group's first article in
input order, and the similarity is to that article.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from datasketch import MinHash, MinHashLSH

from pipeline.files import store_in_cache

DEFAULT_THRESHOLD = 0.8
NUM_PERM = 128
SEED = 1
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


# how datasketch turns shingles into hash values; cached values are only comparable under the same one
SCHEME = MinHash(num_perm=NUM_PERM, seed=SEED).scheme


def minhash(text: str) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, seed=SEED)
    m.update_batch(list(shingles(text)))
    return m


def text_key(text: str) -> str:
    """What a signature is cached under: the text it was computed from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def group_near_duplicates(articles: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD,
                          signatures: Mapping[str, np.ndarray] | None = None) -> pd.DataFrame:
    """articles (doc_id, text, in input order) -> doc_id, duplicate_group (null
    for an article with no duplicate), duplicate_similarity. `signatures`
    (doc_id -> MinHash hash values of its text) spares hashing those texts
    again; with a signature for every article, `text` may be left out.

    The candidates of an article are the earlier ones sharing an LSH band with
    it, with datasketch's bands for this threshold; each joins the group, among
    its candidates', of highest similarity to the group's first article (ties:
    the earliest group). The signatures are one array and the bands are matched
    by sorting, not kept in an index of a set per band value: at 100,000
    articles that index (MinHashLSH) held some 330 MB."""
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    signatures = signatures or {}
    ids = articles["doc_id"].tolist()
    texts = articles["text"].tolist() if "text" in articles else [None] * len(ids)
    matrix = np.empty((len(ids), NUM_PERM), dtype=np.uint32)  # datasketch's hash values are 32-bit
    for row, (doc_id, text) in enumerate(zip(ids, texts)):
        known = signatures.get(doc_id)
        matrix[row] = minhash(text).hashvalues if known is None else known
    group_of: dict[int, int] = {}
    similarity: dict[int, float] = {}
    for row, earlier in sorted(_band_candidates(matrix, threshold).items()):
        best_group, best = None, 0.0
        for group in sorted({group_of.get(other, other) for other in earlier}):
            score = np.count_nonzero(matrix[row] == matrix[group]) / NUM_PERM  # to the group's first article
            if score >= threshold and score > best:
                best_group, best = group, score
        if best_group is not None:
            group_of[row] = best_group
            group_of.setdefault(best_group, best_group)
            similarity[row] = best
            similarity[best_group] = 1.0
    return pd.DataFrame({
        "doc_id": ids,
        "duplicate_group": [ids[group_of[row]] if row in group_of else None for row in range(len(ids))],
        "duplicate_similarity": np.array([similarity.get(row, np.nan) for row in range(len(ids))], dtype="float64"),
    }, columns=DUPLICATE_COLUMNS)


def _band_candidates(matrix: np.ndarray, threshold: float) -> dict[int, list[int]]:
    """row -> the earlier rows sharing at least one LSH band with it (bands as datasketch's MinHashLSH cuts them)."""
    candidates: dict[int, set[int]] = {}
    for start, end in MinHashLSH(threshold=threshold, num_perm=NUM_PERM).hashranges:
        band = np.ascontiguousarray(matrix[:, start:end]).view(np.dtype((np.void, 4 * (end - start)))).ravel()
        _, bucket = np.unique(band, return_inverse=True)
        order = np.argsort(bucket, kind="stable")  # rows of one bucket together, in input order
        edges = np.flatnonzero(np.diff(bucket[order])) + 1
        for members in np.split(order, edges):
            for n in range(1, len(members)):
                candidates.setdefault(int(members[n]), set()).update(members[:n].tolist())
    return {row: sorted(earlier) for row, earlier in candidates.items()}


class SignatureCache:
    """MinHash signatures kept across runs in WAREHOUSE/_cache/minhash/<key>/, keyed by
    the sha256 of the article text they were computed from, so a re-run hashes only new
    text. The folder's key names datasketch's scheme and this module's source: a change
    to the shingling starts a new folder, and the old one is removed. One .npz per run
    that computed any signature."""

    def __init__(self, warehouse_root: Path):
        source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
        self.root = Path(warehouse_root) / "_cache" / "minhash"
        self.folder = self.root / f"{SCHEME}-{source}"

    def load(self, keys: set[str] | None = None) -> dict[str, np.ndarray]:
        """Cached signatures by text key: of these keys, or (None) all of them."""
        found: dict[str, np.ndarray] = {}
        for path in sorted(self.folder.glob("*.npz")):
            with np.load(path) as stored:
                for key, row in zip(stored["keys"], stored["signatures"]):
                    if keys is None or str(key) in keys:
                        found[str(key)] = row
        return found

    def signatures(self, articles: pd.DataFrame | Iterable[pd.DataFrame], run_id: str,
                   reuse: bool = True) -> tuple[dict[str, np.ndarray], int]:
        """doc_id -> MinHash hash values for these articles (doc_id, text: a
        table, or batches of one), hashing only texts not cached (all of them
        when not `reuse`); the new ones are stored. Also returns how many texts
        were hashed."""
        batches = [articles] if isinstance(articles, pd.DataFrame) else articles
        known = self.load() if reuse else {}
        found: dict[str, np.ndarray] = {}
        computed: dict[str, np.ndarray] = {}
        for batch in batches:
            for doc_id, text in zip(batch["doc_id"].tolist(), batch["text"].tolist()):
                key = text_key(text)
                signature = known.get(key)
                if signature is None:
                    signature = computed.get(key)
                if signature is None:
                    signature = computed[key] = minhash(text).hashvalues
                found[doc_id] = signature
        self.store(run_id, computed)
        return found, len(computed)

    def store(self, run_id: str, computed: dict[str, np.ndarray]) -> None:
        data = None
        if computed:
            buffer = io.BytesIO()
            np.savez(buffer, keys=np.array(list(computed), dtype=str), signatures=np.stack(list(computed.values())))
            data = buffer.getvalue()
        store_in_cache(self.root, self.folder, run_id, ".npz", data)

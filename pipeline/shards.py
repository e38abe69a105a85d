"""Planning the NLP stage: which articles need parsing, in which shards.

Parsing is most of a run's time, and its output for an article depends only
on the article's text (its doc_id is derived from it), its sentence
boundaries, the model and the parsing code. So an article whose four inputs
are unchanged since the previous version keeps its tokens from that version;
the rest are cut into even shards of at most `shard_words` words that can be
parsed in parallel processes. The later stages carry over what they can too
(pipeline.carry, pipeline.entities).
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

DEFAULT_SHARD_WORDS = 100_000
NLP_CODE = Path(__file__).with_name("nlp.py")


def nlp_fingerprint(model_info: dict) -> str:
    """What a parse depends on besides the text: the model (its name, version
    and, for a model on disk, every file's bytes but its README) and the parsing code."""
    source = str(model_info.get("path") or model_info.get("source") or "")
    return _fingerprint(str(model_info.get("name")), str(model_info.get("version")), source)


@functools.lru_cache(maxsize=4)
def _fingerprint(name: str, version: str, source_path: str) -> str:
    """Cached: the plan and the commit both ask, and hashing a model's files costs ~0.1 s."""
    digest = hashlib.sha256()
    digest.update(f"{name}\0{version}\0".encode())
    source = Path(source_path)
    if source_path and source.is_dir():
        # every file but documentation: a model card edit does not change a parse
        for path in sorted(p for p in source.rglob("*") if p.is_file() and p.suffix.lower() != ".md"):
            digest.update(path.relative_to(source).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(NLP_CODE.read_bytes())
    return digest.hexdigest()[:16]


def previous_fingerprint(manifest: dict) -> str | None:
    """The NLP fingerprint a version's manifest records (None before it was recorded)."""
    return manifest.get("model", {}).get("nlp", {}).get("nlp_fingerprint")


def sentence_layout(sentences: pd.DataFrame) -> pd.Series:
    """doc_id -> one string describing its sentence boundaries (equal strings, equal boundaries)."""
    if sentences.empty:
        return pd.Series(dtype="object")
    ordered = sentences.sort_values(["doc_id", "sentence_index"])
    return ordered.groupby("doc_id")["start_char"].agg(lambda s: ",".join(map(str, s)))


def staged_sentence_layouts(files: list[Path]) -> pd.Series:
    """sentence_layout of a sentences table on disk, computed by DuckDB without loading it."""
    from pipeline.staged import query_staged

    if not files:
        return pd.Series(dtype="object")
    layouts = query_staged("SELECT doc_id, string_agg(CAST(start_char AS VARCHAR), ',' ORDER BY sentence_index) "
                           "AS layout FROM s GROUP BY doc_id", s=files)
    return layouts.set_index("doc_id")["layout"]


def word_counts(articles: pd.DataFrame) -> pd.Series:
    """doc_id -> whitespace-separated words of its text, in the articles' order."""
    return pd.Series([len(text.split()) for text in articles["text"].tolist()], index=articles["doc_id"].tolist(),
                     dtype="int64")


@dataclass
class NlpPlan:
    carried: list[str] = field(default_factory=list)  # doc_ids whose previous tokens are reused
    shards: list[list[str]] = field(default_factory=list)  # doc_ids to parse, shard by shard
    words: list[int] = field(default_factory=list)  # approximate words per shard

    @property
    def n_to_parse(self) -> int:
        return sum(len(s) for s in self.shards)


def plan_nlp(
    words: pd.Series,
    layouts: pd.Series,
    previous_layouts: pd.Series | None,
    previous_tokens_doc_ids: set[str],
    same_fingerprint: bool,
    shard_words: int = DEFAULT_SHARD_WORDS,
    workers: int = 1,
) -> NlpPlan:
    """Carry an article over when the previous version parsed the same text
    (same doc_id) with the same sentence boundaries (`layouts`, by
    sentence_layout) under the same model and code; shard the others in input
    order (the order of `words`: doc_id -> word_counts), at most ~`shard_words` words each.

    Shards are of equal size, and their number is a multiple of `workers`:
    with 9 shards on 2 workers, the last one would be parsed while a core idles."""
    if shard_words < 1:
        raise ValueError(f"shard_words must be positive, got {shard_words}")
    plan = NlpPlan()
    reusable: set[str] = set()
    if same_fingerprint and previous_layouts is not None and previous_tokens_doc_ids:
        common = layouts.index.intersection(previous_layouts.index)
        same = (layouts[common] == previous_layouts[common]).to_numpy()
        reusable = {d for d in common[same] if d in previous_tokens_doc_ids}
    to_parse = []
    for doc_id, n in zip(words.index.tolist(), words.tolist()):
        if doc_id in reusable:
            plan.carried.append(doc_id)
        else:
            to_parse.append((doc_id, n))
    if not to_parse:
        return plan
    total = sum(n for _, n in to_parse)
    n_shards = max(1, math.ceil(total / shard_words))
    n_shards = min(len(to_parse), math.ceil(n_shards / max(1, workers)) * max(1, workers))
    size = total / n_shards or 1  # articles left without words by cleaning all go to the first shard
    before, current = 0, -1
    for doc_id, n in to_parse:  # an article goes to the shard its middle word falls in
        shard = min(n_shards - 1, int((before + n / 2) / size))
        if shard != current:
            plan.shards.append([])
            plan.words.append(0)
            current = shard
        plan.shards[-1].append(doc_id)
        plan.words[-1] += n
        before += n
    return plan

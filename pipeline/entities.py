"""The entity tables: `entity_mentions` (every mention, with its entity) and
`entities` (one row per real-world entity across the corpus).

    mentions (pipeline.mentions) -> in-document clusters (pipeline.resolution)
    -> corpus entities (pipeline.linking) -> stable ids (pipeline.entity_ids)
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from spacy.tokens import Doc

from pipeline.coref import sentence_number
from pipeline.entity_ids import CHANGE_COLUMNS, assign_ids
from pipeline.linking import DocCluster, link_clusters
from pipeline.mentions import find_mentions
from pipeline.resolution import resolve_document

MENTION_COLUMNS = [
    "mention_id", "doc_id", "entity_id", "start_char", "end_char", "text", "type", "kind", "sentence_index",
    "resolution", "corpus_link", "confidence",
]
ENTITY_COLUMNS = ["entity_id", "name", "type", "aliases", "n_docs", "n_mentions"]


def extract_entities(
    docs: Iterable[tuple[str, Doc]], previous: pd.DataFrame | None = None,
    person_share: dict[str, float] | None = None, previous_mentions: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(doc_id, parsed Doc) pairs and the previous version's `entities` ->
    (entity_mentions, entities, entity_changes). `person_share` is
    mentions.person_word_share over the corpus's tokens; the previous
    version's `entity_mentions` tell entities of the same name apart by the
    articles they were in."""
    rows: list[dict] = []
    clusters: list[DocCluster] = []
    for doc_id, doc in docs:
        resolved, doc_clusters = resolve_document(doc, find_mentions(doc, person_share))
        members: dict[int, list] = {}
        for n, r in enumerate(resolved):
            span = doc[r.mention.start:r.mention.end]
            members.setdefault(r.cluster, []).append(r)
            rows.append({
                "mention_id": f"{doc_id}-m{n}", "doc_id": doc_id, "cluster": r.cluster,
                "start_char": span.start_char, "end_char": span.end_char, "text": span.text,
                "kind": r.mention.kind, "sentence_index": sentence_number(doc[r.mention.start]),
                "resolution": r.resolution, "confidence": r.confidence,
            })
        for index, cluster in enumerate(doc_clusters):
            clusters.append(DocCluster(
                doc_id=doc_id, cluster=index, label=cluster.label, name=cluster.name, key=cluster.key,
                alias_keys={r.key for r in members[index] if r.key}, n_mentions=len(members[index])))
    entities, assignment = link_clusters(clusters)
    ids, changes = assign_ids(entities, previous, assignment, previous_mentions)
    mentions = _mention_table(rows, entities, ids, assignment)
    return mentions, _entity_table(mentions, entities, ids), changes


def _mention_table(rows, entities, ids, assignment) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in MENTION_COLUMNS})
    table = pd.DataFrame(rows)
    keep = [(d, c) in assignment for d, c in zip(table["doc_id"], table["cluster"])]
    table = table[keep].reset_index(drop=True)
    if table.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in MENTION_COLUMNS})
    linked = [assignment[(d, c)] for d, c in zip(table["doc_id"], table["cluster"])]
    table["entity_id"] = [ids[e] for e, _, _ in linked]
    table["type"] = [entities[e].label for e, _, _ in linked]
    table["corpus_link"] = [link for _, link, _ in linked]
    table["confidence"] = table["confidence"] * [conf for _, _, conf in linked]
    return table[MENTION_COLUMNS]


def _entity_table(mentions: pd.DataFrame, entities, ids) -> pd.DataFrame:
    if mentions.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in ENTITY_COLUMNS})
    stats = mentions.groupby("entity_id").agg(
        n_docs=("doc_id", "nunique"), n_mentions=("mention_id", "size"),
        aliases=("text", lambda texts: sorted(set(texts))))
    table = pd.DataFrame({"entity_id": ids, "name": [e.name for e in entities], "type": [e.label for e in entities]})
    table = table.join(stats, on="entity_id")
    return table[ENTITY_COLUMNS].sort_values(["n_mentions", "entity_id"], ascending=[False, True], ignore_index=True)


__all__ = ["CHANGE_COLUMNS", "ENTITY_COLUMNS", "MENTION_COLUMNS", "extract_entities"]

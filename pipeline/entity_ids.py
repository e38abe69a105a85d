"""Stable entity ids across versions.

A new entity's id is a hash of its label kind and canonical name key, so two
runs on the same input agree. An entity that existed in the previous version
keeps that version's id even when its canonical name grows ("Corbyn" ->
"Jeremy Corbyn") or articles are added. When two previous entities now are
one, the survivor keeps its id and the other is recorded as `merged`; when one
previous entity is now several, the largest keeps the id and the others are
recorded as `split`; a kept id with a new canonical name is `renamed`.
"""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from collections.abc import Callable

import pandas as pd

from pipeline.linking import Entity, coarse
from pipeline.mentions import PERSON_TITLES
from pipeline.resolution import name_key

CHANGE_COLUMNS = ["entity_id", "change", "previous_entity_id", "previous_name", "name", "type"]


def new_entity_id(label: str, key: str) -> str:
    return "E" + hashlib.sha256(f"{coarse(label)}|{key}".encode()).hexdigest()[:15]


@functools.lru_cache(maxsize=1 << 16)  # a corpus repeats its names: a million lookups, a few thousand keys
def alias_key(alias: str) -> str:
    words = alias.split()
    while len(words) > 1 and words[0].lower().rstrip(".") in PERSON_TITLES:
        words = words[1:]
    return name_key(words)


# Which articles entities were in: asked only of the few entities whose name several
# previous entities share, so that nothing holds every entity's articles.
EntityDocs = Callable[[set[int]], dict[int, set[str]]]  # entity indices -> their doc_ids
PreviousDocs = Callable[[set[str]], dict[str, set[str]]]  # previous entity ids -> their doc_ids


def assign_ids(
    entities: list[Entity], previous: pd.DataFrame | None,
    entity_docs: EntityDocs | None = None, previous_docs: PreviousDocs | None = None,
) -> tuple[list[str], pd.DataFrame]:
    """-> (one id per entity, the change records against `previous`, the
    previous version's entities table or None). Told which articles each
    entity is in now (`entity_docs`) and was in (`previous_docs`: by the
    previous version's `entity_mentions`), a name shared by several entities
    keeps, for each, the id of the one that was in the same articles,
    whatever order the entities come in."""
    by_key, by_alias, prev_name, prev_size = _previous_index(previous)
    order = sorted(range(len(entities)), key=lambda i: (-entities[i].n_mentions, entities[i].key))

    def candidates(i: int) -> tuple[set[str], set[str]]:
        """Previous ids of the same canonical name, and of related names: one whose canonical
        name is one of this entity's forms ("Corbyn" grown into "Jeremy Corbyn") or that had
        one of its distinctive forms as an alias."""
        e, kind = entities[i], coarse(entities[i].label)
        same_name, alias_keys = by_key.get((kind, e.key), set()), e.alias_keys
        related = set().union(
            *(by_key.get((kind, k), set()) for k in alias_keys),
            *(by_alias.get((kind, k), set()) for k in alias_keys if _distinctive(k, kind))) - same_name
        return same_name, related

    groups = {i: candidates(i) for i in order}
    # Most articles in common first, then the biggest: articles matter only between several candidates.
    ambiguous = {i for i, pair in groups.items() if max(map(len, pair)) > 1}
    here = entity_docs(ambiguous) if entity_docs and ambiguous else {}
    before = previous_docs({p for i in ambiguous for group in groups[i] for p in group}) \
        if previous_docs and ambiguous else {}
    found = {i: tuple(sorted(group, key=lambda p: (-len(here.get(i, set()) & before.get(p, set())), -prev_size[p], p))
                      for group in pair) for i, pair in groups.items()}  # both passes below ask for them

    ids: list[str | None] = [None] * len(entities)
    claimed: dict[str, int] = {}
    # First every entity whose canonical name is unchanged keeps its id, so that a related
    # bigger entity ("Craig Barkley") cannot take the id of a "Barkley" that is still there.
    for i in order:
        free = [pid for pid in found[i][0] if pid not in claimed]
        if free:
            ids[i] = free[0]
            claimed[free[0]] = i
    changes = []
    for i in order:
        e = entities[i]
        same_name, related = found[i]
        free = [pid for pid in same_name + related if pid not in claimed]
        if ids[i] is None and free:
            ids[i], free = free[0], free[1:]
        elif ids[i] is None:
            ids[i] = _fresh_id(e, claimed)
            changes += [_change(ids[i], "split", pid, prev_name[pid], e) for pid in (same_name + related)[:1]]
        if ids[i] in prev_name and prev_name[ids[i]] != e.name:
            changes.append(_change(ids[i], "renamed", ids[i], prev_name[ids[i]], e))
        changes += [_change(ids[i], "merged", pid, prev_name[pid], e) for pid in free]
        for pid in free:
            claimed[pid] = i
        claimed[ids[i]] = i
    return ids, pd.DataFrame(changes, columns=CHANGE_COLUMNS)


def docs_from_assignment(assignment: dict[tuple[str, int], tuple[int, str, float]]) -> EntityDocs:
    """entity_docs from link_clusters' assignment."""
    def of(indices: set[int]) -> dict[int, set[str]]:
        found: dict[int, set[str]] = defaultdict(set)
        for (doc_id, _), (e, _, _) in assignment.items():
            if e in indices:
                found[e].add(doc_id)
        return found
    return of


def docs_from_mentions(mentions: pd.DataFrame | None) -> PreviousDocs:
    """previous_docs from a version's entity_mentions (entity_id, doc_id)."""
    def of(entity_ids: set[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        if mentions is not None:
            for entity_id, doc_id in zip(mentions["entity_id"].tolist(), mentions["doc_id"].tolist()):
                if entity_id in entity_ids:
                    found[entity_id].add(doc_id)
        return found
    return of


def _distinctive(key: str, kind: str) -> bool:
    """A bare surname is not evidence of identity between versions (two Corbyns)."""
    return kind != "PERSON" or len(key.split()) >= 2


def _previous_index(previous: pd.DataFrame | None):
    by_key, by_alias = defaultdict(set), defaultdict(set)
    prev_name, prev_size = {}, {}
    if previous is None or previous.empty:
        return by_key, by_alias, prev_name, prev_size
    for row in previous.itertuples(index=False):
        kind = coarse(row.type)
        by_key[(kind, name_key(row.name.split()))].add(row.entity_id)
        for alias in row.aliases:
            by_alias[(kind, alias_key(alias))].add(row.entity_id)
        prev_name[row.entity_id] = row.name
        prev_size[row.entity_id] = int(row.n_mentions)
    return by_key, by_alias, prev_name, prev_size


def _fresh_id(e: Entity, claimed: dict[str, int]) -> str:
    candidate, n = new_entity_id(e.label, e.key), 1
    while candidate in claimed:
        n += 1
        candidate = new_entity_id(e.label, f"{e.key}#{n}")
    return candidate


def _change(entity_id: str, change: str, previous_id: str, previous_name: str, e: Entity) -> dict:
    return {"entity_id": entity_id, "change": change, "previous_entity_id": previous_id,
            "previous_name": previous_name, "name": e.name, "type": e.label}

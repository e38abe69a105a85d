"""Cross-document linking: one entity per real-world entity across the corpus.

In-document clusters (pipeline.resolution) are grouped by their canonical
name key. A cluster known only by a short form joins the one entity the
corpus knows it as: a surname ("Berger") the full name of exactly one
person, an acronym ("JLM") the expansion some article defined, a short name
("Labour") the entity that has it as an alias. Near-miss spellings join the
more frequent spelling with a recorded confidence.

Everything is blocked by key (dictionaries, no all-pairs comparison), so the
cost grows with the number of mentions, not with its square. Linking never
holds the clusters themselves: a `Linker` reads them once, summing them per
(name key, label), and keeps one `Part` per (kind, name key), so its memory
grows with the names a corpus has, not with its articles.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from pipeline.resolution import FUZZY_CONFIDENCE, near_miss_pairs, short_forms

PLACE_LABELS = {"GPE", "LOC", "FAC"}


class DocCluster(NamedTuple):
    """One in-document cluster, as linking sees it (a named tuple: linking
    unpickles millions of them at scale, three times faster than a dataclass)."""
    doc_id: str
    cluster: int
    label: str
    name: str
    key: str  # canonical name key
    alias_keys: tuple[str, ...]  # name keys of all its mentions, each once
    n_mentions: int


@dataclass(slots=True)
class Part:
    """The clusters of one (kind, name key), summed: what linking needs of them.
    Dicts keep the order in which clusters first brought a name or label (a
    tie between labels goes to the one seen first)."""
    key: str
    n_clusters: int = 0
    n_mentions: int = 0
    alias_counts: dict[str, int] = field(default_factory=dict)  # alias key -> clusters using it
    names: dict[str, int] = field(default_factory=dict)  # name -> mentions
    labels: dict[str, int] = field(default_factory=dict)  # label -> mentions

    def add(self, cluster: DocCluster, label: str) -> None:
        self.n_clusters += 1
        self.n_mentions += cluster.n_mentions
        for key in cluster.alias_keys:
            self.alias_counts[key] = self.alias_counts.get(key, 0) + 1
        self.names[cluster.name] = self.names.get(cluster.name, 0) + cluster.n_mentions
        self.labels[label] = self.labels.get(label, 0) + cluster.n_mentions

    def absorb(self, other: Part, label: str) -> None:
        """Add the clusters `other` summed, all of them now of `label`."""
        self.n_clusters += other.n_clusters
        self.n_mentions += other.n_mentions
        for key, n in other.alias_counts.items():
            self.alias_counts[key] = self.alias_counts.get(key, 0) + n
        for name, n in other.names.items():
            self.names[name] = self.names.get(name, 0) + n
        self.labels[label] = self.labels.get(label, 0) + other.n_mentions


@dataclass
class Entity:
    key: str
    label: str
    name: str
    parts: list[Part] = field(default_factory=list)
    link: str = "name"  # how its clusters were joined at corpus level, worst case
    confidence: float = 1.0

    @property
    def n_mentions(self) -> int:
        return sum(p.n_mentions for p in self.parts)

    @property
    def n_clusters(self) -> int:
        return sum(p.n_clusters for p in self.parts)

    @property
    def alias_keys(self) -> set[str]:
        return set().union(*(p.alias_counts for p in self.parts))


def coarse(label: str) -> str:
    """Labels that name the same kind of thing: NER often calls a country GPE in one article, LOC in another."""
    return "PLACE" if label in PLACE_LABELS else label


class Linker:
    """Links clusters: `add` every cluster, then `link`. Afterwards
    `entity_of` tells a cluster's entity (entity index, link, confidence), or
    None for a role no article ties to one person (left out rather than guessed)."""

    def __init__(self) -> None:
        # clusters summed per (name key, label as found), in the order they first came:
        # a cluster's label at corpus level depends on nothing else (_label)
        self._sums: dict[tuple[str, str], Part] = {}
        self._decided: dict[str, str | None] = {}
        self._of: dict[tuple[str, str], tuple[int, str, float] | None] = {}  # (name key, label as found) -> entity_of
        self.entities: list[Entity] = []

    def add(self, cluster: DocCluster) -> None:
        found = self._sums.get((cluster.key, cluster.label))
        if found is None:
            found = self._sums[(cluster.key, cluster.label)] = Part(cluster.key)
        found.add(cluster, cluster.label)

    def _label(self, key: str, label: str) -> str:
        """The same name typed differently in different articles ("Corbyn" ORG in
        one, PERSON elsewhere) takes the label most of its mentions carry, when
        that majority is clear (two thirds)."""
        decided = self._decided[key]
        return decided if decided is not None and coarse(decided) != coarse(label) else label

    def _parts(self, sums: dict[tuple[str, str], Part]) -> dict[tuple[str, str], Part]:
        """One Part per (kind, name key), in the order their first clusters came."""
        votes: dict[str, Counter] = defaultdict(Counter)
        for (key, label), found in sums.items():
            votes[key][label] += found.n_mentions
        self._decided = {key: _clear_label(labels) for key, labels in votes.items()}
        parts: dict[tuple[str, str], Part] = {}
        for (key, label), found in sums.items():
            label = self._label(key, label)
            part = parts.get((coarse(label), key))
            if part is None:
                part = parts[(coarse(label), key)] = Part(key)
            part.absorb(found, label)
        return parts

    def link(self) -> list[Entity]:
        sums, self._sums = self._sums, {}
        entities = {ident: Entity(key=part.key, label="", name="", parts=[part])
                    for ident, part in self._parts(sums).items()}
        merged_into = _short_form_targets(entities)
        merged_into.update(_near_miss_targets(entities, merged_into))
        final = _merge_groups(entities, merged_into)
        for ident, target in final.items():
            if target != ident:
                entities[target].parts.extend(entities[ident].parts)
                entities[ident].parts = []
        # A role no article ties to one person ("the prime minister" in a corpus of two
        # governments) is no entity: its mentions are left out rather than guessed.
        kept = [ident for ident, e in entities.items() if e.parts and not e.key.startswith("role:")]
        index = {ident: n for n, ident in enumerate(kept)}
        linked = {}
        for ident in entities:
            if final[ident] in index:
                link, confidence = ("name", 1.0) if final[ident] == ident else \
                    merged_into.get(ident, (None, "alias", 1.0))[1:]
                linked[ident] = (index[final[ident]], link, confidence)
        # entity_of asks once per cluster: its answer is looked up, not worked out again
        self._of = {(key, label): linked.get((coarse(self._label(key, label)), key)) for key, label in sums}
        self.entities = [entities[ident] for ident in kept]
        for e in self.entities:
            e.name = _canonical_name(e)
            labels = Counter()
            for part in e.parts:
                for label, n in part.labels.items():
                    labels[label] += n
            e.label = labels.most_common(1)[0][0]
        return self.entities

    def entity_of(self, cluster: DocCluster) -> tuple[int, str, float] | None:
        return self._of.get((cluster.key, cluster.label))


def link_clusters(clusters: Iterable[DocCluster]) -> tuple[list[Entity], dict[tuple[str, int], tuple[int, str, float]]]:
    """-> (entities, {(doc_id, cluster): (entity index, link, confidence)}); link
    says how the cluster joined its entity at corpus level (name | surname | alias | near_miss).
    Clusters of untied roles that found no entity are not in the assignment."""
    clusters = list(clusters)
    linker = Linker()
    for c in clusters:
        linker.add(c)
    entities = linker.link()
    assignment = {(c.doc_id, c.cluster): found for c in clusters if (found := linker.entity_of(c)) is not None}
    return entities, assignment


def _clear_label(labels: Counter) -> str | None:
    by_kind = Counter()
    for label, n in labels.items():
        by_kind[coarse(label)] += n
    kind, n = by_kind.most_common(1)[0]
    if n * 3 < 2 * sum(by_kind.values()):
        return None
    return max((lab for lab in labels if coarse(lab) == kind), key=labels.get)


def _merge_groups(entities: dict, merged_into: dict) -> dict:
    """ident -> the ident its group keeps: merges can chain or even point at
    each other (A an alias of B, B a near miss of A), so they are grouped
    first and the group keeps the entity they were merged into."""
    parent = {ident: ident for ident in entities}

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for ident, (target, _, _) in merged_into.items():
        parent[find(ident)] = find(target)
    groups: dict = defaultdict(list)
    for ident in entities:
        groups[find(ident)].append(ident)
    final = {}
    for members in groups.values():
        # the entity the others were merged into (the full name, the expansion), then the most mentioned
        keeper = min(members, key=lambda i: (i in merged_into, -entities[i].n_mentions, i))
        final.update({i: keeper for i in members})
    return final


def _short_form_targets(entities: dict[tuple[str, str], Entity]) -> dict:
    """Entities whose key is a short form (surname, acronym, alias) of exactly one fuller entity."""
    by_alias: dict[str, set[tuple[str, str]]] = defaultdict(set)
    by_surname: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for ident, e in entities.items():
        for key in e.alias_keys - {e.key}:
            by_alias[key].add(ident)
        if ident[0] == "ORG":
            for key in e.alias_keys:
                for short in short_forms(key):
                    by_alias[short].add(ident)
        words = e.key.split()
        if ident[0] == "PERSON" and len(words) >= 2:
            by_surname[words[-1]].add(ident)
    # (alias key, entity): the entity's clusters using that key, or a short form of their own
    # key (every cluster of an entity has the entity's key here: each entity is one Part)
    support: dict[tuple[str, tuple], int] = Counter()
    for ident, e in entities.items():
        (part,) = e.parts
        shorter = set(short_forms(e.key)) if ident[0] == "ORG" else set()
        for key, n in part.alias_counts.items():
            if key != e.key and key not in shorter:
                support[(key, ident)] += n
        for key in shorter - {e.key}:
            support[(key, ident)] += part.n_clusters
    targets = {}
    for ident, e in entities.items():
        if ident[0] == "PERSON" and len(e.key.split()) == 1 and not e.key.startswith("role:"):
            # a bare surname: only the person of that surname (the alias index
            # cannot be trusted here: "Corbyn" is an alias of two Corbyns)
            candidates, link = by_surname.get(e.key, set()), "surname"
        else:
            candidates, link = {t for t in by_alias.get(e.key, set()) if t != ident and t[0] == ident[0]}, "alias"
        ranked = sorted(candidates, key=lambda t: (-support[(e.key, t)], t))
        if link == "surname" and len(ranked) != 1:
            continue  # two people of that surname in the corpus: no guess
        if not ranked or (len(ranked) > 1 and support[(e.key, ranked[0])] < 3 * support[(e.key, ranked[1])]):
            continue  # nobody, or no clear favourite: "Labour" is an alias of a stray "Ex Labour" span too
        target = ranked[0]
        # A big entity joins another only on corroborated evidence: one article's
        # parse error ("Little Britain" holding "Britain") must not swallow Britain.
        if link == "alias" and e.n_clusters > 2 and support[(e.key, target)] < 2:
            continue
        targets[ident] = (target, link, 1.0)
    return targets


def _near_miss_targets(entities: dict[tuple[str, str], Entity], already: dict) -> dict:
    targets = {}
    by_key: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for ident in entities:
        if ident not in already:
            by_key[ident[1]].append(ident)
    for a, b in near_miss_pairs(list(by_key)):
        for ia in by_key[a]:
            for ib in by_key[b]:
                if ia[0] != ib[0] or ia in targets or ib in targets:
                    continue
                # the rarer spelling joins the commoner one
                right, wrong = sorted((ia, ib), key=lambda i: (-entities[i].n_mentions, i[1]))
                targets[wrong] = (right, "near_miss", FUZZY_CONFIDENCE)
    return targets


def _canonical_name(e: Entity) -> str:
    """The fullest form: most words, then the one most mentions use."""
    weight = Counter()
    named = [p for p in e.parts if not p.key.startswith("role:")] or e.parts
    for part in named:
        for name, n in part.names.items():
            weight[name] += n
    return max(weight, key=lambda n: (len(n.split()) if not n.isupper() else 0, weight[n], n))

"""Cross-document linking: one entity per real-world entity across the corpus.

In-document clusters (pipeline.resolution) are grouped by their canonical
name key. A cluster known only by a short form joins the one entity the
corpus knows it as: a surname ("Berger") the full name of exactly one
person, an acronym ("JLM") the expansion some article defined, a short name
("Labour") the entity that has it as an alias. Near-miss spellings join the
more frequent spelling with a recorded confidence.

Everything is blocked by key (dictionaries, no all-pairs comparison), so the
cost grows with the number of mentions, not with its square.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from pipeline.resolution import FUZZY_CONFIDENCE, near_miss_pairs, short_forms

PLACE_LABELS = {"GPE", "LOC", "FAC"}


@dataclass(slots=True)
class DocCluster:
    """One in-document cluster, as linking sees it."""
    doc_id: str
    cluster: int
    label: str
    name: str
    key: str  # canonical name key
    # name keys of all its mentions, each once: a tuple holds a quarter of a set's memory,
    # and linking holds every article's clusters (20,000 articles: 585,000)
    alias_keys: tuple[str, ...]
    n_mentions: int


@dataclass
class Entity:
    key: str
    label: str
    name: str
    clusters: list[DocCluster] = field(default_factory=list)
    link: str = "name"  # how its clusters were joined at corpus level, worst case
    confidence: float = 1.0

    @property
    def n_mentions(self) -> int:
        return sum(c.n_mentions for c in self.clusters)

    @property
    def alias_keys(self) -> set[str]:
        return set().union(*(c.alias_keys for c in self.clusters))


def coarse(label: str) -> str:
    """Labels that name the same kind of thing: NER often calls a country GPE in one article, LOC in another."""
    return "PLACE" if label in PLACE_LABELS else label


def link_clusters(clusters: list[DocCluster]) -> tuple[list[Entity], dict[tuple[str, int], tuple[int, str, float]]]:
    """-> (entities, {(doc_id, cluster): (entity index, link, confidence)}); link
    says how the cluster joined its entity at corpus level (name | surname | alias | near_miss).
    Clusters of untied roles that found no entity are not in the assignment."""
    _harmonise_labels(clusters)
    entities: dict[tuple[str, str], Entity] = {}
    origin: dict[tuple[str, int], tuple[str, str]] = {}
    for c in clusters:
        ident = (coarse(c.label), c.key)
        entities.setdefault(ident, Entity(key=c.key, label=c.label, name=c.name)).clusters.append(c)
        origin[(c.doc_id, c.cluster)] = ident
    merged_into = _short_form_targets(entities)
    merged_into.update(_near_miss_targets(entities, merged_into))
    final = _merge_groups(entities, merged_into)
    for ident, target in final.items():
        if target != ident:
            entities[target].clusters.extend(entities[ident].clusters)
            entities[ident].clusters = []
    # A role no article ties to one person ("the prime minister" in a corpus of two
    # governments) is no entity: its mentions are left out rather than guessed.
    kept = [ident for ident, e in entities.items() if e.clusters and not e.key.startswith("role:")]
    index = {ident: n for n, ident in enumerate(kept)}
    assignment = {}
    for member, ident in origin.items():
        if final[ident] not in index:
            continue
        link, confidence = ("name", 1.0) if final[ident] == ident else merged_into.get(ident, (None, "alias", 1.0))[1:]
        assignment[member] = (index[final[ident]], link, confidence)
    result = [entities[ident] for ident in kept]
    for e in result:
        e.name = _canonical_name(e)
        labels = Counter()
        for c in e.clusters:
            labels[c.label] += c.n_mentions
        e.label = labels.most_common(1)[0][0]
    return result, assignment


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


def _harmonise_labels(clusters: list[DocCluster]) -> None:
    """The same name typed differently in different articles ("Corbyn" ORG in
    one, PERSON elsewhere) takes the label most of its mentions carry, when
    that majority is clear (two thirds)."""
    votes: dict[str, Counter] = defaultdict(Counter)
    for c in clusters:
        votes[c.key][c.label] += c.n_mentions
    decided: dict[str, str | None] = {}
    for key, labels in votes.items():
        by_kind = Counter()
        for label, n in labels.items():
            by_kind[coarse(label)] += n
        kind, n = by_kind.most_common(1)[0]
        clear = n * 3 >= 2 * sum(by_kind.values())
        decided[key] = max((lab for lab in labels if coarse(lab) == kind), key=labels.get) if clear else None
    for c in clusters:
        label = decided[c.key]
        if label is not None and coarse(label) != coarse(c.label):
            c.label = label


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
    support: dict[tuple[str, tuple], int] = Counter()  # (alias key, entity): clusters of the entity using it
    for ident, e in entities.items():
        for c in e.clusters:
            shorter = short_forms(c.key) if ident[0] == "ORG" else []
            for key in set(c.alias_keys).union(shorter) - {e.key}:
                support[(key, ident)] += 1
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
        if link == "alias" and len(e.clusters) > 2 and support[(e.key, target)] < 2:
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
    named = [c for c in e.clusters if not c.key.startswith("role:")] or e.clusters
    for c in named:
        weight[c.name] += c.n_mentions
    return max(weight, key=lambda n: (len(n.split()) if not n.isupper() else 0, weight[n], n))

"""In-document resolution: which mentions of one article are the same entity.

Every surface form of an entity joins one cluster: the same name, a surname
("Corbyn", "Mr Corbyn" -> Jeremy Corbyn), an acronym and its expansion, a
shorter organisation name ("Board of Deputies" -> Board of Deputies of
British Jews), a role the article ties to a person ("the Labour leader"), and
a near-miss spelling ("Paole Zion" -> Poale Zion, recorded with a lower
confidence). Each mention records how it joined (`resolution`).
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass

from rapidfuzz.distance import DamerauLevenshtein
from spacy.tokens import Doc

from pipeline.coref import role_words
from pipeline.mentions import Mention, name_words

LABEL_PRIORITY = ["PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "WORK_OF_ART", "PRODUCT", "MISC"]
ORG_TAIL_WORDS = {"party", "plc", "ltd", "inc", "corp", "corporation", "group", "company", "limited", "llp", "co"}
FUZZY_MIN_WORD = 5  # shorter words differ by one letter too often to be the same name (John/Joan)
FUZZY_CONFIDENCE = 0.8
FUZZY_MAX_BLOCK = 500  # a bigger block is a common word, not a name; skipping it keeps this linear


def name_key(words: list[str]) -> str:
    """Case, accents, apostrophe style and dots do not tell entities apart."""
    text = " ".join(words).replace("’", "'").replace(".", "").lower()
    if text.isascii():  # nothing to decompose or drop; most names, and the loop below is slow
        return text.strip()
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).strip()


def role_key(doc: Doc, m: Mention) -> str:
    """"the Labour leader" -> "role:labour leader": the key under which other
    articles' ties of this role to a person are found."""
    return "role:" + " ".join(role_words(doc[m.start:m.end]) or [doc[m.end - 1].lower_])


def near_miss(a: str, b: str) -> bool:
    """Same number of words, all equal but one, and that one a single typo
    (one edit or transposition, same first letter, at least FUZZY_MIN_WORD long)."""
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb) or len(wa) < 2:
        return False
    diff = [(x, y) for x, y in zip(wa, wb) if x != y]
    if len(diff) != 1:
        return False
    x, y = diff[0]
    return (min(len(x), len(y)) >= FUZZY_MIN_WORD and x[0] == y[0]
            and DamerauLevenshtein.distance(x, y) == 1)


def near_miss_pairs(keys: list[str]) -> list[tuple[str, str]]:
    """Pairs of keys that are near misses, found by blocking on the word
    positions that must agree, so the cost grows with the keys, not their pairs."""
    blocks: dict[tuple, list[str]] = defaultdict(list)
    for key in set(keys):
        words = key.split()
        if len(words) < 2:
            continue
        for i in range(len(words)):  # the one word allowed to differ
            blocks[(len(words), i, tuple(words[:i] + words[i + 1:]))].append(key)
    pairs = set()
    for block in blocks.values():
        if 1 < len(block) <= FUZZY_MAX_BLOCK:
            block.sort()
            pairs.update((a, b) for n, a in enumerate(block) for b in block[n + 1:] if near_miss(a, b))
    return sorted(pairs)


@dataclass(frozen=True)
class Resolved:
    mention: Mention
    key: str  # name key of this mention's own words
    cluster: int  # index of the in-document cluster
    resolution: str  # how it joined: name | same_name | surname | first_name | prefix | short_form | acronym | role | near_miss
    confidence: float


@dataclass(frozen=True)
class Cluster:
    name: str  # canonical: the fullest form in the document
    label: str
    key: str


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


MALE_TITLES = {"mr", "sir", "lord", "baron"}
FEMALE_TITLES = {"mrs", "ms", "miss", "dame", "lady", "baroness"}


def resolve_document(doc: Doc, mentions: list[Mention]) -> tuple[list[Resolved], list[Cluster]]:
    words = _gendered_surnames(doc, mentions, [name_words(doc, m) for m in mentions])
    keys = [name_key(w) if m.kind != "role" else role_key(doc, m) for m, w in zip(mentions, words)]
    uf = _UnionFind(len(mentions))
    how = ["name"] * len(mentions)
    confidence = [m.confidence for m in mentions]

    def join(i: int, j: int, reason: str, conf: float = 1.0) -> None:
        if uf.find(i) != uf.find(j):
            how[i] = reason
            confidence[i] = min(confidence[i], conf)
        uf.union(i, j)

    # A surname that two full names share ("Howard": Michael and John) is left
    # to the surname rule, mention by mention, instead of being pooled first.
    full_names = {tuple(w) for m, w in zip(mentions, words) if m.label == "PERSON" and len(w) >= 2}
    shared = {s for s, n in Counter(w[-1] for w in full_names).items() if n >= 2}
    by_key: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key and not (len(words[i]) == 1 and words[i][0] in shared and mentions[i].label == "PERSON"):
            if key in by_key:
                join(i, by_key[key], "same_name")
            by_key.setdefault(key, i)
    by_span = {(m.start, m.end): i for i, m in enumerate(mentions)}
    for i, m in enumerate(mentions):
        if m.link is None:
            continue
        target = by_span.get(m.link)
        if target is None:  # the holder's span was repaired ("Mr Corbyn" folded): any mention over it
            target = next((j for j, o in enumerate(mentions) if o.start < m.link[1] and m.link[0] < o.end
                           and o.kind == "name"), None)
        if target is not None:
            join(i, target, m.kind, m.confidence)
    _join_surnames(mentions, words, keys, join)
    _join_first_names(mentions, words, join)
    _join_org_prefixes(mentions, keys, by_key, join)
    _join_org_short_forms(doc, mentions, words, join)
    counts = Counter(keys)
    for a, b in near_miss_pairs([k for k in keys if k and not k.startswith("role:")]):
        # The spelling used more often, or first, is taken as right: writers introduce a name carefully.
        right, wrong = sorted((a, b), key=lambda k: (-counts[k], by_key[k]))
        join(by_key[wrong], by_key[right], "near_miss", FUZZY_CONFIDENCE)
    return _clusters(doc, mentions, words, keys, uf, how, confidence)


def _title_gender(doc: Doc, m: Mention) -> str | None:
    title = doc[m.start].lower_.rstrip(".")
    return "m" if title in MALE_TITLES else "f" if title in FEMALE_TITLES else None


def _gendered_surnames(doc: Doc, mentions: list[Mention], words: list[list[str]]) -> list[list[str]]:
    """"Mr Howard" and "Mrs Howard" in one article are two people: where a
    surname comes with titles of both genders, the title stays part of the
    name, so neither joins the other nor guesses which full name is whose."""
    genders: dict[str, set[str]] = defaultdict(set)
    for m, w in zip(mentions, words):
        gender = _title_gender(doc, m) if m.label == "PERSON" and len(w) == 1 else None
        if gender:
            genders[w[0]].add(gender)
    return [[doc[m.start].text] + w if len(w) == 1 and len(genders.get(w[0], ())) == 2 and _title_gender(doc, m)
            else w for m, w in zip(mentions, words)]


def _join_surnames(mentions, words, keys, join) -> None:
    """"Corbyn" and "Mr Corbyn" join the nearest full name ending in Corbyn
    (the one before if any): two Smiths in one article stay apart from each
    other, each surname going to the Smith last named."""
    full_names = [(i, w[-1]) for i, (m, w) in enumerate(zip(mentions, words))
                  if m.label == "PERSON" and len(w) >= 2 and m.kind == "name"]
    for i, (m, w) in enumerate(zip(mentions, words)):
        if len(w) != 1 or m.kind != "name" or m.label != "PERSON":
            continue
        candidates = [j for j, surname in full_names if surname == w[0] and keys[j] != keys[i]]
        if not candidates:
            continue
        before = [j for j in candidates if mentions[j].start < m.start]
        join(i, before[-1] if before else candidates[0], "surname")


def _join_first_names(mentions, words, join) -> None:
    """"Jeremy said..." joins Jeremy Corbyn when he is the only Jeremy the
    article names in full, and no full name ends in it ("Howard" could be
    Howard Flight or Michael Howard)."""
    by_first: dict[str, set[str]] = defaultdict(set)
    surnames = {w[-1] for m, w in zip(mentions, words) if m.label == "PERSON" and len(w) >= 2}
    first_mention: dict[str, int] = {}
    for i, (m, w) in enumerate(zip(mentions, words)):
        if m.label == "PERSON" and len(w) >= 2 and m.kind == "name":
            by_first[w[0]].add(" ".join(w))
            first_mention.setdefault(" ".join(w), i)
    for i, (m, w) in enumerate(zip(mentions, words)):
        if m.label == "PERSON" and len(w) == 1 and m.kind == "name" and len(by_first.get(w[0], ())) == 1 \
                and w[0] not in surnames:
            join(i, first_mention[next(iter(by_first[w[0]]))], "first_name")


def _join_org_short_forms(doc, mentions, words, join) -> None:
    """"the Board" -> Board of Deputies, "the Party" -> Labour Party: one
    capitalised noun after "the" that begins or ends a longer organisation
    name in the article (the most mentioned one, if several)."""
    long_orgs: dict[str, Counter] = defaultdict(Counter)
    first_mention: dict[str, int] = {}
    for i, (m, w) in enumerate(zip(mentions, words)):
        if m.label == "ORG" and len(w) >= 2 and m.kind == "name":
            full = " ".join(w)
            long_orgs[w[0]][full] += 1
            long_orgs[w[-1]][full] += 1
            first_mention.setdefault(full, i)
    for i, (m, w) in enumerate(zip(mentions, words)):
        if (len(w) != 1 or m.kind != "name" or m.label != "ORG" or m.start == 0
                or doc[m.start - 1].lower_ != "the" or doc[m.start].pos_ not in {"PROPN", "NOUN"}):
            continue
        ranked = long_orgs.get(w[0], Counter()).most_common(2)
        if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            join(i, first_mention[ranked[0][0]], "short_form")


def short_forms(key: str) -> list[str]:
    """Shorter names an organisation goes by: "labour party" -> "labour",
    "board of deputies of british jews" -> "board of deputies"."""
    words = key.split()
    forms = []
    if len(words) >= 2 and words[-1] in ORG_TAIL_WORDS:
        forms.append(" ".join(words[:-1]))
    for n, word in enumerate(words):
        if word == "of" and n >= 2:
            forms.append(" ".join(words[:n]))
    return forms


def _join_org_prefixes(mentions, keys, by_key, join) -> None:
    """"Labour" -> "Labour Party", "Board of Deputies" -> "Board of Deputies of British Jews"."""
    org_keys = {keys[i] for i, m in enumerate(mentions) if keys[i] and m.label == "ORG" and m.kind == "name"}
    for longer in sorted(org_keys, key=len, reverse=True):
        for short in short_forms(longer):
            if short in org_keys:
                join(by_key[short], by_key[longer], "prefix")


def _clusters(doc, mentions, words, keys, uf, how, confidence) -> tuple[list[Resolved], list[Cluster]]:
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(mentions)):
        members[uf.find(i)].append(i)
    clusters, index = [], {}
    for root in sorted(members):
        named = [i for i in members[root] if mentions[i].kind == "name" and how[i] != "near_miss"] or \
                [i for i in members[root] if mentions[i].kind == "name"] or \
                [i for i in members[root] if mentions[i].kind != "role"] or members[root]
        votes = Counter()
        for i in named:
            votes[mentions[i].label] += 2 if len(words[i]) >= 2 else 1
        label = min(votes, key=lambda lab: (-votes[lab], _priority(lab)))
        typed = [i for i in named if mentions[i].label == label] or named
        best = max(typed, key=lambda i: (len(words[i]), len(" ".join(words[i])), -i))
        name = " ".join(words[best]) if mentions[best].kind != "role" else doc[mentions[best].start:mentions[best].end].text
        index[root] = len(clusters)
        clusters.append(Cluster(name=name, label=label, key=keys[best] or name_key([name])))
    resolved = [Resolved(m, keys[i], index[uf.find(i)], how[i], confidence[i]) for i, m in enumerate(mentions)]
    return resolved, clusters


def _priority(label: str) -> int:
    return LABEL_PRIORITY.index(label) if label in LABEL_PRIORITY else len(LABEL_PRIORITY)

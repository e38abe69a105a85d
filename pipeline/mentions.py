"""Entity mentions in one parsed document: the NER model's entities, repaired
where a statistical model trained on 1990s newswire trips over today's news,
plus the mentions it cannot see (acronyms defined in the text, role
descriptions the article ties to a named person).

Repairs, each a small rule with a reason:
  * split at spaced punctuation the model ran through ("PLP [Parliamentary
    Labour Party", "JLM - a");
  * trim determiners and lower-case words at the edges ("Those Labour Party");
  * drop what cannot be a name: lower-case starts ("anti-Semitism"), hashtags,
    single function words ("Whether");
  * fold a title into the person ("Mr" + "Corbyn" -> PERSON "Mr Corbyn") and
    drop a job word NER folded in ("Leader Valerie Vaz" -> "Valerie Vaz");
  * split a person off an organisation ("Board of Deputies Jonathan Arkush")
    when the article uses that first name for a person elsewhere;
  * merge a first name with the name that follows ("Jeremy" + "Corbyn"),
    extend a first name over a following proper noun ("Theresa" + "May");
  * retype a surname to PERSON when the article names the full person;
  * MISC nationality/religion/group words (an adjective or plural: Jewish,
    Jews, Londoners) become NORP, as in OntoNotes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Doc

from pipeline.acronyms import acronym_definitions
from pipeline.coref import ROLE_HEADS, ROLE_WORDS, TITLES, role_holder, role_words
from pipeline.person_words import is_person_word

SPLIT_PUNCT = {"[", "]", "(", ")", "-", "–", "—", ":", ";", ",", "|", "/"}
EDGE_POS = {"DET", "PRON", "ADV", "SCONJ", "CCONJ", "ADP", "AUX", "VERB", "PART", "PUNCT", "SPACE"}
NOT_A_NAME_POS = EDGE_POS | {"NUM", "INTJ", "SYM", "X"}
PERSON_TITLES = TITLES | {"baroness", "baron", "rt", "hon", "mp"}
# Endings of nationality and religion adjectives (Jewish, Italian, Chinese, Israeli, Islamic, French, Swiss,
# Greek, Muslim, Hindu, Arab, Thai, Orthodox, Buddhist): a MISC adjective without one is not a group name.
DEMONYM_ENDINGS = ("ish", "ian", "an", "ese", "i", "ic", "ch", "ss", "ek", "im", "em", "du", "ab", "ai", "ox", "ist",
                   "ite")
TIME_ADJECTIVES = {"former", "ex", "then", "current", "acting", "outgoing", "incoming", "future", "late", "veteran"}
NAME_CONNECTORS = {"of", "and", "for", "the", "de", "da", "del", "van", "von", "der", "du", "la", "le", "on", "in",
                   "at", "to", "upon", "y", "al", "bin", "ibn", "e", "und", "et"}


@dataclass(frozen=True)
class Mention:
    start: int  # token indices in the Doc, end exclusive
    end: int
    label: str
    kind: str = "name"  # name | acronym | role
    link: tuple[int, int] | None = None  # (start, end) of the mention this one is known to stand for
    confidence: float = 1.0


def find_mentions(doc: Doc, person_share: dict[str, float] | None = None,
                  consulted: dict[str, bool] | None = None) -> list[Mention]:
    """Every entity mention in `doc`, sorted by position, never overlapping
    (a role phrase may hold a name). `person_share` (word -> share of its
    entity uses that are PERSON, over the corpus) guards surname retyping;
    each word it was asked about goes into `consulted` with the answer
    (is_person_word), so a caller can tell whether another corpus would
    have changed the result."""
    mentions = [Mention(e.start, e.end, e.label_) for e in doc.ents]
    alone = {e.text for e in doc.ents}
    mentions = [part for m in mentions for part in _split_coordination(doc, m, alone)]
    mentions = [part for m in mentions for part in _split_at_punct(doc, m)]
    mentions = [m for m in (_trim(doc, m) for m in mentions) if m is not None]
    mentions = _merge_adjacent_person(doc, mentions)
    first_names = {doc[m.start].text for m in mentions if m.label == "PERSON" and m.end - m.start >= 2}
    mentions = [part for m in mentions for part in _split_person_off(doc, m, first_names)]
    mentions = [_fold_title(doc, _extend_person(doc, m, mentions)) for m in mentions]
    mentions = [m for m in mentions if _is_name(doc, m)]
    mentions = _add_acronyms(doc, mentions)
    mentions = _propagate(doc, mentions)
    mentions = _retype_surnames(doc, mentions, person_share, consulted)
    mentions = _retype_affiliations(doc, mentions)
    mentions = [_norp(doc, m) for m in mentions]
    # an adjective that is no nationality or religion word is not a name ("the Enough is Enough protests")
    mentions = [m for m in mentions if not (m.label == "MISC" and m.end - m.start == 1 and doc[m.start].pos_ == "ADJ")]
    mentions = _add_roles(doc, mentions)
    return _without_overlaps([m for m in (_strip_edges(doc, m) for m in mentions) if m is not None])


def _strip_edges(doc: Doc, m: Mention) -> Mention | None:
    """No mention starts or ends with whitespace or punctuation ("US\n", "BBC.")."""
    start, end = m.start, m.end
    while start < end and (doc[start].is_space or doc[start].is_punct):
        start += 1
    while end > start and (doc[end - 1].is_space or (doc[end - 1].is_punct and doc[end - 1].text != ".")
                           or (doc[end - 1].text == "." and end - start > 1)):
        end -= 1
    return replace(m, start=start, end=end) if end > start else None


def name_words(doc: Doc, m: Mention) -> list[str]:
    """The words that identify the entity: no titles, no possessive 's."""
    words = [t.text for t in doc[m.start:m.end] if not t.is_punct or t.text in {"&", "."}]
    while m.label == "PERSON" and len(words) > 1 and words[0].lower().rstrip(".") in PERSON_TITLES | ROLE_WORDS:
        words = words[1:]
    return words


# -- repairs -------------------------------------------------------------------------------------
def _split_coordination(doc: Doc, m: Mention, alone: set[str]) -> list[Mention]:
    """"the link between the JLM and Labour" names two things when the article
    also names each on its own; names only ever seen joined ("Marks and
    Spencer", "Trinidad and Tobago") stay whole."""
    for i in range(m.start + 1, m.end - 1):
        if doc[i].lower_ in ("and", "&"):
            if doc[m.start:i].text in alone and doc[i + 1:m.end].text in alone:
                return [Mention(m.start, i, m.label), Mention(i + 1, m.end, m.label)]
    return [m]


def _split_at_punct(doc: Doc, m: Mention) -> list[Mention]:
    """Spaced punctuation inside a span ends a name ("JLM - a" -> "JLM"), and
    so does a lower-case word that is not a name connector ("Tories accuse
    Labour" in a headline -> "Tories", "Labour"; "Bank of England" stays)."""
    parts, start = [], m.start
    for i in range(m.start, m.end):
        spaced = i > m.start and (doc[i - 1].whitespace_ or doc[i].text in "[]()|")
        lower_word = doc[i].is_lower and doc[i].is_alpha and doc[i].lower_ not in NAME_CONNECTORS
        if (doc[i].text in SPLIT_PUNCT and spaced) or lower_word:
            parts.append(Mention(start, i, m.label))
            start = i + 1
    parts.append(Mention(start, m.end, m.label))
    return [p for p in parts if p.end > p.start]


def _trim(doc: Doc, m: Mention) -> Mention | None:
    start, end = m.start, m.end
    while start < end and (_function_word(doc[start]) or doc[start].is_lower
                           or _sentence_initial_adjective(doc[start])) and not _is_title(doc[start]):
        start += 1
    while end > start and (_function_word(doc[end - 1]) or doc[end - 1].is_lower
                           or doc[end - 1].text in {"'s", "’s", "'", "’"}):
        end -= 1
    return replace(m, start=start, end=end) if end > start else None


def _function_word(token) -> bool:
    """"Those", "The", "Whether": a stop word the tagger does not see as a
    name (a capitalised "ANAHEIM" tagged ADV is still a name)."""
    return token.is_punct or token.is_space or (token.pos_ in EDGE_POS and token.is_stop)


def _sentence_initial_adjective(token) -> bool:
    """"Former Labour MP...": capitalised only because a sentence starts there
    (a short list: "New York" and "Real Madrid" start sentences too)."""
    return token.is_sent_start and token.lower_ in TIME_ADJECTIVES


def _is_title(token) -> bool:
    return token.text[:1].isupper() and token.lower_.rstrip(".") in PERSON_TITLES


def _merge_adjacent_person(doc: Doc, mentions: list[Mention]) -> list[Mention]:
    """NER sometimes labels a first name and a surname separately ("Jeremy"
    PERSON, "Corbyn" ORG): two abutting spans starting with a one-word
    person are one person."""
    merged: list[Mention] = []
    for m in mentions:
        last = merged[-1] if merged else None
        if (last is not None and last.label == "PERSON" and last.end - last.start == 1 and m.start == last.end
                and m.end - m.start <= 2 and doc[last.start].whitespace_):
            merged[-1] = replace(last, end=m.end)
        else:
            merged.append(m)
    return merged


def _split_person_off(doc: Doc, m: Mention, first_names: set[str]) -> list[Mention]:
    """"Board of Deputies Jonathan Arkush": a non-person span ending in two
    capitalised words, the first a first name the article gives a person."""
    if m.label == "PERSON" or m.end - m.start < 3:
        return [m]
    first, last = doc[m.end - 2], doc[m.end - 1]
    if first.text in first_names and last.text[:1].isupper() and first.text[:1].isupper():
        return [replace(m, end=m.end - 2), Mention(m.end - 2, m.end, "PERSON")]
    return [m]


def _extend_person(doc: Doc, m: Mention, mentions: list[Mention]) -> Mention:
    """A one-word person followed by a capitalised proper noun that no other
    mention claims: the model stopped one word short ("Theresa" + "May")."""
    if m.label != "PERSON" or m.end - m.start != 1 or m.end >= len(doc):
        return m
    nxt = doc[m.end]
    taken = any(o.start <= nxt.i < o.end for o in mentions)
    if (not taken and nxt.pos_ == "PROPN" and nxt.text[:1].isupper() and not nxt.is_sent_start
            and doc[m.start].whitespace_):
        return replace(m, end=m.end + 1)
    return m


def _fold_title(doc: Doc, m: Mention) -> Mention:
    """"Mr" + "Corbyn" -> PERSON "Mr Corbyn"; "Leader Valerie Vaz" -> "Valerie Vaz"."""
    start, label = m.start, m.label
    if start > 0 and _is_title(doc[start - 1]) and m.end - start <= 3:
        start, label = start - 1, "PERSON"
        while start > 0 and _is_title(doc[start - 1]):
            start -= 1
    elif _is_title(doc[start]) and m.end - start >= 2:
        label = "PERSON"
    while (label == "PERSON" and m.end - start > 2 and doc[start].lower_ in ROLE_WORDS
           and not _is_title(doc[start])):
        start += 1
    return replace(m, start=start, label=label)


def _is_name(doc: Doc, m: Mention) -> bool:
    first = doc[m.start]
    if not (first.text[:1].isupper() or first.text[:1].isdigit()):
        return False  # "anti-Semitism", "#Rothschild", "iPhone"-style oddities are not named entities here
    if m.start >= 2 and doc[m.start - 1].text in {"-", "‑"} and not doc[m.start - 2].whitespace_ \
            and not doc[m.start - 1].whitespace_ and doc[m.start - 2].is_lower:
        return False  # the tail of a hyphenated word: "anti-Semitism", "pro-Hezbollah"
    if m.end - m.start == 1 and first.pos_ in NOT_A_NAME_POS and first.is_stop:
        return False  # "Whether" at a sentence start
    if m.label == "PERSON" and m.end - m.start == 1 and m.start > 0 and doc[m.start - 1].lower_ == "the":
        return False  # people are not "the X": "the Leader", "the Leadership's failure"
    return any(c.isalpha() for c in doc[m.start:m.end].text)


# -- acronyms (found by pipeline.acronyms) ---------------------------------------------------------
def _add_acronyms(doc: Doc, mentions: list[Mention]) -> list[Mention]:
    """Each defined acronym's expansion is an ORG mention (unless NER typed it
    otherwise), and every use of the acronym links to it."""
    definitions = acronym_definitions(doc)
    if not definitions:
        return mentions
    result = list(mentions)
    for acronym, (start, end) in definitions.items():
        expansion = next((m for m in result if m.start == start and m.end == end), None)
        if expansion is None:
            result = [m for m in result if m.end <= start or m.start >= end]
            expansion = Mention(start, end, "ORG")
            result.append(expansion)
        for token in doc:
            if token.text != acronym:
                continue
            result = [m for m in result if not (m.start <= token.i < m.end)]
            result.append(Mention(token.i, token.i + 1, expansion.label, kind="acronym", link=(start, end)))
    return sorted(result, key=lambda m: (m.start, m.end))


def _propagate(doc: Doc, mentions: list[Mention]) -> list[Mention]:
    """One name, one reading per article: where the model tagged "Labour" or
    "Kalen Ockerman" once, the same capitalised proper noun elsewhere in the
    article (and a named person's surname on its own) is a mention too."""
    known: dict[tuple[str, ...], str] = {}
    surnames = set()
    for m in mentions:
        if m.kind != "name":
            continue
        words = tuple(t.text for t in doc[m.start:m.end])
        known.setdefault(words, m.label)
        if m.label == "PERSON" and len(words) >= 2:
            known.setdefault(words[-1:], "PERSON")
            surnames.add(words[-1])
    if not known:
        return mentions
    longest = max(len(k) for k in known)
    firsts = {k[0] for k in known}
    taken = {i for m in mentions for i in range(m.start, m.end)}
    added = []
    i = 0
    while i < len(doc):
        if doc[i].text not in firsts:
            i += 1
            continue
        for n in range(min(longest, len(doc) - i), 0, -1):
            words = tuple(t.text for t in doc[i:i + n])
            if words in known and not taken & set(range(i, i + n)) and _proper(doc, i, n, surnames):
                added.append(Mention(i, i + n, known[words]))
                taken.update(range(i, i + n))
                i += n - 1
                break
        i += 1
    return sorted(mentions + added, key=lambda m: (m.start, m.end))


DATE_CONTEXT = {"in", "on", "of", "since", "until", "by", "last", "next", "early", "late", "mid", "this"}


def _proper(doc: Doc, start: int, n: int, surnames: set[str]) -> bool:
    """Capitalised and parsed as a name: a proper noun, a noun inside a
    sentence, or a named person's surname (the tagger calls an unfamiliar
    surname a NOUN or worse); and not a date ("in May", "May 2019" when the
    article is about Theresa May)."""
    tokens = doc[start:start + n]
    if not all(t.text[:1].isupper() for t in tokens):
        return False
    last = tokens[-1]
    if not (last.pos_ == "PROPN" or (last.pos_ == "NOUN" and not tokens[0].is_sent_start)
            or (n == 1 and last.text in surnames and not last.is_stop)):
        return False
    before = doc[start - 1].lower_ if start > 0 else ""
    after = doc[start + n] if start + n < len(doc) else None
    return n > 1 or (before not in DATE_CONTEXT and not (after is not None and after.like_num))


# -- types -------------------------------------------------------------------------------------------
def _retype_surnames(doc: Doc, mentions: list[Mention], person_share: dict[str, float] | None,
                     consulted: dict[str, bool] | None = None) -> list[Mention]:
    """"Corbyn" tagged ORG in an article about Jeremy Corbyn is the person,
    unless the corpus mostly uses the word for something else: a stray
    "Blair Labour" PERSON span must not make every "Labour" a person."""
    surnames = {name_words(doc, m)[-1] for m in mentions if m.label == "PERSON" and len(name_words(doc, m)) >= 2}

    def is_surname(m: Mention) -> bool:
        words = name_words(doc, m)
        if not (m.label != "PERSON" and m.kind == "name" and len(words) == 1 and words[0] in surnames):
            return False
        answer = is_person_word(person_share, words[0])
        if consulted is not None:
            consulted[words[0]] = answer
        return answer

    return [replace(m, label="PERSON") if is_surname(m) else m for m in mentions]


# "<X> activist <Name>": X is what the person belongs to
AFFILIATION_ROLES = {"activist", "member", "supporter", "campaigner", "councillor", "candidate", "official", "mp",
                     "mep", "peer", "backbencher", "spokesman", "spokeswoman", "spokesperson"}


def _retype_affiliations(doc: Doc, mentions: list[Mention]) -> list[Mention]:
    """"former Momentum activist Jackie Walker": a one-word PERSON right before
    an affiliation role and a person's name is an organisation, unless the
    article names a person with that word ("Corbyn supporter Jon Lansman"
    in an article about Jeremy Corbyn)."""
    person_words = {w for m in mentions if m.label == "PERSON" and m.end - m.start >= 2
                    for w in name_words(doc, m)}
    person_starts = {m.start for m in mentions if m.label == "PERSON"}

    def is_affiliation(m: Mention) -> bool:
        words = name_words(doc, m)
        return (m.label == "PERSON" and m.kind == "name" and len(words) == 1 and words[0] not in person_words
                and m.end + 1 < len(doc) and doc[m.end].lower_ in AFFILIATION_ROLES and m.end + 1 in person_starts)

    return [replace(m, label="ORG") if is_affiliation(m) else m for m in mentions]


def _norp(doc: Doc, m: Mention) -> Mention:
    """Nationality, religion and group words are NORP: an adjective ("Jewish",
    "British") or a plural noun ("Jews", "Londoners") the model called MISC or
    PERSON."""
    if m.end - m.start != 1 or m.label not in {"MISC", "PERSON"}:
        return m
    token = doc[m.start]
    plural = token.tag_ in {"NNS", "NNPS"} or "Number=Plur" in str(token.morph)
    if (m.label == "MISC" and token.pos_ == "ADJ" and token.lower_.endswith(DEMONYM_ENDINGS)) \
            or (plural and token.text.endswith("s")):
        return replace(m, label="NORP")
    return m


def _add_roles(doc: Doc, mentions: list[Mention]) -> list[Mention]:
    """"the Labour leader" is a mention of Jeremy Corbyn when the article says
    "Labour leader Jeremy Corbyn" (coref.role_holder holds the rule). Without
    such a tie it is still a role mention, with no link: corpus linking gives
    it the one person other articles tie that role to, or drops it."""
    taken = {i for m in mentions for i in range(m.start, m.end)}
    result = list(mentions)
    for token in doc:
        if token.lower_ not in ROLE_HEADS or token.i in taken:
            continue
        start = token.i
        # "the Labour leader": the phrase may hold an ORG mention, which stays a mention of its own
        while start > 0 and doc[start - 1].dep_ in {"compound", "amod", "det", "flat"} \
                and doc[start - 1].head.i >= token.i:
            start -= 1
        phrase = doc[start:token.i + 1]
        if role_words(phrase) is None or len(phrase) < 3:
            continue  # "the leader" alone names nobody
        holder = role_holder(phrase)
        link = (holder.start, holder.end) if holder is not None else None
        result.append(Mention(start, token.i + 1, "PERSON", kind="role", link=link,
                              confidence=0.9 if holder is not None else 0.7))
    return sorted(result, key=lambda m: (m.start, m.end))


def _without_overlaps(mentions: list[Mention]) -> list[Mention]:
    """A role phrase may contain a name ("the Labour leader" holds "Labour"):
    keep both; any other overlap keeps the longer span."""
    kept: list[Mention] = []
    for m in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))):
        clash = next((k for k in kept if k.start < m.end and m.start < k.end), None)
        if clash is None or clash.kind == "role" or m.kind == "role":
            kept.append(m)
    return sorted(kept, key=lambda m: (m.start, m.end))

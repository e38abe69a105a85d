"""The one place where pronouns and short names are resolved to a fuller
mention in the same document ("he added" -> Jeremy Corbyn, "Mr Corbyn" ->
Jeremy Corbyn, "They wrote" -> 103 Labour MPs). Quotes and events both use it.

Deliberately small: a recency-based resolver over the parse, not a trained
coreference model. It prefers precision: when nothing compatible is near, it
returns None rather than a guess.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from spacy.tokens import Doc, Span, Token

PERSON_PRONOUNS = {"he", "him", "his", "she", "her", "hers"}
GROUP_PRONOUNS = {"they", "them", "their", "we", "us", "our"}
SUBJECT_DEPS = {"nsubj", "nsubj:pass", "nsubjpass"}
# Where a group antecedent can sit: subjects, and the agent of a passive
# ("signed by Jonathan Arkush and Jonathan Goldstein").
ANTECEDENT_DEPS = SUBJECT_DEPS | {"obl:agent"}
RELATIVE_PRONOUNS = {"who", "which", "that", "whom"}
CLAUSE_DEPS = {"acl", "acl:relcl", "relcl", "advcl", "ccomp", "xcomp", "parataxis"}
FLAT_SIBLING_DEPS = SUBJECT_DEPS | {"compound", "amod", "nummod", "det"}
TITLES = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "prof", "professor", "rev"}
ROLE_WORDS = {"leader", "minister", "president", "chairman", "chairwoman", "chair", "secretary", "mayor",
              "spokesman", "spokeswoman", "chancellor", "governor", "senator", "commissioner", "director",
              "chief", "editor", "shadow", "commons", "deputy", "mp", "sen", "rep", "gov", "judge"}
LOOKBACK_SENTENCES = 3


def _name_words(span: Span) -> list[str]:
    """The words of a name without the titles and job words NER often folds in
    ("Dame Margaret Hodge" -> Margaret Hodge, "Leader Valerie Vaz" -> Valerie Vaz)."""
    words = [t.text for t in span]
    while len(words) > 1 and words[0].lower().rstrip(".") in TITLES | ROLE_WORDS:
        words = words[1:]
    return words


class _Entities:
    """A Doc's named entities, listed once. Doc.ents walks every token of the
    document on each access; the quote and event stages ask about entities
    once per mention, which made a long document quadratic."""

    def __init__(self, doc: Doc):
        self.all = list(doc.ents)
        self.starts = [e.start for e in self.all]
        self.people = [e for e in self.all if e.label_ == "PERSON"]
        self.people_ends = [e.end for e in self.people]
        self.fullest: dict[tuple, tuple[str, str]] = {}
        self.role_holders: dict[tuple, Span | None] = {}


def entities_of(doc: Doc) -> _Entities:
    """The Doc's entity listing (built on first use; Docs are not edited after parsing)."""
    listing = doc.user_data.get("entity_listing")
    if listing is None:
        listing = doc.user_data["entity_listing"] = _Entities(doc)
    return listing


def entity_at(doc: Doc, i: int) -> Span | None:
    """The named entity covering token i, if any."""
    listing = entities_of(doc)
    n = bisect_right(listing.starts, i) - 1
    return listing.all[n] if n >= 0 and listing.all[n].end > i else None


def fullest_name(doc: Doc, mention: Span) -> tuple[str, str]:
    """(name, label): the longest name in the document that this mention is a
    shorter form of, "Corbyn" and "Mr Corbyn" -> "Jeremy Corbyn". A surname the
    NER labelled ORG in one place still resolves to the PERSON it belongs to."""
    words = _name_words(mention)
    listing = entities_of(doc)
    key = (tuple(words), mention.label_)
    if key in listing.fullest:
        return listing.fullest[key]
    best, label = " ".join(words), mention.label_
    for ent in listing.all:
        if ent.label_ != mention.label_ and ent.label_ != "PERSON":
            continue
        ent_words = _name_words(ent)
        if len(ent_words) > len(words) and ent_words[-len(words):] == words and len(" ".join(ent_words)) > len(best):
            best, label = " ".join(ent_words), ent.label_
    listing.fullest[key] = (best, label)
    return best, label


def noun_phrase(token: Token) -> Span:
    """The phrase a subject token heads, without relative clauses or trailing
    punctuation: "A JLM spokesman", "JLC president Jonathan Goldstein".
    Kept per Doc: an event argument asks for its phrase several times."""
    known = token.doc.user_data.setdefault(_NOUN_PHRASES, {})
    bounds = known.get(token.i)
    if bounds is None:
        bounds = known[token.i] = _noun_phrase_bounds(token)
    return token.doc[bounds[0]:bounds[1]]


_NOUN_PHRASES = "coref.noun_phrases"


def _noun_phrase_bounds(token: Token) -> tuple[int, int]:
    doc = token.doc
    excluded = set()
    for child in token.children:
        # A clause hung on the noun by a misparse ("The prince, 20, apologised, but critics
        # have called...": the verbs attach to "prince") is not part of its name.
        clause = child.dep_ in {"acl", "conj"} and child.pos_ in {"VERB", "AUX"}
        if (clause or child.dep_ in {"acl:relcl", "relcl", "appos", "punct", "parataxis"}) and child.i > token.i:
            excluded.update(t.i for t in child.subtree)
    indices = [t.i for t in token.subtree if t.i not in excluded]
    start, end = min(indices), max(indices) + 1
    # A flat parse may hang a name's first words directly on the verb ("Labour"
    # and "MPs" both subjects of "written"): take adjacent siblings along.
    while start > 0 and doc[start - 1].head == token.head and doc[start - 1].dep_ in FLAT_SIBLING_DEPS:
        start = min(t.i for t in doc[start - 1].subtree)
    while end > start + 1 and doc[end - 1].is_punct:
        end -= 1
    while start < end - 1 and (doc[start].is_punct or doc[start].dep_ == "cc"):  # "and senior Jewish leaders"
        start += 1
    return start, end


def entity_in(span: Span, labels=("PERSON", "ORG", "NORP", "GPE")) -> Span | None:
    """The most specific named entity inside a phrase: a person first."""
    listing = entities_of(span.doc)
    ents = []
    for ent in listing.all[bisect_left(listing.starts, span.start):]:
        if ent.start >= span.end:
            break
        if ent.end <= span.end:
            ents.append(ent)
    for label in labels:
        for ent in ents:
            if ent.label_ == label:
                return ent
    return None


def is_coordinated(token: Token) -> bool:
    """Heads a coordination: "the Board and the JLC", "Arkush and JLC chairman Goldstein"."""
    def outside_clauses(t: Token) -> bool:
        while t.i != token.i:
            if t.dep_ in CLAUSE_DEPS:
                return False
            t = t.head
        return True

    # Only the token's own conjuncts: "the rift between Labour and the Board" is one rift.
    return any(t.dep_ == "conj" and t.pos_ in {"NOUN", "PROPN"} and t.head.i == token.i and outside_clauses(t)
               for t in token.subtree if t.i != token.i)


def _is_plural(token: Token) -> bool:
    acronym_plural = len(token.text) > 2 and token.text.endswith("s") and token.text[:-1].isupper()  # "MPs"
    return "Number=Plur" in str(token.morph) or token.tag_ in {"NNS", "NNPS"} or acronym_plural or is_coordinated(token)


def _depth(token: Token) -> int:
    return sum(1 for _ in token.ancestors)


def sentence_bounds(token: Token) -> tuple[int, int]:
    """(start, end) token indices of the token's sentence. Token.sent scans the
    document on every call; the bounds are computed once per Doc."""
    return _bounds(token.doc)[sentence_number(token)]


def _bounds(doc: Doc) -> list[tuple[int, int]]:
    bounds = doc.user_data.get("sentence_bounds")
    if bounds is None:
        bounds = doc.user_data["sentence_bounds"] = [(s.start, s.end) for s in doc.sents]
        doc.user_data["sentence_starts"] = [b[0] for b in bounds]
    return bounds


def sentence_number(token: Token) -> int:
    """0-based index of the token's sentence in its Doc."""
    _bounds(token.doc)
    return bisect_right(token.doc.user_data["sentence_starts"], token.i) - 1


def _recent_subjects(doc: Doc, before: int, exclude: set[int]) -> list[Token]:
    """Candidate antecedents before token index `before`: subjects (and passive
    agents) of this sentence and the few before it, most recent sentence first
    and, within a sentence, main-clause subjects before embedded ones. Tokens
    in `exclude` (the inside of quotes: someone else's words) are skipped."""
    number = sentence_number(doc[before])
    bounds = _bounds(doc)
    sentences = [doc[a:b] for a, b in bounds[max(number - LOOKBACK_SENTENCES, 0):number]]
    found = []
    for span in [doc[bounds[number][0]:before]] + list(reversed(sentences)):
        subjects = [t for t in span if t.dep_ in ANTECEDENT_DEPS and t.i not in exclude
                    and (t.pos_ in {"NOUN", "PROPN"} or t.lower_ in PERSON_PRONOUNS | GROUP_PRONOUNS)]
        found.extend(sorted(subjects, key=lambda t: (_depth(t), -t.i)))
    return found


def resolve_pronoun(pronoun: Token, exclude: set[int] = frozenset(), _hops: int = 0) -> Token | None:
    """The head token of the mention a third-person pronoun refers to, or None.
    A chain of the same pronoun ("They said... They added...") is followed back."""
    doc = pronoun.doc
    word = pronoun.lower_
    if word in RELATIVE_PRONOUNS and pronoun.head.dep_ in {"acl:relcl", "relcl", "acl"}:
        return pronoun.head.head  # "supporters who had ...": the noun the clause modifies
    if word in {"who", "which"} and pronoun.head.dep_ in {"advcl:relcl", "advcl"} and pronoun.dep_ in SUBJECT_DEPS:
        # The relative clause hung on the verb by a misparse: its noun is the one right before "who".
        before = pronoun.i - 1
        while before >= 0 and doc[before].is_punct and pronoun.i - before < 3:
            before -= 1
        if before >= 0 and doc[before].pos_ in {"NOUN", "PROPN"}:
            noun = doc[before]
            return noun.head if noun.dep_ in {"flat", "flat:name", "compound"} and noun.head.i < noun.i else noun
    if _hops > 3:
        return None
    same_class = PERSON_PRONOUNS if word in PERSON_PRONOUNS else GROUP_PRONOUNS if word in GROUP_PRONOUNS else {"it"}
    sentence_start = sentence_bounds(pronoun)[0]
    plural_nearby = _plural_before(doc, sentence_start, pronoun.i, exclude) if word in GROUP_PRONOUNS else None
    for candidate in _recent_subjects(doc, pronoun.i, exclude):
        if plural_nearby is not None and candidate.i < sentence_start:
            # "The rift between Corbyn and senior Jewish leaders deepened after they demanded":
            # a plural noun of the pronoun's own sentence before any subject of an earlier one
            return plural_nearby
        if candidate.lower_ in same_class:
            return resolve_pronoun(candidate, exclude, _hops + 1)
        if candidate.lower_ in PERSON_PRONOUNS | GROUP_PRONOUNS:
            continue
        if word in PERSON_PRONOUNS and candidate.ent_type_ == "PERSON":
            return candidate
        if word in GROUP_PRONOUNS and (_is_plural(candidate) or candidate.ent_type_ in {"ORG", "NORP"}):
            return candidate
        if word == "it" and candidate.ent_type_ != "PERSON":
            return candidate
    if plural_nearby is not None:
        return plural_nearby
    if word in PERSON_PRONOUNS:  # no person as a subject nearby: the last person named
        listing = entities_of(doc)
        for n in range(bisect_right(listing.people_ends, pronoun.i) - 1, -1, -1):
            if listing.people[n].start not in exclude:
                return listing.people[n].root
        return None
    if word in GROUP_PRONOUNS:  # singular "they" for an unnamed source: the last subject
        subjects = [t for t in _recent_subjects(doc, pronoun.i, exclude) if t.pos_ in {"NOUN", "PROPN"}]
        return subjects[0] if subjects else None
    return None


def _plural_before(doc: Doc, start: int, end: int, exclude: set[int]) -> Token | None:
    """The nearest plural noun (not a compound modifier) in doc[start:end]."""
    for token in reversed(doc[start:end]):
        if token.tag_ in {"NNS", "NNPS"} and token.dep_ != "compound" and token.i not in exclude:
            return token
    return None


ROLE_HEADS = ROLE_WORDS | {"premier", "prime", "mp", "boss", "head", "captain", "manager", "coach"}


def role_words(phrase: Span) -> list[str] | None:
    """"the Labour leader" -> ["labour", "leader"]; None when the phrase is no
    role description (a determiner, then words ending in a role noun)."""
    if not len(phrase) or phrase[0].lower_ not in {"the", "this"} or phrase.root.pos_ not in {"NOUN", "PROPN"}:
        return None
    role = [t.lower_ for t in phrase[1:]]
    return role if role and role[-1] in ROLE_HEADS else None


def role_holder(phrase: Span) -> Span | None:
    """The named person a role description stands for, when the article itself
    ties the two: "the Labour leader" -> Jeremy Corbyn, given "Labour leader
    Jeremy Corbyn" or "Jeremy Corbyn, the Labour leader," elsewhere in it."""
    role = role_words(phrase)
    if role is None or phrase.root.pos_ != "NOUN":
        return None
    listing = entities_of(phrase.doc)
    key = tuple(role)
    if key not in listing.role_holders:
        listing.role_holders[key] = _find_role_holder(phrase.doc, role, listing.people)
    return listing.role_holders[key]


def _find_role_holder(doc: Doc, role: list[str], people: list[Span]) -> Span | None:
    for ent in people:
        before = [t.lower_ for t in doc[max(ent.start - len(role), 0):ent.start]]
        after = [t.lower_ for t in doc[ent.end + 2:ent.end + 2 + len(role)]]
        appositive = ent.end + 1 < len(doc) and doc[ent.end].text == "," and doc[ent.end + 1].lower_ == "the"
        if before == role or (appositive and after == role):
            return ent
    return None

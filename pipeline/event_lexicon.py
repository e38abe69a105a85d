"""Which words are CAMEO events, and which code they get.

The verb lexicon is the PETRARCH2 CAMEO dictionary, converted to data by
training/build_cameo_lexicon.py (pipeline/data/cameo_lexicon.json). We adapt
it to our parse and to news rather than running PETRARCH's pattern engine:

  * a verb's code is the most specific of its dictionary patterns whose words
    all occur among the verb's dependents ("stage" + "demonstration" -> 141),
    else its own or its block's default code;
  * OVERRIDES fills gaps the dictionary leaves to patterns we do not run
    ("refuse" has no default code there; for us it is REJECT);
  * reporting verbs (say, tell, add...) are not events here: the quotes table
    holds what was said, and counting every "said" would drown the rest;
  * NOMINAL_TRIGGERS: event nouns ("the meeting", "a protest", "the
    resignation of Berger") with the verb they nominalise.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Token

LEXICON_FILE = Path(__file__).parent / "data" / "cameo_lexicon.json"

# Our adaptations, each a gap or a news sense the dictionary's defaults miss.
OVERRIDES = {
    "refuse": "120", "reject": "120", "rebuff": "120", "spurn": "120", "snub": "120", "decline": "120",
    "rule out": "120", "veto": "120", "boycott": "120",
    "urge": "020", "call for": "020", "call on": "020", "appeal": "020", "ask": "020", "request": "020",
    "implore": "020", "plead": "020", "lobby": "020",
    "demand": "100", "insist on": "100",
    "write": "010", "publish": "010", "post": "010", "tweet": "010", "announce": "010", "issue": "010", "release": "010", "unveil": "010",
    "apologise": "055", "apologize": "055",
    "resign": "083", "quit": "083", "step down": "083", "stand down": "083",
    "sever": "160", "cut": "160", "suspend": "160", "expel": "160", "disown": "160", "disaffiliate": "160",
    "criticise": "111", "criticize": "111", "condemn": "111", "attack": "111", "slam": "111", "blast": "111",
    "seize on": "111", "seize upon": "111", "pounce on": "111", "round on": "111",
    "accuse": "112", "blame": "112", "investigate": "090", "probe": "090",
    "mull": "014", "consider": "014", "weigh": "014",
    "meet": "040", "discuss": "040", "hold talks": "040", "host": "043", "visit": "042", "attend": "042",
    "talk": "040", "negotiate": "040", "liaise": "040", "confer": "040", "chair": "040", "join": "042",
    "propose": "030", "ratify": "057",
    "praise": "051", "welcome": "051", "endorse": "051", "back": "051", "support": "051",
    "threaten": "130", "warn": "130",
    "protest": "140", "march": "141", "demonstrate": "141", "rally": "141", "picket": "141", "strike": "143",
    "sign": "057", "agree": "057", "promise": "030", "pledge": "030", "vow": "030", "offer": "030",
}
REPORTING_VERBS = {
    "say", "tell", "add", "state", "claim", "insist", "argue", "note", "explain", "reply", "comment", "continue",
    "stress", "emphasise", "emphasize", "describe", "recall", "suggest", "believe", "think", "feel", "know",
    "hope", "want", "expect", "see", "understand", "report", "confirm", "acknowledge", "admit", "reveal",
    "be", "have", "do", "get", "go", "come", "make", "take", "give", "become", "seem", "appear", "remain",
}
# event noun -> (the verb it stands for, CAMEO code)
NOMINAL_TRIGGERS = {
    "meeting": ("meet", "040"), "talks": ("meet", "040"), "talk": ("meet", "040"), "summit": ("meet", "040"),
    "visit": ("visit", "042"), "discussion": ("meet", "040"), "consultation": ("meet", "040"),
    "protest": ("protest", "140"), "demonstration": ("protest", "141"), "rally": ("protest", "141"),
    "march": ("protest", "141"), "strike": ("protest", "143"), "boycott": ("boycott", "120"),
    "resignation": ("resign", "083"), "apology": ("apologise", "055"),
    "letter": ("write", "010"), "statement": ("write", "010"), "announcement": ("announce", "010"),
    "demand": ("demand", "100"), "appeal": ("appeal", "020"), "request": ("request", "020"),
    "call": ("call for", "020"), "plea": ("appeal", "020"),
    "criticism": ("criticise", "111"), "accusation": ("accuse", "112"), "allegation": ("accuse", "112"),
    "complaint": ("accuse", "112"), "investigation": ("investigate", "090"), "inquiry": ("investigate", "090"),
    "probe": ("investigate", "090"), "hearing": ("investigate", "090"),
    "offer": ("offer", "030"), "pledge": ("pledge", "030"), "promise": ("promise", "030"),
    "proposal": ("propose", "030"), "conference": ("meet", "040"), "speech": ("speak", "010"),
    "threat": ("threaten", "130"), "warning": ("threaten", "130"), "ultimatum": ("threaten", "130"),
    "rejection": ("reject", "120"), "refusal": ("refuse", "120"), "suspension": ("suspend", "160"),
    "expulsion": ("expel", "160"), "agreement": ("agree", "057"), "deal": ("agree", "057"),
    "challenge": ("challenge", "115"), "lawsuit": ("sue", "115"),
    "attack": ("attack", "190"), "bombing": ("bomb", "183"), "killing": ("kill", "186"),
}
# predicate adjectives that are actions: "he was sincerely sorry" apologises
ADJECTIVE_TRIGGERS = {"sorry": ("apologise", "055"), "apologetic": ("apologise", "055")}


def adjective_code(adjective: Token) -> tuple[str, str] | None:
    """(the verb it stands for, CAMEO code) for a predicate adjective ("was sorry"), or None."""
    if adjective.pos_ != "ADJ" or not any(c.dep_ == "cop" for c in adjective.children):
        return None
    return ADJECTIVE_TRIGGERS.get(adjective.lower_)


# "called for": particles and prepositions that make a phrasal verb with its own entry
PARTICLE_DEPS = {"compound:prt", "prt"}


@lru_cache(maxsize=1)
def lexicon() -> dict:
    return json.loads(LEXICON_FILE.read_text(encoding="utf-8"))


def root_label(code: str) -> str:
    return lexicon()["roots"][code[:2]]


def phrasal_lemma(verb: Token) -> str:
    """"call" + "for" -> "call for", "step" + "down" -> "step down"; else the lemma."""
    lemma = verb.lemma_.lower()
    entries = lexicon()["verbs"]
    for child in verb.children:
        if child.dep_ in PARTICLE_DEPS or (child.dep_ in {"obl", "prep"} and child.i > verb.i):
            word = child.lower_ if child.dep_ in PARTICLE_DEPS else next(
                (c.lower_ for c in child.children if c.dep_ == "case"), "")
            candidate = f"{lemma} {word}"
            if word and (candidate in OVERRIDES or candidate in entries):
                return candidate
    return lemma


# Verbs that are news events only with certain objects: "will hear the case" (a tribunal
# investigates), "express deep concern" (a statement). verb -> (objects, family, code)
VERB_OBJECT_EVENTS = {
    "hear": ({"case", "appeal", "complaint", "complaints", "evidence", "challenge", "charges"}, "hear case", "090"),
    "express": ({"concern", "regret", "disappointment", "dismay", "anger", "sadness", "sympathy", "condolences"},
                "express concern", "010"),
}
OBJECT_EVENT_FAMILIES = {family for _, family, _ in VERB_OBJECT_EVENTS.values()}


def is_curated(lemma: str) -> bool:
    """One of our news event verbs, an event whatever its arguments; other
    dictionary verbs count only between two named actors, as in CAMEO coding."""
    return lemma in OVERRIDES or lemma in OBJECT_EVENT_FAMILIES


def _object_event(verb: Token) -> tuple[str, str] | None:
    objects, family, code = VERB_OBJECT_EVENTS.get(verb.lemma_.lower(), (set(), "", ""))
    if any(c.dep_ in {"obj", "dobj"} and c.lemma_.lower() in objects for c in verb.children):
        return family, code
    return None


def verb_code(verb: Token) -> tuple[str, str] | None:
    """(lemma used, CAMEO code) for an event verb, or None."""
    object_event = _object_event(verb)
    if object_event is not None:
        return object_event
    lemma = phrasal_lemma(verb)
    if lemma in REPORTING_VERBS or verb.lemma_.lower() in REPORTING_VERBS and lemma not in OVERRIDES:
        return None
    entry = lexicon()["verbs"].get(lemma)
    curated = OVERRIDES.get(lemma)
    code = curated or (entry[0] if entry else None)
    if entry is not None:
        found = _pattern_code(verb, entry[1])
        # a pattern refines our curated code but never moves it to another root: a bag of words
        # matched anywhere under the verb is weaker evidence than the verb itself
        if found is not None and (curated is None or (found[0] or "")[:2] == curated[:2]):
            code = found[0]
    return (lemma, code) if code else None


@lru_cache(maxsize=None)
def _block_patterns(block: int) -> tuple[tuple[frozenset, int, str | None], ...]:
    return tuple((frozenset(words), len(words), code) for words, code in lexicon()["patterns"][block])


def _pattern_code(verb: Token, block: int) -> tuple[str | None] | None:
    """The code of the longest pattern whose words are all among the verb's
    dependents (excluding its subject); (None,) means "not an event"."""
    after = [t for t in verb.subtree if t.i > verb.i]
    words = {t.lower_ for t in after} | {t.lemma_.lower() for t in after}
    best = None
    for needed, size, code in _block_patterns(block):
        if needed <= words and (best is None or size > best[0]):
            best = (size, code)
    return None if best is None else (best[1],)


def noun_code(noun: Token) -> tuple[str, str] | None:
    """(the verb it nominalises, CAMEO code) for an event noun, or None. A
    capitalised word inside a sentence is a name ("in March", "Rally Cars")."""
    if not noun.is_lower and not noun.is_sent_start:
        return None
    return NOMINAL_TRIGGERS.get(noun.lemma_.lower()) or NOMINAL_TRIGGERS.get(noun.lower_)

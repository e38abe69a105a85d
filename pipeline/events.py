"""The events table: who did what to whom, where and when, CAMEO-coded.

Triggers are verbs and event nouns the lexicon knows (pipeline.event_lexicon);
arguments and modality come from the parse (pipeline.event_arguments); agent
and target resolve to entities through the entity_mentions of the same
document. An action an article mentions several times ("the meetings",
"crunch meetings", "the JLM meeting") is one row in `events`, the
best-evidenced mention, with every mention in `event_mentions`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import groupby
from operator import itemgetter

import numpy as np
import pandas as pd
from spacy.attrs import POS, TAG
from spacy.symbols import ADJ, AUX, NOUN, PROPN, VERB
from spacy.tokens import Doc, Token

from pipeline import event_arguments as args
from pipeline.coref import sentence_number
from pipeline.event_lexicon import OVERRIDES, adjective_code, is_curated, noun_code, root_label, verb_code
from pipeline.nlp import doc_text
from pipeline.quote_marks import find_quoted_spans
from pipeline.sentences import sentence_id

EVENT_COLUMNS = [
    "event_id", "doc_id", "sentence_id", "cameo_code", "cameo_root", "event_type", "trigger", "trigger_start_char",
    "trigger_end_char", "agent", "agent_entity_id", "target", "target_entity_id", "location", "time_text",
    "negated", "hypothetical", "start_char", "end_char", "text", "n_mentions", "reported",
]
MENTION_COLUMNS = [
    "event_id", "doc_id", "sentence_id", "trigger", "trigger_start_char", "trigger_end_char", "start_char",
    "end_char", "text", "negated", "hypothetical",
]


@dataclass(frozen=True)
class Argument:
    text: str
    entity_id: str | None


@dataclass(frozen=True)
class EventMention:
    trigger: Token
    family: str  # the verb the trigger is or stands for: "meeting" -> "meet"
    code: str
    agent: Argument | None
    target: Argument | None
    location: str | None
    time: tuple[int, int] | None
    negated: bool
    hypothetical: bool
    reported: bool  # inside quote marks: someone's words, not the article's claim
    start: int  # evidence clause, character offsets
    end: int

    @property
    def evidence(self) -> float:
        return sum(x is not None for x in (self.agent, self.target, self.location, self.time)) + \
            (0.5 if self.trigger.pos_ == "VERB" else 0)


class EntityIndex:
    """Entity mentions of one document by character span, for argument lookup."""

    def __init__(self, rows: list[tuple[int, int, str, str]], names: dict[str, str]):
        """rows: (start_char, end_char, entity_id, type) of each mention, sorted."""
        self.starts = [r[0] for r in rows]
        self.rows = rows
        self.names = names

    def covering(self, start: int, end: int, types: set[str] | None = None) -> tuple[str, str] | None:
        """(entity_id, type) of the mention best covering [start, end)."""
        i = bisect_right(self.starts, start)
        for s, e, entity_id, kind in reversed(self.rows[max(i - 5, 0):i + 5]):
            if s <= start and end <= e or (start <= s and e <= end):
                if types is None or kind in types:
                    return entity_id, kind
        return None

    def last_named_with(self, word: str, before: int, types: set[str]) -> tuple[str, str] | None:
        """(entity_id, type) of the last entity mentioned before `before` whose
        name has `word` in it: "the commission" -> the Commission for Africa."""
        for s, _, entity_id, kind in reversed(self.rows[:bisect_right(self.starts, before)]):
            if s < before and kind in types and word in self.names[entity_id].lower().split():
                return entity_id, kind
        return None

    def inside(self, start: int, end: int, types: set[str]) -> list[tuple[int, int, str, str]]:
        i = bisect_right(self.starts, start - 1)
        found = []
        for row in self.rows[max(i - 1, 0):]:
            if row[0] >= end:
                break
            if row[0] >= start and row[1] <= end and row[3] in types:
                found.append(row)
        return found


def extract_events(docs: Iterable[tuple[str, Doc]], mentions: pd.DataFrame, entities: pd.DataFrame
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    names = dict(zip(entities["entity_id"], entities["name"]))
    by_doc = _mention_rows_by_doc(mentions)
    event_rows, mention_rows = [], []
    for doc_id, doc in docs:
        index = EntityIndex(by_doc.get(doc_id, []), names)
        found = event_mentions_in(doc, index)
        events, linked = _deduplicate(doc_id, found)
        event_rows.extend(events)
        mention_rows.extend(linked)
    return (pd.DataFrame(event_rows, columns=EVENT_COLUMNS), pd.DataFrame(mention_rows, columns=MENTION_COLUMNS))


def _mention_rows_by_doc(mentions: pd.DataFrame) -> dict[str, list[tuple[int, int, str, str]]]:
    """doc_id -> its mentions as EntityIndex rows, sorted; one sort for the
    whole batch, since a pandas group per document cost more than the lookups."""
    rows = sorted(zip(mentions["doc_id"].tolist(), mentions["start_char"].tolist(), mentions["end_char"].tolist(),
                      mentions["entity_id"].tolist(), mentions["type"].tolist()))
    return {doc_id: [row[1:] for row in group] for doc_id, group in groupby(rows, key=itemgetter(0))}


QUOTED_FRAGMENT_WORDS = 4
SIGNED_TEXTS = {"letter", "statement", "petition", "declaration", "motion", "pledge"}


def event_mentions_in(doc: Doc, index: EntityIndex) -> list[EventMention]:
    # Inside a quoted statement an action is the speaker's claim ("reported"); a quoted
    # fragment of a few words ("he is 'sincerely sorry'") is the writer's own report.
    text = doc_text(doc)
    quoted = [(q.start, q.end) for q in find_quoted_spans(text)
              if q.depth == 0 and len(text[q.start:q.end].split()) > QUOTED_FRAGMENT_WORDS]
    quoted_tokens = {t.i for s, e in quoted for t in (doc.char_span(s, e, alignment_mode="expand") or [])}
    found = []
    light_verbs = set()
    nouns, verb_like = _candidates(doc)
    for token in (doc[i] for i in nouns):
        coded = noun_code(token)
        if coded is None or index.covering(token.idx, token.idx + len(token)) is not None:
            continue
        family, code = coded
        if token.dep_ in args.OBJECTS and token.head.pos_ == "VERB" and args.verb_in(token.head, args.LIGHT_VERBS):
            light_verbs.add(token.head.i)  # "held a meeting": one event, the meeting
        agent, target = args.nominal_arguments(token, family)
        found.append(_mention(token, family, code, agent, target, index, quoted_tokens))
    for token in (doc[i] for i in verb_like):
        misread = _misread_verb_mention(token, index, quoted_tokens)
        if misread is not None:
            found.append(misread)
            continue
        adjective = adjective_code(token)
        if adjective is None and (not _is_action_verb(token) or token.i in light_verbs):
            continue
        coded = adjective or verb_code(token)
        if coded is None:
            continue
        family, code = coded
        if family == "sign" and any(c.lemma_.lower() in SIGNED_TEXTS for c in token.children
                                    if c.dep_ in args.OBJECTS | args.PASSIVE_SUBJECTS):
            code = "010"  # signing a letter or petition is making a statement, not concluding an agreement
        agent, target = args.verb_arguments(token)
        subj, passive = args.subject(token)
        if passive and subj is not None and subj.lower_ == "it" and agent is None:
            continue  # "it has been announced": the article's own reporting, not an action
        if not passive and (agent is None or agent.lower_ in args.NOT_ACTORS):
            agent = args.named_before(token, index, 0)
        elif passive and agent is None:
            agent = args.named_after_by(token, index)
        mention = _mention(token, family, code, agent, target, index, quoted_tokens)
        if mention.agent is not None and mention.agent.entity_id is None and agent is not None and agent.i < token.i:
            # "The shadow Commons Leader Valerie Vaz urged": a flat parse left the name outside the subject
            named = args.named_before(token, index, args.phrase(agent).start)
            if named is not None:
                mention = _mention(token, family, code, named, target, index, quoted_tokens)
        if is_curated(family) or (mention.agent and mention.agent.entity_id and mention.target
                                  and mention.target.entity_id):
            found.append(mention)
    return sorted(found, key=lambda m: m.trigger.i)


def _candidates(doc: Doc) -> tuple[list[int], list[int]]:
    """Indices of the nouns, and of the adjectives and verb-tagged words: the
    only tokens that can be triggers. Read from spaCy's arrays: making a Token
    object for every token, twice, was a large part of this stage's time."""
    if not len(doc):
        return [], []
    pos, tag = doc.to_array([POS, TAG]).T
    verb_tagged = np.zeros(len(tag), dtype=bool)
    for t in np.unique(tag).tolist():
        if _is_verb_tag(doc, t):
            verb_tagged |= tag == t
    nouns = (pos == NOUN) | (pos == PROPN)
    verb_like = (pos == ADJ) | (pos == VERB) | (verb_tagged & ~nouns & (pos != AUX))
    return np.flatnonzero(nouns).tolist(), np.flatnonzero(verb_like).tolist()


_VERB_TAGS: dict[int, bool] = {}  # tag hash -> a VB* tag; string hashes are the same in every vocab


def _is_verb_tag(doc: Doc, tag: int) -> bool:
    known = _VERB_TAGS.get(tag)
    if known is None:
        known = _VERB_TAGS[tag] = doc.vocab.strings[tag].startswith("VB")
    return known


SUBJECT_PRONOUNS = {"he", "she", "they", "we", "i"}


def _is_action_verb(token: Token) -> bool:
    """A verb used as a verb. The tagger's fine tag is a second opinion where the
    coarse one slips ("will both express": ADJ, VB). A participle describing a
    noun is no action: "Labour's ruling committee", "Labour-supporting"."""
    verb = token.pos_ == "VERB" or (token.tag_.startswith("VB") and token.pos_ not in {"AUX", "NOUN", "PROPN"})
    describing = token.dep_ in {"amod", "compound"} or (
        token.tag_ == "VBG" and token.i > 0 and token.doc[token.i - 1].lower_ in {"'s", "’s"})
    return verb and not describing


def _misread_verb_mention(token: Token, index: EntityIndex, quoted_tokens: set[int]) -> EventMention | None:
    """"demanded he disown supporters", "told to disown": one of our event verbs
    that the tagger, not knowing the word, read as an adjective right after a
    subject pronoun or "to". The pronoun (else the name before it) acts on the
    noun it was read as modifying, and that noun's clause gives the modality."""
    if token.pos_ != "ADJ" or token.lower_ not in OVERRIDES or token.i == 0:
        return None
    before = token.doc[token.i - 1]
    if before.lower_ not in SUBJECT_PRONOUNS | {"to"}:
        return None
    agent = before if before.lower_ in SUBJECT_PRONOUNS else args.named_before(token, index, 0)
    target = token.head if token.dep_ == "amod" else next((c for c in token.children if c.dep_ in args.OBJECTS), None)
    mention = _mention(token, token.lower_, OVERRIDES[token.lower_], agent, target, index, quoted_tokens)
    if token.dep_ == "amod" and not mention.hypothetical:
        mention = replace(mention, hypothetical=args.modality(token.head)[1])
    return mention


def _mention(trigger, family, code, agent, target, index, quoted_tokens) -> EventMention:
    evidence = args.clause(trigger)
    negated, hypothetical = args.modality(trigger)
    used = set()
    agent_arg = _argument(args.resolve(agent, quoted_tokens), index, used)
    target_arg = _argument(args.resolve(target, quoted_tokens), index, used)
    time = args.time_text(evidence)
    if time is not None and args.future_time(doc_text(trigger.doc)[time[0]:time[1]]):
        hypothetical = True
    return EventMention(
        trigger=trigger, family=family, code=code, agent=agent_arg, target=target_arg,
        location=_location(trigger, evidence, index, used), time=time,
        negated=negated, hypothetical=hypothetical, reported=trigger.i in quoted_tokens,
        start=evidence.start_char, end=evidence.end_char)


def _argument(head: Token | None, index: EntityIndex, used: set) -> Argument | None:
    if head is None or head.pos_ not in {"NOUN", "PROPN", "PRON", "NUM", "X"} or head.lower_ in args.NOT_ACTORS:
        return None
    phrase = args.phrase(head)
    entity = index.covering(head.idx, head.idx + len(head))
    if entity is None:  # "Labour MPs Ruth Smeeth and Dame Margaret Hodge": the first named actor of its own
        own = args.own_tokens(head)
        # "A JLM spokesman", "the Labour leader": the organisation is an affiliation, not the actor
        kinds = ({"PERSON"},) if head.lower_ in args.ROLE_NOUNS else ({"PERSON"}, {"ORG", "NORP", "GPE"})
        for types in kinds:
            inside = [index.covering(t.idx, t.idx + len(t), types) for t in own]
            inside = [e for e in inside if e is not None]
            if inside:
                entity = inside[0]
                break
    if entity is None and head.lower_ in args.ROLE_NOUNS:
        # "the president of the Board of Deputies", no name given: the body acts through its officer
        of = args.of_phrase(head)
        for t in (args.own_tokens(of) if of is not None else []):
            entity = entity or index.covering(t.idx, t.idx + len(t), {"ORG"})
    if entity is None and head.tag_ == "NNS":
        entity = _named_in_apposition(head, index)
    if entity is None and head.tag_ == "NN" and phrase[0].lower_ == "the" and len(args.own_tokens(head)) <= 3:
        # "the commission" after "the Commission for Africa": a definite description of a named body
        entity = index.last_named_with(head.lower_, head.idx, {"ORG"})
    used.update(range(phrase.start_char, phrase.end_char))
    if entity is None:  # the phrase without its prepositional and clausal modifiers
        own = args.own_tokens(head)
        text = doc_text(head.doc)[own[0].idx:own[-1].idx + len(own[-1])] if own else phrase.text
        return Argument(text, None)
    return Argument(index.names[entity[0]], entity[0])


def _named_in_apposition(head: Token, index: EntityIndex) -> tuple[str, str] | None:
    """"the organisations behind the open letter – the Board of Deputies and the
    JLC –": a plural noun named by an apposition, which the parser may hang on
    a noun inside the phrase rather than on the head."""
    for token in head.subtree:
        if token.dep_ == "appos":
            for t in args.own_tokens(token):
                entity = index.covering(t.idx, t.idx + len(t), {"ORG", "NORP", "PERSON"})
                if entity is not None:
                    return entity
    return None


def _location(trigger: Token, evidence, index: EntityIndex, used: set) -> str | None:
    """A venue phrase whose preposition matters ("outside the Houses of
    Parliament"), else a place mention in the clause that is not an argument
    ("in London" -> "London")."""
    for child in trigger.children:
        case = args._case(child)
        if child.dep_ in {"obl", "nmod", "advmod"} and case in args.PLACE_CASES - {"in", "at"}:
            venue = args.phrase(child)
            if any(t.pos_ == "PROPN" for t in venue) and venue.start_char not in used:
                start = min(t.idx for t in child.subtree)
                return doc_text(trigger.doc)[start:venue.end_char]
    for s, e, entity_id, _ in index.inside(evidence.start_char, evidence.end_char, {"GPE", "LOC", "FAC"}):
        if s not in used:
            return doc_text(trigger.doc)[s:e]
    return None


def _deduplicate(doc_id: str, found: list[EventMention]) -> tuple[list[dict], list[dict]]:
    """One event per real-world action: same CAMEO root, same verb family,
    same agent, same negation and modality. A mention with no agent ("the
    letter", "the meeting") is the event of its kind named last before it
    (or first after it, when it comes first)."""
    groups: dict[tuple, list[EventMention]] = {}
    for m in found:
        if m.agent is not None and m.agent.entity_id:
            groups.setdefault(_kind(m) + (_agent_key(m),), []).append(m)
    for m in found:
        # "the supporters to make their protest" after "the Countryside Alliance expects ... to demonstrate":
        # an unnamed actor doing a named actor's action in the same way is that action
        if m.agent is not None and not m.agent.entity_id:
            generic = m.agent.text.lower() == m.agent.text  # "supporters", not "Fathers 4 Justice"
            named = [key for key in groups if generic and key[:4] == _kind(m) and key[4] is not None
                     and any(abs(sentence_number(x.trigger) - sentence_number(m.trigger)) <= 2 for x in groups[key])]
            key = min(named, key=lambda k: abs(groups[k][0].trigger.i - m.trigger.i)) if named \
                else _kind(m) + (_agent_key(m),)
            groups.setdefault(key, []).append(m)
    for m in found:
        if m.agent is not None:
            continue
        # modality aside: "the meeting" (agentless) and "they will hold a meeting" are one action
        same = [key for key, ms in groups.items() if key[:2] == _kind(m)[:2]]
        before = [key for key in same if groups[key][0].trigger.i < m.trigger.i]
        key = max(before, key=lambda k: max(x.trigger.i for x in groups[k] if x.trigger.i < m.trigger.i)) \
            if before else (min(same, key=lambda k: groups[k][0].trigger.i) if same else _kind(m) + (None,))
        groups.setdefault(key, []).append(m)
    ordered = sorted(groups.values(), key=lambda ms: min(x.trigger.i for x in ms))
    events, mentions = [], []
    for n, group in enumerate(ordered):
        group.sort(key=lambda x: x.trigger.i)
        event_id = f"{doc_id}-e{n:03d}"
        best = max(group, key=lambda m: (m.evidence, -m.trigger.i))
        agent = next((m.agent for m in group if m.agent is not None and m.agent.entity_id), None) or best.agent
        best = replace(best, agent=agent)
        events.append(_event_row(event_id, doc_id, best, len(group)))
        mentions.extend(_mention_row(event_id, doc_id, m) for m in group)
    return events, mentions


# verbs that name one action for deduplication: "talks ... to discuss", "the protest ... demonstrate"
SAME_ACTION = {"discuss": "meet", "talk": "meet", "confer": "meet", "negotiate": "meet", "hold talks": "meet",
               "attend": "visit", "join": "visit",
               "send": "write", "publish": "write", "sign": "write", "demonstrate": "protest", "march": "protest", "rally": "protest"}


def _kind(m: EventMention) -> tuple:
    return (m.code[:2], SAME_ACTION.get(m.family, m.family), m.negated, m.hypothetical)


def _agent_key(m: EventMention):
    if m.agent is None:
        return None
    return m.agent.entity_id or m.agent.text.lower()


def _event_row(event_id: str, doc_id: str, m: EventMention, n_mentions: int) -> dict:
    text = doc_text(m.trigger.doc)
    time = text[m.time[0]:m.time[1]] if m.time else None
    return {
        "event_id": event_id, "doc_id": doc_id, "sentence_id": sentence_id(doc_id, sentence_number(m.trigger)),
        "cameo_code": m.code, "cameo_root": m.code[:2], "event_type": root_label(m.code),
        "trigger": m.trigger.text, "trigger_start_char": m.trigger.idx,
        "trigger_end_char": m.trigger.idx + len(m.trigger),
        "agent": m.agent.text if m.agent else None, "agent_entity_id": m.agent.entity_id if m.agent else None,
        "target": m.target.text if m.target else None, "target_entity_id": m.target.entity_id if m.target else None,
        "location": m.location, "time_text": time, "negated": m.negated, "hypothetical": m.hypothetical,
        "start_char": m.start, "end_char": m.end, "text": text[m.start:m.end], "n_mentions": n_mentions,
        "reported": m.reported,
    }


def _mention_row(event_id: str, doc_id: str, m: EventMention) -> dict:
    text = doc_text(m.trigger.doc)
    return {
        "event_id": event_id, "doc_id": doc_id, "sentence_id": sentence_id(doc_id, sentence_number(m.trigger)),
        "trigger": m.trigger.text, "trigger_start_char": m.trigger.idx,
        "trigger_end_char": m.trigger.idx + len(m.trigger), "start_char": m.start, "end_char": m.end,
        "text": text[m.start:m.end], "negated": m.negated, "hypothetical": m.hypothetical,
    }

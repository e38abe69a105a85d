"""Arguments and modality of one event trigger, from the dependency parse.

agent / target: the trigger's subject and object (a passive swaps them; a
nominal takes its possessor, compound or "by"/"from" phrase as agent), with
pronouns resolved through the shared coreference (pipeline.coref).
location: a place mention or venue phrase in the trigger's clause.
time_text: a time expression in the clause, as written.
negated / hypothetical: "did not meet", "refused to meet" (the meeting did
not happen; the refusal did); "will discuss", "mulls cutting ties", "calls
for a meeting", "expected to attend", "if they meet".
"""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

from pipeline.attribution import NOT_SPEAKERS
from pipeline.event_lexicon import noun_code
from pipeline.coref import GROUP_PRONOUNS, PERSON_PRONOUNS, ROLE_WORDS, noun_phrase, resolve_pronoun, sentence_bounds
from pipeline.nlp import doc_text

# a mis-parsed subject that is a day, a month or a time word ("today" hears a case, "July's summit")
NOT_ACTORS = NOT_SPEAKERS | {"january", "february", "march", "april", "may", "june", "july", "august", "september",
                             "october", "november", "december", "spring", "summer", "autumn", "winter"}
# verbs whose object noun is the event itself: "held talks", "staged a protest", "chaired a meeting"
LIGHT_VERBS = {"hold", "make", "have", "stage", "take", "give", "issue", "launch", "organise", "organize", "call",
               "host", "chair", "attend", "convene", "lead", "plan", "mount", "arrange", "send", "write", "deliver",
               # presenting or concluding it: "unveiled proposals", "signed a deal"
               "unveil", "present", "table", "submit", "outline", "sign", "agree", "strike", "join"}
ROLE_NOUNS = ROLE_WORDS | {"source", "sources", "official", "officials", "figure", "figures", "member", "members",
                           "activist", "activists", "supporter", "supporters", "aide", "aides", "mps", "peers",
                           "councillors", "leaders", "ministers", "campaigners", "protesters", "backbenchers"}
ACTIVE_SUBJECTS = {"nsubj"}
PASSIVE_SUBJECTS = {"nsubj:pass", "nsubjpass"}
OBJECTS = {"obj", "dobj", "iobj"}
TARGET_CASES = {"to", "with", "against", "on", "at", "into"}
AGENT_CASES = {"by", "from"}
PLACE_CASES = {"in", "at", "outside", "inside", "near", "across", "around", "throughout"}
MODALS = {"will", "would", "could", "may", "might", "shall", "should", "'ll", "must", "wo", "ca"}
NEGATIONS = {"not", "n't", "never", "no"}
# Verbs whose complement has not happened (yet): plans, wishes, calls, threats, expectations.
ORDER_VERBS = {"tell", "order", "instruct", "command", "direct"}  # with "to": what someone was told to do
HYPOTHETICAL_HEADS = {
    "plan", "expect", "threaten", "mull", "consider", "want", "hope", "intend", "aim", "seek", "propose",
    "prepare", "call", "urge", "demand", "ask", "offer", "promise", "pledge", "vow", "decide", "vote", "set",
    "due", "likely", "wish", "would", "try", "attempt", "push", "press", "debate", "discuss", "weigh",
    "request", "invite", "agree", "schedule", "need", "going", "able", "ready", "willing", "keen",
    "prepared", "pressure", "offer", "plan", "bid", "proposal", "call", "demand", "push",
}
# verbs whose object does their infinitive, when the parse hangs it as an adverbial clause
CONTROL_VERBS = {"expect", "urge", "ask", "want", "call", "invite", "persuade", "allow", "tell", "encourage",
                 "force", "press", "pressure", "order", "require"}
# verbs after which a possessive pronoun on the event noun is the subject's own: "hold its conference"
HOLD_VERBS = {"hold", "stage", "host", "chair", "convene", "organise", "organize", "launch", "issue", "make",
              "give", "deliver", "mount", "arrange", "plan"}
# nouns whose infinitive belongs to their holder: "no plans to hold", "a bid to overturn"
PLAN_NOUNS = {"plan", "bid", "attempt", "move", "effort", "decision", "intention", "promise", "pledge", "right"}
# an event noun placed after the reference point: "ahead of the meetings", "before crunch meetings"
FUTURE_CASES = {"before", "ahead"}
FUTURE_MODIFIERS = {"upcoming", "forthcoming", "planned", "proposed", "expected", "scheduled", "future", "next",
                    "ahead", "possible", "potential"}
FUTURE_TIME = re.compile(r"^(?:later|next|tomorrow|tonight|this evening|within|in the next)\b", re.IGNORECASE)
REFUSALS = {"refuse", "decline", "reject", "fail", "deny", "rule", "rebuff", "refusal"}
CLAUSE_UP = {"xcomp", "ccomp", "advcl", "acl", "obj", "dobj", "obl", "nmod", "conj", "pobj"}
VERB_INTRANSITIVE_OF = {"resign", "apologise", "protest", "meet", "visit", "quit"}

_DAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_UNITS = r"(?:day|week|month|year|decade|fortnight)s?"
_NUMBER = r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d+)"
TIME_EXPRESSION = re.compile(
    rf"\b(?:(?:on|last|next|this|since|until|by|from) )?{_DAYS}(?: (?:night|morning|afternoon|evening))?\b"
    rf"|\b(?:(?:later|earlier) )?(?:yesterday|today|tonight|tomorrow)(?: (?:night|morning|afternoon|evening))?\b"
    rf"|\b(?:(?:earlier|later) )?(?:last|next|this) (?:week|month|year|weekend|summer|winter|spring|autumn)\b"
    rf"|\b{_NUMBER} {_UNITS} (?:ago|earlier|later)\b"
    rf"|\b(?:in|on|since|by|until|from|last|next) (?:(?:early|mid|late)[- ])?{_MONTHS}(?: \d{{1,2}})?(?:,? \d{{4}})?\b"
    rf"|\b(?:in|since|by|until) (?:19|20)\d\d\b"
    rf"|\b(?:within|for|after|in) (?:the )?(?:next |past |last )?{_NUMBER} (?:hours?|{_UNITS})\b"
    rf"|\b(?:earlier|later) (?:this|that|in the) (?:week|month|year|day)\b")


def subject(trigger: Token) -> tuple[Token | None, bool]:
    """(subject token, passive?) following conjunctions and non-finite
    clauses up to a verb that has one ("wanted to meet": the wanter meets).
    A passive raising verb hands its subject on as the actor: in "MPs are
    expected to attend", the MPs attend. A participle modifying a noun ("the
    party signed a deal", mis-parsed) takes that noun."""
    verb, hops = trigger, 0
    while verb is not None and hops < 4:
        subjects = [c for c in verb.children if c.dep_ in ACTIVE_SUBJECTS | PASSIVE_SUBJECTS]
        if subjects:
            # Several (a flat misparse of "Labour MPs Ruth Smeeth and Dame Margaret Hodge are"):
            # the one nearest before the verb heads the actual subject.
            before = [c for c in subjects if c.i < verb.i]
            child = before[-1] if before else subjects[0]
            # "details are to be announced": a passive trigger's subject is its target, wherever it hangs
            return child, (child.dep_ in PASSIVE_SUBJECTS and hops == 0) or _passive(trigger)
        if verb.dep_ == "acl" and verb.head.lemma_.lower() in PLAN_NOUNS:
            # "no plans for Mr Blair to hold": the "for" phrase names who would act
            actor = next((c for c in verb.head.children if c.i < verb.i and _case(c) == "for"
                          and c.pos_ in {"NOUN", "PROPN", "PRON"}), None)
            if actor is not None:
                return actor, False
            if verb.head.head.i != verb.head.i:
                verb, hops = verb.head.head, hops + 1  # "Labour has no plans to hold": who has the plans
                continue
        if verb.dep_ == "acl" and verb.head.pos_ in {"NOUN", "PROPN"} and noun_code(verb.head) is None:
            return verb.head, False  # not "talks ... to discuss": the talks do not discuss
        if hops == 0 and (verb.dep_ == "xcomp" or (verb.dep_ == "advcl" and verb.head.lemma_.lower() in CONTROL_VERBS)):
            # "urged Corbyn to attend": the one urged attends, not the urger
            controller = next((c for c in verb.head.children if c.dep_ in OBJECTS and c.i < verb.i
                               and c.pos_ in {"NOUN", "PROPN", "PRON"}), None)
            if controller is not None:
                return controller, False
        if verb.dep_ in {"conj", "xcomp", "advcl"} and verb.head.i != verb.i:
            verb, hops = verb.head, hops + 1
        else:
            break
    return None, False


def verb_arguments(trigger: Token) -> tuple[Token | None, Token | None]:
    """(agent head, target head) of a verb trigger."""
    subj, passive = subject(trigger)
    agent = target = None
    if passive:
        target = subj
        agent = next((c for c in trigger.children if c.dep_ in {"obl:agent", "obl"} and _case(c) == "by"), None)
    else:
        agent = subj
    if target is None:
        target = next((c for c in trigger.children if c.dep_ in OBJECTS and c.pos_ in {"NOUN", "PROPN", "PRON"}),
                      None)
    if target is None:
        target = next((c for c in trigger.children if c.dep_ in {"obl", "nmod"} and _case(c) in TARGET_CASES
                       and c.pos_ in {"PROPN", "NOUN", "PRON"}), None)
    return agent, target


def verb_in(verb: Token, verbs: set[str]) -> bool:
    """The verb is one of `verbs`, by lemma or, where the lemmatizer slipped
    ("chairing" -> "chaire"), by its form without -ing, -ed or -s."""
    word = verb.lower_
    forms = {verb.lemma_.lower(), word, word.removesuffix("ing"), word.removesuffix("ed"), word.removesuffix("s"),
             word.removesuffix("d")}
    return not forms.isdisjoint(verbs)


def nominal_arguments(trigger: Token, verb_lemma: str) -> tuple[Token | None, Token | None]:
    """(agent head, target head) of an event noun: "Corbyn's letter", "JLM
    meetings", "meetings by the JLM", "the resignation of Berger", "a letter
    to the Labour leader"; as the object of a light verb ("held a meeting",
    "staged a protest") it takes that verb's subject."""
    agent = target = None
    host = None  # "Corbyn attended the PLP meeting": the attender acts, the PLP hosts
    if trigger.dep_ in OBJECTS and trigger.head.pos_ == "VERB" and verb_in(trigger.head, LIGHT_VERBS):
        host, _ = subject(trigger.head)
    for child in trigger.children:
        case = _case(child)
        if child.dep_ == "compound" and child.pos_ == "PROPN" and host is not None:
            target = target or child
        elif (child.dep_ in {"nmod:poss", "poss"} and child.pos_ == "PRON" and host is not None
              and verb_in(trigger.head, HOLD_VERBS)):
            agent = agent or host  # "Labour will hold its conference": the holder, not a pronoun to resolve
        elif child.dep_ in {"nmod:poss", "poss"} or (child.dep_ == "compound" and child.pos_ == "PROPN"):
            agent = agent or child
        elif case in AGENT_CASES:
            agent = agent or child
        elif case == "of" and verb_lemma in VERB_INTRANSITIVE_OF and not (
                host is not None and verb_in(trigger.head, HOLD_VERBS)):
            agent = agent or child  # "the meeting of the commission", unless someone chairs or holds it
        elif case in TARGET_CASES | {"of"}:
            target = target or child
    if agent is None and trigger.head.pos_ in {"VERB", "AUX"} and (
            (trigger.dep_ in OBJECTS and verb_in(trigger.head, LIGHT_VERBS)) or (trigger.dep_ in {"obl", "nmod"} and _case(trigger) in {"in", "through", "via"})):
        agent, _ = subject(trigger.head)  # "held talks", "In a fresh letter to X, the Board said"
    return agent, target


def named_before(verb: Token, index, start: int) -> Token | None:
    """When the parse gives a verb no usable subject ("The shadow Commons
    Leader Valerie Vaz urged", "the National Constitution Committee, will
    today hear"), the last person or organisation named before it in the
    sentence, outside prepositional phrases, stands in."""
    for token in reversed(list(verb.doc[max(start, sentence_bounds(verb)[0]):verb.i])):
        if index.covering(token.idx, token.idx + len(token), {"PERSON", "ORG", "GPE", "NORP"}) is not None:
            if not any(c.dep_ == "case" for c in token.children) and token.head.dep_ not in {"obl", "nmod"}:
                return token
    return None


def named_after_by(verb: Token, index) -> Token | None:
    """A passive verb's agent the parse lost ("was ratified by Labour's ruling
    National Executive Committee", with "by" read as a clause marker): the
    first person or organisation named within a few words after "by"."""
    doc = verb.doc
    end = sentence_bounds(verb)[1]
    by = next((t for t in doc[verb.i + 1:min(verb.i + 3, end)] if t.lower_ == "by"), None)
    if by is None:
        return None
    for token in doc[by.i + 1:min(by.i + 8, end)]:
        if token.is_punct:
            return None
        possessor = token.i + 1 < len(doc) and doc[token.i + 1].lower_ in {"'s", "’s"}  # "Labour's ruling NEC"
        if not possessor and token.pos_ in {"NOUN", "PROPN"} and index.covering(token.idx, token.idx + len(token),
                                            {"PERSON", "ORG", "GPE", "NORP"}) is not None:
            return token
    return None


def _passive(verb: Token) -> bool:
    return verb.tag_ == "VBN" and any(c.dep_ in {"aux:pass", "auxpass"} for c in verb.children)


def of_phrase(head: Token) -> Token | None:
    """The head of the noun's "of" phrase: "the president of the Board" -> Board."""
    return next((c for c in head.children if _case(c) == "of"), None)


def _case(token: Token) -> str:
    return next((c.lower_ for c in token.children if c.dep_ in {"case", "mark"}), "")


def resolve(head: Token | None, exclude: set[int]) -> Token | None:
    """A pronoun's antecedent (they -> the MPs named before), else the head itself."""
    if head is None:
        return None
    if head.lower_ in PERSON_PRONOUNS | GROUP_PRONOUNS | {"it", "its", "who", "which"}:
        return resolve_pronoun(head, exclude)
    return head


def phrase(head: Token) -> Span:
    """The argument's words, without a leading preposition ("of the commission")."""
    span = noun_phrase(head)
    while len(span) > 1 and span[0].dep_ == "case":
        span = span[1:]
    return span


def own_tokens(head: Token) -> list[Token]:
    """The noun phrase without its prepositional and clausal modifiers: an
    actor named there is the head's own ("Labour MPs Ruth Smeeth"), one in "by
    allegations of ... as Labour leader" is not."""
    excluded = set()
    for child in head.children:
        # "by the president", "were members": the head's own preposition or copula is not the actor's name
        if _case(child) or child.dep_ in {"acl", "acl:relcl", "relcl", "advcl", "ccomp", "case", "cop", "mark",
                                          "aux", "aux:pass"}:
            excluded.update(t.i for t in child.subtree)
    return [t for t in noun_phrase(head) if t.i not in excluded]


def modality(trigger: Token) -> tuple[bool, bool]:
    """(negated, hypothetical)."""
    negated = any(c.dep_ in {"neg", "advmod", "det"} and c.lower_ in NEGATIONS for c in trigger.children)
    hypothetical = _future(trigger) or _misparsed_plan(trigger)
    token, hops = trigger, 0
    while hops < 4:
        if any(c.dep_ in {"aux", "aux:pass"} and c.lower_ in MODALS for c in token.children):
            hypothetical = True
        if any(c.dep_ == "mark" and c.lower_ in {"if", "unless"} for c in token.children):
            hypothetical = True
        if token.dep_ not in CLAUSE_UP or token.head.i == token.i:
            break
        head = token.head
        if head.lemma_.lower() in REFUSALS and token.dep_ in {"xcomp", "obj", "dobj", "ccomp"}:
            negated = True  # "refused to meet": the refusal happened, the meeting did not
        elif head.lemma_.lower() in ORDER_VERBS and any(c.dep_ == "mark" and c.lower_ == "to" for c in token.children):
            hypothetical = True  # "told to disown": ordered, not done
        elif head.lemma_.lower() in HYPOTHETICAL_HEADS and token.dep_ in {"xcomp", "ccomp", "obj", "dobj", "obl",
                                                                            "nmod", "acl"}:
            hypothetical = True
            if token.dep_ == "acl" and any(c.dep_ == "det" and c.lower_ in NEGATIONS for c in head.children):
                negated = True  # "no plans for Mr Blair to hold": planned by nobody
        token, hops = head, hops + 1
    return negated, hypothetical


def _future(trigger: Token) -> bool:
    """Marked as still to come by its own words: "ahead meetings", "before
    crunch meetings", "the planned protest", a headline's "Straw to attend"."""
    if trigger.pos_ in {"NOUN", "PROPN"}:
        return _case(trigger) in FUTURE_CASES or any(
            c.lower_ in FUTURE_MODIFIERS for c in trigger.children if c.dep_ in {"amod", "compound", "advmod"}) or any(
            c.lower_ == "any" for c in trigger.children if c.dep_ == "det")  # "any meeting between them"
    headline_infinitive = trigger.dep_ == "ROOT" and any(c.dep_ == "mark" and c.lower_ == "to" for c in trigger.children)
    return headline_infinitive


def _misparsed_plan(trigger: Token) -> bool:
    """"the group mulls cutting ties" parsed with "mulls" as a noun subject:
    a planning word right before an -ing trigger still makes it a plan."""
    before = trigger.doc[trigger.i - 1] if trigger.i > 0 else None
    return (trigger.tag_ == "VBG" and before is not None and before.head.i == trigger.i
            and before.dep_ in ACTIVE_SUBJECTS and before.lemma_.lower() in HYPOTHETICAL_HEADS)


def future_time(text: str | None) -> bool:
    """A time expression that points forward ("later today", "next week")."""
    return bool(text) and bool(FUTURE_TIME.match(text))


def clause(trigger: Token) -> Span:
    """The evidence: the trigger's subtree within its sentence (for a noun,
    the clause of the verb it belongs to, when there is one)."""
    anchor = trigger
    if trigger.pos_ in {"NOUN", "PROPN"} and trigger.head.pos_ in {"VERB", "AUX"} and trigger.dep_ in OBJECTS:
        anchor = trigger.head
    indices = [t.i for t in anchor.subtree]
    sent_start, sent_end = sentence_bounds(trigger)
    start, end = max(min(indices), sent_start), min(max(indices) + 1, sent_end)
    doc = trigger.doc
    while end > start + 1 and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    while start < end - 1 and (doc[start].is_punct or doc[start].is_space):
        start += 1
    return doc[start:end]


def time_text(evidence: Span) -> tuple[int, int] | None:
    """Character offsets of the first time expression in the evidence clause."""
    match = TIME_EXPRESSION.search(doc_text(evidence.doc)[evidence.start_char:evidence.end_char])
    if match is None:
        return None
    return evidence.start_char + match.start(), evidence.start_char + match.end()

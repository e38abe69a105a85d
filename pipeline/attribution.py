"""Who said it: find the cue (said, told Jewish News, according to...) and the
speaker mention for a quoted span, from the dependency parse.

Patterns covered: `X said: "..."`, `"...," said X`, `"...," X said`,
`X told Jewish News: "..."`, `according to X`, participles (`adding that`,
`Speaking after the meeting, X said`), pronoun speakers (`he added`, `They
wrote:`) resolved through pipeline.coref, and unnamed sources ("A senior
source said") whose phrase is the speaker.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from pipeline.coref import (
    RELATIVE_PRONOUNS, SUBJECT_DEPS, entity_at, entity_in, fullest_name, is_coordinated, noun_phrase, resolve_pronoun,
    role_holder,
)

SPEECH_VERBS = frozenset("""
    say tell add write urge warn insist claim state argue explain note declare announce accuse ask reply respond
    admit acknowledge confirm deny suggest vow pledge promise demand conclude complain comment report tweet post
    reveal recall stress emphasise emphasize describe call agree continue predict concede boast joke quip plead
    appeal assert maintain contend believe think fear hope mock label brand dub term praise criticise criticize
    slam blast attack defend condemn hail dismiss decry lament tout characterize characterise
    refer reference cite quote vow threaten blame thank interject retort counter shout chant exclaim yell scream
    mutter whisper answer wonder muse observe remark opine recount tease
""".split())
SPEECH_FORMS = frozenset("says said reports reported writes wrote adds added tells told notes noted explains explained "
                         "argues argued warns warned insists insisted asks asked".split())
# Cues strong enough to introduce a full direct quote after a colon or comma.
INDIRECT_VERBS = frozenset("say tell add write claim state argue explain note insist warn admit acknowledge "
                           "confirm deny suggest announce report reveal believe think".split())
PRONOUNS = frozenset("he she they we i him her them us it".split()) | RELATIVE_PRONOUNS


@dataclass
class Attribution:
    cue: str
    cue_start: int
    cue_end: int
    speaker: str | None  # canonical name, or the speaker phrase when unnamed
    speaker_start: int | None
    speaker_end: int | None
    speaker_label: str | None  # PERSON / ORG / ... of the resolved entity, if any
    confidence: float


def is_speech_verb(token: Token) -> bool:
    return token.lemma_.lower() in SPEECH_VERBS and token.pos_ in {"VERB", "AUX"}


def cue_text(verb: Token) -> tuple[str, int, int]:
    """The verb plus a named recipient: "told Jewish News", "told MPs", "said"."""
    doc = verb.doc
    end = verb.i + 1
    for child in verb.children:
        if child.dep_ in {"iobj", "obj", "dobj"} and child.left_edge.i == end:
            ent = entity_at(doc, child.i)
            end = ent.end if ent is not None else child.i + 1
    span = doc[verb.i:end]
    return span.text, span.start_char, span.end_char


NOT_SPEAKERS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tonight morning afternoon evening "
    "night week weekend month year statement that which this".split())


def _can_speak(token: Token) -> bool:
    """A mis-parsed subject that cannot be a speaker: a day ("said Friday"),
    a phrase that opens with a preposition ("of the 2011 raid")."""
    if token.lower_ in NOT_SPEAKERS or token.ent_type_ in {"DATE", "TIME"}:
        return False
    return not (token.left_edge.pos_ == "ADP" and token.left_edge.i < token.i)


def subject_of(verb: Token) -> Token | None:
    """The speaker token of a speech verb, following conjunctions and
    participles up to the verb that has a subject."""
    seen = 0
    while verb is not None and seen < 4:
        subjects = [child for child in verb.children if child.dep_ in SUBJECT_DEPS and _can_speak(child)]
        if subjects:  # several (a flat mis-parse): the one nearest the verb is the head
            return min(subjects, key=lambda t: abs(t.i - verb.i))
        if verb.dep_ in {"conj", "advcl", "xcomp", "ccomp", "parataxis"} and verb.head.i != verb.i:
            verb = verb.head
            seen += 1
        else:
            return None
    return None


def _named_subject_before(verb: Token) -> Token | None:
    """When the parse gives a speech verb no subject, the nearest person or
    organisation named before it in the sentence, outside any prepositional
    phrase ("At a gig in New York, Clinton called them ..."), stands in."""
    for token in reversed(list(verb.doc[verb.sent.start:verb.i])):
        if token.ent_type_ in {"PERSON", "ORG"} and token.ent_iob_ in {"B", "I"}:
            if not any(c.dep_ == "case" for c in token.head.children if token.head.ent_type_ == token.ent_type_) \
                    and not any(c.dep_ == "case" for c in token.children):
                return token
    return None


LISTENER_VERBS = {"tell", "ask", "inform", "assure", "remind", "warn", "urge", "thank", "promise"}
QUOTE_END_TOKENS = {",", "”", "\"", "’", "'", "?", "!"}


def _named_speaker_after(verb: Token) -> Token | None:
    """'"...," said 9/11 widow Terry Strada': an inverted cue right after the
    quote whose speaker the parse took for an object; the person or
    organisation named within a few words after the verb is the speaker."""
    doc = verb.doc
    if verb.i == 0 or doc[verb.i - 1].text not in QUOTE_END_TOKENS:
        return None
    # A finite verb that names no listener: "told The Huffington Post" names who heard
    # it, and "..., saying" is a participle whose speaker comes before it.
    if verb.tag_ not in {"VBD", "VBZ", "VBP"} or verb.lemma_.lower() in LISTENER_VERBS:
        return None
    for token in doc[verb.i + 1:min(verb.i + 7, verb.sent.end)]:
        if token.is_punct:
            return None
        if token.ent_type_ in {"PERSON", "ORG"}:
            ent = entity_at(doc, token.i)
            return ent.root if ent is not None else token
    return None


def describe(head: Token) -> tuple[str, Span, str | None]:
    """(name, phrase, entity label) for the head of a speaker mention: a named
    person or organisation gets its fullest in-document name; a coordination
    or an unnamed source ("A JLM spokesman") is named by its phrase."""
    doc = head.doc
    phrase = noun_phrase(head)
    ent = entity_in(phrase)
    holder = None if ent is not None and ent.label_ == "PERSON" else role_holder(phrase)
    if holder is not None:
        name, label = fullest_name(doc, holder)
        return name, phrase, label
    if is_coordinated(head) or ent is None:
        return phrase.text, phrase, None
    if ent.label_ == "PERSON" or ent.start <= head.i < ent.end:
        name, label = fullest_name(doc, ent)
        return name, phrase, label
    return phrase.text, phrase, None


def speaker_of(subject: Token, exclude: set[int] = frozenset()) -> tuple[str, Span, str | None, float]:
    """(speaker name, the mention, entity label, confidence) for a subject token.
    A pronoun keeps its own offsets as the mention but takes its antecedent's name."""
    doc = subject.doc
    if subject.lower_ in PRONOUNS:
        antecedent = resolve_pronoun(subject, exclude)
        mention = doc[subject.i:subject.i + 1]
        if antecedent is None:
            return subject.text, mention, None, 0.4
        if subject.lower_ in RELATIVE_PRONOUNS:
            name, mention, label = describe(antecedent)
            return name, mention, label, 0.85
        name, _, label = describe(antecedent)
        return name, mention, label, 0.8
    name, phrase, label = describe(subject)
    return name, phrase, label, 0.9 if label else 0.85


def said_by(verb: Token, subject: Token, quoted_tokens: set[int], factor: float = 1.0) -> Attribution:
    """The attribution to `subject` through the cue `verb`, its confidence
    the speaker's times `factor` (how sure the pattern is)."""
    name, mention, label, conf = speaker_of(subject, quoted_tokens)
    cue, cue_start, cue_end = cue_text(verb)
    return Attribution(cue, cue_start, cue_end, name, mention.start_char, mention.end_char, label, factor * conf)


def _according_to(sentence: Span, outside: set[int]) -> Attribution | None:
    for token in sentence:
        if token.lower_ == "according" and token.i + 1 < len(token.doc) and token.doc[token.i + 1].lower_ == "to":
            objects = [t for t in token.doc[token.i + 1].children if t.dep_ in {"pobj", "obl", "nmod"}]
            objects += [t for t in token.children if t.dep_ in {"pobj", "obl", "nmod"} and t.i > token.i + 1]
            if token.dep_ == "case" and token.head.i > token.i + 1:  # UD: "according to" is the case of its noun
                noun = token.head
                # "according to talk radio host Rush Limbaugh": the role words hang on the name
                while noun.dep_ in {"nmod:desc", "compound", "flat"} and noun.head.i > noun.i:
                    noun = noun.head
                objects.append(noun)
            if objects and objects[0].i in outside:
                name, mention, label, conf = speaker_of(objects[0])
                if mention.start <= token.i + 1 < mention.end:  # the phrase is the source, not the cue
                    mention = mention.doc[token.i + 2:mention.end]
                cue = token.doc[token.i:token.i + 2]
                return Attribution(cue.text, cue.start_char, cue.end_char, name, mention.start_char,
                                   mention.end_char, label, conf)
    return None


# How far from a quote its cue is looked for, in tokens. Real cues sit within a
# sentence of the quote; the bound keeps a 10,000-quote "sentence" linear.
CUE_WINDOW = 80


def attribute(doc: Doc, quote: Span, quoted_tokens: set[int]) -> Attribution | None:
    """The attribution of one quoted span from its own sentence(s), or None."""
    first, last = quote[0].sent, quote[-1].sent
    region = doc[max(first.start, quote.start - CUE_WINDOW):min(last.end, quote.end + CUE_WINDOW)]
    # "The New York Times reports:" ending the paragraph before the quote.
    before = doc[first.start - 1] if first.start > 0 else None
    while before is not None and before.is_space and before.i > 0:
        before = doc[before.i - 1]
    lead_in = None
    if before is not None and before.text == ":" and region.start == first.start:
        region = doc[max(before.sent.start, before.i - CUE_WINDOW):region.end]
        lead_in = before
    outside = {t.i for t in region if t.i not in quoted_tokens}
    candidates = [t for t in region if t.i in outside and is_speech_verb(t)]
    if candidates:
        def distance(verb: Token) -> int:
            return min(abs(verb.i - quote.start), abs(verb.i - (quote.end - 1)))

        for verb in sorted(candidates, key=distance):
            subject = subject_of(verb) or _named_speaker_after(verb) or _named_subject_before(verb)
            if subject is None or subject.i in quoted_tokens:
                continue
            return said_by(verb, subject, quoted_tokens)
    return _according_to(region, outside) or (_colon_lead_in(lead_in) if lead_in is not None else None)


def _colon_lead_in(colon: Token) -> Attribution | None:
    """"The Guardian reports:" as a paragraph of its own, the quote below it.
    The tagger may read such a "reports" as a plural noun, so the verb is
    recognised by its form and the words before it are the speaker."""
    doc = colon.doc
    cue = doc[colon.i - 1] if colon.i > 0 else None
    if cue is None or cue.lower_ not in SPEECH_FORMS:
        return None
    sentence = colon.sent
    speaker = doc[sentence.start:cue.i]
    while len(speaker) and (speaker[0].is_punct or speaker[0].is_space):
        speaker = speaker[1:]
    if not 0 < len(speaker) <= 8:
        return None
    ent = entity_in(speaker)
    name, label = fullest_name(doc, ent) if ent is not None else (speaker.text, None)
    return Attribution(cue.text, cue.idx, cue.idx + len(cue), name, speaker.start_char, speaker.end_char, label, 0.8)


def trailing_cue(doc: Doc, quote: Span) -> Attribution | None:
    """'"...?" a narrator in the Clinton ad asks.': speaker words and a speech
    form closing the sentence right after the quote. The tagger may read such
    an "asks" as a plural noun, so the cue is recognised by its form."""
    i = quote.end
    while i < len(doc) and doc[i].is_punct and i - quote.end < 3:
        i += 1
    if i >= len(doc):
        return None
    for j in range(i + 1, min(i + 10, doc[i].sent.end)):
        if doc[j].lower_ in SPEECH_FORMS and (j + 1 == len(doc) or doc[j + 1].text in {".", "\n", "\n\n"}):
            speaker = doc[i:j]
            if not 0 < len(speaker) <= 8 or any(t.is_punct for t in speaker):
                return None
            # "a narrator in the Clinton ad" is an unnamed source, not Clinton
            ent = None if speaker[0].pos_ == "DET" else entity_in(speaker)
            name, label = fullest_name(doc, ent) if ent is not None else (speaker.text, None)
            cue = doc[j]
            return Attribution(cue.text, cue.idx, cue.idx + len(cue), name, speaker.start_char, speaker.end_char,
                               label, 0.7)
    return None


def clause_holder(doc: Doc, quote: Span, quoted_tokens: set[int]) -> Attribution | None:
    """For a quoted fragment in a sentence with no speech verb: a named or
    pronoun subject of the sentence's main verb is taken as whose words they
    are ("Trump openly admires Putin as a 'strong leader'"), at low confidence.
    An inanimate subject ("The letter sparked fury over the 'offensive'
    suggestion") gives nothing: those marks are scare quotes."""
    root = quote.sent.root
    if root.i in quoted_tokens or root.pos_ not in {"VERB", "AUX"}:
        return None
    subject = subject_of(root)
    if subject is None or subject.i in quoted_tokens:
        return None
    # A named subject the NER mislabelled ("Trump" as MISC or GPE) still names someone.
    if not (subject.lower_ in PRONOUNS - {"it"} or subject.ent_type_ in {"PERSON", "ORG", "NORP"}
            or (subject.pos_ == "PROPN" and subject.ent_type_ in {"MISC", "GPE"})):
        return None
    return said_by(root, subject, quoted_tokens, 0.6)


# Verbs whose complement is someone's words: what lawmakers called "fraud",
# hailed him as "The Comeback Kid", likened them to a "vicious snake".
NAMING_VERBS = frozenset("""
    call label dub nickname brand term describe characterize characterise hail liken compare cite proclaim chant
    deride decry denounce sing
""".split())
COMPLEMENT_DEPS = {"obj", "dobj", "xcomp", "obl", "oprd", "attr", "conj", "amod", "compound", "nmod", "appos", "advcl"}


def naming_verb(doc: Doc, quote: Span, quoted_tokens: set[int]) -> Attribution | None:
    """A quoted term that is (or modifies) the complement of a naming verb is
    the words of that verb's subject, title-cased or not: 'Trump called the
    winner "Miss Piggy"'. Looks no further up than the nearest verb."""
    token = quote.root
    for _ in range(3):
        head = token.head
        if head.i == token.i or token.dep_ not in COMPLEMENT_DEPS or head.i in quoted_tokens:
            return None
        if head.pos_ in {"VERB", "AUX"}:
            if head.lemma_.lower() not in NAMING_VERBS:
                return None
            subject = subject_of(head) or _named_subject_before(head)
            if subject is None or subject.i in quoted_tokens:
                return None
            return said_by(head, subject, quoted_tokens, 0.8)
        token = head
    return None


def reporting_verb(doc: Doc, quote: Span, quoted_tokens: set[int]) -> Attribution | None:
    """A quoted term inside the clause a speech verb reports ("Clinton says
    the Ohio native nicknamed 'King James' is ...") is part of that report."""
    token = quote.root
    for _ in range(6):
        head = token.head
        if head.i == token.i or head.i in quoted_tokens:
            return None
        if token.dep_ == "ccomp" and head.lemma_.lower() in INDIRECT_VERBS and head.pos_ == "VERB":
            subject = subject_of(head)
            if subject is None or subject.i in quoted_tokens or subject.lower_ == "it":
                return None
            return said_by(head, subject, quoted_tokens, 0.8)
        token = head
    return None


DASHES = {"―", "—", "–", "-", "--"}


def _is_dash(token: Token) -> bool:
    """A dash, possibly glued to the closing mark by the tokeniser: "”―"."""
    return token.text.strip("\"'“”‘’") in DASHES


def dash_credit(doc: Doc, quote: Span) -> Attribution | None:
    """A quote credited after a dash at the end of its paragraph:
    “... our greatest shame.” ― Sonya Herridge"""
    i = quote.end
    limit = min(len(doc), quote.end + 4)  # the dash follows the closing mark, maybe after a comma
    while i < limit and not _is_dash(doc[i]) and (doc[i].is_punct or doc[i].is_space):
        if "\n" in doc[i].text:
            return None
        i += 1
    if i >= limit or i >= len(doc) - 1 or not _is_dash(doc[i]):
        return None
    dash, start = doc[i], i + 1
    end = start
    while end < len(doc) and "\n" not in doc[end].text and end - start < 8:
        end += 1
    credit = doc[start:end]
    # A name the NER missed still reads as one: a few capitalised words alone after the dash.
    looks_named = len(credit) <= 5 and all(t.is_title or t.is_punct for t in credit)
    if not credit or credit[0].is_lower or not (looks_named or any(t.ent_type_ in {"PERSON", "ORG"} for t in credit)):
        return None
    ent = entity_in(credit)
    name = fullest_name(doc, ent)[0] if ent is not None else credit.text.rstrip(" ,.")
    return Attribution(dash.text, dash.idx, dash.idx + len(dash), name, credit.start_char, credit.end_char,
                       ent.label_ if ent is not None else None, 0.8)

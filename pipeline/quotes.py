"""The quotes table: every quoted or reported statement with its speaker.

Kinds:
  direct    a quoted statement ("...," she said / He said: "...")
  partial   a quoted fragment inside reported speech (he was 'sincerely sorry' for)
  scare     marks around a term, not a statement (not simply a "smear")
  indirect  reported speech without marks: the clause after a speech verb
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace

import pandas as pd
from spacy.tokens import Doc, Span

from pipeline.attribution import (
    INDIRECT_VERBS, Attribution, attribute, clause_holder, dash_credit, naming_verb, reporting_verb, said_by,
    subject_of, trailing_cue,
)
from pipeline.nlp import docs_from_tokens
from pipeline.quote_marks import QuotedSpan, find_quoted_spans

QUOTE_COLUMNS = [
    "quote_id", "doc_id", "start_char", "end_char", "text", "kind", "speaker", "speaker_entity_id",
    "speaker_affiliation_entity_id",
    "speaker_type", "cue", "cue_start_char", "cue_end_char", "speaker_start_char", "speaker_end_char",
    "group_id", "confidence", "paragraph_index", "sentence_index",
]
SCARE_MAX_WORDS = 4
DIRECT_MIN_WORDS = 3
INDIRECT = 0.7  # confidence factor for reported speech: no marks delimit its content
CARRY_PARAGRAPHS = 2  # an unattributed quote paragraph continues the speaker of a quote this close before
CARRIED = 0.7  # confidence factor for a speaker carried over from an earlier paragraph
MINOR_WORDS = {"a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "is", "it", "with", "by"}
TITLE_MAX_WORDS = 6


def extract_quotes(documents: pd.DataFrame, tokens: pd.DataFrame, vocab) -> pd.DataFrame:
    texts = dict(zip(documents["doc_id"], documents["text"]))
    rows: list[dict] = []
    for doc_id, doc in docs_from_tokens(tokens, vocab):
        rows.extend(quotes_in_document(doc_id, doc, texts[doc_id]))
    return pd.DataFrame(rows, columns=QUOTE_COLUMNS)



def _is_title(content: str) -> bool:
    """Title case and short: the name of a programme, book, campaign or event."""
    words = [w.strip(".,!?:;’'\"") for w in content.split()]
    words = [w for w in words if w]
    if not 0 < len(words) <= TITLE_MAX_WORDS or words[0][:1].islower():
        return False
    capitalised = sum(w[:1].isupper() for w in words)
    return capitalised >= 2 and all(w[:1].isupper() or w[:1].isdigit() or w.lower() in MINOR_WORDS for w in words)


def _classify(text: str, quote: QuotedSpan, span: Span, attribution: Attribution | None) -> str:
    content = text[quote.start:quote.end]
    n_words = len(content.split())
    if quote.depth > 0:  # a quote inside a quote: the speaker is quoting a term
        return "scare" if n_words <= SCARE_MAX_WORDS else "partial"
    if _is_title(content):  # “Face the Nation”, ‘Enough is Enough’ as a name: marks around a title
        return "scare"
    # (A statement's own closing comma or stop, "not optional,", rules this out whatever the parse says.)
    if n_words <= SCARE_MAX_WORDS and span.root.dep_ in {"amod", "compound"} and span.root.head.i >= span.end \
            and content[-1:] not in ",.!?":
        return "scare"  # a quoted modifier of a noun: the 'disappointing' meeting, the 'enough is enough' letter
    open_at = quote.start - 1 if quote.open_mark else quote.start
    before = text[:open_at].rstrip()
    prev_char = before[-1:] if before else "\n"
    starts_sentence = open_at <= span.sent.start_char or prev_char == "\n"
    if n_words >= DIRECT_MIN_WORDS and (starts_sentence or prev_char in ":,"):
        return "direct"
    if n_words >= 8 and content[-1:] in ".!?,":
        return "direct"
    # A fragment in a sentence that reports someone's words is theirs; marks
    # around a term with nobody reported as saying it are scare quotes.
    return "partial" if attribution is not None else "scare"


def quotes_in_document(doc_id: str, doc: Doc, text: str) -> list[dict]:
    marked = find_quoted_spans(text)
    spans = [doc.char_span(q.start, q.end, alignment_mode="expand") for q in marked]
    sentence_number = {sent.start: n for n, sent in enumerate(doc.sents)}
    quoted_tokens = {t.i for q, span in zip(marked, spans) if q.depth == 0 for t in span}
    rows: list[dict] = []
    group_attribution: dict[int, Attribution] = {}
    last_attributed: tuple[int, Attribution] | None = None  # (paragraph, attribution)
    for n, (quote, span) in enumerate(zip(marked, spans)):
        # quoted_tokens already holds every quote's tokens: a nested quote lies inside its outer one.
        attribution = attribute(doc, span, quoted_tokens)
        if attribution is None and quote.depth == 0:
            attribution = dash_credit(doc, span) or trailing_cue(doc, span) or clause_holder(doc, span, quoted_tokens)
        kind = _classify(text, quote, span, attribution)
        if kind == "scare" and quote.depth == 0:
            # a term someone is reported as using is their words, whatever it looks like
            reported = naming_verb(doc, span, quoted_tokens) or reporting_verb(doc, span, quoted_tokens)
            if reported is not None:
                kind, attribution = "partial", reported
        confidence = quote.confidence
        if kind == "scare":
            attribution = None
        elif attribution is None:
            carried = group_attribution.get(quote.group)
            if carried is None and last_attributed and quote.paragraph - last_attributed[0] <= CARRY_PARAGRAPHS \
                    and kind == "direct":
                carried = last_attributed[1]
            if carried is not None:
                attribution = replace(carried, confidence=carried.confidence * CARRIED)
        if attribution is not None and kind != "scare":
            group_attribution.setdefault(quote.group, attribution)
            last_attributed = (quote.paragraph, attribution)
            confidence *= attribution.confidence
        rows.append(_row(doc_id, f"q{n:03d}", f"g{quote.group:03d}", quote.start, quote.end, text, kind,
                         attribution, min(confidence, 1.0), quote.paragraph, sentence_number[span.sent.start]))
    # A group is one statement: every paragraph gets the speaker found for any of them.
    for row, quote in zip(rows, marked):
        attribution = group_attribution.get(quote.group)
        if row["kind"] != "scare" and row["speaker"] is None and attribution is not None:
            row.update(_attribution_columns(attribution))
    rows.extend(_indirect_quotes(doc_id, doc, text, quoted_tokens, len(rows), sentence_number))
    return rows


def _indirect_quotes(doc_id: str, doc: Doc, text: str, quoted_tokens: set[int], start_number: int,
                     sentence_number: dict[int, int]) -> list[dict]:
    """Reported speech: a speech verb whose clausal complement carries no quote marks."""
    rows = []
    breaks = [m.start() for m in re.finditer("\n\n", text)]

    def paragraph_of(char: int) -> int:  # == text.count("\n\n", 0, char), without rescanning the text
        return bisect_right(breaks, char - 2)

    for verb in doc:
        if verb.lemma_.lower() not in INDIRECT_VERBS or verb.pos_ != "VERB" or verb.i in quoted_tokens:
            continue
        for clause in verb.children:
            # "X said (that) <clause>" and "<clause>, X said."
            if clause.dep_ not in {"ccomp", "parataxis"} or clause.pos_ not in {"VERB", "AUX", "ADJ"}:
                continue
            if clause.dep_ == "parataxis" and clause.i > verb.i:
                continue
            indices = [t.i for t in clause.subtree]
            if any(i in quoted_tokens for i in indices):
                continue
            start, end = min(indices), max(indices) + 1
            while start < end and (doc[start].dep_ == "mark" or doc[start].is_punct):
                start += 1
            while end > start and doc[end - 1].is_punct:
                end -= 1
            subject = subject_of(verb)
            # "It had been said that...": an expletive or passive subject names no speaker.
            if end - start < 3 or subject is None or subject.lower_ == "it" or subject.dep_ != "nsubj":
                continue
            attribution = said_by(verb, subject, quoted_tokens)
            content = doc[start:end]
            number = start_number + len(rows)
            rows.append(_row(doc_id, f"q{number:03d}", f"i{number:03d}", content.start_char, content.end_char, text,
                             "indirect", attribution, INDIRECT * attribution.confidence,
                             paragraph_of(content.start_char),
                             sentence_number[content.sent.start]))
    return rows


def _attribution_columns(attribution: Attribution | None) -> dict:
    if attribution is None:
        return {"speaker": None, "speaker_type": None, "cue": None, "cue_start_char": None, "cue_end_char": None,
                "speaker_start_char": None, "speaker_end_char": None}
    return {
        "speaker": attribution.speaker, "speaker_type": attribution.speaker_label, "cue": attribution.cue,
        "cue_start_char": attribution.cue_start, "cue_end_char": attribution.cue_end,
        "speaker_start_char": attribution.speaker_start, "speaker_end_char": attribution.speaker_end,
    }


def _row(doc_id, local_id, local_group, start, end, text, kind, attribution, confidence, paragraph,
         sentence_index) -> dict:
    return {
        "quote_id": f"{doc_id}-{local_id}", "doc_id": doc_id, "start_char": start, "end_char": end,
        "text": text[start:end], "kind": kind, "speaker_entity_id": None, "speaker_affiliation_entity_id": None,
        **_attribution_columns(attribution),
        "group_id": f"{doc_id}-{local_group}", "confidence": round(confidence, 3),
        "paragraph_index": paragraph, "sentence_index": sentence_index,
    }

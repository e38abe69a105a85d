"""Find quoted passages from quote marks, as newspapers really print them.

Typography we meet: curly “ ” and ‘ ’, straight " and ', UK style (single
quotes for whole statements), nested quotes, mismatched pairs (‘solidarity”),
apostrophes that look like closing quotes (Labour’s, members’), odd numbers of
marks, and quotes that run over several paragraphs (each paragraph re-opens
the quote and only the last one closes it).

The scan is one pass per paragraph with a small stack of open marks: linear in
the text, and it never fails on unbalanced input: a mark that cannot be paired
yields a span with low confidence instead of an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOUBLE, SINGLE = "double", "single"
_MARKS = re.compile(r"[\"“”'‘’]")
_PARAGRAPH = re.compile(r"[^\n]+")
_OPEN_CONTEXT = set(" \t([{—–-/")  # characters after which a straight quote opens

# Confidence of a span by how it was closed.
CLOSED = 0.95
MISMATCHED = 0.75  # ‘solidarity” : opened with one kind, closed with the other
CONTINUED = 0.9  # open at paragraph end, re-opened by the next paragraph
UNCLOSED = 0.4  # open at paragraph end with no re-opening: content runs to the end
MAX_DEPTH = 3  # “a ‘quote “inside” a quote’” is as deep as news prose goes


@dataclass
class QuotedSpan:
    start: int  # content, without the marks, whitespace-stripped
    end: int
    open_mark: str | None  # None when the content starts at the paragraph start
    close_mark: str | None  # None when the paragraph ends before a closing mark
    paragraph: int
    depth: int  # 0 for an outer quote, 1+ for a quote inside a quote
    confidence: float
    group: int = -1  # paragraphs of one multi-paragraph quote share a group


@dataclass
class _Mark:
    pos: int
    char: str
    kind: str  # DOUBLE or SINGLE
    role: str  # "open", "close", or "either"


def _classify(text: str, pos: int, line_start: int, line_end: int) -> _Mark | None:
    char = text[pos]
    prev = text[pos - 1] if pos > line_start else " "
    nxt = text[pos + 1] if pos + 1 < line_end else " "
    kind = DOUBLE if char in "\"“”" else SINGLE
    if char == "“" or char == "‘":
        return _Mark(pos, char, kind, "open") if not nxt.isspace() else None
    if char == "”":
        return _Mark(pos, char, kind, "close")
    if kind == SINGLE and prev.isalnum() and nxt.isalpha():
        return None  # an apostrophe inside a word: Labour’s, don't, who've
    if char == "'" and (prev in _OPEN_CONTEXT or prev in "\"“") and not nxt.isspace():
        return _Mark(pos, char, kind, "open")
    if char == '"':
        if prev in _OPEN_CONTEXT and not nxt.isspace():
            return _Mark(pos, char, kind, "open")
        if not prev.isspace():
            return _Mark(pos, char, kind, "close")
        return _Mark(pos, char, kind, "either")
    if prev.isspace():
        return None  # a lone ’ after a space: an elision ('90s) or noise
    return _Mark(pos, char, kind, "close")  # ’ or ' after a word: closing quote or plural possessive


def _next_single_is_close(marks: list[_Mark]) -> list[bool]:
    """For each mark: is the next single-quote mark after it a closing one?
    (Computed right to left once, so the pairing stays linear.)"""
    answers = [False] * len(marks)
    upcoming = False
    for i in range(len(marks) - 1, -1, -1):
        answers[i] = upcoming
        if marks[i].kind == SINGLE:
            upcoming = marks[i].role == "close"
    return answers


def find_quoted_spans(text: str) -> list[QuotedSpan]:
    """All quoted spans in `text`, in order. Paragraphs are lines; a quote left
    open at the end of one paragraph and re-opened at the start of the next is
    one multi-paragraph quote: its spans share a group."""
    spans: list[QuotedSpan] = []
    still_open: QuotedSpan | None = None  # the outer quote left open by the previous paragraph
    next_group = 0
    for paragraph, match in enumerate(_PARAGRAPH.finditer(text)):
        line_start, line_end = match.span()
        marks = [m for p in _mark_positions(text, line_start, line_end)
                 if (m := _classify(text, p, line_start, line_end))]
        found = _pair_marks(text, marks, line_start, line_end, paragraph)
        continues = (
            still_open is not None and bool(found) and found[0].depth == 0
            and found[0].open_mark is not None and found[0].start - line_start <= 2
        )
        if still_open is not None:
            still_open.confidence = CONTINUED if continues else UNCLOSED
        for i, span in enumerate(found):
            if i == 0 and continues:
                span.group = still_open.group
            else:
                span.group, next_group = next_group, next_group + 1
        spans.extend(found)
        still_open = next((s for s in reversed(found) if s.close_mark is None and s.depth == 0 and s.open_mark),
                          None)
    if still_open is not None:
        still_open.confidence = UNCLOSED
    return spans


def _mark_positions(text: str, start: int, end: int) -> list[int]:
    return [m.start() for m in _MARKS.finditer(text, start, end)]


def _pair_marks(text: str, marks: list[_Mark], line_start: int, line_end: int, paragraph: int) -> list[QuotedSpan]:
    stack: list[_Mark] = []
    spans: list[QuotedSpan] = []
    next_single_is_close = _next_single_is_close(marks)

    def emit(opener: _Mark | None, close_pos: int, close_char: str | None, confidence: float, depth: int):
        start = opener.pos + 1 if opener else line_start
        span = _stripped(text, start, close_pos)
        if span:
            spans.append(QuotedSpan(span[0], span[1], opener.char if opener else None, close_char,
                                    paragraph, depth, confidence))

    for index, mark in enumerate(marks):
        role = mark.role
        if role == "either":
            role = "close" if any(m.kind == mark.kind for m in stack) else "open"
        if role == "open":
            if stack and (stack[-1].kind == mark.kind or len(stack) >= MAX_DEPTH):
                # Same kind opened twice (the first was never closed), or nesting
                # deeper than real prose goes: close the innermost as unclosed.
                unclosed = stack.pop()
                emit(unclosed, mark.pos, None, UNCLOSED, len(stack))
            stack.append(mark)
            continue
        same = [i for i, m in enumerate(stack) if m.kind == mark.kind]
        if same:
            if mark.kind == SINGLE and mark.char in "’'" and _looks_possessive(text, mark.pos, line_end) \
                    and next_single_is_close[index]:
                continue  # members’ views: an apostrophe, the real closer comes later
            while len(stack) - 1 > same[-1]:
                inner = stack.pop()  # opened inside and never closed
                emit(inner, mark.pos, None, UNCLOSED, len(stack))
            opener = stack.pop()
            emit(opener, mark.pos, mark.char, CLOSED, len(stack))
        elif stack and mark.kind == DOUBLE:
            opener = stack.pop()  # ‘solidarity” : mismatched pair
            emit(opener, mark.pos, mark.char, MISMATCHED, len(stack))
        elif mark.kind == DOUBLE and not stack and not spans:
            emit(None, mark.pos, mark.char, UNCLOSED, 0)  # closes a quote opened before this paragraph
        # A single closer with nothing open is an apostrophe (groups' version): ignore.
    while stack:
        opener = stack.pop()
        emit(opener, line_end, None, UNCLOSED, len(stack))
    spans.sort(key=lambda s: (s.start, s.depth))
    return spans


def _looks_possessive(text: str, pos: int, line_end: int) -> bool:
    """’ after an s and followed by a space and a lower-case word: members’ views."""
    return (
        text[pos - 1] in "sS" and pos + 2 < line_end and text[pos + 1] == " " and text[pos + 2].islower()
    )


def _stripped(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None

"""Acronyms an article defines: "Jewish Labour Movement (JLM)", "PLP
[Parliamentary Labour Party]". An acronym is a run of capitals (an "&" or a
plural "s" allowed) in brackets right after words whose initials spell it, or
followed by such words in brackets; connecting words ("of", "and", "the")
carry no initial. Mentions of the acronym then stand for the expansion
(pipeline.mentions).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

ACRONYM = re.compile(r"[A-Z][A-Z&]{1,7}s?")
INITIAL_STOPWORDS = {"of", "and", "for", "the", "&", "on", "in", "to"}


def acronym_definitions(doc: Doc) -> dict[str, tuple[int, int]]:
    """Acronyms the text defines: "Jewish Labour Movement (JLM)" and
    "PLP [Parliamentary Labour Party]" -> {acronym: (start, end) of the expansion}."""
    found: dict[str, tuple[int, int]] = {}
    for token in doc:
        if not ACRONYM.fullmatch(token.text) or token.i == 0 or token.i + 1 >= len(doc):
            continue
        acronym = token.text
        if doc[token.i - 1].text in "([" and doc[token.i + 1].text in ")]":
            span = _expansion_before(doc, token.i - 1, acronym)
        elif doc[token.i + 1].text in "([":
            span = _expansion_after(doc, token.i + 2, acronym)
        else:
            continue
        if span is not None:
            found.setdefault(acronym, span)
    return found


def _initials(doc: Doc, start: int, end: int) -> str:
    return "".join(t.text[0] for t in doc[start:end] if t.lower_ not in INITIAL_STOPWORDS and t.text[:1].isupper())


def _expansion_before(doc: Doc, bracket: int, acronym: str) -> tuple[int, int] | None:
    target = acronym.rstrip("s").replace("&", "")
    for start in range(bracket - 1, max(bracket - 10, -1), -1):
        if not (doc[start].text[:1].isupper() or doc[start].lower_ in INITIAL_STOPWORDS):
            break
        if doc[start].text[:1].isupper() and _initials(doc, start, bracket) == target:
            return start, bracket
    return None


def _expansion_after(doc: Doc, start: int, acronym: str) -> tuple[int, int] | None:
    target = acronym.rstrip("s").replace("&", "")
    for end in range(start + 1, min(start + 10, len(doc))):
        if doc[end].text in ")]":
            return (start, end) if _initials(doc, start, end) == target else None
    return None

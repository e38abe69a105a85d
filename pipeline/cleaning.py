"""Separate the article from the web page around it.

News text scraped from a page carries clutter that is not part of the article:
reading-time badges, "read more:" teasers, consent notices standing in for
embedded media, newsletter sign-up blurbs, section kickers such as EXCLUSIVE,
and photo credits glued onto the last word of a caption. Each rule below is a
*shape* of clutter, not a list of strings from one site; every removal is
returned with the rule that made it so nothing is lost (the warehouse keeps it).

Rules, in the order they are tried on each line:

| rule            | removes a line that...                                              |
|-----------------|---------------------------------------------------------------------|
| reading_time    | is only a reading-time badge ("3 min read", "5 minutes read")       |
| page_label      | is only a navigation/UI label ("read more:", "comments", "share")    |
| consent_notice  | asks the reader to change privacy/cookie settings or "click here"   |
| newsletter      | advertises a newsletter, or is a promo blurb ending in "Subscribe"  |
| kicker          | precedes the headline and is 1-3 upper-case words ("EXCLUSIVE")     |

and one rule on the end of a line:

| glued_credit    | a photo credit glued after a full stop: "...Jewish groups.Reuters"  |
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_READING_TIME = re.compile(r"\d{1,3}\s*(?:min|mins|minute|minutes)\s+read", re.I)
_PAGE_LABEL = re.compile(
    r"(?:read more|more on this story|related(?: articles| stories)?|see also|"
    r"(?:\d+\s*)?comments?|share(?: this(?: article| story)?)?|advertisement|sponsored|"
    r"click here|follow us(?: on \w+)?|image (?:source|copyright),?.{0,40})\s*:?",
    re.I,
)
_CONSENT = re.compile(
    r"\b(?:privacy settings|cookie (?:settings|preferences|policy)|"
    r"enable javascript|click here to do so|accept (?:all )?cookies)\b",
    re.I,
)
_NEWSLETTER = re.compile(r"\bnewsletters?\b", re.I)
# matched on the line's end without its trailing non-word characters (_ends_with_subscribe)
_SUBSCRIBE = re.compile(r"(?:subscribe|sign up)(?: now| here)?$", re.I)
_KICKER = re.compile(r"[A-Z][A-Z'’&-]*(?: [A-Z][A-Z'’&-]*){0,2}:?")
# A credit is 1-3 capitalised words (Reuters, PA, Getty Images, AFP/Getty)
# directly after sentence-final punctuation that follows a lower-case word.
# It holds no . ! or ?, so it can only start after the line's last one (_glued_credit).
_CREDIT = re.compile(r"[A-Z][A-Za-z&]*(?:[ /][A-Z][A-Za-z&]*){0,2}")
_AFTER_LOWER = re.compile(r"[a-z]{2}")
# Blurbs are short; a long paragraph that merely mentions a newsletter is prose.
_MAX_BLURB_WORDS = 40
_MAX_NOTICE_CHARS = 200


@dataclass(frozen=True)
class Removal:
    rule: str
    text: str
    line_number: int  # 1-based line number in the raw text


@dataclass
class CleanedArticle:
    headline: str
    text: str  # headline first, paragraphs separated by one blank line
    removed: list[Removal] = field(default_factory=list)


def _line_rule(line: str, before_headline: bool) -> str | None:
    if _READING_TIME.fullmatch(line):
        return "reading_time"
    if _PAGE_LABEL.fullmatch(line):
        return "page_label"
    if len(line) <= _MAX_NOTICE_CHARS and _CONSENT.search(line):
        return "consent_notice"
    if _is_blurb(line):
        return "newsletter"
    if before_headline and _KICKER.fullmatch(line):
        return "kicker"
    return None


def _is_blurb(line: str) -> bool:
    """A short line that names a newsletter (up to 6 words) or ends in a call to
    subscribe (up to 40). The cheap tests come first: most lines are prose that
    neither names a newsletter nor ends in a call to subscribe."""
    if _ends_with_subscribe(line):
        return len(line.split()) <= _MAX_BLURB_WORDS
    # casefold() folds as the IGNORECASE search does ("ſ" is an "s"), so this only skips lines it would not match
    return "newsletter" in line.casefold() and _NEWSLETTER.search(line) is not None and len(line.split()) <= 6


# The two rules below look at a line's end only: a regular expression anchored at the end
# would still be tried at every position of every paragraph (a third of ingest at scale).
def _ends_with_subscribe(line: str) -> bool:
    """The line ends in "subscribe", "sign up", "subscribe now", ... and then only non-word characters."""
    end = len(line)
    while end and not (line[end - 1].isalnum() or line[end - 1] == "_"):  # what \W matches
        end -= 1
    return _SUBSCRIBE.search(line, max(0, end - 16), end) is not None


def _glued_credit(line: str) -> int | None:
    """Where a credit glued after the line's last sentence ends (two lower-case
    letters and . ! or ?) starts, if the rest of the line is one."""
    start = max(line.rfind("."), line.rfind("!"), line.rfind("?")) + 1
    if start < 3 or not _AFTER_LOWER.fullmatch(line, start - 3, start - 1) or not _CREDIT.fullmatch(line, start):
        return None
    return start


def clean_article(raw: str) -> CleanedArticle:
    """Split normalised raw text (LF line ends) into headline and clean text."""
    paragraphs: list[str] = []
    removed: list[Removal] = []
    for number, raw_line in enumerate(raw.split("\n"), start=1):
        line = raw_line.strip()
        if not line:
            continue
        rule = _line_rule(line, before_headline=not paragraphs)
        if rule:
            removed.append(Removal(rule, line, number))
            continue
        credit = _glued_credit(line)
        if credit:
            removed.append(Removal("glued_credit", line[credit:], number))
            line = line[:credit]
        paragraphs.append(line)
    headline = paragraphs[0] if paragraphs else ""
    return CleanedArticle(headline, "\n\n".join(paragraphs), removed)

"""Fast rule-based English sentence segmenter for news text.

Public API:
    split_spans(text)     -> [(start, end), ...]  0-based, end-exclusive, whitespace-stripped
    split_sentences(text) -> [text[s:e] for s, e in split_spans(text)]

How it works (standard library only):
  1. A line break always ends a sentence (news articles are one paragraph per line and
     headlines have no final stop), so the text is processed line by line.
  2. In each line one regex scan (`_CANDIDATE`) finds the places that *could* end a sentence:
     a run of . ! ? or ellipsis plus closing quotes/brackets followed by whitespace, or a full
     stop glued to a capitalised word ("groups.Reuters", a photo caption pasted onto a sentence).
  3. `_decide` looks at the word before and the word after each candidate and either cuts or not.
  4. List items ("1.)", "2)", "a.", bullets) add extra cuts before the item marker.
All regexes are linear time: runs can only start at the beginning of a punctuation run and the
run itself is matched atomically (atomic groups need Python 3.11+), so nothing backtracks;
per-candidate look-ups use bounded windows, so adversarial input ("....", 100k quotes,
"a. a. a.") stays linear.
"""
import re

__all__ = ["split_spans", "split_sentences"]

# Titles written before a name: a full stop after them never ends a sentence ("Mr. Smith",
# "Mt. Fuji", "St. Michael's"). Matched case-sensitively, because "sir." or "gen." in lower case
# are ordinary words that can end a sentence ("Yes, sir.").
_TITLES = frozenset(
    "Mr Mrs Ms Messrs Mme Mlle Dr Prof Sir Dame St Rev Revd Fr Hon Gen Col Lt Maj Capt Cmdr Cdr "
    "Adm Brig Sgt Cpl Pte Gov Sen Rep Pres Supt Insp Det Cllr Amb Mt Ft".split())

# Abbreviations that introduce something else and so never end a sentence (compared lower-case).
_NEVER_END = frozenset(["vs", "v", "e.g", "i.e", "cf", "viz"])

# Abbreviations that usually sit in the middle of a sentence ("& Co. at noon", "Briggs & Co.
# Ltd") but can also end one ("Jane and co. They should know."). After them we only cut if the
# next word is a typical sentence opener (see _STARTERS). Compared lower-case.
_POSTPOSITIVE = frozenset(
    "co corp inc ltd plc llc bros jr sr etc al esq dept approx ave blvd ph.d".split())
# Same, but only when capitalised: in lower case these are everyday words ("ill.", "mass.").
_POSTPOSITIVE_CAP = frozenset(
    "Est Rd Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Ky La Md Mass Mich Minn Mo Mont "
    "Neb Nev Okla Ore Pa Tenn Tex Va Vt Wash Wis Wyo".split())
# Abbreviations that stand before a number ("No. 10", "N°. 1026", "Jan. 5", "Vol. 2"): no cut
# before a digit, otherwise an ordinary word ('He replied: "No. Definitely not."').
# Exact case, so "no." and "art." in lower case stay ordinary words.
_BEFORE_NUMBER = frozenset(
    "No Nos N° Nº Vol Fig Art Ch Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split())

# Words that typically open a sentence (pronouns, determiners, conjunctions, common adverbs).
# Used only to break ties after an ambiguous abbreviation or initial: "I live in the U.S. How
# about you?" is two sentences, "I work for the U.S. Government" is one (pySBD uses the same idea).
_STARTERS = frozenset(
    "A About According After All Also Although An And Another As At Because Before Being Both But "
    "By Despite Did During Each Earlier Even For Former From He Her Here His How However I If In Instead "
    "It Its Last Later Meanwhile Millions More Most Mr Mrs Ms Much My No Not Now On One Only "
    "Other Our She Since So Some Still Such That The Their Then There These They This Those "
    "Though Thus To Under Until We What When Where Whether Which While Who Why With Yet You".split())

# "a.m."/"p.m." end a sentence before a capital ("...at 6 P.M. Mr. Smith then went") unless the
# next word belongs to the time expression ("6 p.m. GMT", "10 a.m. Monday") ...
_TIME_ABBREVS = frozenset(["a.m", "p.m"])
_TIME_FOLLOWERS = frozenset(
    "GMT BST UTC CET ET EST EDT CT CST CDT MT MST PT PST PDT Monday Tuesday Wednesday Thursday "
    "Friday Saturday Sunday January February March April May June July August September October "
    "November December".split())
# ... or the sentence so far is only a fronted time phrase ("At 5 a.m. Mr. Smith went to the
# bank."): "At 5 a.m." on its own is a fragment, not a sentence, so it cannot end there.
_TIME_PREPOSITIONS = frozenset(
    "At By From Until Till Before After Around About Since Shortly Just Between Early Late".split())

# Single letters or letter.letter initialisms: "E.", "I.", "p.", "U.S", "U.S.A", "a.m".
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")

_CANDIDATE = re.compile(r"""
      (?<![.!?…])(?<![.!?…]\ )        # only where a punctuation run starts (keeps the scan linear)
      (?>[.!?…]+(?:\ [.!?…]+)*)       # the run, incl. spaced ellipses ". . . ."; atomic: no backtracking
      [\"'”’)\]]*+                    # closing quotes/brackets belong to the sentence they close
      (?=\s|$)                        # a boundary needs whitespace (or the line end) after it
    | (?<=[a-z]{2})\.(?=[A-Z][a-z])   # glued caption: "Jewish groups.Reuters"
""", re.VERBOSE)

# The word after a candidate, skipping opening quotes/brackets ("... 26 weeks. "We are ...").
_NEXT = re.compile(r"\s*[\"'“‘(\[]*(\w*)")
# A stripped line: starts and ends with non-whitespace; blank lines never match.
_LINE = re.compile(r"\S(?:[^\n]*\S)?")

# List items: optional bullet, then "1.)", "1)", "1." or "a." followed by a space.
_LIST_ITEM = re.compile(r"(?<!\S)(?:[•⁃◦▪‣]\s*)?(?:(\d{1,3})|([a-z]))(\.\)|\)|\.)(?=\s)")
# A sentence consisting only of a list marker ("1.", "• 9.", "2.)") is not a sentence: never cut there.
_MARKER_ONLY = re.compile(r"(?:[•⁃◦▪‣]\s*)?(?:\d{1,3}|[A-Za-z])(?:\.\)|\)|\.)")
# A bullet preceded by whitespace always starts a new item ("• 9. first item • 10. second item").
_BULLET = re.compile(r"(?<=\s)[•⁃◦▪‣]")

# Inside the word after a glued full stop: another ".x" means a domain ("www.Example.com").
_DOT_WORD = re.compile(r"\.\w")

# After a closing quote: a capitalised name (1-4 words) and a speech verb ('"...?" Vitter
# demanded.'). Lower-case attributions ('" she said') never split in the first place.
_ATTRIBUTION_AFTER = re.compile(  # (?<!\s): a search never rescans a run of spaces from inside it
    r"(?<!\s)\s+(?:[A-Z][\w.'’-]*\s+){1,4}(?:said|says|asked|asks|told|tells|added|adds|wrote|writes|replied|"
    r"demanded|insisted|explained|warned|continued|recalled|noted|argued|declared|tweeted|shouted|"
    r"interjected|responded|answered|joked|quipped)\b"
)

_WINDOW = 64  # how far we look left/right of a candidate; keeps work per candidate bounded


def split_sentences(text: str) -> list:
    """Split `text` into sentences (whitespace-stripped strings)."""
    return [text[s:e] for s, e in split_spans(text)]


def split_spans(text: str) -> list:
    """Return sentence spans (start, end) into `text`: ordered, stripped, covering all non-space."""
    spans = []
    for lm in _LINE.finditer(text):
        base, line = lm.start(), lm.group()
        cuts = _line_cuts(line)
        if not cuts:
            spans.append((base, lm.end()))
            continue
        prev = 0
        cuts.append(len(line))
        for cut in cuts:
            piece = line[prev:cut]
            s = prev + len(piece) - len(piece.lstrip())
            e = prev + len(piece.rstrip())
            if e > s:
                spans.append((base + s, base + e))
            prev = cut
    return spans


def _line_cuts(line: str) -> list:
    """Positions (relative to the line) where a sentence ends, in increasing order."""
    extra = _list_cuts(line)
    cuts = []
    start = 0  # where the current sentence started (possibly preceded by whitespace)
    n = len(line)
    ei = 0
    for m in _CANDIDATE.finditer(line):
        while ei < len(extra) and extra[ei] <= m.start():
            if extra[ei] > start:
                cuts.append(extra[ei])
                start = extra[ei]
            ei += 1
        if m.end() >= n:  # the line end is a boundary anyway
            continue
        cut = _decide(line, m, start)
        if cut is not None and start < cut < n:
            cuts.append(cut)
            start = cut
    cuts.extend(c for c in extra[ei:] if c > start)
    return cuts


def _decide(line: str, m, start: int):
    """Return the cut position for candidate `m`, or None if it does not end a sentence."""
    ms, me = m.start(), m.end()
    token = m.group()
    nxt = _NEXT.match(line, me, me + _WINDOW).group(1)
    if nxt[:1].islower():
        return None  # "Yahoo! in", "'This is great.' she said", "(...engineer.) at", "co. at"
    if not line[me].isspace():  # only the glued alternative is followed by a letter
        return me if _glued_boundary(line, ms) else None

    if me - start <= 12 and _MARKER_ONLY.fullmatch(line[start:me].lstrip()):
        return None  # "1. The first item": the marker is not a sentence
    run = token.rstrip("\"'”’)]")
    if ms > 0 and line[ms - 1] == "[":
        return None  # "[...]" marks an omission inside a quotation
    if run != token and _ATTRIBUTION_AFTER.match(line, me):
        return None  # '"...we lost?" Trump said.': the attribution belongs to the quote's sentence
    if "?" in run or "!" in run:
        return me  # "Hello!! Long time", "What is your name? My name"
    spaced_before = ms == 0 or line[ms - 1].isspace()
    if " " in run and not spaced_before:
        # "compounds. . . . The": a full stop, then an ellipsis that opens the next sentence.
        return ms + 1
    if len(run) > 1:
        # Ellipsis. Attached to a word ("that.... She") it ends the sentence; standing alone it
        # marks an omission ("the thing is . . . I didn't"), unless it has a 4th (final) dot.
        dots = run.count(".") + 3 * run.count("…")
        return me if not spaced_before or dots >= 4 else None
    if run != token:
        return me  # 'great." She held': the quote closed after a full stop

    # A single full stop: look at the word in front of it.
    window = line[max(0, ms - _WINDOW):ms].rsplit(None, 1)
    word = window[-1].lstrip("\"'“‘([") if window else ""
    low = word.lower()
    if word in _TITLES or low in _NEVER_END:
        return None  # "Mr. Smith", "Mt. Fuji", "Chelsea vs. Arsenal"
    if word in _BEFORE_NUMBER:
        return None if nxt[:1].isdigit() else me
    if low in _TIME_ABBREVS:
        return None if _time_continues(line, start, ms, nxt) else me
    if low in _POSTPOSITIVE or word in _POSTPOSITIVE_CAP or _INITIALISM.fullmatch(word):
        # "Briggs & Co. It closed" cuts; "U.S. Government", "Jonas E. Smith", "p. 55" don't.
        return me if nxt in _STARTERS else None
    return me  # an ordinary word (or number, URL, e-mail) followed by a full stop


def _time_continues(line: str, start: int, ms: int, nxt: str) -> bool:
    """True if the a.m./p.m. at `ms` is inside the sentence rather than at its end."""
    if not nxt or nxt[0].isdigit() or nxt in _TIME_FOLLOWERS:
        return True
    if ms - start > 40:
        return False
    words = line[start:ms].split()
    return len(words) <= 5 and words[0] in _TIME_PREPOSITIONS


def _glued_boundary(line: str, dot: int) -> bool:
    """'...Jewish groups.Reuters' -> True; e-mails, URLs, domains and abbreviations -> False."""
    left = line[max(0, dot - _WINDOW):dot].rsplit(None, 1)
    word = left[-1] if left else ""
    if not (word.isalpha() and word.islower()) or word in _POSTPOSITIVE or word in _NEVER_END:
        return False
    right = line[dot + 1:dot + 1 + _WINDOW].split(None, 1)[0]
    if "@" in right or "/" in right or _DOT_WORD.search(right):
        return False  # Jane.Doe@example.com, www.Example.com/page
    return True


def _list_cuts(line: str) -> list:
    """Cuts before list items: every bullet, and each item of a numbered/lettered list that
    starts the line and counts up in the same style ("1.) a 2.) b", "a. x b. y c. z")."""
    cuts = [b.start() for b in _BULLET.finditer(line)]
    first = _LIST_ITEM.match(line)
    if first:
        style, expected = first.group(3), _item_value(first) + 1
        for item in _LIST_ITEM.finditer(line, first.end()):
            if item.group(3) == style and _item_value(item) == expected:
                cuts.append(item.start())
                expected += 1
        cuts = sorted(set(cuts))
    return cuts


def _item_value(item) -> int:
    return int(item.group(1)) if item.group(1) else ord(item.group(2))

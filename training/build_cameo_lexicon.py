"""Build pipeline/data/cameo_lexicon.json from the PETRARCH2 CAMEO verb dictionary.

    .venv/bin/python training/build_cameo_lexicon.py [--data ../shared/data/cameo]

Reads `raw/CAMEO.2.0.txt` (MIT, Open Event Data Alliance; see ../shared/data/cameo/SOURCE.md) and
`cameo_codes.csv`, and writes what the events stage needs, as data, in our own simpler form:

  roots     {"01": "MAKE PUBLIC STATEMENT", ...}
  labels    {"0231": "Appeal for economic aid", ...}  every code in the codebook
  verbs     {"protest": ["140", 12], "refuse": [null, 40], ...}  lemma (or "verb particle") -> [the code of its
            verb line, else of its block (null when the block has none, [---]); the block's index]
  patterns  [[[["demonstration"], "141"], [["deadline"], "139"], ...], ...]  per block: words that, found among
            the verb's dependents, choose a more specific code. Only the words of a pattern are kept (PETRARCH's
            syntax for order, skips and synonym sets is not), so a pattern is a bag of words here; patterns
            coded [---] mean "not an event" and are kept as null.

The pipeline loads the JSON; it never needs ../shared. Rebuild after changing this script and commit the JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "cameo"
OUT = REPO / "pipeline" / "data" / "cameo_lexicon.json"

BLOCK = re.compile(r"^---\s+(\S+)\s+\[([^\]]*)\]\s+---")
VERB_LINE = re.compile(r"^\+?([A-Z][A-Z_'-]*)\s*(\{[^}]*\})?\s*(\[([^\]]*)\])?")
PATTERN = re.compile(r"^-\s*(.*?)\s*\[([^\]]*)\]")


def event_code(raw: str) -> str | None:
    """"036:036" -> "036"; "---" or empty -> None (not an event)."""
    code = raw.split(":")[0].strip()
    return code if code and code != "---" and code.isdigit() else None


def verb_key(word: str) -> str:
    """MEET_WITH -> "meet with"; a trailing underscore marks a whole word in PETRARCH."""
    return word.strip("_").replace("_", " ").lower()


def pattern_words(text: str) -> list[str] | None:
    """"* OUT {NEW STRATEGY}" -> ["out", "new", "strategy"]; None when the
    pattern has words before the verb or uses synonym sets we do not expand."""
    if not text.startswith("*"):
        return None
    words = []
    for raw in re.split(r"\s+", text[1:].strip()):
        word = raw.strip("{}()")
        if not word or word in {"^", "*"}:
            continue
        if word.startswith(("&", "^", "%", "$", "+")):
            return None
        words.append(verb_key(word))
    return words or None


def parse_dictionary(path: Path) -> tuple[dict, list]:
    verbs: dict[str, list] = {}
    blocks: list[list] = []
    block_code = None
    in_patterns_section = False
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("####### VERB PATTERNS"):
            in_patterns_section = True
        if line.startswith("######## TRANSFORMATIONS"):
            break  # not used
        line = line.split("#", 1)[0].rstrip()
        if not in_patterns_section or not line.strip():
            continue
        block = BLOCK.match(line)
        if block:
            block_code = event_code(block.group(2))
            blocks.append([])
            continue
        if not blocks:
            continue
        pattern = PATTERN.match(line)
        if pattern:
            words = pattern_words(pattern.group(1).strip())
            if words:
                blocks[-1].append([words, event_code(pattern.group(2))])
            continue
        verb = VERB_LINE.match(line.strip())
        if verb:
            key = verb_key(verb.group(1))
            own = event_code(verb.group(4)) if verb.group(3) else None
            if key not in verbs:
                verbs[key] = [own or block_code, len(blocks) - 1]
    return verbs, blocks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    with open(args.data / "cameo_codes.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    roots = {r["code"]: r["label"] for r in rows if len(r["code"]) == 2}
    labels = {r["code"]: r["label"] for r in rows}
    verbs, blocks = parse_dictionary(args.data / "raw" / "CAMEO.2.0.txt")
    known = set(labels)
    verbs = {v: [c if c in known else None, b] for v, (c, b) in verbs.items()}
    blocks = [[p for p in ps if p[1] is None or p[1] in known] for ps in blocks]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "source": "PETRARCH2 CAMEO.2.0.txt (openeventdata/petrarch2 676801c), MIT License, Copyright (c) 2015 "
                  "Open Event Data Alliance; codes and labels from the CAMEO codebook v1.1b3. Built by "
                  "training/build_cameo_lexicon.py.",
        "roots": roots, "labels": labels, "verbs": dict(sorted(verbs.items())), "patterns": blocks,
    }, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}: {len(verbs)} verbs, {sum(map(len, blocks))} patterns, "
          f"{len(roots)} roots")


if __name__ == "__main__":
    main()

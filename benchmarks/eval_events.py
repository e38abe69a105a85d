"""Evaluate the events stage on the hand-annotated gold set (tests/data/event_gold.json).

    .venv/bin/python benchmarks/eval_events.py [--model PATH] [--show]

Prints
  * (CAMEO root, agent) P/R/F1: a predicted event matches a gold event of the same document with the same
    root and a compatible agent (equal, or one name contains the other and is at most three words longer,
    case-insensitive; no agent matches a gold event that lists null). Matching is one-to-one. Events the pipeline marks `reported` (inside quote
    marks) are left out, as the guidelines leave them out of the gold;
  * root accuracy on correctly found triggers: each gold trigger mention that a predicted event mention's
    trigger overlaps, scored on the root of that predicted event;
  * hypothetical events flagged: the gold events marked hypothetical that were found (root + agent), and how
    many of those the pipeline flags hypothetical; and, since modality belongs to the trigger, the same for
    every hypothetical gold event whose trigger some predicted mention overlaps, whatever its agent.
--show lists misses and false alarms.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))  # _stages (a PyPI package is called "benchmarks")

from _stages import gold_source, run_stages  # noqa: E402
from pipeline.events import extract_events  # noqa: E402
from pipeline.nlp import blank_vocab, docs_from_tokens  # noqa: E402

GOLD = REPO / "tests" / "data" / "event_gold.json"


def run_pipeline(paths: list[Path], model: str | None):
    articles, tokens, mentions, entities = run_stages(paths, model)
    events, event_mentions = extract_events(docs_from_tokens(tokens, blank_vocab()), mentions, entities)
    return articles, events, event_mentions


def trigger_span(text: str, word: str, n: int) -> tuple[int, int]:
    matches = list(re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text))
    if len(matches) < n:
        raise ValueError(f"gold trigger {word!r} #{n} not in the text ({len(matches)} found)")
    return matches[n - 1].span()


def agent_matches(predicted, gold: list) -> bool:
    if predicted is None or (isinstance(predicted, float)):
        return None in gold
    p = str(predicted).lower()
    # the same name, or one inside the other when the longer adds at most three words: "the Board" matches
    # "the Board of Deputies", but a whole clause that happens to contain the name does not
    return any(g is not None and (g.lower() == p or ((g.lower() in p or p in g.lower())
                                                     and abs(len(p.split()) - len(g.split())) <= 3)) for g in gold)


def evaluate(model: str | None = None, show: bool = False, include_bbc: bool = True) -> dict:
    gold_docs = json.loads(GOLD.read_text())["documents"]
    gold_docs = [d for d in gold_docs if include_bbc or d["source"].startswith("seeds/")]
    articles, events, event_mentions = run_pipeline([gold_source(d["source"]) for d in gold_docs], model)
    by_path = {Path(p): (doc_id, text) for p, doc_id, text in zip(articles["path"], articles["doc_id"], articles["text"])}
    counts = {"gold": 0, "pred": 0, "tp": 0, "triggers_found": 0, "roots_right": 0, "hyp_found": 0, "hyp_flagged": 0,
              "hyp_trigger_found": 0, "hyp_trigger_flagged": 0, "hyp_gold": 0, "hyp_either_flagged": 0}
    for d in gold_docs:
        doc_id, text = by_path[gold_source(d["source"])]
        predicted = events[(events["doc_id"] == doc_id) & ~events["reported"]].to_dict("records")
        counts["gold"] += len(d["events"])
        counts["pred"] += len(predicted)
        unmatched = list(predicted)
        spans = {id(g): [trigger_span(text, w, n) for w, n in g["triggers"]] for g in d["events"]}
        triggers = event_mentions[event_mentions["doc_id"] == doc_id].groupby("event_id")[
            ["trigger_start_char", "trigger_end_char"]].apply(lambda f: list(zip(f.iloc[:, 0], f.iloc[:, 1])))

        def overlaps(p, g) -> bool:
            return any(s < te and ts < e for s, e in spans[id(g)] for ts, te in triggers.get(p["event_id"], []))

        matched = {}
        # first the pairs that also share a trigger word, then any same root and agent
        for need_overlap in (True, False):
            for g in d["events"]:
                if id(g) in matched:
                    continue
                match = next((p for p in unmatched if p["cameo_root"] == g["root"] and agent_matches(p["agent"], g["agent"])
                              and (overlaps(p, g) or not need_overlap)), None)
                if match is not None:
                    unmatched.remove(match)
                    matched[id(g)] = match
        for g in d["events"]:
            match = matched.get(id(g))
            if match is not None:
                counts["tp"] += 1
                if g["hypothetical"]:
                    counts["hyp_found"] += 1
                    counts["hyp_flagged"] += bool(match["hypothetical"])
                    if show and not match["hypothetical"]:
                        print(f"  not flagged hypothetical {d['source'][:9]} {g['root']} {match['trigger']}: "
                              f"{match['text'][:90]}")
            elif show:
                print(f"  miss  {d['source'][:9]} {g['root']} {g['agent'][0]!s:30} {g['triggers'][0][0]}")
        if show:
            for p in unmatched:
                print(f"  extra {d['source'][:9]} {p['cameo_root']} {p['agent']!s:30} {p['trigger']}")
                if show > 1:
                    print(f"        {text[p['start_char']:p['end_char']][:160]!r}")
        mentions = event_mentions[event_mentions["doc_id"] == doc_id].merge(
            events[["event_id", "cameo_root"]], on="event_id")
        for g in d["events"]:
            hypothetical_hits = []
            for word, n in g["triggers"]:
                start, end = trigger_span(text, word, n)
                hit = mentions[(mentions["trigger_start_char"] < end) & (mentions["trigger_end_char"] > start)]
                if len(hit):
                    counts["triggers_found"] += 1
                    counts["roots_right"] += int((hit["cameo_root"] == g["root"]).any())
                    hypothetical_hits.extend(hit["hypothetical"])
            # modality is a property of the trigger: judged wherever a trigger was found, whatever the agent
            if show and g["hypothetical"] and not hypothetical_hits:
                print(f"  hypothetical, no trigger found {d['source'][:9]} {g['root']} {g['triggers']}")
            if g["hypothetical"] and hypothetical_hits:
                counts["hyp_trigger_found"] += 1
                counts["hyp_trigger_flagged"] += bool(any(hypothetical_hits))
            if g["hypothetical"]:  # found by either measure, and flagged by the one that found it
                match = matched.get(id(g))
                counts["hyp_gold"] += 1
                counts["hyp_either_flagged"] += bool(any(hypothetical_hits) or (match and match["hypothetical"]))
                if show and not any(hypothetical_hits):
                    print(f"  trigger found, not flagged hypothetical {d['source'][:9]} {g['root']} {g['triggers']}")
    p = counts["tp"] / counts["pred"] if counts["pred"] else 0.0
    r = counts["tp"] / counts["gold"] if counts["gold"] else 0.0
    return {**counts, "precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "root_accuracy": counts["roots_right"] / counts["triggers_found"] if counts["triggers_found"] else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None)
    parser.add_argument("--show", action="count", default=0,
                        help="list misses and false alarms (twice: with the evidence clause of each false alarm)")
    parser.add_argument("--seeds-only", action="store_true", help="only the five seeds (no ../shared needed)")
    a = parser.parse_args()
    s = evaluate(a.model, a.show, include_bbc=not a.seeds_only)
    print(f"(root, agent): P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  "
          f"({s['tp']} matched, {s['pred']} predicted, {s['gold']} gold)")
    print(f"root accuracy on found triggers: {s['root_accuracy']:.3f} ({s['roots_right']}/{s['triggers_found']})")
    print(f"hypothetical gold events found: {s['hyp_found']}, flagged hypothetical: {s['hyp_flagged']}")
    print(f"hypothetical gold events whose trigger was found (any agent): {s['hyp_trigger_found']}, "
          f"flagged: {s['hyp_trigger_flagged']}")
    print(f"hypothetical gold events flagged by either measure: {s['hyp_either_flagged']} of {s['hyp_gold']}")


if __name__ == "__main__":
    main()

"""Quote detection and attribution against PolNeAR dev (84 US political news
articles, every attribution annotated with source / cue / content spans).

    python benchmarks/eval_quotes.py [--data ../shared/data] [--model NAME] [--split dev] [--misses 15]

Scores, as defined in issue 4:
- detection P/R/F1 of quoted content: gold = attributions whose content carries
  quote marks; a gold item is found when a predicted direct/partial quote
  overlaps its content; a prediction is right when it overlaps any gold
  attribution's content.
- speaker accuracy on detected quotes: the predicted speaker mention overlaps
  the annotated source span, or the predicted speaker name shares a word with
  the annotated source (the same person named differently). Gold items
  without a source are left out.
- the same for indirect attributions (no quote marks) whose cue is a say/tell verb.

Five dev attributions have source and cue swapped by the annotators (source
"said", cue "Hester"); they are swapped back before scoring and the report says
so. `--as-annotated` scores the gold exactly as distributed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.nlp import blank_vocab, load_pipeline, parse_documents  # noqa: E402
from pipeline.quotes import extract_quotes  # noqa: E402
from pipeline.sentences import segment_sentences  # noqa: E402

SAY_TELL = {"say", "says", "said", "saying", "tell", "tells", "told", "telling", "add", "added", "adds", "adding"}


def _overlaps(start: int, end: int, spans) -> bool:
    return any(start < e and s < end for s, e in spans)


def _same_speaker(pred: pd.Series, gold: dict, text: str) -> bool:
    if not gold["speaker_spans"]:
        return False
    if pd.notna(pred["speaker_start_char"]) and _overlaps(int(pred["speaker_start_char"]),
                                                           int(pred["speaker_end_char"]), gold["speaker_spans"]):
        return True
    if not isinstance(pred["speaker"], str):
        return False
    gold_words = {w.strip(".,'’").lower() for w in gold["speaker"].split() if len(w) > 3}
    pred_words = {w.strip(".,'’").lower() for w in pred["speaker"].split() if len(w) > 3}
    return bool(gold_words & pred_words)


SPEECH_FORMS = {"said", "says", "say", "told", "added", "wrote", "asked"}


def swap_reversed_sources(docs: list[dict]) -> int:
    """A few PolNeAR attributions have their source and cue spans swapped
    (source "said", cue "Hester"): an annotation slip, since a speech verb is
    never the source. Swap them back in place; returns how many there were, so
    the report can say so."""
    swapped = 0
    for doc in docs:
        for gold in doc["quotes"]:
            if (gold["speaker"] or "").lower() in SPEECH_FORMS and gold["cue"] and gold["cue_spans"]:
                gold["speaker"], gold["cue"] = gold["cue"], gold["speaker"]
                gold["speaker_spans"], gold["cue_spans"] = gold["cue_spans"], gold["speaker_spans"]
                swapped += 1
    return swapped


def evaluate(docs: list[dict], model: str | None) -> dict:
    documents = pd.DataFrame({"doc_id": [d["doc_id"] for d in docs], "text": [d["text"] for d in docs]})
    started = time.perf_counter()
    sentences = segment_sentences(documents)
    tokens = parse_documents(documents, sentences, load_pipeline(model))
    parsed = time.perf_counter()
    quotes = extract_quotes(documents, tokens, blank_vocab())
    quote_seconds = time.perf_counter() - parsed
    by_doc = {doc_id: rows for doc_id, rows in quotes.groupby("doc_id")}
    counts = {k: 0 for k in ("gold_q", "found_q", "pred_q", "right_q", "spk_n", "spk_ok",
                             "gold_i", "found_i", "pred_i", "right_i", "ispk_n", "ispk_ok")}
    misses: list[tuple] = []
    for doc in docs:
        predicted = by_doc.get(doc["doc_id"], quotes.iloc[0:0])
        marked = predicted[predicted["kind"].isin(["direct", "partial"])]
        indirect = predicted[predicted["kind"] == "indirect"]
        all_content = [sp for g in doc["quotes"] for sp in g["content_spans"]]
        for _, pred in marked.iterrows():
            counts["pred_q"] += 1
            counts["right_q"] += _overlaps(pred["start_char"], pred["end_char"], all_content)
        for _, pred in indirect.iterrows():
            counts["pred_i"] += 1
            counts["right_i"] += _overlaps(pred["start_char"], pred["end_char"], all_content)
        for gold in doc["quotes"]:
            is_marked = gold["has_quote_marks"]
            cue_word = (gold["cue"] or "").split()[0].lower() if gold["cue"] else ""
            if not is_marked and cue_word not in SAY_TELL:
                continue
            pool, prefix = (marked, "q") if is_marked else (indirect, "i")
            counts[f"gold_{prefix}"] += 1
            hits = pool[[_overlaps(s, e, gold["content_spans"]) for s, e in zip(pool["start_char"], pool["end_char"])]]
            if hits.empty:
                misses.append(("not found", doc["doc_id"], gold["content"][:90], gold["speaker"]))
                continue
            counts[f"found_{prefix}"] += 1
            if gold["speaker_spans"]:
                key = "spk" if is_marked else "ispk"
                counts[f"{key}_n"] += 1
                if any(_same_speaker(p, gold, doc["text"]) for _, p in hits.iterrows()):
                    counts[f"{key}_ok"] += 1
                else:
                    misses.append(("wrong speaker", doc["doc_id"], gold["content"][:90],
                                   f"gold={gold['speaker']!r} got={hits.iloc[0]['speaker']!r}"))
    counts["quote_seconds"] = quote_seconds
    counts["parse_seconds"] = parsed - started
    counts["misses"] = misses
    return counts


def _prf(right: int, predicted: int, found: int, gold: int) -> str:
    p = right / predicted if predicted else 0.0
    r = found / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"P {p:.3f}  R {r:.3f}  F1 {f:.3f}  (pred {predicted}, gold {gold})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    parser.add_argument("--model", help="spaCy pipeline (default: $PRESSWORK_NLP_MODEL or the shipped model)")
    parser.add_argument("--misses", type=int, default=15, help="how many misses to list")
    parser.add_argument("--as-annotated", action="store_true",
                        help="score against the gold exactly as annotated (no swapped source/cue repair)")
    args = parser.parse_args()
    path = args.data / "polnear" / f"polnear_{args.split}.jsonl"
    if not path.exists():
        print(f"PolNeAR not found at {path} (it lives in ../shared/data/polnear)", file=sys.stderr)
        return 2
    docs = [json.loads(line) for line in path.open()]
    swapped = 0 if args.as_annotated else swap_reversed_sources(docs)
    c = evaluate(docs, args.model)
    print(f"PolNeAR {args.split}: {len(docs)} articles"
          + (f" ({swapped} attributions with source and cue swapped by the annotators, swapped back;"
             " --as-annotated to score without)" if swapped else ""))
    print(f"quoted content detection   {_prf(c['right_q'], c['pred_q'], c['found_q'], c['gold_q'])}")
    print(f"speaker accuracy (quotes)  {c['spk_ok'] / max(c['spk_n'], 1):.3f}  ({c['spk_ok']}/{c['spk_n']})")
    print(f"indirect (say/tell cues)   {_prf(c['right_i'], c['pred_i'], c['found_i'], c['gold_i'])}")
    print(f"speaker accuracy (indirect) {c['ispk_ok'] / max(c['ispk_n'], 1):.3f}  ({c['ispk_ok']}/{c['ispk_n']})")
    print(f"time: parse {c['parse_seconds']:.1f}s, quotes stage {c['quote_seconds']:.2f}s")
    print(f"\nfirst {args.misses} misses (kind, doc, content, speaker):")
    for miss in c["misses"][: args.misses]:
        print("  " + " | ".join(str(x) for x in miss))
    return 0


if __name__ == "__main__":
    sys.exit(main())

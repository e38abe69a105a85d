"""Evaluate the entity stage: resolution on the hand-checked set, and NER through the pipeline.

    .venv/bin/python benchmarks/eval_entities.py [--model PATH] [--skip-ner]

Prints
  * resolution: pairwise precision / recall / F1 of mention-to-entity assignment over every pair of gold
    mentions in tests/data/entity_resolution_gold.json (five seeds, five BBC politics articles; pairs across
    documents count too, so cross-document ids are scored), plus the gold mentions no predicted mention covers
    (a gold mention takes the entity of the predicted mention overlapping it most, if that covers at least half
    of it; otherwise it counts as a singleton);
  * NER P/R/F1 (exact span, labels mapped to CoNLL) on CoNLL-2003 test and UNER English PUD, once for the model's
    own entities and once for the entity_mentions the pipeline makes from them (repairs, acronyms, NORP;
    role mentions are not NER and are left out). One Doc per source document, so document-level rules apply.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))  # _stages (a PyPI package is called "benchmarks")
sys.path.insert(0, str(REPO / "training"))

from _stages import SHARED_DATA, gold_source, run_stages  # noqa: E402
from pipeline.mentions import find_mentions  # noqa: E402
from pipeline.nlp import load_pipeline  # noqa: E402

GOLD = REPO / "tests" / "data" / "entity_resolution_gold.json"
TO_CONLL = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "NORP": "MISC", "MISC": "MISC",
            "EVENT": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC", "LANGUAGE": "MISC"}
TO_UNER = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}


# ------------------------------------------------------------------------------------------- resolution
def gold_mentions(text: str, entities: dict[str, list[str]]) -> list[tuple[int, int, str]]:
    """Every occurrence of each form, longest forms first, never overlapping."""
    forms = sorted(((form, name) for name, fs in entities.items() for form in fs), key=lambda f: -len(f[0]))
    taken: list[tuple[int, int]] = []
    found = []
    for form, name in forms:
        for match in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", text):
            s, e = match.span()
            if not any(s < te and ts < e for ts, te in taken):
                taken.append((s, e))
                found.append((s, e, name))
    return sorted(found)


def run_entities(paths: list[Path], model: str | None):
    articles, _, mentions, entities = run_stages(paths, model)
    return articles, mentions, entities


def pairwise(assignments: list[tuple[str, str]]) -> dict:
    """Pairwise P/R/F1 from (gold entity, predicted entity) per gold mention."""
    def pairs(counter):
        return sum(n * (n - 1) // 2 for n in counter.values())
    both = pairs(Counter(assignments))
    gold = pairs(Counter(g for g, _ in assignments))
    pred = pairs(Counter(p for _, p in assignments))
    p = both / pred if pred else 1.0
    r = both / gold if gold else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "gold_pairs": gold,
            "pred_pairs": pred, "mentions": len(assignments)}


def evaluate_resolution(model: str | None = None, include_bbc: bool = True) -> dict:
    gold = json.loads(GOLD.read_text())["documents"]
    gold = [d for d in gold if include_bbc or d["source"].startswith("seeds/")]
    articles, mentions, _ = run_entities([gold_source(d["source"]) for d in gold], model)
    by_path = {Path(p): (doc_id, text) for p, doc_id, text in zip(articles["path"], articles["doc_id"], articles["text"])}
    assignments, missed = [], []
    for d in gold:
        doc_id, text = by_path[gold_source(d["source"])]
        predicted = mentions[mentions["doc_id"] == doc_id]
        for n, (s, e, name) in enumerate(gold_mentions(text, d["entities"])):
            overlap = (predicted["end_char"].clip(upper=e) - predicted["start_char"].clip(lower=s))
            if (2 * overlap >= e - s).any():  # a predicted mention covering at least half of the gold one
                assignments.append((name, predicted.loc[overlap.idxmax(), "entity_id"]))
            else:
                assignments.append((name, f"missed:{doc_id}:{n}"))
                missed.append((d["source"], text[s:e], name))
    return {**pairwise(assignments), "missed": missed}


# ------------------------------------------------------------------------------------------- NER
def read_conll_documents(path: Path) -> list[list[tuple[list[str], list[str]]]]:
    """-> documents, each a list of (words, IOB2 tags) sentences."""
    docs, sentence, words, tags = [], [], [], []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        parts = line.split()
        if not parts or parts[0] == "-DOCSTART-":
            if words:
                sentence.append((words, tags))
                words, tags = [], []
            if parts and parts[0] == "-DOCSTART-" and sentence:
                docs.append(sentence)
                sentence = []
            continue
        words.append(parts[0])
        tags.append(parts[-1])
    if sentence:
        docs.append(sentence)
    return docs


def read_uner_documents(path: Path, per_doc: int = 20):
    """UNER PUD has no documents: consecutive sentences, `per_doc` at a time."""
    sentences, words, tags = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if words:
                sentences.append((words, tags))
            words, tags = [], []
            continue
        if line.startswith("#"):
            continue
        parts = line.split("\t")
        words.append(parts[1])
        tags.append(parts[2] if parts[2] != "O" else "O")
    return [sentences[i:i + per_doc] for i in range(0, len(sentences), per_doc)]


def ner_scores(documents, nlp, mapping: dict[str, str]) -> dict:
    from spacy.tokens import Doc
    from train_model import iob2_spans

    docs, golds = [], []
    for sentences in documents:
        words = [w for ws, _ in sentences for w in ws]
        starts = [i == 0 for ws, _ in sentences for i in range(len(ws))]
        offset, gold = 0, set()
        for ws, tags in sentences:
            gold |= {(s + offset, e + offset, label) for s, e, label in iob2_spans(tags)}
            offset += len(ws)
        docs.append(Doc(nlp.vocab, words=words, sent_starts=starts))
        golds.append(gold)
    counts = {"model": Counter(), "pipeline": Counter()}
    for doc, gold in zip(nlp.pipe(docs, batch_size=16), golds):
        systems = {
            "model": {(e.start, e.end, mapping.get(e.label_)) for e in doc.ents},
            "pipeline": {(m.start, m.end, mapping.get(m.label)) for m in find_mentions(doc) if m.kind != "role"},
        }
        for name, predicted in systems.items():
            predicted = {p for p in predicted if p[2] is not None}
            counts[name]["tp"] += len(predicted & gold)
            counts[name]["fp"] += len(predicted - gold)
            counts[name]["fn"] += len(gold - predicted)
    return {name: _prf(c) for name, c in counts.items()}


def _prf(c: Counter) -> dict:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: the shipped model)")
    parser.add_argument("--skip-ner", action="store_true", help="only the resolution set")
    args = parser.parse_args()
    res = evaluate_resolution(args.model)
    print(f"resolution (pairwise, {res['mentions']} gold mentions, {res['gold_pairs']} gold pairs): "
          f"P {res['precision']:.3f}  R {res['recall']:.3f}  F1 {res['f1']:.3f}")
    for source, text, name in res["missed"]:
        print(f"  no mention found: {text!r} ({name}) in {source}")
    if args.skip_ner:
        return
    nlp = load_pipeline(args.model)
    for label, documents, mapping in [
        ("CoNLL-2003 test", read_conll_documents(SHARED_DATA / "ner" / "conll2003" / "test.txt"), TO_CONLL),
        ("UNER EWT-PUD test", read_uner_documents(SHARED_DATA / "ner" / "uner_en_pud" / "en_pud-ud-test.iob2"), TO_UNER),
    ]:
        scores = ner_scores(documents, nlp, mapping)
        for system, s in scores.items():
            print(f"{label:18} {system:9} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}")


if __name__ == "__main__":
    main()

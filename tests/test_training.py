"""The NER recipe's plumbing without training: the static vectors built from word lists
(training/build_static_vectors.py), and the teacher (training/teacher_ner.py, train_model.py --silver): which text
may become silver data, how silver labels are stored, and how the two NER stages are wired."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "training"))

import build_static_vectors  # noqa: E402
import mention_replacement  # noqa: E402
import teacher_ner  # noqa: E402
import train_model  # noqa: E402

ACTORS = """\
# a comment line
UNITED_KINGDOM_  [GBR]
+BRITAIN_
+LONDON_

TONY_BLAIR_
+BLAIR_
\t[GBRGOV 970502-070627]

LABOUR_PARTY_
\t[GBRPTYLAB]
"""


def test_actor_dictionary_entries_become_name_kinds(tmp_path):
    path = tmp_path / "Phoenix.Countries.actors.txt"
    path.write_text(ACTORS, encoding="latin-1")
    kinds = {tuple(names): build_static_vectors.actor_kind(None, codes)
             for names, codes in build_static_vectors.actor_entries(path)}
    assert kinds == {("UNITED_KINGDOM_  ", "BRITAIN_", "LONDON_"): "actor_place",
                     ("TONY_BLAIR_", "BLAIR_"): "actor_person",
                     ("LABOUR_PARTY_",): "actor_org"}
    found: dict[str, set[str]] = {}
    build_static_vectors.add_words(found, "TONY_BLAIR_", "actor_person")
    build_static_vectors.add_words(found, "McDonnell", "surname")
    assert found == {"Tony": {"actor_person"}, "TONY": {"actor_person"}, "Blair": {"actor_person"},
                     "BLAIR": {"actor_person"}, "McDonnell": {"surname"}, "MCDONNELL": {"surname"}}


def test_words_with_the_same_cluster_and_flags_share_a_row():
    import numpy as np
    from spacy.strings import get_string_id

    clusters = {"Leicester": 0b1000111001, "Nottingham": 0b1000111001, "Derby": 0b0000111001, "said": 0b1011}
    names: dict[str, set[str]] = {}
    build_static_vectors.add_words(names, "Nottingham", "city")
    build_static_vectors.add_words(names, "CORBYN", "surname")
    features = build_static_vectors.word_features(clusters, names)
    assert features["NOTTINGHAM"] == features["Nottingham"]  # headlines in capitals
    assert "SAID" not in features and features["Corbyn"][0] == 0  # no cluster, but a flag
    vectors = build_static_vectors.build_vectors(features)
    row = {w: vectors.find(key=get_string_id(w)) for w in ("Leicester", "LEICESTER", "Nottingham", "Corbyn")}
    assert row["Leicester"] == row["LEICESTER"] != row["Nottingham"]
    assert vectors.shape == (len(set(features.values())), build_static_vectors.CLUSTER_DIMS + 7)
    code = build_static_vectors.cluster_code
    # Derby's cluster shares 6 low bits of the path with Leicester's, "said" shares 2: closer is more alike
    assert np.dot(code(clusters["Leicester"]), code(clusters["Derby"])) > np.dot(
        code(clusters["Leicester"]), code(clusters["said"]))
    assert not code(0).any()



def test_case_shapes_of_news_words():
    shapes = {w: teacher_ner.case_id(w) for w in ("99", "said", "Corbyn", "I", "JLM", "McDonnell", "£3.5m")}
    assert shapes == {"99": 0, "said": 1, "Corbyn": 2, "I": 2, "JLM": 3, "McDonnell": 4, "£3.5m": 1}


def test_silver_docs_keep_sentences_and_map_labels(tmp_path):
    import spacy
    from spacy.tokens import DocBin

    sents = [["Jeremy", "Corbyn", "met", "the", "JLM", "."], ["Labour", "MPs", "in", "London", "agreed", "."]]
    tags = [["B-PER", "I-PER", "O", "O", "B-ORG", "O"], ["B-ORG", "O", "O", "B-LOC", "O", "O"]]
    assert teacher_ner.write_silver(sents, tags, tmp_path / "silver.spacy") == 1
    (doc,) = DocBin().from_disk(tmp_path / "silver.spacy").get_docs(spacy.blank("en").vocab)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Jeremy Corbyn", "PERSON"), ("JLM", "ORG"), ("Labour", "ORG"), ("London", "GPE")]
    assert [s.text for s in doc.sents] == ["Jeremy Corbyn met the JLM .", "Labour MPs in London agreed ."]


def test_silver_text_is_only_text_a_shipped_model_may_learn_from(tmp_path):
    """PolNeAR train and UD EWT train/dev go in; the BBC (local evaluation only) and PolNeAR dev (it scores
    quote attribution) stay out, as does UD EWT test."""
    data = tmp_path / "data"
    (data / "polnear").mkdir(parents=True)
    (data / "ud_en_ewt").mkdir()
    (data / "bbc" / "politics").mkdir(parents=True)
    (data / "polnear" / "polnear_train.jsonl").write_text(
        json.dumps({"text": "Mr Corbyn spoke in London on Tuesday. The JLM voted later that day."}) + "\n")
    (data / "polnear" / "polnear_dev.jsonl").write_text(
        json.dumps({"text": "Dev text must never be seen here."}) + "\n")
    (data / "bbc" / "politics" / "001.txt").write_text("BBC text may not train a shipped model.\n")
    for split, words in (("train", "Labour MPs met in Leeds"), ("dev", "The Board of Deputies said no"),
                         ("test", "Test words stay out too")):
        rows = "".join(f"{i}\t{w}\t_\t_\t_\t_\t0\t_\t_\t_\n" for i, w in enumerate(words.split(), 1))
        (data / "ud_en_ewt" / f"en_ewt-ud-{split}.conllu").write_text(f"# text = {words}\n{rows}\n")
    texts = {" ".join(s) for s in teacher_ner.unlabelled_sentences(data, limit_words=10_000)}
    assert texts == {"Mr Corbyn spoke in London on Tuesday .", "The JLM voted later that day .",
                     "Labour MPs met in Leeds", "The Board of Deputies said no"}


def test_silver_stage_trains_on_gold_and_silver_then_fine_tunes_the_result(tmp_path, monkeypatch):
    from spacy.util import load_config

    calls = []
    monkeypatch.setattr(train_model, "spacy_train", lambda *args: calls.append(args))
    (tmp_path / "conll_train.spacy").write_bytes(b"gold")
    (tmp_path / "silver.spacy").write_bytes(b"silver")
    args = train_model.argparse.Namespace(
        silver=tmp_path / "silver.spacy", ner_config=train_model.CONFIGS / "ner_conll.cfg", ner_silver_steps=6000,
        max_steps=None, ner_override=["training.dropout=0.2"], numpy_blas=True)
    finetune = train_model.stage_ner_silver(args, tmp_path)
    (config, out, train, _dev, steps, extra, numpy_blas), = calls
    assert out == tmp_path / "ner_silver_model" and steps == 6000 and numpy_blas
    assert sorted(p.name for p in train.iterdir()) == ["conll_train.spacy", "silver.spacy"]
    assert extra == ["--paths.vectors", str(tmp_path / "static_vectors"), "--training.dropout", "0.2"]
    assert load_config(finetune, interpolate=False)["components"]["ner"] == {
        "source": str(tmp_path / "ner_silver_model" / "model-last")}


@pytest.mark.parametrize("gold,pred,expected", [
    ([["B-PER", "I-PER", "O"]], [["B-PER", "I-PER", "O"]], 1.0),
    ([["B-PER", "I-PER", "O"]], [["B-PER", "O", "O"]], 0.0),  # a partial span is wrong
    ([["B-ORG", "O", "B-LOC"]], [["B-ORG", "O", "O"]], 2 / 3),
])
def test_teacher_f1_counts_exact_spans(gold, pred, expected):
    assert teacher_ner.f1(gold, pred) == pytest.approx(expected)


def test_building_the_vectors_without_the_word_list_packages_says_what_to_install(monkeypatch):
    monkeypatch.setitem(build_static_vectors.TRAINING_PACKAGES, "no_such_word_lists", "no-such-word-lists==1.0")
    # the packages of the train extra may be missing too (a fresh clone installs only the test extra)
    with pytest.raises(SystemExit, match=r"pip install .*no-such-word-lists==1\.0 \(or pip install -e '\.\[train\]'\)"):
        build_static_vectors.require_training_packages()


def test_mention_replacement_swaps_names_for_names_of_the_same_label_and_keeps_the_rest():
    import random

    import spacy
    from spacy.tokens import Doc, Span

    vocab = spacy.blank("en").vocab
    doc = Doc(vocab, words=["Corbyn", "met", "the", "Board", "of", "Deputies", "in", "London", "."],
              spaces=[True] * 7 + [False, False], sent_starts=[True] + [False] * 8)
    doc.ents = [Span(doc, 0, 1, "PERSON"), Span(doc, 3, 6, "ORG"), Span(doc, 7, 8, "GPE")]
    names = {"PERSON": [["Jackie", "Walker"]], "ORG": [["JLM"]], "GPE": [["Manchester"]]}
    swapped = mention_replacement.replace_mentions(doc, names, prob=1.0, rng=random.Random(0))
    assert swapped.text == "Jackie Walker met the JLM in Manchester."
    assert [(e.text, e.label_) for e in swapped.ents] == [("Jackie Walker", "PERSON"), ("JLM", "ORG"),
                                                          ("Manchester", "GPE")]
    assert [t.is_sent_start for t in swapped] == [True] + [False] * (len(swapped) - 1)
    kept = mention_replacement.replace_mentions(doc, names, prob=0.0, rng=random.Random(0))
    assert kept.text == doc.text and [(e.start, e.end, e.label_) for e in kept.ents] == \
        [(e.start, e.end, e.label_) for e in doc.ents]

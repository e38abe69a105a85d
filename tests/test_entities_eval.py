"""Floors on benchmarks/eval_entities.py, so entity quality cannot silently
regress. The figures reached are in the README."""

from __future__ import annotations


import pytest

from conftest import load_benchmark


@pytest.fixture(scope="module")
def evaluation():
    return load_benchmark("eval_entities")


def test_resolution_on_the_seeds_alone(evaluation):
    scores = evaluation.evaluate_resolution(include_bbc=False)
    assert scores["precision"] >= 0.98 and scores["recall"] >= 0.90


def test_resolution_floor_on_the_whole_hand_checked_set(evaluation, shared_data):
    scores = evaluation.evaluate_resolution()
    assert scores["f1"] >= 0.95, scores


@pytest.mark.parametrize("corpus", ["conll", "pud"])
def test_ner_through_the_pipeline_keeps_the_model_score(evaluation, shared_data, corpus):
    from pipeline.nlp import load_pipeline

    if corpus == "conll":
        documents, mapping = evaluation.read_conll_documents(shared_data / "ner/conll2003/test.txt"), evaluation.TO_CONLL
    else:
        documents = evaluation.read_uner_documents(shared_data / "ner/uner_en_pud/en_pud-ud-test.iob2")
        mapping = evaluation.TO_UNER
    scores = evaluation.ner_scores(documents, load_pipeline(), mapping)
    assert scores["pipeline"]["f1"] >= scores["model"]["f1"] - 0.01, scores
    assert scores["model"]["f1"] >= (0.80 if corpus == "conll" else 0.54)

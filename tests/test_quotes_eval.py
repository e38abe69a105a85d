"""Floors on the PolNeAR dev evaluation (benchmarks/eval_quotes.py), so quote
quality cannot silently regress. The figures reached are in the README."""

from __future__ import annotations

import json

import pytest

from conftest import load_benchmark


@pytest.fixture(scope="module")
def scores(shared_data):
    path = shared_data / "polnear" / "polnear_dev.jsonl"
    if not path.exists():
        pytest.skip(f"PolNeAR dev not found at {path}")
    return load_benchmark("eval_quotes").evaluate([json.loads(line) for line in path.open()], None)


def test_quoted_content_detection_floor(scores):
    precision = scores["right_q"] / scores["pred_q"]
    recall = scores["found_q"] / scores["gold_q"]
    assert precision >= 0.975 and recall >= 0.955
    assert 2 * precision * recall / (precision + recall) >= 0.967


def test_speaker_accuracy_floor(scores):
    assert scores["spk_ok"] / scores["spk_n"] >= 0.89


def test_indirect_speech_floor(scores):
    assert scores["right_i"] / scores["pred_i"] >= 0.90
    assert scores["found_i"] / scores["gold_i"] >= 0.70

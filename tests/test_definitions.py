"""The Dagster side: Definitions load through workspace.yaml, assets are grouped
and described, and a failing blocking check keeps a version from being committed."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import pipeline.sentences
import pipeline.staged
from assets.definitions import RUN_JOB, build_definitions
from assets.resources import PressworkSettings
from conftest import REPO, SEEDS
from pipeline.warehouse import Warehouse

EXPECTED_GROUPS = {
    "articles": "ingest", "rejected": "ingest",
    "sentences": "sentences", "documents": "sentences",
    "tokens": "nlp", "quotes": "quotes",
    "entity_mentions": "entities", "entities": "entities", "entity_changes": "entities",
    "events": "events", "event_mentions": "events", "release": "release",
    "dataset_version": "warehouse",
}


def test_workspace_yaml_loads_the_definitions(tmp_path):
    dagster = Path(sys.executable).with_name("dagster")
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO, capture_output=True, text=True, timeout=180,
        env={**os.environ, "DAGSTER_HOME": str(tmp_path)},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-2000:]
    assert "Validation successful for code location assets.definitions:defs" in output


def test_no_tool_dagster_block_overrides_workspace_yaml():
    assert "[tool.dagster]" not in (REPO / "pyproject.toml").read_text()


def test_assets_are_grouped_by_stage_and_described():
    graph = build_definitions(PressworkSettings()).resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups == EXPECTED_GROUPS
    for key in graph.get_all_asset_keys():
        assert graph.get(key).description, f"{key.to_user_string()} has no description"
    checks = {key.name for key in graph.asset_check_keys}
    assert {"sentence_spans_match_text", "sentence_doc_ids_exist", "sentences_cover_all_text",
            "document_sentence_counts", "every_input_accounted_for", "sentence_ids_unique",
            "doc_ids_unique", "token_spans_match_text", "quote_spans_match_text",
            "entity_mention_spans_match_text", "entity_mentions_point_at_entities",
            "quote_speakers_point_at_entities"} <= checks


def _run_in_process(tmp_path):
    settings = PressworkSettings(input_dir=str(SEEDS), warehouse_dir=str(tmp_path / "wh"))
    job = build_definitions(settings).resolve_job_def(RUN_JOB)
    return job.execute_in_process(raise_on_error=False)


def test_materialisations_record_row_counts_and_previews(tmp_path):
    result = _run_in_process(tmp_path)
    assert result.success
    metadata = {
        m.asset_key.to_user_string(): m.metadata
        for m in result.asset_materializations_for_node("sentences")
    }["sentences"]
    assert metadata["dagster/row_count"].value > 50
    assert "| sentence_id" in metadata["preview"].value
    assert Warehouse(tmp_path / "wh").latest() is not None


def test_failing_blocking_check_prevents_commit(tmp_path, monkeypatch):
    # A segmenter that silently loses each document's last sentence must be caught.
    real = pipeline.sentences.split_spans
    monkeypatch.setattr(pipeline.sentences, "split_spans", lambda text: real(text)[:-1])
    result = _run_in_process(tmp_path)
    evaluations = {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data.passed
        for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    assert evaluations["sentences_cover_all_text"] is False
    assert Warehouse(tmp_path / "wh").latest() is None
    assert not list((tmp_path / "wh").glob("*/version=*"))


def _corrupt_last_row(table: pd.DataFrame) -> pd.DataFrame:
    """The last row of the last article gets a text its offsets do not hold."""
    table = table.copy()
    table.loc[table.index[-1], "text"] = table["text"].iloc[-1] + "!"
    return table


def _corrupting_tokens(real):
    return lambda *args, **kwargs: _corrupt_last_row(real(*args, **kwargs))


def _corrupting_quotes(real):
    return lambda *args: _corrupt_last_row(real(*args))


def _corrupting_mentions(real):
    """The last mention's text is wrong and the first mention is lost (its entity's counts then disagree)."""
    class Corrupted(real):
        def mention_batches(self, *args, **kwargs):
            batches = list(super().mention_batches(*args, **kwargs))
            batches[-1] = _corrupt_last_row(batches[-1])
            batches[0] = batches[0].iloc[1:]
            yield from batches
    return Corrupted


def _corrupting_events(real):
    def extract(docs, mentions, entities):
        events, event_mentions = real(docs, mentions, entities)
        return (_corrupt_last_row(events) if len(events) else events), event_mentions
    return extract


def _corrupting_sentences(real):
    """The last sentence of each batch a character later than its text (the sentence model checks its length)."""
    def segment(*args, **kwargs):
        sentences = real(*args, **kwargs).copy()
        sentences.loc[sentences.index[-1], ["start_char", "end_char"]] += 1
        return sentences
    return segment


def _corrupting_documents(real):
    """The last document miscounts its sentences and names a group no document has."""
    def batches(*args):
        for batch in real(*args):
            batch = batch.copy()
            batch.loc[batch.index[-1], "n_sentences"] += 1
            batch.loc[batch.index[-1], "duplicate_group"] = "0123456789abcdef"
            yield batch
    return batches


@pytest.mark.parametrize("corrupt, failing", [
    ([("sentences", "segment_sentences", _corrupting_sentences)], {"sentence_spans_match_text"}),
    ([("sentences", "document_batches", _corrupting_documents)],
     {"document_sentence_counts", "duplicate_groups_name_documents"}),
    ([("nlp", "parse_documents", _corrupting_tokens)], {"token_spans_match_text"}),
    ([("entities", "LinkedCorpus", _corrupting_mentions)],
     {"entity_mention_spans_match_text", "entity_mentions_point_at_entities"}),
    ([("quotes", "extract_quotes", _corrupting_quotes), ("events", "extract_events", _corrupting_events)],
     {"quote_spans_match_text", "event_spans_and_ids_hold"}),
], ids=["sentences", "documents", "tokens", "entity_mentions", "quotes_and_events"])
def test_span_checks_read_in_batches_still_catch_a_bad_row(tmp_path, monkeypatch, corrupt, failing):
    # Checks walk tables and texts a batch of articles at a time: a row of the last batch must still be seen.
    monkeypatch.setattr(pipeline.staged, "BATCH_ROWS", 300)
    for module in ("assets.sentences", "assets.checks"):  # articles two at a time
        monkeypatch.setattr(importlib.import_module(module), "TEXT_ROW_GROUP_SIZE", 2)
    for module_name, name, wrap in corrupt:
        module = importlib.import_module(f"assets.{module_name}")
        monkeypatch.setattr(module, name, wrap(getattr(module, name)))
    result = _run_in_process(tmp_path)
    evaluations = {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data.passed
        for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    assert {name for name, passed in evaluations.items() if passed is False} == failing
    assert Warehouse(tmp_path / "wh").latest() is None

"""Scale: incremental runs carry unchanged articles over, removed files leave,
and the NLP shards run in parallel processes under Dagster's multiprocess
executor with the same result as one process."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

import schemas
from conftest import SEEDS, load_benchmark, run_cli
from pipeline.diff import KEYS
from pipeline.shards import plan_nlp, sentence_layout, staged_sentence_layouts, word_counts
from pipeline.warehouse import Warehouse

FULLER_NAME = """MP Luciana Berger warns of abuse

The Labour MP Luciana Berger said on Monday that she had received hundreds of abusive messages.
"Nobody should have to put up with this at work," Ms Berger told the BBC.
Police are investigating the messages, a spokesman said.
"""

NEW_ARTICLE = """Council leader quits over housing row

The leader of Greenford council, Anna Brook, resigned on Tuesday after a row over a housing plan.
"I have done what I believe is right for this town," Ms Brook said in a statement.
Opposition councillors had called for an inquiry into the plan last month. The council will meet next week
to choose a new leader, a spokesman said.
"""


def _latest_manifest(warehouse) -> dict:
    w = Warehouse(warehouse)
    return w.manifest(w.latest())


def _tables(warehouse) -> dict[str, pd.DataFrame]:
    """Every table of the latest version, rows in key order, so two versions compare by content."""
    w = Warehouse(warehouse)
    out = {}
    for table in schemas.TABLES:
        df = w.read_table(table).drop(columns=["version"], errors="ignore")  # the folder's name, not content
        out[table] = df.sort_values(list(KEYS[table]), kind="stable", ignore_index=True) if len(df) else df
    return out


def _assert_same_tables(a, b) -> None:
    left, right = _tables(a), _tables(b)
    for table in schemas.TABLES:
        pd.testing.assert_frame_equal(left[table], right[table], check_dtype=False, obj=table)


@pytest.fixture
def seeds_input(tmp_path):
    folder = tmp_path / "input"
    shutil.copytree(SEEDS, folder)
    return folder


def _plan(articles, sentences, before, carried_tokens, **options):
    return plan_nlp(word_counts(articles), sentence_layout(sentences),
                    None if before is None else sentence_layout(before), carried_tokens, **options)


def test_plan_carries_only_articles_whose_text_and_sentences_are_unchanged():
    articles = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "text": ["one two three"] * 4})
    sentences = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "sentence_index": [0] * 4, "start_char": [0] * 4})
    before = pd.DataFrame({"doc_id": ["a", "b", "c"], "sentence_index": [0, 0, 0], "start_char": [0, 0, 4]})
    plan = _plan(articles, sentences, before, {"a", "b", "c"}, same_fingerprint=True, shard_words=6)
    assert plan.carried == ["a", "b"]  # c's sentences moved, d is new
    assert plan.shards == [["c", "d"]]
    # another model or parsing code: everything is parsed again, in shards of about shard_words words
    plan = _plan(articles, sentences, before, {"a", "b", "c"}, same_fingerprint=False, shard_words=3)
    assert plan.carried == [] and plan.shards == [["a"], ["b"], ["c"], ["d"]]
    with pytest.raises(ValueError):
        _plan(articles, sentences, None, set(), same_fingerprint=False, shard_words=0)


def test_sentence_layouts_from_the_file_equal_those_from_the_table(tmp_path):
    sentences = pd.DataFrame({"doc_id": ["b", "a", "b", "a", "c"], "sentence_index": [1, 0, 0, 1, 0],
                              "start_char": [40, 0, 0, 12, 0]})
    path = tmp_path / "sentences.parquet"
    sentences.to_parquet(path)
    pd.testing.assert_series_equal(staged_sentence_layouts([path]).sort_index(), sentence_layout(sentences),
                                   check_names=False, check_index_type=False, check_dtype=False)
    assert sentence_layout(sentences)["b"] == "0,40"


def test_shards_are_even_and_a_multiple_of_the_workers():
    sizes = [40, 10, 30, 20, 50, 10, 40, 30, 20]  # 250 words
    articles = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(sizes))],
                             "text": [" ".join(["w"] * n) for n in sizes]})
    sentences = pd.DataFrame({"doc_id": articles["doc_id"], "sentence_index": 0, "start_char": 0})
    one = _plan(articles, sentences, None, set(), same_fingerprint=False, shard_words=100)
    assert one.words == [80, 80, 90]  # three shards of ~83 words, not 100 + 100 + 50
    two = _plan(articles, sentences, None, set(), same_fingerprint=False, shard_words=100, workers=2)
    assert len(two.shards) == 4 and max(two.words) - min(two.words) <= 50
    assert [d for shard in two.shards for d in shard] == list(articles["doc_id"])  # input order, nothing lost
    many = _plan(articles, sentences, None, set(), same_fingerprint=False, shard_words=1, workers=2)
    assert len(many.shards) == len(sizes)  # never more shards than articles
    wordless = articles.assign(text="")  # cleaning can leave an article without words
    plan = _plan(wordless, sentences, None, set(), same_fingerprint=False, workers=2)
    assert plan.shards == [list(articles["doc_id"])]


def test_rerun_parses_only_the_new_article_and_equals_a_fresh_run(seeds_input, tmp_path):
    warehouse = tmp_path / "warehouse"
    run_cli("run", "--input", str(seeds_input), "--warehouse", str(warehouse))
    assert _latest_manifest(warehouse)["nlp_work"]["parsed"] == 5

    (seeds_input / "new article.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    run_cli("run", "--input", str(seeds_input), "--warehouse", str(warehouse))
    manifest = _latest_manifest(warehouse)
    assert (manifest["nlp_work"]["carried"], manifest["nlp_work"]["parsed"]) == (5, 1)
    # the seeds' entity mentions are untouched by a council story: their quotes and events are read back
    assert manifest["articles_carried_over"] == {"entity_mentions": 5, "events": 5, "quotes": 5, "sentences": 5}
    documents = Warehouse(warehouse).read_table("documents")
    assert "new article.txt" in set(documents["source_file"])

    # the carried-over rows are exactly what parsing everything again gives
    fresh = tmp_path / "fresh"
    run_cli("run", "--input", str(seeds_input), "--warehouse", str(fresh))
    assert _latest_manifest(fresh)["nlp_work"]["parsed"] == 6
    _assert_same_tables(warehouse, fresh)

    # nothing changed: nothing parsed, same tables
    run_cli("run", "--input", str(seeds_input), "--warehouse", str(warehouse))
    assert _latest_manifest(warehouse)["nlp_work"]["parsed"] == 0
    _assert_same_tables(warehouse, fresh)

    # --rebuild carries nothing and gives the same tables again
    run_cli("run", "--input", str(seeds_input), "--warehouse", str(warehouse), "--rebuild")
    manifest = _latest_manifest(warehouse)
    assert manifest["nlp_work"]["parsed"] == 6
    assert manifest["articles_carried_over"] == {"entity_mentions": 0, "events": 0, "quotes": 0, "sentences": 0}
    _assert_same_tables(warehouse, fresh)


def test_an_article_whose_entities_changed_elsewhere_gets_its_quotes_and_events_again(seeds_input, tmp_path):
    """A new article that gives a seed's person a fuller name changes that
    seed's entity context: its quotes and events are extracted again (the
    speaker takes the new canonical name), the others are carried."""
    warehouse, rebuilt = tmp_path / "warehouse", tmp_path / "rebuilt"
    run_cli("run", "--input", str(seeds_input), "--warehouse", str(warehouse))
    shutil.copytree(warehouse, rebuilt)
    (seeds_input / "fuller name.txt").write_text(FULLER_NAME, encoding="utf-8")
    run_cli("run", "--input", str(seeds_input), "--warehouse", str(warehouse))
    carried = _latest_manifest(warehouse)["articles_carried_over"]
    assert 0 < carried["quotes"] < 5 and 0 < carried["events"] < 5, carried
    assert carried["entity_mentions"] == 5  # in-article mentions stand; linking gives Berger her full name
    assert len(Warehouse(warehouse).read_table("entity_changes")) == 1  # "Berger" is now "Luciana Berger"
    # reprocessing everything from the same base (entity ids are kept against it) gives the same tables
    run_cli("run", "--input", str(seeds_input), "--warehouse", str(rebuilt), "--rebuild")
    _assert_same_tables(warehouse, rebuilt)


def test_removed_file_leaves_every_table_and_diff_shows_it(seeds_input, tmp_path):
    warehouse = tmp_path / "warehouse"
    run_cli("run", "--input", str(seeds_input), "--warehouse", str(warehouse))
    first = Warehouse(warehouse).latest()
    removed = sorted(seeds_input.glob("*.txt"))[0]
    gone = Warehouse(warehouse).read_table("documents").set_index("source_file").loc[removed.name, "doc_id"]
    removed.unlink()
    run_cli("run", "--input", str(seeds_input), "--warehouse", str(warehouse))
    assert _latest_manifest(warehouse)["nlp_work"]["carried"] == 4
    for table, df in _tables(warehouse).items():
        if "doc_id" in df.columns:
            assert gone not in set(df["doc_id"]), f"{table} still has rows of the removed article"
    diff = run_cli("diff", first, "--warehouse", str(warehouse)).stdout
    row = next(line for line in diff.splitlines() if line.startswith("| documents "))
    assert [c.strip() for c in row.strip("|").split("|")] == ["documents", "5", "4", "0", "1", "0"]


def test_sharded_run_under_the_multiprocess_executor_equals_one_process(tmp_path):
    one, many = tmp_path / "one", tmp_path / "many"
    run_cli("run", "--input", str(SEEDS), "--warehouse", str(one), "--workers", "1")
    result = run_cli("run", "--input", str(SEEDS), "--warehouse", str(many), "--workers", "2", "--shard-words", "400")
    assert "(2 workers)" in result.stderr
    work = _latest_manifest(many)["nlp_work"]
    assert work["shards"] >= 3 and work["parsed"] == 5
    shard_steps = [line for line in result.stderr.splitlines() if "parse_nlp_shard[" in line]
    assert len(shard_steps) == work["shards"], result.stderr
    _assert_same_tables(one, many)


def test_every_step_in_a_fresh_process_as_pods_would_run_it_equals_one_process(tmp_path, monkeypatch):
    """Beyond one machine: under an executor that starts each step as a new
    `dagster api execute_step` process (tests/step_processes.py: what
    dagster-k8s does with a Job per step), with nothing but the environment and
    the warehouse folder shared, the run commits the tables of a one-process run."""
    import dagster as dg

    from step_processes import run_job_in_step_processes

    one, apart = tmp_path / "one", tmp_path / "apart"
    run_cli("run", "--input", str(SEEDS), "--warehouse", str(one), "--workers", "1")
    home = tmp_path / "dagster_home"
    home.mkdir()
    for name, value in {"DAGSTER_HOME": str(home), "PRESSWORK_INPUT": str(SEEDS), "PRESSWORK_WAREHOUSE": str(apart),
                        "PRESSWORK_SHARD_WORDS": "400", "PRESSWORK_RUN_WORKERS": "2", "PRESSWORK_PROGRESS": "0",
                        "OPENBLAS_NUM_THREADS": "1"}.items():
        monkeypatch.setenv(name, value)
    with dg.DagsterInstance.get() as instance:
        result = dg.execute_job(dg.reconstructable(run_job_in_step_processes), instance=instance,
                                raise_on_error=False)
        assert result.success, [e.message for e in result.all_events if e.is_failure]
        started = [e for e in instance.all_logs(result.run_id) if e.dagster_event is not None
                   and e.dagster_event.event_type == dg.DagsterEventType.STEP_START]
    pids = {e.dagster_event.pid for e in started}
    assert len(started) >= 16 and len(pids) == len(started) and os.getpid() not in pids  # a process per step
    work = _latest_manifest(apart)["nlp_work"]
    assert work["shards"] >= 3 and work["parsed"] == 5
    _assert_same_tables(one, apart)


def test_bad_worker_and_shard_options_fail_with_one_line(tmp_path):
    for option in (["--workers", "many"], ["--shard-words", "0"]):
        result = run_cli("run", "--warehouse", str(tmp_path / "w"), *option, check=False)
        assert result.returncode == 2
        assert result.stderr.strip().count("\n") == 0 and "presswork: error:" in result.stderr


def test_manifest_records_the_nlp_fingerprint(seeds_warehouse):
    manifest = _latest_manifest(seeds_warehouse)
    assert len(manifest["model"]["nlp"]["nlp_fingerprint"]) == 16
    work = manifest["nlp_work"]
    assert (work["carried"], work["parsed"], work["fingerprint"]) == (
        0, 5, manifest["model"]["nlp"]["nlp_fingerprint"])


def test_nlp_fingerprint_follows_the_model_files_but_not_its_card(tmp_path):
    """Editing the model card must not re-parse a warehouse; changing a weight or the config must."""
    from pipeline.nlp import SHIPPED_MODEL
    from pipeline import shards

    model = tmp_path / "model"
    shutil.copytree(SHIPPED_MODEL, model)

    def fingerprint() -> str:
        shards._fingerprint.cache_clear()  # cached per process: a model does not change during a run
        return shards.nlp_fingerprint({"name": "en_presswork_news", "version": "0.1.0", "path": str(model)})

    before = fingerprint()
    (model / "README.md").write_text("# a better model card\n", encoding="utf-8")
    assert fingerprint() == before
    (model / "config.cfg").write_text((model / "config.cfg").read_text() + "\n", encoding="utf-8")
    assert fingerprint() != before


def test_auto_workers_uses_one_process_when_little_is_left_to_parse(tmp_path):
    """2.4 MB of articles: one worker per core on a first run, one process on a
    re-run where the latest version (same model) holds most of the text at the
    same paths and sizes, and one per core again once the model changed or
    most files changed size. The early guess assumes the model is unchanged."""
    from pipeline.nlp import model_info
    from pipeline.shards import nlp_fingerprint
    from presswork.workers import auto_workers

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text("word " * 160_000, encoding="utf-8")
    (folder / "new.txt").write_text("A new article.\n", encoding="utf-8")
    model = model_info()

    class Latest:  # the two things auto_workers reads from a warehouse: the manifest and documents' sizes
        def __init__(self, fingerprint: str, sizes: dict[str, int]):
            self.fingerprint, self.sizes = fingerprint, sizes

        def latest(self):
            return "v1"

        def manifest(self, version):
            return {"model": {"nlp": {"nlp_fingerprint": self.fingerprint}}}

        def read_table(self, table, version, columns):
            return pd.DataFrame({"source_file": list(self.sizes), "source_bytes": list(self.sizes.values())})

    per_core = max(1, min(os.cpu_count() or 1, 8))
    known = {name: 800_000 for name in ("a.txt", "b.txt", "c.txt")}
    assert auto_workers(folder) == per_core
    assert auto_workers(folder, Latest(nlp_fingerprint(model), known), model) == 1
    assert auto_workers(folder, Latest("another model", known), model) == per_core
    # before the model is resolved, the guess trusts the latest version's model
    assert auto_workers(folder, Latest("another model", known), guess=True) == 1
    one_changed = {**known, "c.txt": 799_999}  # 0.8 MB to parse again: still one process
    assert auto_workers(folder, Latest(nlp_fingerprint(model), one_changed), model) == 1
    all_changed = {name: 799_999 for name in known}
    assert auto_workers(folder, Latest(nlp_fingerprint(model), all_changed), model) == per_core


def test_step_processes_are_forked_with_what_every_step_would_load_again(tmp_path):
    """The step server's preload (presswork.step_preload) holds what each step
    process otherwise imported or loaded again (about 0.5 s a step): after it,
    opening a Dagster instance, validating a table and loading the model
    import none of SQLAlchemy, Alembic, pandera, spaCy or thinc, and the model
    comes from the cache. What it loaded is frozen, so that a step's garbage
    collections do not walk it again."""
    import subprocess
    import sys

    code = """
import gc, sys
import presswork.step_preload
frozen = gc.get_freeze_count()
before = set(sys.modules)
import dagster as dg, pandas as pd
import schemas
from pipeline.nlp import load_pipeline
with dg.DagsterInstance.local_temp(sys.argv[1]) as made:
    with dg.DagsterInstance.from_ref(made.get_ref()) as instance:
        instance.get_runs(limit=1)
try:
    schemas.RejectedModel.validate(pd.DataFrame({"source_file": ["a.txt"]}), lazy=True)
except Exception:
    pass
load_pipeline(None)
print(" ".join(sorted({name.split(".")[0] for name in set(sys.modules) - before})))
print(load_pipeline.cache_info().hits)
print(frozen)
"""
    env = {key: value for key, value in os.environ.items() if key != "PRESSWORK_NLP_MODEL"}
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    imported, model_hits, frozen = result.stdout.split("\n")[:3]
    assert not {"sqlalchemy", "alembic", "pandera", "spacy", "thinc", "hypothesis"} & set(imported.split())
    assert int(model_hits) == 1
    assert int(frozen) > 100_000  # the project, Dagster and the model: about 250,000 objects


def test_a_second_run_in_one_process_gets_a_step_server_with_its_own_settings(tmp_path):
    """A forked step sees the step server's environment, fixed when the server
    started: a second run in the same process (other warehouse, other input)
    must not have its steps read the first run's PRESSWORK_* settings."""
    import subprocess
    import sys

    out = tmp_path / "seen.txt"
    code = f"""
import multiprocessing, multiprocessing.forkserver, os
from presswork.workers import start_step_server
for warehouse, other in (("first", "a"), ("second", "a"), ("second", "b")):
    os.environ["PRESSWORK_WAREHOUSE"] = warehouse
    os.environ["PYARROW_IGNORE_TIMEZONE"] = other  # not a step setting: no reason to restart
    start_step_server()
    print(multiprocessing.forkserver._forkserver._forkserver_pid)
    step = multiprocessing.get_context("forkserver").Process(
        target=os.system, args=("echo $PRESSWORK_WAREHOUSE >> {out}",))
    step.start()
    step.join()
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert out.read_text().split() == ["first", "second", "second"]
    first, second, third = result.stdout.split()
    assert first != second, "the second run's settings need a new server"
    assert second == third, "a server is restarted (seconds: it loads the model) only when step settings change"


def test_floor_benchmark_times_an_empty_run_in_a_fresh_interpreter():
    floor_benchmark = load_benchmark("dagster_floor")
    floor = floor_benchmark.measure_floor(n_steps=2, repeat=1)
    assert set(floor) == {"import", "model", "run", "wall"}
    assert all(seconds > 0 for seconds in floor.values())
    # the parts are timed inside the process the wall time is taken around
    assert floor["wall"] > floor["import"] + floor["model"] + floor["run"]
    assert "2 no-op steps" in floor_benchmark.describe(floor, 2)

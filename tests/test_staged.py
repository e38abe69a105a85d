"""Staged tables read a batch of whole documents at a time (pipeline.staged),
so a run's memory does not grow with the corpus: the batches and the
file-to-file merge give exactly what holding the whole table would."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import pipeline.staged
from assets.definitions import RUN_JOB, build_definitions
from assets.resources import PressworkSettings
from conftest import SEEDS
from pipeline.files import write_parquet
from pipeline.ingest import ingest_folder
from pipeline.nlp import load_pipeline, parse_documents
from pipeline.sentences import segment_sentences
from pipeline.staged import (
    DocRows, StagedTable, TableWriter, doc_batches, frame_doc_batches, merge_sorted, write_table,
)
from pipeline.warehouse import Warehouse
from schemas import TABLES, arrow_schema


@pytest.fixture(scope="module")
def seed_tokens() -> pd.DataFrame:
    articles, _ = ingest_folder(SEEDS)
    tokens = parse_documents(articles, segment_sentences(articles), load_pipeline())
    return tokens.sort_values(["doc_id", "token_index"], ignore_index=True)


def test_batches_hold_whole_documents_and_every_row_once(tmp_path, seed_tokens):
    path = tmp_path / "tokens.parquet"
    write_parquet(seed_tokens, path, schema=arrow_schema("tokens"))
    batches = list(doc_batches(path, batch_rows=250))
    assert len(batches) == seed_tokens["doc_id"].nunique()  # each seed is longer than a batch
    ids = [set(b["doc_id"]) for b in batches]
    assert all(not (a & b) for i, a in enumerate(ids) for b in ids[i + 1:])  # no document split across batches
    assert pd.concat(batches, ignore_index=True).equals(seed_tokens)
    skipped = seed_tokens["doc_id"].iloc[0]
    rest = pd.concat(doc_batches(path, columns=["text"], exclude=[skipped], batch_rows=250), ignore_index=True)
    assert list(rest.columns) == ["doc_id", "text"]
    assert rest.equals(seed_tokens.loc[seed_tokens["doc_id"] != skipped, ["doc_id", "text"]].reset_index(drop=True))
    # an incremental run excludes all but a few articles: whole record batches then drop out
    kept = sorted(seed_tokens["doc_id"].unique())[2]
    others = set(seed_tokens["doc_id"]) - {kept}
    (only,) = doc_batches(path, exclude=others, batch_rows=100)
    assert only.equals(seed_tokens[seed_tokens["doc_id"] == kept].reset_index(drop=True))
    assert list(doc_batches(path, exclude=set(seed_tokens["doc_id"]), batch_rows=100)) == []


def test_excluding_documents_skips_row_groups_holding_none_of_the_rest(tmp_path, seed_tokens, monkeypatch):
    path = tmp_path / "tokens.parquet"
    # row groups of 400 rows: every seed spans several, and some groups hold the end of one and the start of the next
    write_parquet(seed_tokens, path, schema=arrow_schema("tokens"), row_group_size=400)
    decoded = []
    read_row_group = pq.ParquetFile.read_row_group

    def counting(self, i, columns=None, **kwargs):
        if columns != ["doc_id"]:
            decoded.append(i)
        return read_row_group(self, i, columns=columns, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "read_row_group", counting)
    ids = sorted(seed_tokens["doc_id"].unique())
    for kept in ({ids[2]}, {ids[0], ids[4]}, set(ids[1:])):
        decoded.clear()
        got = pd.concat(doc_batches(path, columns=["token_index", "text"], exclude=set(ids) - kept, batch_rows=150),
                        ignore_index=True)
        want = seed_tokens.loc[seed_tokens["doc_id"].isin(kept), ["doc_id", "token_index", "text"]]
        assert got.equals(want.reset_index(drop=True))
        groups = {i for i, row in enumerate(range(0, len(seed_tokens), 400))
                  if seed_tokens["doc_id"].iloc[row:row + 400].isin(kept).any()}
        assert sorted(decoded) == sorted(groups)  # the groups with a kept document, each once; no other


def test_doc_rows_walks_a_second_table_alongside_the_first(tmp_path, seed_tokens):
    path = tmp_path / "tokens.parquet"
    write_parquet(seed_tokens, path, schema=arrow_schema("tokens"))
    doc_ids = sorted(seed_tokens["doc_id"].unique())
    rows = DocRows(path, ["text"], batch_rows=100)  # batches far smaller than a document
    first = rows.rows_of(doc_ids[:2])
    assert list(first.columns) == ["doc_id", "text"]
    assert first.equals(seed_tokens.loc[seed_tokens["doc_id"].isin(doc_ids[:2]), ["doc_id", "text"]]
                        .reset_index(drop=True))
    last = rows.rows_of([doc_ids[-1]])  # the documents in between are skipped, not handed out
    assert set(last["doc_id"]) == {doc_ids[-1]} and len(last) == (seed_tokens["doc_id"] == doc_ids[-1]).sum()
    assert rows.rows_of([]).empty
    for again in (doc_ids[0], doc_ids[-1]):  # rows already handed out or skipped are not there to give
        with pytest.raises(ValueError, match="out of order"):
            rows.rows_of([again])


@pytest.fixture
def many_texts(tmp_path) -> tuple[pd.DataFrame, Path]:
    """8,000 articles of 300 hardly compressible words, in row groups of 100: a file of about 5.7 MB."""
    texts = pd.DataFrame({"doc_id": [f"{i:016x}" for i in range(8000)],
                          "text": [" ".join(f"w{(i * 7919 + j * 104729) % 1_000_003}" for j in range(300))
                                   for i in range(8000)]})
    path = tmp_path / "articles.parquet"
    write_parquet(texts, path, row_group_size=100)
    return texts, path


def test_batch_readers_hold_a_batch_not_the_file(many_texts):
    """pyarrow pre-buffers a ParquetFile by default, and iter_batches then reads
    the whole file before its first batch: the readers of staged tables must
    hold about one batch, however big the file (80 row groups here)."""
    import pyarrow as pa

    texts, path = many_texts
    n = len(texts)

    def peak_allocated(batches) -> int:
        start, peak = pa.total_allocated_bytes(), 0
        for _ in batches:
            peak = max(peak, pa.total_allocated_bytes())
        return peak - start

    rows = DocRows(path, ["text"], batch_rows=100)
    walked = (rows.rows_of(texts["doc_id"].iloc[i:i + 100]) for i in range(0, n, 100))
    for batches in (doc_batches(path, batch_rows=100), walked):
        assert peak_allocated(batches) < path.stat().st_size / 2  # the whole file buffered: 6 MB; a batch: 1 MB


def test_reading_a_few_documents_decodes_only_their_row_groups(many_texts):
    """A parse shard reads its articles from the staged table: the row groups
    holding them, not every article's text (pyarrow's `isin` filter alone
    does not skip row groups)."""
    import json
    import subprocess
    import sys

    from conftest import REPO
    from pipeline.warehouse import _read_doc_rows

    texts, path = many_texts
    wanted = texts["doc_id"].iloc[4010:4190].tolist()  # three row groups
    rows = _read_doc_rows([path], wanted)
    assert rows["doc_id"].tolist() == wanted
    assert rows.equals(texts.iloc[4010:4190].reset_index(drop=True))
    # the peak of Arrow's memory pool, in a process of its own (a pool's peak cannot be reset)
    peak = subprocess.run([sys.executable, "-c", (
        "import sys, json, pyarrow as pa; sys.path.insert(0, sys.argv[1]); "
        "from pipeline.warehouse import _read_doc_rows; "
        "_read_doc_rows([sys.argv[2]], json.loads(sys.argv[3])); print(pa.default_memory_pool().max_memory())"),
        str(REPO), str(path), json.dumps(wanted)], capture_output=True, text=True, check=True).stdout
    assert int(peak) < path.stat().st_size / 2  # the whole file decoded: 25 MB; its three row groups: 1 to 1.5 MB
    assert _read_doc_rows([path], []).empty


def test_frame_doc_batches_never_split_a_document(seed_tokens):
    batches = list(frame_doc_batches(seed_tokens, batch_rows=250))
    assert pd.concat(batches).equals(seed_tokens)
    ids = [set(b["doc_id"]) for b in batches]
    assert all(not (a & b) for i, a in enumerate(ids) for b in ids[i + 1:])
    assert len(batches) == seed_tokens["doc_id"].nunique()  # each seed is longer than a batch


def test_merge_sorts_parts_file_to_file_and_keeps_the_schema(tmp_path, seed_tokens):
    shuffled = seed_tokens.sample(frac=1, random_state=0)
    parts = []
    for n, part in enumerate((shuffled.iloc[:1000], shuffled.iloc[1000:], shuffled.iloc[0:0])):
        parts.append(tmp_path / f"part-{n}.parquet")
        write_parquet(part, parts[-1], schema=arrow_schema("tokens"))
    out = tmp_path / "merged.parquet"
    assert merge_sorted(parts, out, ["doc_id", "token_index"], 500, arrow_schema("tokens")) == len(seed_tokens)
    merged = StagedTable(str(out))
    assert merged.read().equals(seed_tokens)
    assert merged.count_where("pos <> 'SPACE'") == int((seed_tokens["pos"] != "SPACE").sum())


def test_merging_sorted_parts_gives_one_sorted_file_in_the_declared_schema(tmp_path, seed_tokens):
    import pyarrow as pa

    from pipeline.staged import merge_sorted_parts

    articles, _ = ingest_folder(SEEDS)
    parts = []
    for n, rows in enumerate((articles.iloc[[4, 0]], articles.iloc[[3]], articles.iloc[[1, 2]], articles.iloc[0:0])):
        parts.append(tmp_path / f"part-{n}.parquet")
        write_parquet(rows, parts[-1], schema=arrow_schema("articles"), sort_by="doc_id", row_group_size=1)
    out = tmp_path / "articles.parquet"
    assert merge_sorted_parts(parts, out, arrow_schema("articles"), row_group_size=2, batch_rows=1) == 5
    merged = pq.read_table(out)
    assert merged.schema.equals(arrow_schema("articles"))
    assert [pq.ParquetFile(out).metadata.row_group(i).num_rows for i in range(3)] == [2, 2, 1]
    expected = articles.sort_values("doc_id", ignore_index=True)
    assert merged.equals(pa.Table.from_pandas(expected, schema=arrow_schema("articles"), preserve_index=False))
    empty = tmp_path / "none.parquet"
    assert merge_sorted_parts(parts[3:], empty, arrow_schema("articles"), row_group_size=2) == 0
    assert pq.read_table(empty).schema.equals(arrow_schema("articles"))


def test_merge_adds_only_the_listed_documents_of_the_carried_files(tmp_path, seed_tokens):
    doc_ids = list(seed_tokens["doc_id"].unique())
    base = tmp_path / "base.parquet"  # a previous version's table, holding every seed
    write_parquet(seed_tokens, base, schema=arrow_schema("tokens"))
    parsed = tmp_path / "parsed.parquet"  # this run's shard: the first seed, parsed again
    write_parquet(seed_tokens[seed_tokens["doc_id"] == doc_ids[0]], parsed, schema=arrow_schema("tokens"))
    listed = tmp_path / "carried.parquet"
    write_parquet(pd.DataFrame({"doc_id": doc_ids[2:]}), listed)
    out = tmp_path / "merged.parquet"
    expected = seed_tokens[~seed_tokens["doc_id"].isin(doc_ids[1:2])].reset_index(drop=True)
    assert merge_sorted([parsed], out, ["doc_id", "token_index"], 500, arrow_schema("tokens"),
                        carried=([base], listed)) == len(expected)
    assert StagedTable(str(out)).read().equals(expected)


@pytest.mark.parametrize("base_rows", [100, 100_000])
def test_carried_rows_merged_in_give_the_bytes_of_sorting_everything(tmp_path, seed_tokens, base_rows):
    """The base version's rows stream in a row group at a time: of 100 rows,
    documents are cut across tables on both sides; whole, one table holds
    carried documents on both sides of a parsed one. The result is the file a
    sort of all the rows gives, in row groups of exactly 500 but the last."""
    doc_ids = sorted(seed_tokens["doc_id"].unique())
    base = tmp_path / "base.parquet"
    write_parquet(seed_tokens, base, schema=arrow_schema("tokens"), row_group_size=base_rows)
    parsed_ids = [doc_ids[1], doc_ids[3]]  # parsed again, between carried ones
    parsed = tmp_path / "parsed.parquet"
    write_parquet(seed_tokens[seed_tokens["doc_id"].isin(parsed_ids)].sample(frac=1, random_state=0), parsed,
                  schema=arrow_schema("tokens"))
    listed = tmp_path / "carried.parquet"
    write_parquet(pd.DataFrame({"doc_id": [d for d in doc_ids if d not in parsed_ids]}), listed)
    merged, whole = tmp_path / "merged.parquet", tmp_path / "whole.parquet"
    assert merge_sorted([parsed], merged, ["doc_id", "token_index"], 500, arrow_schema("tokens"),
                        carried=([base], listed)) == len(seed_tokens)
    merge_sorted([base], whole, ["doc_id", "token_index"], 500, arrow_schema("tokens"))
    assert merged.read_bytes() == whole.read_bytes()
    file = pq.ParquetFile(merged)
    sizes = [file.metadata.row_group(i).num_rows for i in range(file.num_row_groups)]
    assert set(sizes[:-1]) == {500} and 0 < sizes[-1] <= 500


def test_merging_refuses_a_document_in_both_streams(seed_tokens):
    import pyarrow as pa

    from pipeline.staged import merge_by_document

    one = pa.Table.from_pandas(seed_tokens[seed_tokens["doc_id"] == seed_tokens["doc_id"].iloc[0]],
                               preserve_index=False)
    with pytest.raises(ValueError, match="both streams"):
        list(merge_by_document([one], [one], ["doc_id", "token_index"]))


def test_a_table_written_a_batch_at_a_time_equals_it_written_whole(tmp_path, seed_tokens):
    schema = arrow_schema("tokens")
    whole = tmp_path / "whole.parquet"
    write_parquet(seed_tokens, whole, schema=schema, sort_by="doc_id")
    checked = []
    path = tmp_path / "batched.parquet"
    with TableWriter(path, schema, lambda chunk: checked.append(len(chunk)) or chunk, row_group_size=1000) as writer:
        for batch in doc_batches(whole, batch_rows=150):
            writer.write(batch.sort_values("doc_id", ascending=False, kind="stable"))  # sorted again, stably
        assert not path.exists()  # only once it is complete
        staged = writer.close()
    expected = pq.read_table(whole).to_pandas()
    assert staged.read().equals(expected)
    file = pq.ParquetFile(path)  # the row groups of one write of the whole table
    assert [file.metadata.row_group(i).num_rows for i in range(file.num_row_groups)] == \
        [min(1000, len(seed_tokens) - start) for start in range(0, len(seed_tokens), 1000)]
    assert len(checked) > 1 and all(n >= 1000 for n in checked[:-1]) and sum(checked) == len(seed_tokens)
    assert staged.head(3).equals(expected.head(3))
    assert staged.query("count(DISTINCT doc_id) AS n").at[0, "n"] == seed_tokens["doc_id"].nunique()


def test_a_table_writer_refuses_a_document_split_or_out_of_order_and_leaves_no_file(tmp_path, seed_tokens):
    first, second = sorted(seed_tokens["doc_id"].unique())[:2]
    path = tmp_path / "t.parquet"
    with pytest.raises(ValueError, match=f"rows of {first} after rows of {second}"):
        with TableWriter(path, arrow_schema("tokens")) as writer:
            writer.write(seed_tokens[seed_tokens["doc_id"] == second])
            writer.write(seed_tokens[seed_tokens["doc_id"] == first])
    assert list(tmp_path.iterdir()) == []
    empty = write_table([], path, arrow_schema("tokens"))  # no rows: an empty table of the schema
    assert empty.num_rows() == 0 and empty.read().columns.tolist() == arrow_schema("tokens").names


def test_carried_rows_come_with_the_batch_they_sort_into_and_a_table_is_written_in_one_pass(tmp_path, seed_tokens):
    from pipeline.carry import CarriedRows

    table = seed_tokens.sort_values("doc_id", kind="stable", ignore_index=True)
    ids = sorted(table["doc_id"].unique())
    warehouse = Warehouse(tmp_path / "wh")
    base = warehouse.table_dir("tokens", "v1") / "part-0.parquet"  # a version's table, as committed
    write_parquet(table, base, schema=arrow_schema("tokens"), row_group_size=400)
    carried_ids, fresh_ids = [ids[0], ids[2], ids[4]], [ids[1], ids[3]]
    once = CarriedRows(warehouse, "tokens", "v1", carried_ids, ["doc_id", "text"])
    parts = list(once.with_rows(table[table["doc_id"] == ids[3]][["doc_id", "text"]], upto=ids[3]))
    # not gathered into one frame: a part per base batch, then the step's rows past the last one
    assert [part["doc_id"].unique().tolist() for part in parts] == [[ids[0]], [ids[2]], [ids[3]]]
    assert list(once.with_rows(table[:0][["doc_id", "text"]], upto=ids[3])) == []  # handed out once
    carried = CarriedRows(warehouse, "tokens", "v1", carried_ids, arrow_schema("tokens").names)
    path = tmp_path / "tokens.parquet"
    with TableWriter(path, arrow_schema("tokens"), row_group_size=500) as writer:
        for doc_id in fresh_ids:  # a step's batches: its own articles' rows
            for part in carried.with_rows(table[table["doc_id"] == doc_id], upto=doc_id):
                writer.write(part)
        for rows in carried.rest():
            writer.write(rows)
        staged = writer.close()
    assert staged.read().equals(table)
    assert list(CarriedRows(warehouse, "tokens", "v1", [], ["doc_id"]).rest()) == []


def _tables(warehouse: Warehouse) -> dict[str, pd.DataFrame]:
    return {t: warehouse.read_table(t).drop(columns="version", errors="ignore") for t in TABLES}


def test_a_run_in_small_batches_equals_a_run_in_one(tmp_path, monkeypatch):
    def run(name: str) -> dict[str, pd.DataFrame]:
        settings = PressworkSettings(input_dir=str(SEEDS), warehouse_dir=str(tmp_path / name))
        assert build_definitions(settings).resolve_job_def(RUN_JOB).execute_in_process().success
        return _tables(Warehouse(tmp_path / name))

    whole = run("whole")
    assert whole["quotes"]["cue_start_char"].dtype == "Int64"  # written with the pandas types of the step's frame
    monkeypatch.setattr(pipeline.staged, "BATCH_ROWS", 300)  # ten batches of the seeds' 3,000 tokens
    monkeypatch.setattr(pipeline.staged, "ROW_GROUP_SIZE", 25)  # quotes and events validated and written in pieces
    batched = run("batched")
    for table in TABLES:
        assert batched[table].equals(whole[table]), table


def test_mentions_found_while_parsing_equal_those_found_after(tmp_path, monkeypatch):
    """The NLP shards find each article's mentions under the shard's own
    person-word shares; the entities step redoes every article whose
    surname decisions the whole corpus answers differently. Whatever the
    shards did, the tables are those of finding everything afterwards."""
    import pipeline.entities

    redone = {}

    def run(name: str) -> dict[str, pd.DataFrame]:
        settings = PressworkSettings(input_dir=str(SEEDS), warehouse_dir=str(tmp_path / name))
        result = build_definitions(settings).resolve_job_def(RUN_JOB).execute_in_process()
        assert result.success
        metadata = {m.asset_key.to_user_string(): m.metadata
                    for m in result.asset_materializations_for_node("entities")}["entity_mentions"]
        redone[name] = metadata["articles_redone"].value
        return _tables(Warehouse(tmp_path / name))

    while_parsing = run("while_parsing")
    with monkeypatch.context() as patch:  # the shards stage nothing: all is found in the entities step
        patch.setattr(pipeline.entities, "stage_document_entities", lambda staging, key, tokens: None)
        monkeypatch.setattr("assets.nlp.stage_document_entities", lambda staging, key, tokens: None)
        after = run("after")
    monkeypatch.undo()
    # shards that think no word is a surname: every article that asked must be redone
    monkeypatch.setattr(pipeline.entities, "person_word_share", lambda words, labels: {})
    misled = run("misled")
    assert redone["while_parsing"] == 0 and redone["misled"] > 0
    for table in TABLES:
        assert while_parsing[table].equals(after[table]), table
        assert misled[table].equals(after[table]), table


def test_a_staged_result_holds_only_for_shares_giving_its_answers():
    from pipeline.entities import DocEntities
    from pipeline.person_words import SURNAME_MIN_PERSON_SHARE

    found = DocEntities("d", [], [], {"Corbyn": True, "Labour": False})
    for result in (found, found.pack()):  # the entities step holds results packed
        assert result.holds_for({"Corbyn": 0.9, "Labour": 0.1})
        assert not result.holds_for({"Corbyn": SURNAME_MIN_PERSON_SHARE / 2, "Labour": 0.1})
        assert not result.holds_for({"Corbyn": 0.9, "Labour": SURNAME_MIN_PERSON_SHARE})
    assert DocEntities("d", [], [], {}).holds_for({})


def test_the_entities_step_reads_digests_and_person_shares_from_the_file_as_from_the_table(tmp_path, seed_tokens):
    from pipeline.entities import corpus_person_share, corpus_tokens_digests, tokens_digests
    from pipeline.person_words import person_word_share

    path = tmp_path / "tokens.parquet"
    # documents run on across row groups of 400 rows, each group with its own string dictionaries
    write_parquet(seed_tokens, path, schema=arrow_schema("tokens"), row_group_size=400)
    digests = corpus_tokens_digests(path)
    assert list(digests.items()) == list(tokens_digests(seed_tokens).items())
    share = corpus_person_share(path)
    assert share == person_word_share(seed_tokens["text"], seed_tokens["ent_type"])
    assert share["Corbyn"] > 0.5 and 0 < len(share) < seed_tokens["text"].nunique()
    edited = seed_tokens.copy()
    first = edited["doc_id"].iloc[0]
    edited.loc[edited.index[edited["doc_id"] == first][-1], "lemma"] = "edited"  # the last row of its last group
    write_parquet(edited, path, schema=arrow_schema("tokens"), row_group_size=400)
    changed = corpus_tokens_digests(path)
    assert [d for d in digests if changed[d] != digests[d]] == [first]


def test_the_entity_cache_gives_back_only_results_found_in_the_same_tokens(tmp_path, seed_tokens):
    from pipeline.entities import DocEntities, DocEntitiesCache, tokens_digests

    digests = tokens_digests(seed_tokens)
    assert len(digests) == seed_tokens["doc_id"].nunique() == len(set(digests.values()))
    first, second = list(digests)[:2]
    cache = DocEntitiesCache(tmp_path, "code-a")
    cache.store("run1", [DocEntities(first, [], [], {"Corbyn": True}).pack(), DocEntities(second, [], [], {}).pack()],
                digests)
    assert set(cache.load(digests)) == {first, second}
    assert cache.load({first: digests[first]})[first].consulted == {"Corbyn": True}
    edited = seed_tokens.copy()
    edited.loc[edited["doc_id"] == first, "ent_type"] = ""  # another parse of the same text
    assert set(cache.load(tokens_digests(edited))) == {second}
    DocEntitiesCache(tmp_path, "code-b").store("run2", [], digests)  # new code: the old results go
    assert cache.load(digests) == {}


def test_an_entity_context_changes_with_its_articles_mentions_and_their_entities_only(seeds_warehouse):
    from pipeline.carry import entity_contexts

    warehouse = Warehouse(seeds_warehouse)
    files = warehouse.table_files("entity_mentions", warehouse.latest())
    mentions = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    entities = warehouse.read_table("entities", columns=["entity_id", "name", "type"])
    contexts = entity_contexts(files, entities)
    assert set(contexts) == set(mentions["doc_id"]) and len(set(contexts.values())) == len(contexts)
    # the same mentions in another row order, from a DataFrame instead of the files: the same digests
    assert entity_contexts(mentions.sample(frac=1, random_state=1), entities) == contexts
    # an entity renamed: only the articles that mention it get a new context
    corbyn = entities.loc[entities["name"] == "Jeremy Corbyn", "entity_id"].iat[0]
    renamed = entities.assign(name=entities["name"].where(entities["entity_id"] != corbyn, "J. Corbyn"))
    changed = {d for d, context in entity_contexts(files, renamed).items() if context != contexts[d]}
    assert changed == set(mentions.loc[mentions["entity_id"] == corbyn, "doc_id"]) and len(changed) >= 2
    # one mention moved by a character: only its article
    moved = mentions.copy()
    moved.loc[0, "end_char"] += 1
    changed = {d for d, context in entity_contexts(moved, entities).items() if context != contexts[d]}
    assert changed == {mentions.loc[0, "doc_id"]}

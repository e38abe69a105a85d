"""Stage 3, NLP: the `tokens` table (tags, lemmas, dependencies, entities).

The one expensive stage, so it is a graph of three steps: plan (which
articles keep their tokens from the previous version, which are cut into
shards), one parse step per shard (fanned out: under the multiprocess
executor, shards are parsed in parallel processes), and a merge. A shard
step also finds its articles' entity mentions while their parse is at hand
(see pipeline.entities: the entities step checks and links them)."""

import json
from pathlib import Path

import dagster as dg
import pandas as pd

from assets._metadata import PREVIEW_ROWS, progress_bar, table_metadata
from assets.resources import STAGED_TABLE_LOADER, NlpModel, PressworkSettings
from pipeline.entities import stage_document_entities
from pipeline.failpoints import failpoint
from pipeline.files import ROW_GROUP_SIZE, TEXT_ROW_GROUP_SIZE, write_parquet
from pipeline.nlp import TOKEN_COLUMNS, parse_documents
from pipeline.shards import nlp_fingerprint, plan_nlp, previous_fingerprint, staged_sentence_layouts, word_counts
from pipeline.staged import StagedTable, merge_sorted
from pipeline.warehouse import CARRIED_TOKENS, NLP_PLAN
from schemas import TokensModel, arrow_schema, validate_table

TOKEN_ORDER = ["doc_id", "token_index"]  # the tokens table's sort order (pruning by doc_id in DuckDB)


@dg.op(out={"shards": dg.DynamicOut(list, io_manager_key="shard_io_manager"),
            "plan": dg.Out(dict, io_manager_key="shard_io_manager")},
       ins={"articles": dg.In(input_manager_key=STAGED_TABLE_LOADER),
            "sentences": dg.In(input_manager_key=STAGED_TABLE_LOADER)})
def plan_nlp_shards(
    context: dg.OpExecutionContext, articles: StagedTable, sentences: StagedTable,
    nlp_model: NlpModel, settings: PressworkSettings,
):
    """Reuse the previous version's tokens of unchanged articles; shard the rest."""
    warehouse = settings.warehouse
    fingerprint = nlp_fingerprint(nlp_model.info())
    previous = warehouse.latest()
    same = not settings.rebuild and previous is not None and previous_fingerprint(warehouse.manifest(previous)) == fingerprint
    words = [word_counts(batch) for batch in articles.batches(columns=["text"], batch_rows=TEXT_ROW_GROUP_SIZE)]
    plan = plan_nlp(
        pd.concat(words) if len(words) > 1 else words[0] if words else pd.Series(dtype="int64"),
        staged_sentence_layouts([Path(sentences.path)]),
        previous_layouts=staged_sentence_layouts(warehouse.table_files("sentences", previous)) if same else None,
        previous_tokens_doc_ids=warehouse.doc_ids("tokens", previous) if same else set(),
        same_fingerprint=same, shard_words=settings.shard_words, workers=settings.workers,
    )
    staging = warehouse.claim_staging(context.run_id)
    # which articles' tokens the merge reads from the previous version: the tokens never sit in memory
    carried_ids = pd.DataFrame({"doc_id": pd.Series(plan.carried, dtype="str")})
    write_parquet(carried_ids, staging / f"{CARRIED_TOKENS}.parquet")
    context.log.info(f"nlp plan: {len(plan.carried)} articles carried over from {previous or 'no version'}, "
                     f"{plan.n_to_parse} to parse in {len(plan.shards)} shard(s) of ~{max(plan.words, default=0):,} words")
    for n, shard in enumerate(plan.shards or [[]]):  # one (empty) shard at least, so the merge always runs
        yield dg.DynamicOutput(shard, mapping_key=f"shard_{n:05d}", output_name="shards")
    yield dg.Output({"carried": len(plan.carried), "parsed": plan.n_to_parse, "shards": len(plan.shards),
                     "fingerprint": fingerprint, "previous": previous}, "plan")


@dg.op(out=dg.Out(str, io_manager_key="shard_io_manager"))
def parse_nlp_shard(
    context: dg.OpExecutionContext, shard: list, nlp_model: NlpModel, settings: PressworkSettings,
) -> str:
    """Parse one shard's articles (read from the run's staged tables) into a
    staged Parquet part, and stage their entity mentions and clusters."""
    warehouse = settings.warehouse
    name = f"tokens-{context.get_mapping_key()}"
    if not shard:  # every article carried over: nothing to load a model for
        write_parquet(_empty_tokens(), warehouse.staging_dir(context.run_id) / f"{name}.parquet",
                      schema=arrow_schema("tokens"))
        failpoint("nlp.shard")
        return name
    articles = warehouse.read_staged(context.run_id, "articles", doc_ids=shard)
    articles = articles.set_index("doc_id").loc[shard].reset_index()  # input order, as planned
    sentences = warehouse.read_staged(context.run_id, "sentences", doc_ids=shard)
    table = parse_documents(articles, sentences, nlp_model.load(),
                            progress=progress_bar(settings.show_progress, "nlp"))
    table = validate_table(TokensModel, table)  # here, a shard at a time, not once on the whole corpus
    write_parquet(table, warehouse.staging_dir(context.run_id) / f"{name}.parquet",
                  schema=arrow_schema("tokens"), sort_by="doc_id")
    stage_document_entities(warehouse.staging_dir(context.run_id), context.get_mapping_key(), table)
    failpoint("nlp.shard")
    context.log.info(f"{name}: {len(shard)} articles, {len(table):,} tokens")
    return name


@dg.op(out=dg.Out(StagedTable, io_manager_key="shard_io_manager"))
def merge_nlp_shards(
    context: dg.OpExecutionContext, plan: dict, parts: list, nlp_model: NlpModel, settings: PressworkSettings,
) -> dg.Output[StagedTable]:
    """The carried articles' tokens (read from the previous version) and every
    shard's part, merged file to file into the run's tokens table, sorted by
    document (out-of-core: memory stays flat however big the corpus)."""
    warehouse = settings.warehouse
    staging = warehouse.staging_dir(context.run_id)
    files = [staging / f"{name}.parquet" for name in sorted(parts)]
    carried = (warehouse.table_files("tokens", plan["previous"]), staging / f"{CARRIED_TOKENS}.parquet") \
        if plan["carried"] else None
    tokens = StagedTable(str(staging / "tokens.parquet"))
    merge_sorted(files, Path(tokens.path), TOKEN_ORDER, ROW_GROUP_SIZE, arrow_schema("tokens"), carried=carried)
    failpoint("stage.tokens")
    # what the commit records in the manifest: how much of this version was parsed afresh
    (staging / NLP_PLAN).write_text(json.dumps(plan))
    info = nlp_model.info()
    first = next(tokens.batches(batch_rows=PREVIEW_ROWS), _empty_tokens())
    return dg.Output(
        tokens,
        metadata=table_metadata(
            first[["doc_id", "text", "pos", "dep", "head_index", "ent_type"]],
            **{"dagster/row_count": dg.MetadataValue.int(tokens.num_rows())},
            model=f"{info['name']} {info['version']}",
            nlp_fingerprint=plan["fingerprint"],
            n_words=tokens.count_where("pos <> 'SPACE'"),
            articles_carried_over=plan["carried"],
            articles_parsed=plan["parsed"],
            shards=plan["shards"],
        ),
    )


@dg.graph_asset(group_name="nlp")
def tokens(articles: StagedTable, sentences: StagedTable) -> StagedTable:
    """Every token of every document parsed by the spaCy pipeline (our sentence
    boundaries kept): POS, lemma, morphology, dependency head, entity label.
    Unchanged articles keep their tokens from the previous version."""
    shards, plan = plan_nlp_shards(articles, sentences)
    parts = shards.map(parse_nlp_shard).collect()
    return merge_nlp_shards(plan, parts)


def _empty_tokens() -> pd.DataFrame:
    return arrow_schema("tokens").empty_table().to_pandas()[TOKEN_COLUMNS]

"""Stage 5, entities: `entity_mentions`, `entities` and `entity_changes`."""

import dagster as dg

from assets._metadata import PREVIEW_ROWS, progress_bar, table_metadata
from assets.resources import NlpModel, PressworkSettings
from pipeline.entities import (
    DocEntitiesCache, LinkedCorpus, corpus_person_share, corpus_tokens_digests, document_entities, mention_docs_in,
    staged_document_entities,
)
from pipeline.nlp import blank_vocab, docs_from_tokens
from pipeline.provenance import code_fingerprint
from pipeline.shards import nlp_fingerprint
from pipeline.staged import StagedTable, TableWriter
from schemas import EntitiesModel, EntityChangesModel, EntityMentionsModel, arrow_schema, validate_table


@dg.multi_asset(
    outs={
        "entity_mentions": dg.AssetOut(
            group_name="entities", io_manager_key="staging_io_manager",
            description="Every mention of a named entity (names, defined acronyms, role descriptions tied to a "
            "person) with its entity_id and how it was resolved.",
        ),
        "entities": dg.AssetOut(
            group_name="entities", io_manager_key="staging_io_manager",
            description="One row per real-world entity across all articles; ids stable across versions.",
        ),
        "entity_changes": dg.AssetOut(
            group_name="entities", io_manager_key="staging_io_manager",
            description="Entity ids merged, split or renamed against the previous version.",
        ),
    },
)
def entities(context: dg.AssetExecutionContext, tokens: StagedTable, settings: PressworkSettings,
             nlp_model: NlpModel):
    """NER mentions repaired for news, resolved within each article (surnames,
    acronyms, roles, misspellings) and linked across articles, blocked by name key."""
    # Ids stay stable against the version this run started from (the one its tokens were carried from).
    warehouse = settings.warehouse
    run_id = context.run.run_id
    base = warehouse.base_version(run_id)
    previous = warehouse.read_if_present("entities", base)
    previous_mentions = warehouse.table_files("entity_mentions", base) if previous is not None else []
    # the articles in table order, each one's tokens digest, and person-word shares of the whole corpus
    digests = corpus_tokens_digests(tokens.path)
    order = list(digests)
    person_share = corpus_person_share(tokens.path)
    # An article's mentions and clusters, found while parsing it or by an earlier run, are
    # kept when the whole corpus gives the person-word answers they were found with.
    staged = staged_document_entities(warehouse.staging_dir(run_id))
    kept = {doc_id: found for doc_id, found in staged.items() if found.holds_for(person_share)}
    cache = DocEntitiesCache(warehouse.root, f"{code_fingerprint()}-{nlp_fingerprint(nlp_model.info())}")
    earlier = {} if settings.rebuild else cache.load({d: digests[d] for d in order if d not in kept})
    cached = {doc_id: found for doc_id, found in earlier.items() if found.holds_for(person_share)}
    docs = (doc for batch in tokens.batches(exclude=kept.keys() | cached.keys())
            for doc in docs_from_tokens(batch, blank_vocab()))
    redone = {doc_id: document_entities(doc_id, doc, person_share).pack()
              for doc_id, doc in progress_bar(settings.show_progress, "entities")(docs)}
    cache.store(run_id, [*kept.values(), *redone.values()], digests)
    linked = LinkedCorpus(lambda: (kept.get(d) or cached.get(d) or redone[d] for d in order),
                          previous, mention_docs_in(previous_mentions))
    with TableWriter(warehouse.staged_path(run_id, "entity_mentions"), arrow_schema("entity_mentions"),
                     lambda chunk: validate_table(EntityMentionsModel, chunk)) as writer:
        for batch in linked.mention_batches():
            writer.write(batch)
        mentions = writer.close()
    warehouse.record_carried(run_id, "entity_mentions", len(cached))
    context.log.info(f"entities: mentions of {len(kept)} articles found while parsing, {len(cached)} carried "
                     f"from an earlier run, {len(redone)} found here ({len(staged) - len(kept)} redone: the "
                     f"corpus changed a surname decision)")
    table = validate_table(EntitiesModel, linked.entity_table())
    changes = validate_table(EntityChangesModel, linked.changes)
    context.log.info(f"{mentions.num_rows()} mentions of {len(table)} entities; {len(changes)} id changes "
                     f"against {'the previous version' if previous is not None else 'nothing (first version)'}")
    counts = mentions.query("count(*) FILTER (WHERE kind = 'name') AS n_name, "
                            "count(*) FILTER (WHERE kind = 'acronym') AS n_acronym, "
                            "count(*) FILTER (WHERE kind = 'role') AS n_role, "
                            "count(*) FILTER (WHERE resolution = 'near_miss') "
                            "+ count(*) FILTER (WHERE corpus_link = 'near_miss') AS n_near_miss")
    yield dg.Output(
        mentions, "entity_mentions",
        metadata=table_metadata(
            mentions.head(PREVIEW_ROWS)[["text", "type", "kind", "resolution", "corpus_link"]],
            **{"dagster/row_count": dg.MetadataValue.int(mentions.num_rows())},
            **{name: int(counts[name].iat[0]) for name in counts.columns},
            articles_found_while_parsing=len(kept), articles_redone=len(staged) - len(kept),
            articles_carried_over=len(cached),
        ),
    )
    yield dg.Output(
        table, "entities",
        metadata=table_metadata(table[["name", "type", "n_docs", "n_mentions"]],
                                n_cross_document=int((table["n_docs"] > 1).sum())),
    )
    yield dg.Output(changes, "entity_changes", metadata=table_metadata(changes))

"""The entity tables: `entity_mentions` (every mention, with its entity) and
`entities` (one row per real-world entity across the corpus).

    mentions (pipeline.mentions) -> in-document clusters (pipeline.resolution)
    -> corpus entities (pipeline.linking) -> stable ids (pipeline.entity_ids)
"""

from __future__ import annotations

import pickle
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from spacy.tokens import Doc

from pipeline.coref import sentence_number
from pipeline.entity_ids import CHANGE_COLUMNS, assign_ids
from pipeline.linking import DocCluster, link_clusters
from pipeline.mentions import find_mentions, is_person_word, person_word_share, shares
from pipeline.nlp import blank_vocab, docs_from_tokens
from pipeline.provenance import digests_by_doc, streamed_digests_by_doc
from pipeline.resolution import resolve_document
from pipeline.warehouse import store_in_cache

MENTION_COLUMNS = [
    "mention_id", "doc_id", "entity_id", "start_char", "end_char", "text", "type", "kind", "sentence_index",
    "resolution", "corpus_link", "confidence",
]
ENTITY_COLUMNS = ["entity_id", "name", "type", "aliases", "n_docs", "n_mentions"]
ROW_COLUMNS = ["cluster", "start_char", "end_char", "text", "kind", "sentence_index", "resolution", "confidence"]
# a corpus repeats these thousands of times ("Labour", "name", "surname"): linking holds one copy of each
SHARED_STRING_COLUMNS = {"text", "kind", "resolution"}


@dataclass
class DocEntities:
    """One article's mentions and in-document clusters, before linking: the
    part of entity extraction that reads nothing but the article and the
    answers of is_person_word, recorded in `consulted`."""
    doc_id: str
    rows: list[tuple]  # one per mention, ROW_COLUMNS
    clusters: list[DocCluster]
    consulted: dict[str, bool]
    tokens_digest: str = ""  # set when cached: the article's tokens (tokens_digests) it was found in

    def holds_for(self, person_share: dict[str, float] | None) -> bool:
        """Whether `person_share` gives every answer this result was built on."""
        return all(is_person_word(person_share, w) == answer for w, answer in self.consulted.items())

    def pack(self) -> PackedDocEntities:
        return PackedDocEntities(self.doc_id, self.consulted, self.tokens_digest,
                                 pickle.dumps((self.rows, self.clusters)))


@dataclass(frozen=True, slots=True)
class PackedDocEntities:
    """A DocEntities whose rows and clusters stay pickled until linking reads
    them, one article at a time: a sixth of the memory of the objects (3,130
    generated articles: 12 MiB, not 71), and the entities step holds every
    article's result at once."""
    doc_id: str
    consulted: dict[str, bool]
    tokens_digest: str
    packed: bytes

    holds_for = DocEntities.holds_for

    def unpack(self) -> DocEntities:
        rows, clusters = pickle.loads(self.packed)
        return DocEntities(self.doc_id, rows, clusters, self.consulted, self.tokens_digest)


def document_entities(doc_id: str, doc: Doc, person_share: dict[str, float] | None) -> DocEntities:
    consulted: dict[str, bool] = {}
    resolved, doc_clusters = resolve_document(doc, find_mentions(doc, person_share, consulted))
    rows: list[tuple] = []  # ROW_COLUMNS: a tuple, not a dict, per mention (a tenth of the memory at scale)
    members: dict[int, list] = {}
    for r in resolved:
        span = doc[r.mention.start:r.mention.end]
        members.setdefault(r.cluster, []).append(r)
        rows.append((r.cluster, span.start_char, span.end_char, span.text, r.mention.kind,
                     sentence_number(doc[r.mention.start]), r.resolution, r.confidence))
    clusters = [DocCluster(doc_id=doc_id, cluster=index, label=cluster.label, name=cluster.name, key=cluster.key,
                           alias_keys=tuple(sorted({r.key for r in members[index] if r.key})),
                           n_mentions=len(members[index]))
                for index, cluster in enumerate(doc_clusters)]
    return DocEntities(doc_id, rows, clusters, consulted)


def link_entities(
    per_document: Iterable[DocEntities], previous: pd.DataFrame | None = None,
    previous_mentions: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Every article's DocEntities (in document order) and the previous
    version's `entities` -> (entity_mentions, entities, entity_changes). The
    previous version's `entity_mentions` tell entities of the same name
    apart by the articles they were in."""
    rows: dict[str, list] = {column: [] for column in ["mention_id", "doc_id", *ROW_COLUMNS]}
    clusters: list[DocCluster] = []
    for found in per_document:
        rows["mention_id"].extend(f"{found.doc_id}-m{n}" for n in range(len(found.rows)))
        rows["doc_id"].extend([found.doc_id] * len(found.rows))
        for column, values in zip(ROW_COLUMNS, zip(*found.rows) if found.rows else [()] * len(ROW_COLUMNS)):
            rows[column].extend(map(sys.intern, values) if column in SHARED_STRING_COLUMNS else values)
        clusters.extend(_compact(c) for c in found.clusters)
    entities, assignment = link_clusters(clusters)
    ids, changes = assign_ids(entities, previous, assignment, previous_mentions)
    mentions = _mention_table(rows, entities, ids, assignment)
    return mentions, _entity_table(mentions, entities, ids), changes


def extract_entities(
    docs: Iterable[tuple[str, Doc]], previous: pd.DataFrame | None = None,
    person_share: dict[str, float] | None = None, previous_mentions: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(doc_id, parsed Doc) pairs -> (entity_mentions, entities,
    entity_changes). `person_share` is mentions.person_word_share over the
    corpus's tokens."""
    return link_entities((document_entities(doc_id, doc, person_share) for doc_id, doc in docs),
                         previous, previous_mentions)


# Each NLP shard step finds its articles' mentions and clusters while their
# parse is at hand (in parallel, as the parse is), under the shard's own
# person-word shares. The entities step keeps each result whose recorded
# answers the whole corpus's shares give too, and redoes the others: the
# tables are exactly those of doing it all in the entities step.
STAGED_PREFIX = "entity-docs-"


def stage_document_entities(staging: Path, key: str, tokens: pd.DataFrame) -> None:
    share = person_word_share(tokens["text"], tokens["ent_type"])
    found = [document_entities(doc_id, doc, share).pack() for doc_id, doc in docs_from_tokens(tokens, blank_vocab())]
    (staging / f"{STAGED_PREFIX}{key}.pickle").write_bytes(pickle.dumps(found))


def staged_document_entities(staging: Path) -> dict[str, PackedDocEntities]:
    return {found.doc_id: found for path in sorted(staging.glob(f"{STAGED_PREFIX}*.pickle"))
            for found in pickle.loads(path.read_bytes())}


def tokens_digests(tokens: pd.DataFrame) -> dict[str, str]:
    """doc_id -> digest of the article's rows of the tokens table: equal digests, equal parses."""
    return digests_by_doc(tokens)


def corpus_tokens_digests(tokens_path: Path | str) -> dict[str, str]:
    """tokens_digests of every article of a staged tokens table, in table
    order, read a row group at a time. Its strings are read as categoricals:
    a tokens table says "NOUN" a hundred thousand times, and a categorical
    hashes each distinct value once, to the same row hashes."""
    file = pq.ParquetFile(tokens_path, read_dictionary=[
        f.name for f in pq.read_schema(tokens_path) if f.name != "doc_id" and pa.types.is_string(f.type)])
    return streamed_digests_by_doc(file.read_row_group(i).to_pandas() for i in range(file.num_row_groups))


def corpus_person_share(tokens_path: Path | str) -> dict[str, float]:
    """mentions.person_word_share over a whole staged tokens table, counted
    by DuckDB without loading the table into pandas."""
    import duckdb

    query = ("SELECT text AS word, count(*) AS labelled, count(*) FILTER (WHERE ent_type = 'PERSON') AS person "
             "FROM read_parquet($path) WHERE ent_type <> '' GROUP BY text")
    with duckdb.connect() as con:
        counts = con.execute(query, {"path": str(tokens_path)}).df()
    return shares(counts.set_index("word"))


class DocEntitiesCache:
    """Articles' results (packed DocEntities) kept across runs in WAREHOUSE/_cache/entity-docs/<key>/,
    the key naming the code and the parse they came from: with doc_id a hash
    of the article's text, key and doc_id fix its tokens, so a later run may
    reuse a result whenever the corpus gives the same is_person_word answers.
    One pickle per run that found anything new. The folders of other keys
    are removed: after a code or model change nothing in them is of use."""

    def __init__(self, warehouse_root: Path, key: str):
        self.root = Path(warehouse_root) / "_cache" / "entity-docs"
        self.folder = self.root / key

    def load(self, digests: dict[str, str]) -> dict[str, PackedDocEntities]:
        """The cached results of these articles (doc_id -> tokens digest) found in the same tokens."""
        found: dict[str, PackedDocEntities] = {}
        for path in sorted(self.folder.glob("*.pickle")):  # oldest first: a later result of an article wins
            found.update((f.doc_id, f) for f in pickle.loads(path.read_bytes())
                         if digests.get(f.doc_id) == f.tokens_digest)
        return found

    def store(self, run_id: str, found: list[PackedDocEntities], digests: dict[str, str]) -> None:
        found = [replace(f, tokens_digest=digests[f.doc_id]) for f in found]
        store_in_cache(self.root, self.folder, run_id, ".pickle", pickle.dumps(found) if found else None)


def _compact(cluster: DocCluster) -> DocCluster:
    """The cluster with its strings shared with every other article's: a
    corpus names the same people and places thousands of times, and linking
    holds every article's clusters at once."""
    cluster.label, cluster.name, cluster.key = (sys.intern(cluster.label), sys.intern(cluster.name),
                                                sys.intern(cluster.key))
    cluster.alias_keys = tuple(sys.intern(key) for key in cluster.alias_keys)
    return cluster


def _mention_table(rows: dict[str, list], entities, ids, assignment) -> pd.DataFrame:
    if not rows["mention_id"]:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in MENTION_COLUMNS})
    table = pd.DataFrame(rows)
    keep = [(d, c) in assignment for d, c in zip(rows["doc_id"], rows["cluster"])]
    table = table[keep].reset_index(drop=True)
    if table.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in MENTION_COLUMNS})
    linked = [assignment[(d, c)] for d, c in zip(table["doc_id"].tolist(), table["cluster"].tolist())]
    table["entity_id"] = [ids[e] for e, _, _ in linked]
    table["type"] = [entities[e].label for e, _, _ in linked]
    table["corpus_link"] = [link for _, link, _ in linked]
    table["confidence"] = table["confidence"] * [conf for _, _, conf in linked]
    return table[MENTION_COLUMNS]


def _entity_table(mentions: pd.DataFrame, entities, ids) -> pd.DataFrame:
    if mentions.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in ENTITY_COLUMNS})
    stats = mentions.groupby("entity_id").agg(n_docs=("doc_id", "nunique"), n_mentions=("mention_id", "size"))
    aliases = defaultdict(set)  # a plain loop: a Python function per group in groupby.agg took a second
    for entity_id, text in zip(mentions["entity_id"].tolist(), mentions["text"].tolist()):
        aliases[entity_id].add(text)
    stats["aliases"] = [sorted(aliases[entity_id]) for entity_id in stats.index]
    table = pd.DataFrame({"entity_id": ids, "name": [e.name for e in entities], "type": [e.label for e in entities]})
    table = table.join(stats, on="entity_id")
    return table[ENTITY_COLUMNS].sort_values(["n_mentions", "entity_id"], ascending=[False, True], ignore_index=True)


__all__ = ["CHANGE_COLUMNS", "ENTITY_COLUMNS", "MENTION_COLUMNS", "DocEntities", "DocEntitiesCache",
           "PackedDocEntities", "corpus_person_share", "corpus_tokens_digests", "document_entities",
           "extract_entities", "link_entities", "stage_document_entities", "staged_document_entities"]

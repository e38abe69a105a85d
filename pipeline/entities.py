"""The entity tables: `entity_mentions` (every mention, with its entity) and
`entities` (one row per real-world entity across the corpus).

    mentions (pipeline.mentions) -> in-document clusters (pipeline.resolution)
    -> corpus entities (pipeline.linking) -> stable ids (pipeline.entity_ids)
"""

from __future__ import annotations

import pickle
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from spacy.tokens import Doc

from pipeline import staged
from pipeline.coref import sentence_number
from pipeline.entity_ids import CHANGE_COLUMNS, PreviousDocs, assign_ids, docs_from_mentions
from pipeline.files import store_in_cache
from pipeline.linking import DocCluster, Linker
from pipeline.mentions import find_mentions
from pipeline.nlp import blank_vocab, docs_from_tokens
from pipeline.person_words import is_person_word, person_word_share, shares
from pipeline.resolution import resolve_document

MENTION_COLUMNS = [
    "mention_id", "doc_id", "entity_id", "start_char", "end_char", "text", "type", "kind", "sentence_index",
    "resolution", "corpus_link", "confidence",
]
ENTITY_COLUMNS = ["entity_id", "name", "type", "aliases", "n_docs", "n_mentions"]
ROW_COLUMNS = ["cluster", "start_char", "end_char", "text", "kind", "sentence_index", "resolution", "confidence"]


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
        return PackedDocEntities(self.doc_id, self.tokens_digest, pickle.dumps(self.consulted),
                                 zlib.compress(pickle.dumps(self.rows), 1),
                                 zlib.compress(pickle.dumps(self.clusters), 1))


@dataclass(frozen=True, slots=True)
class PackedDocEntities:
    """A DocEntities kept as bytes until linking reads it, one article at a
    time: the entities step holds every article's result at once. Its rows and
    its clusters are pickled and compressed apart (1.0 KB an article of the BBC
    folder, against 2.4 KB only pickled): linking reads the clusters of every
    article twice and the rows once. Its is_person_word answers are pickled."""
    doc_id: str
    tokens_digest: str
    answers: bytes
    packed_rows: bytes
    packed_clusters: bytes

    @property
    def consulted(self) -> dict[str, bool]:
        return pickle.loads(self.answers)

    @property
    def rows(self) -> list[tuple]:
        return pickle.loads(zlib.decompress(self.packed_rows))

    @property
    def clusters(self) -> list[DocCluster]:
        return pickle.loads(zlib.decompress(self.packed_clusters))

    holds_for = DocEntities.holds_for

    def unpack(self) -> DocEntities:
        return DocEntities(self.doc_id, self.rows, self.clusters, self.consulted, self.tokens_digest)


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


class LinkedCorpus:
    """Every article's DocEntities linked across the corpus, without holding
    them: `read` gives them afresh, in document order, for each pass (sums
    per name, then the mention rows). Linking keeps one summary per
    (kind, name key); the mention rows go out a batch at a time
    (`mention_batches`), and the entities table is counted as they go."""

    def __init__(self, read: Callable[[], Iterable[DocEntities]], previous: pd.DataFrame | None = None,
                 previous_docs: PreviousDocs | None = None):
        self._read = read
        self._linker = Linker()
        for found in read():
            for cluster in found.clusters:
                self._linker.add(cluster)
        self.entities = self._linker.link()
        self.ids, self.changes = assign_ids(self.entities, previous, self._entity_docs, previous_docs)
        self._reset_counts()

    def _reset_counts(self) -> None:
        """What entity_table counts as mention_batches goes."""
        self._n_mentions: Counter = Counter()
        self._n_docs: Counter = Counter()
        self._aliases: dict[int, set[str]] = defaultdict(set)

    def _entity_docs(self, indices: set[int]) -> dict[int, set[str]]:
        found: dict[int, set[str]] = defaultdict(set)
        for doc in self._read():
            for cluster in doc.clusters:
                linked = self._linker.entity_of(cluster)
                if linked is not None and linked[0] in indices:
                    found[linked[0]].add(doc.doc_id)
        return found

    def mention_batches(self, batch_rows: int | None = None) -> Iterator[pd.DataFrame]:
        """The entity_mentions table, a batch of whole articles at a time (about
        `batch_rows` rows, default staged.BATCH_ROWS), in document order."""
        batch_rows = batch_rows or staged.BATCH_ROWS
        self._reset_counts()
        labels = [e.label for e in self.entities]
        rows: list[tuple] = []  # MENTION_COLUMNS
        for found in self._read():
            doc_id, linked = found.doc_id, {c.cluster: self._linker.entity_of(c) for c in found.clusters}
            in_doc = []
            for n, (cluster, start, end, text, kind, sentence_index, resolution, confidence) in enumerate(found.rows):
                if linked.get(cluster) is None:
                    continue
                e, link, link_confidence = linked[cluster]
                rows.append((f"{doc_id}-m{n}", doc_id, self.ids[e], start, end, text, labels[e], kind, sentence_index,
                             resolution, link, confidence * link_confidence))
                self._aliases[e].add(text)
                in_doc.append(e)
            self._n_mentions.update(in_doc)
            self._n_docs.update(set(in_doc))
            if len(rows) >= batch_rows:
                yield _mention_frame(rows)
                rows = []
        if rows:
            yield _mention_frame(rows)

    def entity_table(self) -> pd.DataFrame:
        """The entities table, once mention_batches has gone through every article."""
        if not self._n_mentions:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in ENTITY_COLUMNS})
        counted = sorted(self._n_mentions)
        table = pd.DataFrame({
            "entity_id": [self.ids[e] for e in counted], "name": [self.entities[e].name for e in counted],
            "type": [self.entities[e].label for e in counted], "aliases": [sorted(self._aliases[e]) for e in counted],
            "n_docs": [self._n_docs[e] for e in counted], "n_mentions": [self._n_mentions[e] for e in counted],
        })
        return table[ENTITY_COLUMNS].sort_values(["n_mentions", "entity_id"], ascending=[False, True],
                                                 ignore_index=True)


def _mention_frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=MENTION_COLUMNS)


def mention_docs_in(files: list[Path]) -> PreviousDocs:
    """previous_docs from a version's entity_mentions files, reading only the rows of the ids asked for."""
    def of(entity_ids: set[str]) -> dict[str, set[str]]:
        if not files:
            return {}
        rows = pq.read_table(files, columns=["entity_id", "doc_id"], filters=[("entity_id", "in", sorted(entity_ids))])
        return docs_from_mentions(rows.to_pandas())(entity_ids)
    return of


def link_entities(
    per_document: Iterable[DocEntities], previous: pd.DataFrame | None = None,
    previous_mentions: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Every article's DocEntities (in document order) and the previous
    version's `entities` -> (entity_mentions, entities, entity_changes), held
    whole (LinkedCorpus streams them). The previous version's
    `entity_mentions` tell entities of the same name apart by the articles
    they were in."""
    per_document = list(per_document)
    linked = LinkedCorpus(lambda: iter(per_document), previous, docs_from_mentions(previous_mentions))
    batches = list(linked.mention_batches())
    mentions = pd.concat(batches, ignore_index=True) if batches else \
        pd.DataFrame({c: pd.Series(dtype="object") for c in MENTION_COLUMNS})
    return mentions, linked.entity_table(), linked.changes


def extract_entities(
    docs: Iterable[tuple[str, Doc]], previous: pd.DataFrame | None = None,
    person_share: dict[str, float] | None = None, previous_mentions: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(doc_id, parsed Doc) pairs -> (entity_mentions, entities,
    entity_changes). `person_share` is person_words.person_word_share over the
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
    """doc_id -> digest of the article's rows of the tokens table, in doc_id
    order: equal digests, equal parses (to one chance in 2**64)."""
    return staged.doc_digests(_HASHED, "t", t=tokens[TOKEN_DIGEST_COLUMNS])


def corpus_tokens_digests(tokens_path: Path | str) -> dict[str, str]:
    """tokens_digests of every article of a staged tokens table, computed by
    DuckDB as it streams the file (at 100,000 articles, 60 million rows, a
    tenth of the time pandas' row hashes took)."""
    return staged.doc_digests(_HASHED, "t", t=[Path(tokens_path)])


# Every column but doc_id, cast so that a DataFrame's columns and a Parquet file's hash alike;
# token_index is hashed with each row, so a digest (a XOR of row hashes) still tells row order
TOKEN_DIGEST_COLUMNS = ["doc_id", "token_index", "sentence_index", "start_char", "end_char", "text", "whitespace",
                        "lemma", "pos", "tag", "morph", "dep", "head_index", "ent_iob", "ent_type"]
_HASHED = ", ".join(f"CAST({c} AS {'BIGINT' if c.endswith(('_index', '_char')) else 'VARCHAR'})"
                    for c in TOKEN_DIGEST_COLUMNS[1:])


def corpus_person_share(tokens_path: Path | str) -> dict[str, float]:
    """person_words.person_word_share over a whole staged tokens table, counted
    by DuckDB without loading the table into pandas."""
    counts = staged.query_staged("SELECT text AS word, count(*) AS labelled, "
                                 "count(*) FILTER (WHERE ent_type = 'PERSON') AS person "
                                 "FROM t WHERE ent_type <> '' GROUP BY text", t=[Path(tokens_path)])
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


__all__ = ["CHANGE_COLUMNS", "ENTITY_COLUMNS", "MENTION_COLUMNS", "DocEntities", "DocEntitiesCache", "LinkedCorpus",
           "PackedDocEntities", "corpus_person_share", "corpus_tokens_digests", "document_entities",
           "extract_entities", "link_entities", "mention_docs_in", "stage_document_entities",
           "staged_document_entities"]

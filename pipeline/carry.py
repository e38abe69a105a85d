"""Carrying an article's sentences, quotes and events over from the version a run builds on.

An article's quotes and events are a function of its text and parse, of its
own entity mentions, and of the names and types of the entities those
mentions point at: nothing else in the corpus. So when the base version was
made by this very code, the article's tokens were carried (same text, same
sentence boundaries, same model), and its *entity context* is unchanged,
its rows in the base version are exactly what recomputing them would give.
They are read back instead, and only the other articles' Docs are rebuilt.

Entity mentions are carried by their own rule (pipeline.entities'
DocEntitiesCache); cross-article linking is always redone, since a new
article can change it, and that is why the entity context is compared here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.provenance import code_fingerprint
from pipeline.staged import StagedTable, doc_batches, doc_digests
from pipeline.warehouse import CARRIED_TOKENS, Warehouse

# What quote speakers and event arguments read of an article's entity mentions, and of their entities.
# Cast to text, so that a staged table and a version's files hash alike.
_CONTEXT_COLUMNS = ", ".join(f"CAST({column} AS VARCHAR)" for column in (
    "m.mention_id", "m.entity_id", "m.start_char", "m.end_char", "m.text", "m.type", "m.kind", "e.name", "e.type"))


def entity_contexts(mentions: StagedTable | list[Path] | pd.DataFrame, entities: pd.DataFrame) -> dict[str, str]:
    """doc_id -> digest of the article's entity mentions, each with the name
    and type of its entity. Equal digests: equal inputs to quote and event
    extraction beyond the article's own parse. DuckDB streams the mentions
    (4 million at 100,000 articles) and sums the digests."""
    # mentions are a set (each has its own mention_id), so their order does not matter
    return doc_digests(_CONTEXT_COLUMNS, "m LEFT JOIN e ON m.entity_id = e.entity_id",
                       m=mentions, e=entities[["entity_id", "name", "type"]])


def made_by_this_code(warehouse: Warehouse, version: str | None) -> bool:
    return version is not None and \
        warehouse.manifest(version).get("code_version", {}).get("source_fingerprint") == code_fingerprint()


def sentences_to_carry(warehouse: Warehouse, doc_ids: Iterable[str]) -> tuple[str | None, list[str]]:
    """(latest version, the articles whose sentences are read back from it).
    An article's sentences depend on its text alone (its doc_id is a hash of
    it) and the segmenter: an article the latest version holds, when this very
    code made that version, has them there already."""
    latest = warehouse.latest()
    if not made_by_this_code(warehouse, latest):
        return latest, []
    known = warehouse.doc_ids("sentences", latest)
    return latest, [doc_id for doc_id in doc_ids if doc_id in known]


def eligible_articles(warehouse: Warehouse, run_id: str) -> tuple[str | None, set[str]]:
    """(base version, articles whose tokens this run carried from it), or no
    articles at all when the base version was made by other code."""
    base = warehouse.base_version(run_id)
    if not made_by_this_code(warehouse, base):
        return base, set()
    return base, warehouse.staged_doc_ids(run_id, CARRIED_TOKENS)


def carried_articles(eligible: set[str], context_now: dict[str, str], context_base: dict[str, str]) -> list[str]:
    """The eligible articles (tokens carried, same code) whose entity context
    is the same now as in the base version; an article without mentions has
    the empty context."""
    return sorted(d for d in eligible if context_now.get(d, "") == context_base.get(d, ""))


def articles_to_carry(warehouse: Warehouse, run_id: str, mentions: StagedTable, entities: pd.DataFrame
                      ) -> tuple[str | None, list[str]]:
    """(base version, the articles whose quotes and events are carried from it)."""
    base, eligible = eligible_articles(warehouse, run_id)
    if not eligible:
        return base, []
    now = entity_contexts(mentions, entities)
    before = entity_contexts(warehouse.table_files("entity_mentions", base),
                             warehouse.read_table("entities", base, columns=["entity_id", "name", "type"]))
    return base, carried_articles(eligible, now, before)


class CarriedRows:
    """The carried articles' rows of `table` in `base`, handed out in doc_id
    order as a step's own batches go by, so that the step writes its table
    in one pass: with each batch of articles it made rows for, the carried
    articles up to that batch's last one (`with_rows`), and after the last
    batch the rest. Reads the base version's table a batch at a time, and
    hands it out no bigger: one new article late in the doc_id order must not
    gather every carried row before it (a 1.5 GB step at 100,000 articles)."""

    def __init__(self, warehouse: Warehouse, table: str, base: str | None, carried_ids: list[str],
                 columns: list[str]):
        self._batches: Iterator[pd.DataFrame] = iter(())
        if carried_ids:
            others = warehouse.doc_ids(table, base) - set(carried_ids)
            self._batches = (batch for path in warehouse.table_files(table, base)
                             for batch in doc_batches(path, columns, exclude=others))
        self._pending: pd.DataFrame | None = None

    def with_rows(self, rows: pd.DataFrame, upto: str) -> Iterator[pd.DataFrame]:
        """A step's rows for a batch of articles ending at doc_id `upto`, with
        the carried rows up to that article woven in: parts to write in turn,
        each one batch of the base version with the step's rows in its range."""
        rows = rows.sort_values("doc_id", kind="stable", ignore_index=True)
        doc_ids, start = rows["doc_id"].to_numpy(), 0
        for carried in self._upto(upto):
            end = int(np.searchsorted(doc_ids, carried["doc_id"].iat[-1], side="right"))
            yield pd.concat([carried, rows.iloc[start:end]], ignore_index=True) if end > start else carried
            start = end
        if start < len(rows):
            yield rows.iloc[start:].reset_index(drop=True)

    def _upto(self, doc_id: str) -> Iterator[pd.DataFrame]:
        """The rows of the carried articles up to doc_id not handed out before, a batch at a time."""
        while True:
            if self._pending is None:
                self._pending = next(self._batches, None)
                if self._pending is None:
                    return
            due = (self._pending["doc_id"] <= doc_id).to_numpy()
            if not due.all():
                if due.any():
                    yield self._pending[due].reset_index(drop=True)
                self._pending = self._pending[~due].reset_index(drop=True)
                return
            rows, self._pending = self._pending, None
            yield rows

    def rest(self) -> Iterator[pd.DataFrame]:
        if self._pending is not None:
            yield self._pending
            self._pending = None
        yield from self._batches

"""Quotes meet entities: each attributed quote's speaker becomes the
canonical name and id of the entity it resolves to.

The quote stage names a speaker by its fullest in-document name (a pronoun
takes its antecedent's), so the name finds its entity through the mention
keys of the same document. An unnamed source ("A JLM spokesman") has no
entity of its own; the organisation inside the phrase is kept as the
speaker's affiliation.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from pipeline.entity_ids import alias_key


def link_speakers(quotes: pd.DataFrame, mentions: pd.DataFrame, entities: pd.DataFrame) -> pd.DataFrame:
    names = dict(zip(entities["entity_id"], entities["name"]))
    types = dict(zip(entities["entity_id"], entities["type"]))
    by_key: dict[tuple[str, str], str] = {}
    spans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for doc_id, text, entity_id, start, end, kind in zip(
            mentions["doc_id"], mentions["text"], mentions["entity_id"], mentions["start_char"],
            mentions["end_char"], mentions["kind"]):
        if kind != "role":
            by_key.setdefault((doc_id, alias_key(text)), entity_id)
            by_key.setdefault((doc_id, alias_key(names[entity_id])), entity_id)
        spans[doc_id].append((int(start), int(end), entity_id))
    quotes = quotes.copy()
    speaker_ids, affiliations = [], []
    for doc_id, speaker, start, end in zip(quotes["doc_id"], quotes["speaker"], quotes["speaker_start_char"],
                                           quotes["speaker_end_char"]):
        entity_id = affiliation = None
        if isinstance(speaker, str):
            entity_id = by_key.get((doc_id, alias_key(speaker)))
            if entity_id is None and pd.notna(start):
                inside = [e for s, t, e in spans[doc_id] if s >= start and t <= end]
                exact = [e for s, t, e in spans[doc_id] if s == start and t == end]
                if exact:
                    entity_id = exact[0]
                elif inside:  # "A JLM spokesman": the organisation he speaks for
                    affiliation = next((e for e in inside if types[e] != "PERSON"), None)
        speaker_ids.append(entity_id)
        affiliations.append(affiliation)
    quotes["speaker_entity_id"] = speaker_ids
    quotes["speaker_affiliation_entity_id"] = affiliations
    linked = quotes["speaker_entity_id"].notna()
    quotes.loc[linked, "speaker"] = quotes.loc[linked, "speaker_entity_id"].map(names)
    quotes.loc[linked, "speaker_type"] = quotes.loc[linked, "speaker_entity_id"].map(types)
    return quotes

"""`entity_mentions`, `entities` and `entity_changes`."""

from __future__ import annotations

import pandera.pandas as pa
import pyarrow
from pandera.typing import Series

from schemas._base import TableModel

ALIASES_ARROW_TYPE = pyarrow.list_(pyarrow.string())
MENTION_KINDS = ["name", "acronym", "role"]
RESOLUTIONS = ["name", "same_name", "surname", "first_name", "prefix", "short_form", "acronym", "role", "near_miss"]
CORPUS_LINKS = ["name", "surname", "alias", "near_miss"]
CHANGES = ["merged", "split", "renamed"]
_ENTITY_ID = r"^E[0-9a-f]{15}$"


class EntityMentionsModel(TableModel):
    """One mention of a named entity in an article, with the entity it refers to."""

    mention_id: Series[str] = pa.Field(unique=True, description="`<doc_id>-m<n>`, in order within the document.")
    doc_id: Series[str] = pa.Field(description="Document (documents.doc_id).")
    entity_id: Series[str] = pa.Field(str_matches=_ENTITY_ID, description="The entity mentioned (entities.entity_id).")
    start_char: Series[int] = pa.Field(ge=0, description="Offset of the mention in documents.text.")
    end_char: Series[int] = pa.Field(ge=1, description="End offset (exclusive).")
    text: Series[str] = pa.Field(str_length={"min_value": 1}, description="documents.text[start_char:end_char].")
    type: Series[str] = pa.Field(description="OntoNotes label of the entity in this document (PERSON, ORG, GPE, NORP...).")
    kind: Series[str] = pa.Field(
        isin=MENTION_KINDS, description="name | acronym (defined in the text, e.g. JLM) | role (a description the "
        "article ties to a named person, e.g. 'the Labour leader').")
    sentence_index: Series[int] = pa.Field(ge=0, description="sentences.sentence_index of the mention.")
    resolution: Series[str] = pa.Field(
        isin=RESOLUTIONS, description="How the mention joined its in-document cluster: name (its own), same_name, "
        "surname, first_name, prefix ('Labour' -> 'Labour Party'), short_form ('the Board'), acronym, role, "
        "near_miss (a one-letter misspelling, lower confidence).")
    corpus_link: Series[str] = pa.Field(
        isin=CORPUS_LINKS, description="How its cluster joined the corpus-wide entity: name (same canonical name), "
        "surname, alias (an acronym or short form another article defines), near_miss.")
    confidence: Series[float] = pa.Field(ge=0, le=1, description="Confidence of the mention-to-entity assignment.")


class EntitiesModel(TableModel):
    """One real-world entity across all articles (stable id, canonical name, aliases)."""

    entity_id: Series[str] = pa.Field(
        unique=True, str_matches=_ENTITY_ID,
        description="Stable id: kept from the previous version for the same entity; a new entity gets a hash of "
        "its type and name.")
    name: Series[str] = pa.Field(str_length={"min_value": 1}, description="Canonical name: the fullest form seen.")
    type: Series[str] = pa.Field(description="OntoNotes label (PERSON, ORG, GPE, NORP, ...), by majority of mentions.")
    aliases: Series[object] = pa.Field(description="Every surface form seen (list of str, sorted).")
    n_docs: Series[int] = pa.Field(ge=1, description="Number of documents that mention it.")
    n_mentions: Series[int] = pa.Field(ge=1, description="Number of rows in entity_mentions.")


class EntityChangesModel(TableModel):
    """One entity id merged, split or renamed against the previous version."""

    entity_id: Series[str] = pa.Field(str_matches=_ENTITY_ID, description="The entity in this version.")
    change: Series[str] = pa.Field(
        isin=CHANGES, description="merged (previous_entity_id is now part of entity_id) | split (entity_id was "
        "cut from previous_entity_id) | renamed (same id, new canonical name).")
    previous_entity_id: Series[str] = pa.Field(description="The id in the previous version.")
    previous_name: Series[str] = pa.Field(description="Its canonical name in the previous version.")
    name: Series[str] = pa.Field(description="Canonical name now.")
    type: Series[str] = pa.Field(description="Entity type now.")

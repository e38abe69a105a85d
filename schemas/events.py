"""`events` (one row per real-world action per article) and `event_mentions`."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from schemas._base import TableModel

_CODE = r"^(0[1-9]|1[0-9]|20)[0-9]{0,2}$"


class EventsModel(TableModel):
    """One real-world action per article: CAMEO root, agent, target, place, time, modality."""

    event_id: Series[str] = pa.Field(unique=True, description="`<doc_id>-e<n>`, in order of first mention.")
    doc_id: Series[str] = pa.Field(description="Document (documents.doc_id).")
    sentence_id: Series[str] = pa.Field(description="Sentence of the trigger (sentences.sentence_id).")
    cameo_code: Series[str] = pa.Field(str_matches=_CODE, description="Full CAMEO event code ('0231', '141').")
    cameo_root: Series[str] = pa.Field(str_matches=r"^(0[1-9]|1[0-9]|20)$", description="CAMEO root, '01'..'20'.")
    event_type: Series[str] = pa.Field(description="CAMEO root label ('CONSULT', 'PROTEST').")
    trigger: Series[str] = pa.Field(description="The verb or event noun, as written.")
    trigger_start_char: Series[int] = pa.Field(ge=0, description="Offset of the trigger in documents.text.")
    trigger_end_char: Series[int] = pa.Field(ge=1, description="End offset of the trigger (exclusive).")
    agent: Series[str] = pa.Field(nullable=True, description="Who acted: canonical entity name, or the phrase.")
    agent_entity_id: Series[str] = pa.Field(nullable=True, description="entities.entity_id of the agent.")
    target: Series[str] = pa.Field(nullable=True, description="Who or what was acted on: entity name or phrase.")
    target_entity_id: Series[str] = pa.Field(nullable=True, description="entities.entity_id of the target.")
    location: Series[str] = pa.Field(nullable=True, description="A place or venue in the clause, as written.")
    time_text: Series[str] = pa.Field(nullable=True, description="A time expression in the clause, as written.")
    negated: Series[bool] = pa.Field(description="Did not happen: 'did not meet', 'refused to meet' (the meeting).")
    hypothetical: Series[bool] = pa.Field(
        description="Not (yet) happened: planned, threatened, called for, expected, 'will', 'would', 'if'.")
    start_char: Series[int] = pa.Field(ge=0, description="Start of the evidence clause in documents.text.")
    end_char: Series[int] = pa.Field(ge=1, description="End of the evidence clause (exclusive).")
    text: Series[str] = pa.Field(description="The evidence clause: documents.text[start_char:end_char].")
    n_mentions: Series[int] = pa.Field(ge=1, description="How many times the article mentions this action.")
    reported: Series[bool] = pa.Field(description="Inside quote marks: someone's words, not the article's claim.")


class EventMentionsModel(TableModel):
    """One mention of an event (an article may name an action several times)."""

    event_id: Series[str] = pa.Field(description="The event (events.event_id) this mention is of.")
    doc_id: Series[str] = pa.Field(description="Document (documents.doc_id).")
    sentence_id: Series[str] = pa.Field(description="Sentence of the trigger.")
    trigger: Series[str] = pa.Field(description="The verb or event noun, as written.")
    trigger_start_char: Series[int] = pa.Field(ge=0, description="Offset of the trigger.")
    trigger_end_char: Series[int] = pa.Field(ge=1, description="End offset of the trigger (exclusive).")
    start_char: Series[int] = pa.Field(ge=0, description="Start of the evidence clause.")
    end_char: Series[int] = pa.Field(ge=1, description="End of the evidence clause (exclusive).")
    text: Series[str] = pa.Field(description="The evidence clause: documents.text[start_char:end_char].")
    negated: Series[bool] = pa.Field(description="This mention is negated.")
    hypothetical: Series[bool] = pa.Field(description="This mention is hypothetical.")

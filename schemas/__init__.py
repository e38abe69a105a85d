"""Pandera models, one per table. `TABLES` lists what a dataset version holds."""

from schemas._base import TableValidationError, validate_table
from schemas.documents import ArticlesModel, DocumentsModel
from schemas.entities import ALIASES_ARROW_TYPE, EntitiesModel, EntityChangesModel, EntityMentionsModel
from schemas.events import EventMentionsModel, EventsModel
from schemas.quotes import QuotesModel
from schemas.rejected import RejectedModel
from schemas.sentences import SentencesModel
from schemas.tokens import TokensModel

# The tables committed in every version, in the order they are written.
TABLES = {
    "documents": DocumentsModel,
    "sentences": SentencesModel,
    "tokens": TokensModel,
    "quotes": QuotesModel,
    "entity_mentions": EntityMentionsModel,
    "entities": EntitiesModel,
    "entity_changes": EntityChangesModel,
    "events": EventsModel,
    "event_mentions": EventMentionsModel,
    "rejected": RejectedModel,
}

__all__ = [
    "TABLES", "ArticlesModel", "DocumentsModel", "EntitiesModel", "EntityChangesModel", "EntityMentionsModel", "EventMentionsModel",
    "EventsModel", "QuotesModel", "RejectedModel", "SentencesModel", "TokensModel",
    "TableValidationError", "validate_table",
]


def arrow_schema(table: str):
    """The Parquet schema of a table, from its pandera model, so an empty table
    (no rows to infer from) is written with the same column types as a full one."""
    import pyarrow as pa

    from schemas.documents import REMOVED_ARROW_TYPE

    model = {**TABLES, "articles": ArticlesModel}[table]
    simple = {"str": pa.string(), "int64": pa.int64(), "Int64": pa.int64(), "bool": pa.bool_(),
              "float64": pa.float64()}
    overrides = {"removed": REMOVED_ARROW_TYPE, "aliases": ALIASES_ARROW_TYPE}
    fields = []
    for name, column in model.to_schema().columns.items():
        dtype = str(column.dtype)
        arrow_type = overrides.get(name) or simple["str" if dtype.startswith("str") else dtype]
        fields.append(pa.field(name, arrow_type, nullable=column.nullable))
    return pa.schema(fields)

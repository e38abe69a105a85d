"""Shared pandera settings and helpers for the table models."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors


class TableModel(pa.DataFrameModel):
    class Config:
        strict = True  # every column is declared (and described) in its model
        coerce = True


class TableValidationError(ValueError):
    """A table broke its schema; the message lists the failure cases."""


def validate_table(model: type[pa.DataFrameModel], df: pd.DataFrame) -> pd.DataFrame:
    """Validate lazily (all failures at once) and raise one readable error."""
    try:
        return model.validate(df, lazy=True)
    except SchemaErrors as exc:
        raise TableValidationError(_describe_failures(model.__name__, exc.failure_cases)) from None


def _describe_failures(name: str, cases: pd.DataFrame, limit: int = 20) -> str:
    """One line per failure: which check, which column/row, the offending value."""
    # A whole-frame check reports every column of a failing row; one line per row is enough.
    cases = cases.drop_duplicates(subset=["check", "index"]) if "index" in cases else cases
    lines = [f"{name}: {len(cases)} failure(s)"]
    for case in cases.head(limit).itertuples(index=False):
        value = str(case.failure_case)
        value = value if len(value) <= 80 else value[:77] + "..."
        lines.append(f"  - {case.check} [column {case.column}, row {case.index}]: {value!r}")
    if len(cases) > limit:
        lines.append(f"  ... and {len(cases) - limit} more")
    return "\n".join(lines)

"""`rejected`: inputs that could not be processed, each with its reason."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from schemas._base import TableModel


class RejectedModel(TableModel):
    """One input file that could not be processed, with the reason."""

    source_file: Series[str] = pa.Field(
        unique=True, description="Path of the input, relative to the input folder."
    )
    reason: Series[str] = pa.Field(
        str_matches=r"^[^\n]+$", description="Why the input was not processed, in one line."
    )
    detail: Series[str] = pa.Field(description="Extra facts about the input (size, symlink).")

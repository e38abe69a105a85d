"""How the corpus uses a word: the share of its entity-labelled uses that are
PERSON. A lone word typed ORG or GPE in one article ("Corbyn") is retyped a
person's surname only where the corpus mostly uses it for people, so a stray
"Blair Labour" PERSON span cannot make every "Labour" a person.
"""

from __future__ import annotations

import pandas as pd

SURNAME_MIN_PERSON_SHARE = 0.3


def is_person_word(person_share: dict[str, float] | None, word: str) -> bool:
    """Whether the corpus lets a lone `word` be a person's surname."""
    return person_share is None or person_share.get(word, 0.0) >= SURNAME_MIN_PERSON_SHARE


def person_word_counts(words, labels) -> pd.DataFrame:
    """word -> how many of its uses carry an entity label (`labelled`) and how
    many a PERSON one (`person`). Counts of batches of tokens add up."""
    labels = pd.Series(labels, dtype="object").reset_index(drop=True)
    frame = pd.DataFrame({"word": pd.Series(words, dtype="object").reset_index(drop=True),
                          "person": labels == "PERSON"})[labels.ne("").to_numpy()]
    return frame.groupby("word")["person"].agg(labelled="size", person="sum")


def shares(counts: pd.DataFrame) -> dict[str, float]:
    return (counts["person"] / counts["labelled"]).to_dict()


def person_word_share(words, labels) -> dict[str, float]:
    """word -> share of its entity-labelled uses that are PERSON, from the
    tokens table's text / ent_type columns of the whole corpus."""
    return shares(person_word_counts(words, labels))

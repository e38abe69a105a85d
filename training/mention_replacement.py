"""Mention replacement, a data augmentation for the NER (Dai & Adel, COLING 2020): a training
document is also seen with some of its entity names swapped for other names of the same label,
so the model learns what the context says about a name, not only the names CoNLL train shows.

Registered as `presswork.mention_replacement.v1` for `[corpora.train.augmenter]`; loaded through
training/recipe_code.py (`spacy train --code`). The replacement names are the training corpus's
own (`pool` is a DocBin, usually the training file itself), so nothing outside the data is added.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from functools import lru_cache

from spacy.tokens import Doc, DocBin, Span
from spacy.training import Example
from spacy.util import registry


@lru_cache(maxsize=2)
def names_by_label(pool: str) -> dict[str, list[list[str]]]:
    import spacy

    vocab = spacy.blank("en").vocab
    names: dict[str, list[list[str]]] = {}
    for doc in DocBin().from_disk(pool).get_docs(vocab):
        for ent in doc.ents:
            names.setdefault(ent.label_, []).append([t.text for t in ent])
    return names


def replace_mentions(doc: Doc, names: dict[str, list[list[str]]], prob: float, rng: random.Random) -> Doc:
    """A copy of `doc` (with gold entities) in which each entity is replaced, with probability `prob`,
    by a random name of the same label; sentence starts and the spacing after a name are kept."""
    words, spaces, starts, ents = [], [], [], []
    starting = {e.start: e for e in doc.ents}
    i = 0
    while i < len(doc):
        ent = starting.get(i)
        if ent is None:
            words.append(doc[i].text)
            spaces.append(bool(doc[i].whitespace_))
            starts.append(bool(doc[i].is_sent_start))
            i += 1
            continue
        name = rng.choice(names[ent.label_]) if rng.random() < prob and names.get(ent.label_) else \
            [t.text for t in ent]
        first = len(words)
        words += name
        spaces += [True] * (len(name) - 1) + [bool(doc[ent.end - 1].whitespace_)]
        starts += [bool(doc[i].is_sent_start)] + [False] * (len(name) - 1)
        ents.append((first, len(words), ent.label_))
        i = ent.end
    copy = Doc(doc.vocab, words=words, spaces=spaces, sent_starts=starts)
    copy.ents = [Span(copy, start, end, label=label) for start, end, label in ents]
    return copy


@registry.augmenters("presswork.mention_replacement.v1")
def create_mention_replacement(level: float, prob: float, pool: str, seed: int = 0):
    """Every example, and for a share `level` of them also a copy with mentions replaced."""
    rng = random.Random(seed)

    def augment(nlp, example: Example) -> Iterator[Example]:
        yield example
        if rng.random() < level:
            reference = replace_mentions(example.reference, names_by_label(pool), prob, rng)
            # CoNLL's own tokens, as the original example has
            predicted = Doc(nlp.vocab, words=[t.text for t in reference],
                            spaces=[bool(t.whitespace_) for t in reference])
            yield Example(predicted, reference)

    return augment

"""The spaCy pipeline: load it once, parse documents into a `tokens` table,
and rebuild spaCy Docs from that table for the stages that need them.

Any spaCy pipeline works: the model shipped in models/ (default), an installed
package such as `en_core_web_trf`, or a path. Choose with PRESSWORK_NLP_MODEL.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import spacy
from spacy import parts_of_speech
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, IS_SPACE, LEMMA, MORPH, POS, SENT_START, TAG
from spacy.lang.en import English
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import create_vocab

from pipeline.cpu_ops import numpy_blas_ops
from pipeline.ingest import Progress, no_progress

SHIPPED_MODEL = Path(__file__).resolve().parents[1] / "models" / "en_presswork_news"
MODEL_ENV = "PRESSWORK_NLP_MODEL"
# Documents per nlp.pipe batch: the parser holds ~10 MB per document of a batch.
# Measured on one core, 16 is as fast as 32 (8 is 5 % slower).
BATCH_SIZE = 16

TOKEN_COLUMNS = [
    "doc_id", "token_index", "sentence_index", "start_char", "end_char", "text", "whitespace",
    "lemma", "pos", "tag", "morph", "dep", "head_index", "ent_iob", "ent_type",
]


class ModelNotFoundError(RuntimeError):
    pass


def model_name(name: str | None = None) -> str:
    return name or os.environ.get(MODEL_ENV) or str(SHIPPED_MODEL)


@functools.lru_cache(maxsize=4)
def load_pipeline(name: str | None = None) -> Language:
    """Load a spaCy pipeline by path or installed package name, once per process
    (its layers multiply through numpy's BLAS: see pipeline.cpu_ops)."""
    name = model_name(name)
    try:
        with numpy_blas_ops():
            return spacy.load(name)
    except OSError as exc:
        hint = " (set PRESSWORK_NLP_MODEL or train it: presswork train-model)" if name == str(SHIPPED_MODEL) else ""
        raise ModelNotFoundError(f"spaCy model {name!r} not found: not a pipeline folder or installed package"
                                 f"{hint}") from exc


def model_meta(name: str | None = None) -> dict:
    """The pipeline's meta.json without loading its weights (for manifests)."""
    name = model_name(name)
    path = Path(name)
    if not path.exists():
        try:
            path = spacy.util.get_package_path(name)
        except (ModuleNotFoundError, ImportError):
            raise ModelNotFoundError(f"spaCy model {name!r} not found") from None
    return spacy.util.load_meta(path / "meta.json")


def model_info(name: str | None = None) -> dict:
    meta = model_meta(name)
    return {
        "name": f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}",
        "version": meta.get("version"),
        "spacy_version": meta.get("spacy_version"),
        "pipeline": list(meta.get("pipeline", [])),
        "source": model_name(name),
    }


# A vocabulary keeps every string and lexeme it has seen: one kept for a whole run grows
# with the corpus, and a new one per batch makes every lexeme again (a third of the time
# spent building the BBC folder's Docs). So one is kept until it holds this many strings.
VOCAB_MAX_STRINGS = 200_000
_vocab = None


def blank_vocab():
    """Enough vocabulary to rebuild parsed Docs from the tokens table, without
    loading any model weights: the process's current one, or a new, empty one
    once the current one holds VOCAB_MAX_STRINGS strings (Docs built on the
    old one keep it)."""
    global _vocab
    if _vocab is None or len(_vocab.strings) > VOCAB_MAX_STRINGS:
        _vocab = create_vocab("en", English.Defaults)
    return _vocab


# spaCy's parser needs ~1 GB per 100,000 characters of one Doc: longer
# documents are parsed in pieces cut at sentence starts (sentences never span
# pieces), and the pieces' tokens are stitched back with shifted offsets.
MAX_CHUNK_CHARS = 50_000


def chunk_bounds(length: int, sentence_starts: list[int], limit: int = MAX_CHUNK_CHARS) -> list[tuple[int, int]]:
    """Contiguous (start, end) pieces covering [0, length), each at most `limit`
    long where possible, cut at sentence starts; a sentence longer than the
    limit is cut at the limit."""
    cuts = [0]
    previous = 0
    for start in sentence_starts:
        if start - cuts[-1] > limit and previous > cuts[-1]:
            cuts.append(previous)
        previous = start
    if length - cuts[-1] > limit and previous > cuts[-1]:
        cuts.append(previous)
    cuts.append(length)
    bounds = []
    for a, b in zip(cuts, cuts[1:]):
        bounds.extend((x, min(x + limit, b)) for x in range(a, b, limit))
    return bounds


# spaCy's tokenizer is quadratic in the length of a run without whitespace made
# of affix characters (a line of 10,000 quote marks or dashes takes minutes).
# No word is this long, so such runs are tokenised in pieces of this size.
LONG_RUN_CHARS = 1000
_LONG_RUN = re.compile(r"\S{%d,}" % LONG_RUN_CHARS)


# Unicode spaces (no-break, thin, ideographic...) are not whitespace to spaCy's
# tokenizer: each became a token the tagger took for a proper noun, breaking the
# parse around it ("100\u00a0percent\u00a0wrong"). The model sees a plain space
# in their place (same length, so offsets hold); the tokens table keeps the
# original characters.
_UNICODE_SPACES = {ord(c): " " for c in "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
                   "\u2008\u2009\u200a\u202f\u205f\u3000"}


def tokenize(nlp: Language, text: str) -> Doc:
    """nlp.make_doc, in bounded time on any text. The Doc's text is `text`
    with Unicode spaces as plain spaces: the same length, the same offsets."""
    text = text.translate(_UNICODE_SPACES)
    if not _LONG_RUN.search(text):
        return nlp.make_doc(text)
    pieces, position = [], 0
    for run in _LONG_RUN.finditer(text):
        pieces.append(text[position:run.start()])
        pieces.extend(text[a:min(a + LONG_RUN_CHARS, run.end())] for a in range(run.start(), run.end(), LONG_RUN_CHARS))
        position = run.end()
    pieces.append(text[position:])
    return Doc.from_docs([nlp.make_doc(piece) for piece in pieces if piece], ensure_whitespace=False)


def _presegmented(nlp: Language, text: str, sentence_starts: set[int], offset: int) -> Doc:
    """Tokenise and fix sentence boundaries to ours, so the parser never
    builds a tree across them and every stage agrees on what a sentence is.
    The boundaries go in as one array: setting Token.is_sent_start one token
    at a time rescans the Doc each time (quadratic in a long document)."""
    doc = tokenize(nlp, text)
    starts = np.full((len(doc), 1), -1, dtype="int64")  # -1: "not a sentence start", fixed for the parser
    starts[[t.i for t in doc if t.i == 0 or (t.idx + offset) in sentence_starts]] = 1
    _isolate_edge_whitespace(doc, starts)
    doc.from_array([SENT_START], starts.astype("uint64"))  # spaCy's array type; -1 survives the round trip
    return doc


# The parser learnt from UD EWT, which has no whitespace tokens: handed a
# paragraph break ("\n\n") at the end of a sentence, it made the break the
# sentence's root in 8 % of PolNeAR's sentences and hung the real words under
# it. A whitespace token that opens or closes one of our sentences is therefore
# parsed as a sentence of its own, and afterwards attached to its neighbour
# (spaCy's convention for whitespace: dep "dep", POS SPACE), so every sentence
# still has one root.
def _is_space(doc: Doc) -> np.ndarray:
    return doc.to_array([IS_SPACE]).reshape(-1).astype(bool)


def _isolate_edge_whitespace(doc: Doc, starts: np.ndarray) -> None:
    space = _is_space(doc)
    if not space.any():
        return
    is_start = starts[:, 0] == 1
    next_is_start = np.append(is_start[1:], True)
    closes = space & next_is_start
    opens = space & is_start & ~closes
    starts[closes] = 1
    starts[np.flatnonzero(opens) + 1] = 1


def parse_documents(
    documents: pd.DataFrame,
    sentences: pd.DataFrame,
    nlp: Language,
    progress: Progress = no_progress,
    batch_size: int = BATCH_SIZE,
) -> pd.DataFrame:
    """documents + sentences -> one row per token with tags, lemma, dependency
    head and entity label. Token offsets index documents.text."""
    starts = sentences.groupby("doc_id")["start_char"].agg(list)
    pieces = []  # (doc_id, piece offset, the document's sentence starts as list and set), in order
    texts = []
    for doc_id, text in zip(documents["doc_id"], documents["text"]):
        sentence_starts = starts.get(doc_id, [0])
        start_set = set(sentence_starts)
        for a, b in chunk_bounds(len(text), sentence_starts):
            pieces.append((doc_id, a, sentence_starts, start_set))
            texts.append(text[a:b])
    docs = (_presegmented(nlp, t, start_set, a) for t, (_, a, _, start_set) in zip(texts, pieces))
    frames: dict[str, list[pd.DataFrame]] = {}
    tokens_before: dict[str, int] = {}  # tokens already emitted for a document split into pieces
    parsed = nlp.pipe(progress(docs), batch_size=batch_size)
    for (doc_id, offset, sentence_starts, _), piece, doc in zip(pieces, texts, parsed):
        first = tokens_before.get(doc_id, 0)
        frames.setdefault(doc_id, []).append(_token_frame(doc_id, doc, piece, offset, first, sentence_starts))
        tokens_before[doc_id] = first + len(doc)
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in TOKEN_COLUMNS})
    return pd.concat([f for doc_frames in frames.values() for f in doc_frames], ignore_index=True)


def _token_frame(doc_id: str, doc: Doc, piece: str, offset: int, first_token: int,
                 sentence_starts: list[int]) -> pd.DataFrame:
    """One row per token of `doc`, parsed from `piece` (which starts at `offset`
    in its document). Text and whitespace come from `piece` itself: the Doc
    saw Unicode spaces as plain ones."""
    local = [t.idx for t in doc]
    ends = [i + len(t) for i, t in zip(local, doc)]
    starts = np.array(local, dtype="int64") + offset
    sentence_index = np.maximum(np.searchsorted(sentence_starts, starts, side="right") - 1, 0)
    heads, deps = _attach_whitespace(doc, sentence_index)
    space = _is_space(doc).tolist()
    return pd.DataFrame({
        "doc_id": doc_id,
        "token_index": np.arange(len(doc), dtype="int64") + first_token,
        # Our sentences, not the parser's: a token belongs to the last sentence starting at or before it.
        "sentence_index": sentence_index,
        "start_char": starts,
        "end_char": np.array(ends, dtype="int64") + offset,
        "text": [piece[a:b] for a, b in zip(local, ends)],
        "whitespace": [piece[b:b + len(t.whitespace_)] for b, t in zip(ends, doc)],
        "lemma": [t.lemma_ for t in doc],
        "pos": ["SPACE" if s else t.pos_ for s, t in zip(space, doc)],
        "tag": ["_SP" if s else t.tag_ for s, t in zip(space, doc)],
        "morph": ["" if s else str(t.morph) for s, t in zip(space, doc)],
        "dep": deps,
        "head_index": heads + first_token,
        "ent_iob": [t.ent_iob_ for t in doc],
        "ent_type": [t.ent_type_ for t in doc],
    })


def _attach_whitespace(doc: Doc, sentence_index: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Heads and dependency labels with each whitespace token that
    _isolate_edge_whitespace parsed alone hung on its neighbour in the same
    sentence: the token before it, or after it when it opens the sentence.
    A whitespace root with dependents was parsed inside a sentence (a double
    space mid-sentence) and stays its root: moving it would make a cycle."""
    relative = doc.to_array([HEAD]).reshape(-1).astype(np.int64)  # spaCy keeps heads relative, as uint64
    heads = np.arange(len(doc), dtype="int64") + relative
    deps = [t.dep_ for t in doc]
    for i in np.flatnonzero(_is_space(doc) & (relative == 0)).tolist():  # whitespace roots only
        if doc[i].left_edge.i != i or doc[i].right_edge.i != i:
            continue
        if i > 0 and sentence_index[i - 1] == sentence_index[i]:
            heads[i], deps[i] = i - 1, "dep"
        elif i + 1 < len(doc) and sentence_index[i + 1] == sentence_index[i]:
            heads[i], deps[i] = i + 1, "dep"
    return heads, deps


DOCS_CHUNK_TOKENS = 100_000  # tokens turned into Python lists at a time: bounded memory, few conversions


def docs_from_tokens(tokens: pd.DataFrame, vocab) -> Iterator[tuple[str, Doc]]:
    """Rebuild parsed spaCy Docs from the tokens table, without running a model.
    A chunk of documents at a time, each annotation column becomes one array of
    spaCy attribute values (every distinct string interned once, not once per
    token) and each document loads its slice with `Doc.from_array`."""
    if tokens.empty:
        return
    runs = tokens["doc_id"].ne(tokens["doc_id"].shift()).to_numpy()
    if runs.sum() != tokens["doc_id"].nunique():  # a document's tokens must be one run
        tokens = tokens.sort_values(["doc_id", "token_index"], kind="stable")
        runs = tokens["doc_id"].ne(tokens["doc_id"].shift()).to_numpy()
    starts = list(np.flatnonzero(runs)) + [len(tokens)]
    first = 0
    while first < len(starts) - 1:
        last = first + 1  # documents [first, last) form one chunk
        while last < len(starts) - 1 and starts[last + 1] - starts[first] <= DOCS_CHUNK_TOKENS:
            last += 1
        lo, hi = starts[first], starts[last]
        chunk = tokens.iloc[lo:hi]
        bounds = [s - lo for s in starts[first:last + 1]]
        words, spaces = chunk["text"].tolist(), chunk["whitespace"].astype(bool).tolist()
        values = _annotation_array(vocab, chunk, bounds)
        doc_ids = chunk["doc_id"].iloc[bounds[:-1]].tolist()
        for doc_id, a, b in zip(doc_ids, bounds[:-1], bounds[1:]):
            doc = Doc(vocab, words=words[a:b], spaces=spaces[a:b])
            # what Doc.text would give, joined from the strings at hand rather than from a Token per word
            doc.user_data[DOC_TEXT] = "".join([w + " " if s else w for w, s in zip(words[a:b], spaces[a:b])])
            yield doc_id, doc.from_array(ANNOTATION_ATTRS, values[a:b])
        first = last


DOC_TEXT = "text"


def doc_text(doc: Doc) -> str:
    """doc.text, computed once per Doc: Doc.text makes a Token per word on every call."""
    text = doc.user_data.get(DOC_TEXT)
    if text is None:
        text = doc.user_data[DOC_TEXT] = doc.text
    return text


ANNOTATION_ATTRS = [POS, TAG, MORPH, LEMMA, DEP, HEAD, SENT_START, ENT_IOB, ENT_TYPE]


def _annotation_array(vocab, chunk: pd.DataFrame, bounds: list[int]) -> np.ndarray:
    """The chunk's annotations as a (tokens x ANNOTATION_ATTRS) uint64 array,
    heads relative and sentence starts +1/-1 per document, as `Doc.from_array`
    expects them."""
    def interned(column: str, key) -> np.ndarray:
        codes, uniques = pd.factorize(chunk[column])
        return np.array([key(u) for u in uniques], dtype=np.uint64)[codes]

    position = np.arange(len(chunk)) - np.repeat(bounds[:-1], np.diff(bounds))  # index within its document
    sentence = chunk["sentence_index"].to_numpy()
    sent_start = np.ones(len(chunk), dtype=np.int64)
    sent_start[1:] = np.where(sentence[1:] != sentence[:-1], 1, -1)
    sent_start[bounds[:-1]] = 1
    entity = chunk["ent_iob"].isin(["B", "I"]).to_numpy()
    iob = np.where(entity, np.where(chunk["ent_iob"].to_numpy() == "B", 3, 1), 2)  # Token.iob_strings(): "", I, O, B
    columns = [
        interned("pos", parts_of_speech.IDS.__getitem__),
        interned("tag", vocab.strings.add),
        interned("morph", vocab.morphology.add),
        interned("lemma", vocab.strings.add),
        interned("dep", vocab.strings.add),
        chunk["head_index"].to_numpy() - position,
        sent_start,
        iob,
        np.where(entity, interned("ent_type", vocab.strings.add), np.uint64(0)),
    ]
    # signed columns (relative heads, -1 sentence starts) wrap to uint64 as spaCy's arrays hold them
    return np.stack([c.astype(np.uint64) for c in columns], axis=1)

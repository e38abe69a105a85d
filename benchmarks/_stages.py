"""The pipeline's pure stages up to entities, run on a few chosen files
without Dagster or a warehouse: what the evaluation scripts score."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from pipeline.entities import extract_entities
from pipeline.ingest import ingest_folder
from pipeline.person_words import person_word_share
from pipeline.nlp import blank_vocab, docs_from_tokens, load_pipeline, parse_documents
from pipeline.sentences import segment_sentences

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def gold_source(source: str) -> Path:
    """A gold file's article: seeds/ in the repo, anything else under ../shared/data."""
    return REPO / source if source.startswith("seeds/") else SHARED_DATA / source


def run_stages(paths: list[Path], model: str | None):
    """-> (articles with a `path` column, tokens, entity_mentions, entities) for these files,
    copied into a temporary input folder."""
    with tempfile.TemporaryDirectory() as tmp:
        names = {}
        for n, path in enumerate(paths):
            target = Path(tmp) / f"{n:03d}_{path.name}"
            shutil.copy(path, target)
            names[target.name] = path
        articles, _ = ingest_folder(tmp)
    sentences = segment_sentences(articles)
    tokens = parse_documents(articles, sentences, load_pipeline(model))
    share = person_word_share(tokens["text"], tokens["ent_type"])
    mentions, entities, _ = extract_entities(docs_from_tokens(tokens, blank_vocab()), person_share=share)
    articles["path"] = articles["source_file"].map(names)
    return articles, tokens, mentions, entities

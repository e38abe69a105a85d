"""Near-duplicate articles are grouped (never dropped): exact copies and light
rewrites of a seed join its group, different articles do not."""

from __future__ import annotations

import random
import shutil

import numpy as np
import pandas as pd
import pytest

from conftest import SEEDS, run_cli
from pipeline.ingest import ingest_folder
from pipeline.near_duplicates import SignatureCache, group_near_duplicates, minhash, text_key


def _rewrite(text: str, rng: random.Random, share: float) -> str:
    """A light edit: drop and swap a few words, as a syndicated copy would."""
    words = text.split(" ")
    for _ in range(int(len(words) * share)):
        i = rng.randrange(len(words))
        if rng.random() < 0.5:
            del words[i]
        else:
            words[i] = words[i].upper()
    return " ".join(words)


@pytest.fixture(scope="module")
def seed_articles():
    articles, _ = ingest_folder(SEEDS)
    return articles.sort_values("source_file", ignore_index=True)


def test_copies_and_light_rewrites_join_their_original_and_nothing_else(seed_articles):
    rng = random.Random(7)
    rows = list(seed_articles[["doc_id", "text"]].itertuples(index=False))
    truth = {}
    for n, (doc_id, text) in enumerate(list(rows)):
        rows.append((f"copy{n}", text))
        rows.append((f"edit{n}", _rewrite(text, rng, 0.01)))
        truth[f"copy{n}"] = truth[f"edit{n}"] = doc_id
    groups = group_near_duplicates(pd.DataFrame(rows, columns=["doc_id", "text"])).set_index("doc_id")
    for copy, original in truth.items():
        assert groups.loc[copy, "duplicate_group"] == original, copy
    # the five seeds share a topic and many names but are different articles
    originals = groups.loc[list(seed_articles["doc_id"])]
    assert list(originals["duplicate_group"]) == list(seed_articles["doc_id"])
    assert (originals["duplicate_similarity"] == 1.0).all()
    assert (groups.loc[list(truth), "duplicate_similarity"] >= 0.8).all()


def test_a_heavy_rewrite_is_not_a_duplicate(seed_articles):
    text = seed_articles["text"][0]
    rewritten = _rewrite(text, random.Random(1), 0.4)
    groups = group_near_duplicates(pd.DataFrame({"doc_id": ["a", "b"], "text": [text, rewritten]}))
    assert groups["duplicate_group"].isna().all()


def test_documents_table_records_groups(seeds_warehouse):
    from pipeline.warehouse import Warehouse

    documents = Warehouse(seeds_warehouse).read_table("documents")
    assert {"duplicate_group", "duplicate_similarity"} <= set(documents.columns)
    assert documents["duplicate_group"].isna().all()  # the seeds are five different articles


def test_bad_threshold_is_refused():
    with pytest.raises(ValueError):
        group_near_duplicates(pd.DataFrame({"doc_id": [], "text": []}), threshold=0)


def test_cached_signatures_give_the_same_groups_and_are_what_is_compared(seed_articles):
    rng = random.Random(3)
    rows = [*seed_articles[["doc_id", "text"]].itertuples(index=False)]
    rows += [(f"edit{n}", _rewrite(text, rng, 0.01)) for n, (_, text) in enumerate(rows)]
    articles = pd.DataFrame(rows, columns=["doc_id", "text"])
    signatures = {d: minhash(t).hashvalues for d, t in zip(articles["doc_id"], articles["text"])}
    fresh = group_near_duplicates(articles)
    pd.testing.assert_frame_equal(group_near_duplicates(articles, signatures=signatures), fresh)
    # a signature is trusted as given: the wrong one (another article's) breaks that edit's group
    signatures["edit0"] = signatures[articles["doc_id"][1]]
    assert group_near_duplicates(articles, signatures=signatures)["duplicate_group"].iloc[5] != fresh["duplicate_group"].iloc[5]


def test_signature_cache_keeps_signatures_by_text_and_drops_other_settings(tmp_path):
    stale = tmp_path / "_cache" / "minhash" / "perm64-words3-seed9-legacy"
    stale.mkdir(parents=True)
    cache = SignatureCache(tmp_path)
    one, two = minhash("Jeremy Corbyn met the JLM").hashvalues, minhash("Labour MPs met in London").hashvalues
    cache.store("run1", {text_key("a"): one})
    cache.store("run2", {text_key("b"): two})
    cache.store("run3", {})  # nothing new: no file
    loaded = cache.load({text_key("a"), text_key("b"), text_key("c")})
    assert set(loaded) == {text_key("a"), text_key("b")}
    assert (loaded[text_key("a")] == one).all() and (loaded[text_key("b")] == two).all()
    assert not stale.exists() and len(list(cache.folder.glob("*.npz"))) == 2


def test_a_rerun_hashes_only_new_text(tmp_path):
    inputs, warehouse = tmp_path / "in", tmp_path / "wh"
    shutil.copytree(SEEDS, inputs)
    folder = SignatureCache(warehouse).folder
    run_cli("run", "--input", str(inputs), "--warehouse", str(warehouse), "--quiet")
    run_cli("run", "--input", str(inputs), "--warehouse", str(warehouse), "--quiet")
    assert len(list(folder.glob("*.npz"))) == 1  # the second run reused all five
    added = inputs / "zz_new.txt"
    added.write_text("Labour MPs met in London on Tuesday.\n\nThey said little afterwards.\n", encoding="utf-8")
    run_cli("run", "--input", str(inputs), "--warehouse", str(warehouse), "--quiet")
    newest = max(folder.glob("*.npz"))
    with np.load(newest) as stored:
        assert len(stored["keys"]) == 1

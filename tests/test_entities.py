"""Entities on the seeds and on short real-text cases: mentions, in-document
resolution, cross-document ids, id stability between versions."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from conftest import SEEDS, run_cli
from pipeline.entities import extract_entities
from pipeline.entity_ids import assign_ids, docs_from_assignment, docs_from_mentions
from pipeline.linking import DocCluster, link_clusters
from pipeline.mentions import find_mentions
from pipeline.nlp import load_pipeline
from pipeline.resolution import name_key, near_miss, near_miss_pairs, resolve_document
from pipeline.warehouse import Warehouse

# Everyone and every organisation the seeds name, with the type they must get.
SEED_PEOPLE = [
    "Jeremy Corbyn", "Ruth Smeeth", "Margaret Hodge", "Stella Creasy", "Barry Gardiner", "Stephen Doughty",
    "Rachel Reeves", "Jennie Formby", "Tom Watson", "Jonathan Arkush", "Jonathan Goldstein", "Wes Streeting",
    "John Mann", "Sadiq Khan", "Theresa May", "Valerie Vaz", "Kalen Ockerman", "Ken Livingstone", "Jackie Walker",
    "Marc Wadsworth", "Shami Chakrabarti", "Berger",
]
SEED_ORGANISATIONS = [
    "Labour Party", "Jewish Labour Movement", "Jewish Leadership Council", "Board of Deputies of British Jews",
    "Parliamentary Labour Party", "Jewish News", "Momentum", "National Constitution Committee",
]


@pytest.fixture(scope="module")
def tables(seeds_warehouse):
    warehouse = Warehouse(seeds_warehouse)
    return {name: warehouse.read_table(name) for name in ("documents", "entities", "entity_mentions", "quotes")}


def entity(tables, name: str) -> pd.Series:
    rows = tables["entities"][tables["entities"]["name"] == name]
    assert len(rows) == 1, f"{name!r}: {len(rows)} entities named so; have {sorted(tables['entities']['name'])}"
    return rows.iloc[0]


@pytest.mark.parametrize("name", SEED_PEOPLE)
def test_every_person_in_the_seeds_is_found_as_a_person(tables, name):
    assert entity(tables, name)["type"] == "PERSON"


@pytest.mark.parametrize("name", SEED_ORGANISATIONS)
def test_every_organisation_in_the_seeds_is_found_as_an_organisation(tables, name):
    assert entity(tables, name)["type"] == "ORG"


def test_all_corbyn_forms_are_one_entity_in_all_five_seeds(tables):
    corbyn = entity(tables, "Jeremy Corbyn")
    assert corbyn["n_docs"] == 5
    assert {"Jeremy Corbyn", "Mr Corbyn", "Corbyn", "Jeremy", "the Labour leader"} <= set(corbyn["aliases"])
    mentions = tables["entity_mentions"]
    forms = mentions[mentions["text"].isin(["Corbyn", "Mr Corbyn", "Jeremy Corbyn"])]
    assert (forms["entity_id"] == corbyn["entity_id"]).all()
    assert corbyn["entity_id"] not in set(tables["entities"].query("name != 'Jeremy Corbyn'")["entity_id"])


@pytest.mark.parametrize("name, forms", [
    ("Jewish Labour Movement", {"JLM", "Jewish Labour Movement"}),
    ("Jewish Leadership Council", {"JLC", "Jewish Leadership Council"}),
    ("Board of Deputies of British Jews", {"Board of Deputies", "Board of Deputies of British Jews", "Board"}),
    ("Parliamentary Labour Party", {"PLP", "Parliamentary Labour Party"}),
    ("Labour Party", {"Labour", "Labour Party"}),
])
def test_acronyms_and_short_forms_resolve_within_and_across_seeds(tables, name, forms):
    org = entity(tables, name)
    assert forms <= set(org["aliases"])
    mentions = tables["entity_mentions"]
    assert set(mentions[mentions["text"].isin(forms)]["entity_id"]) == {org["entity_id"]}


def test_misspelling_is_resolved_with_a_recorded_lower_confidence(tables):
    mentions = tables["entity_mentions"]
    paole = mentions[mentions["text"] == "Paole Zion"].iloc[0]
    poale = mentions[mentions["text"] == "Poale Zion"].iloc[0]
    assert paole["entity_id"] == poale["entity_id"]
    assert paole["resolution"] == "near_miss" and paole["confidence"] < poale["confidence"] == 1.0
    assert entity(tables, "Poale Zion")["entity_id"] == poale["entity_id"]  # the spelling used first wins


def test_mention_offsets_index_the_document_text(tables):
    texts = dict(zip(tables["documents"]["doc_id"], tables["documents"]["text"]))
    mentions = tables["entity_mentions"]
    assert len(mentions) > 150
    for row in mentions.itertuples():
        assert texts[row.doc_id][row.start_char:row.end_char] == row.text


def test_entity_counts_agree_with_mentions(tables):
    counts = tables["entity_mentions"].groupby("entity_id").agg(n=("mention_id", "size"), d=("doc_id", "nunique"))
    merged = tables["entities"].join(counts, on="entity_id")
    assert (merged["n"] == merged["n_mentions"]).all() and (merged["d"] == merged["n_docs"]).all()


def test_the_index_of_the_seeds_leads_with_what_they_are_about(tables):
    top = list(tables["entities"].sort_values("n_mentions", ascending=False)["name"].head(8))
    assert {"Jeremy Corbyn", "Labour Party", "Jewish Labour Movement", "Jewish Leadership Council",
            "Board of Deputies of British Jews"} <= set(top)


def test_quote_speakers_point_at_entities(tables):
    quotes, corbyn = tables["quotes"], entity(tables, "Jeremy Corbyn")
    by_corbyn = quotes[quotes["speaker_entity_id"] == corbyn["entity_id"]]
    assert len(by_corbyn) >= 15
    assert (by_corbyn["speaker"] == "Jeremy Corbyn").all()
    # "he added" and "Mr Corbyn said" both resolve to him
    texts = dict(zip(tables["documents"]["doc_id"], tables["documents"]["text"]))
    said_by = {texts[r.doc_id][int(r.speaker_start_char):int(r.speaker_end_char)] for r in by_corbyn.itertuples()}
    assert {"he", "Mr Corbyn"} <= said_by
    spokesman = quotes[quotes["speaker"] == "A JLM spokesman"]
    assert len(spokesman) and spokesman["speaker_entity_id"].isna().all()
    assert set(spokesman["speaker_affiliation_entity_id"]) == {entity(tables, "Jewish Labour Movement")["entity_id"]}


# -- mentions and resolution on short real sentences -----------------------------------------------------
@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def clusters_of(nlp, text: str) -> dict[str, set[str]]:
    doc = nlp(text)
    resolved, clusters = resolve_document(doc, find_mentions(doc))
    found: dict[str, set[str]] = {}
    for r in resolved:
        found.setdefault(clusters[r.cluster].name, set()).add(doc[r.mention.start:r.mention.end].text)
    return found


@pytest.mark.parametrize("words, key", [
    (["Jeremy", "Corbyn"], "jeremy corbyn"),
    ([" Theresa", "May "], "theresa may"),
    (["Mr.", "O’Neill"], "mr o'neill"),  # dots and the curly apostrophe go, as in ASCII text
    (["Sinn", "Féin"], "sinn fein"),  # accents go: an article without them names the same party
    (["ANDRÉ", "Gide "], "andre gide"),
    (["Zoë", "Ball"], "zoe ball"),
])
def test_name_keys_ignore_case_accents_dots_and_apostrophe_style(words, key):
    assert name_key(words) == key


def test_acronym_defined_in_brackets_links_later_uses(nlp):
    found = clusters_of(nlp, "Jeremy Corbyn has told the Jewish Labour Movement (JLM) it is his wish. "
                             "A JLM spokesman said the offer was rebuffed. JLM members will meet in London.")
    assert found["Jewish Labour Movement"] == {"Jewish Labour Movement", "JLM"}


def test_acronym_then_expansion_in_square_brackets(nlp):
    found = clusters_of(nlp, "He spoke about engaging with JLM at the PLP [Parliamentary Labour Party] on Monday.")
    assert found["Parliamentary Labour Party"] == {"PLP", "Parliamentary Labour Party"}


def test_title_and_surname_join_the_full_name_and_titles_of_both_genders_stay_apart(nlp):
    found = clusters_of(nlp, "Michael Howard's wife, Sandra, will campaign. Mrs Howard will visit seats. "
                             "Mr Howard will host a news conference, Liam Fox said. Mr Fox said Mrs Howard was ready.")
    assert {"Liam Fox", "Mr Fox"} <= found["Liam Fox"]
    assert not any({"Mr Howard", "Mrs Howard"} <= forms for forms in found.values())


def test_first_name_with_title_joins_the_full_name(nlp):
    found = clusters_of(nlp, "Sir Alan Budd's inquiry linked the minister to the claim. "
                             "People would be mystified why Sir Alan's inquiry failed, Mark Oaten said.")
    budd = next(forms for forms in found.values() if "Sir Alan Budd" in forms)
    assert "Sir Alan" in budd


def test_role_description_joins_the_person_the_article_ties_it_to(nlp):
    found = clusters_of(nlp, "Labour leader Jeremy Corbyn wrote to the group. "
                             "The Labour leader added that he was saddened by the news.")
    assert "The Labour leader" in found["Jeremy Corbyn"]


def mention_texts(nlp, text: str) -> dict[str, str]:
    doc = nlp(text)
    return {doc[m.start:m.end].text: m.label for m in find_mentions(doc)}


def repaired(nlp, text: str, ner: list[tuple[str, str]]) -> dict[str, str]:
    """find_mentions on `text` parsed by the model, with the NER output fixed
    to `ner` (surface, label) so each repair is tested on a known mistake."""
    from spacy.tokens import Span

    doc = nlp(text)
    spans = []
    for surface, label in ner:
        start = text.index(surface)
        span = doc.char_span(start, start + len(surface))
        spans.append(Span(doc, span.start, span.end, label))
    doc.ents = spans
    return {doc[m.start:m.end].text: m.label for m in find_mentions(doc)}


def test_repairs_fix_the_models_known_mistakes(nlp):
    found = repaired(
        nlp, "Former Labour MP Ruth Smeeth said the anti-Semitism row hurt. Tories accuse Labour of spin. "
             "Whether Jewish groups agree is unclear, said Leader Valerie Vaz and Mr Corbyn.",
        [("Former Labour", "ORG"), ("anti-Semitism", "MISC"), ("Tories accuse Labour", "ORG"), ("Whether", "PERSON"),
         ("Jewish", "MISC"), ("Leader Valerie Vaz", "PERSON"), ("Corbyn", "ORG"), ("Ruth Smeeth", "PERSON")])
    assert found["Labour"] == "ORG" and "Former Labour" not in found
    assert not any("Semitism" in text for text in found)  # the tail of a hyphenated word is no name
    assert found["Tories"] == "ORG" and "Tories accuse Labour" not in found
    assert "Whether" not in found
    assert found["Jewish"] == "NORP"
    assert found["Valerie Vaz"] == "PERSON"
    assert found["Mr Corbyn"] == "PERSON"  # title folded in, retyped from ORG


def test_a_one_word_person_before_an_affiliation_and_a_name_is_an_organisation(nlp):
    found = repaired(nlp, "Controversial former Momentum activist Jackie Walker spoke. "
                          "Corbyn supporter Jon Lansman said nothing, and Jeremy Corbyn was away.",
                     [("Momentum", "PERSON"), ("Jackie Walker", "PERSON"), ("Jeremy Corbyn", "PERSON"),
                      ("Corbyn", "PERSON"), ("Jon Lansman", "PERSON")])
    assert found["Momentum"] == "ORG" and found["Jackie Walker"] == "PERSON"
    assert found["Corbyn"] == "PERSON"  # the article names Jeremy Corbyn


def test_two_names_joined_by_and_split_only_when_each_stands_alone_elsewhere(nlp):
    text = ("The JLM voted on its link with Labour. Ruth Smeeth spoke of the link between the JLM and Labour. "
            "Marks and Spencer said nothing.")
    found = repaired(nlp, text, [("JLM", "ORG"), ("Labour", "ORG"), ("JLM and Labour", "ORG"),
                                 ("Marks and Spencer", "ORG")])
    assert "JLM and Labour" not in found and found["JLM"] == "ORG" and found["Labour"] == "ORG"
    assert found["Marks and Spencer"] == "ORG"


def test_a_name_tagged_once_is_a_mention_wherever_it_recurs(nlp):
    doc = nlp("Kalen Ockerman painted the mural in 2012. Ockerman later said it was about class.")
    texts = [doc[m.start:m.end].text for m in find_mentions(doc)]
    assert texts.count("Ockerman") == 1 and "Kalen Ockerman" in texts


def test_near_miss_needs_one_typo_in_a_long_word():
    assert near_miss("poale zion", "paole zion")
    assert not near_miss("john smith", "joan smith")  # short word: could be two people
    assert not near_miss("gordon brown", "gordon bowen")  # two edits
    assert not near_miss("zion", "zoin")  # one word: not enough context
    assert near_miss_pairs(["poale zion", "paole zion", "tony blair", "tony blain", "david blair", "labour"]) == [
        ("paole zion", "poale zion"), ("tony blain", "tony blair")]


# -- corpus linking and stable ids -------------------------------------------------------------------------
def cluster(doc_id, label, name, keys, n=1):
    return DocCluster(doc_id, 0, label, name, name.lower(), tuple(sorted(set(keys))), n)


def test_surname_links_across_documents_only_when_one_person_has_it():
    entities, assignment = link_clusters([
        cluster("a", "PERSON", "Luciana Berger", {"luciana berger", "berger"}),
        cluster("b", "PERSON", "Berger", {"berger"}),
        cluster("c", "PERSON", "Tony Blair", {"tony blair"}),
        cluster("d", "PERSON", "Cherie Blair", {"cherie blair"}),
        cluster("e", "PERSON", "Blair", {"blair"}),
    ])
    names = [e.name for e in entities]
    assert names[assignment[("b", 0)][0]] == "Luciana Berger" and assignment[("b", 0)][1] == "surname"
    assert names[assignment[("e", 0)][0]] == "Blair"  # two Blairs: no guess


def test_ids_survive_a_longer_name_and_record_merges_and_splits():
    previous = pd.DataFrame([
        {"entity_id": "E000000000000001", "name": "Corbyn", "type": "PERSON", "aliases": ["Corbyn"], "n_mentions": 3},
        {"entity_id": "E000000000000002", "name": "JLM", "type": "ORG", "aliases": ["JLM"], "n_mentions": 2},
        {"entity_id": "E000000000000003", "name": "Jewish Labour Movement", "type": "ORG",
         "aliases": ["Jewish Labour Movement"], "n_mentions": 5},
        {"entity_id": "E000000000000004", "name": "Labour Party", "type": "ORG",
         "aliases": ["Labour", "Labour Party", "Labour Friends"], "n_mentions": 9},
    ])
    entities, _ = link_clusters([
        cluster("a", "PERSON", "Jeremy Corbyn", {"jeremy corbyn", "corbyn"}, 4),
        cluster("a", "ORG", "Jewish Labour Movement", {"jewish labour movement", "jlm"}, 6),
        cluster("b", "ORG", "Labour Party", {"labour party", "labour"}, 8),
        cluster("c", "ORG", "Labour Friends", {"labour friends"}, 1),
    ])
    ids, changes = assign_ids(entities, previous)
    by_name = dict(zip([e.name for e in entities], ids))
    assert by_name["Jeremy Corbyn"] == "E000000000000001"
    assert by_name["Jewish Labour Movement"] == "E000000000000003"
    assert by_name["Labour Party"] == "E000000000000004"
    assert by_name["Labour Friends"] not in previous["entity_id"].tolist()
    recorded = {(c.change, c.previous_entity_id, c.entity_id) for c in changes.itertuples()}
    assert ("renamed", "E000000000000001", "E000000000000001") in recorded
    assert ("merged", "E000000000000002", "E000000000000003") in recorded
    assert ("split", "E000000000000004", by_name["Labour Friends"]) in recorded


def test_ids_do_not_move_between_entities_that_are_still_there():
    """Two Blairs keep a bare "Blair" apart; "Tony Blair" (more mentions,
    processed first) must not take the "Blair" id as a related name while
    "Blair" itself is still an entity, whatever order the clusters come in.
    (It did, so the ids of such names flipped at every run.)"""
    clusters = [
        cluster("a", "PERSON", "Tony Blair", {"tony blair", "blair"}, 5),
        cluster("b", "PERSON", "Cherie Blair", {"cherie blair", "blair"}, 2),
        cluster("c", "PERSON", "Blair", {"blair"}, 1),
        cluster("d", "PERSON", "Walker", {"walker"}, 1),
        cluster("e", "PERSON", "Walker", {"walker"}, 1),
    ]

    def version(clusters, previous=None, previous_mentions=None):
        entities, assignment = link_clusters(clusters)
        ids, changes = assign_ids(entities, previous, docs_from_assignment(assignment),
                                  docs_from_mentions(previous_mentions))
        table = pd.DataFrame({"entity_id": ids, "name": [e.name for e in entities],
                              "type": [e.label for e in entities], "aliases": [[e.name] for e in entities],
                              "n_mentions": [e.n_mentions for e in entities]})
        mentions = pd.DataFrame([(ids[e], doc_id) for (doc_id, _), (e, _, _) in assignment.items()],
                                columns=["entity_id", "doc_id"])
        return table, mentions, changes

    first, first_mentions, _ = version(clusters)
    assert sorted(first["name"]) == ["Blair", "Cherie Blair", "Tony Blair", "Walker"]
    for reordered in (clusters, clusters[::-1], clusters[3:] + clusters[:3]):
        again, again_mentions, changes = version(reordered, first, first_mentions)
        assert changes.empty
        assert set(zip(again_mentions["doc_id"], again_mentions["entity_id"])) == \
            set(zip(first_mentions["doc_id"], first_mentions["entity_id"]))


def test_ids_are_stable_when_articles_are_added(tmp_path):
    corpus = tmp_path / "in"
    shutil.copytree(SEEDS, corpus)
    warehouse = tmp_path / "wh"
    run_cli("run", "--input", str(corpus), "--warehouse", str(warehouse))
    first = Warehouse(warehouse).read_table("entities")
    run_cli("run", "--input", str(corpus), "--warehouse", str(warehouse))
    again = Warehouse(warehouse).read_table("entities")
    assert first.set_index("entity_id")["name"].to_dict() == again.set_index("entity_id")["name"].to_dict()
    assert Warehouse(warehouse).read_table("entity_changes").empty
    (corpus / "new.txt").write_text(
        "Corbyn meets Board of Deputies\n\nMr Corbyn met the Board of Deputies on Monday, Sir Keir Starmer said. "
        "Keir Starmer added that the Jewish Leadership Council (JLC) had asked for the meeting.\n",
        encoding="utf-8")
    run_cli("run", "--input", str(corpus), "--warehouse", str(warehouse))
    grown = Warehouse(warehouse).read_table("entities").set_index("name")
    kept = first.set_index("name")
    for name in ["Jeremy Corbyn", "Board of Deputies of British Jews", "Jewish Leadership Council", "Labour Party"]:
        assert grown.loc[name, "entity_id"] == kept.loc[name, "entity_id"], name
    assert grown.loc["Jeremy Corbyn", "n_docs"] == 6
    assert grown.loc["Keir Starmer", "type"] == "PERSON" and "Keir Starmer" not in kept.index


def test_no_articles_gives_empty_tables():
    mentions, entities, changes = extract_entities(iter(()))
    assert mentions.empty and entities.empty and changes.empty

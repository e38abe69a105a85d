"""Events on the seeds and on short real sentences: triggers, CAMEO roots,
arguments resolved to entities, modality, one event per repeated action."""

from __future__ import annotations


import pandas as pd
import pytest

from conftest import load_benchmark
from pipeline.entities import extract_entities
from pipeline.events import extract_events
from pipeline.nlp import load_pipeline
from pipeline.warehouse import Warehouse


@pytest.fixture(scope="module")
def tables(seeds_warehouse):
    warehouse = Warehouse(seeds_warehouse)
    return {name: warehouse.read_table(name) for name in ("documents", "events", "event_mentions", "entities")}


def in_doc(tables, prefix: str) -> pd.DataFrame:
    docs = tables["documents"]
    doc_id = docs[docs["source_file"].str.startswith(prefix)]["doc_id"].iloc[0]
    return tables["events"][tables["events"]["doc_id"] == doc_id]


def test_corbyns_letter_is_one_statement_event_to_the_jlm(tables):
    events = in_doc(tables, "000")
    letter = events[(events["cameo_root"] == "01") & (events["agent"] == "Jeremy Corbyn")]
    assert len(letter) == 1
    row = letter.iloc[0]
    assert row["target"] == "Jewish Labour Movement" and row["n_mentions"] >= 2
    assert row["agent_entity_id"] in set(tables["entities"]["entity_id"])


def test_the_jlm_meetings_carry_time_and_place(tables):
    events = in_doc(tables, "000")
    meetings = events[events["trigger"] == "meetings"].iloc[0]
    assert meetings["event_type"] == "CONSULT"
    assert meetings["time_text"] == "on Wednesday night" and meetings["location"] == "London"


def test_the_planned_protest_is_flagged_hypothetical(tables):
    events = in_doc(tables, "003")
    protest = events[events["cameo_root"] == "14"].iloc[0]
    assert protest["hypothetical"] and protest["location"] == "outside Parliament"
    assert protest["time_text"] == "later today"


def test_every_event_mention_points_at_its_event(tables):
    counts = tables["event_mentions"].groupby("event_id").size()
    assert (tables["events"].set_index("event_id")["n_mentions"] == counts).all()


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def events_of(nlp, text: str) -> pd.DataFrame:
    doc = nlp(text)
    mentions, entities, _ = extract_entities([("d", doc)])
    events, _ = extract_events([("d", doc)], mentions, entities)
    return events.set_index("trigger")


def test_a_refusal_happened_and_what_was_refused_did_not(nlp):
    events = events_of(nlp, "The Jewish Labour Movement refused to meet Jeremy Corbyn on Monday.")
    assert events.loc["refused", "event_type"] == "REJECT" and not events.loc["refused", "negated"]
    assert events.loc["meet", "negated"]
    assert events.loc["refused", "agent"] == "Jewish Labour Movement"


def test_plans_and_modals_are_hypothetical_and_kept(nlp):
    events = events_of(nlp, "Jeremy Corbyn will meet the Board of Deputies. The group is planning a protest "
                            "outside Parliament. Labour MPs protested on Monday.")
    assert events.loc["meet", "hypothetical"] and events.loc["protest", "hypothetical"]
    assert not events.loc["protested", "hypothetical"] and events.loc["protested", "time_text"] == "on Monday"


def test_said_is_not_an_event_but_urged_is(nlp):
    events = events_of(nlp, "Valerie Vaz said the leader should go. Valerie Vaz urged Jeremy Corbyn to attend.")
    assert "said" not in events.index
    assert events.loc["urged", "event_type"] == "APPEAL" and events.loc["urged", "target"] == "Jeremy Corbyn"


def test_no_plans_for_someone_to_act_is_their_negated_hypothetical_event(nlp):
    events = events_of(nlp, "Labour campaign chiefs say there are no plans for Tony Blair to hold a daily news "
                            "conference.")
    row = events.loc["conference"]
    assert row["agent"] == "Tony Blair" and row["hypothetical"] and row["negated"]


def test_a_sorry_speaker_apologises_and_a_legal_challenge_is_an_event(nlp):
    events = events_of(nlp, "Jeremy Corbyn said he was sincerely sorry for the hurt. Pro-hunt supporters "
                            "formally launched their second legal challenge to the ban in the High Court.")
    assert events.loc["sorry", "cameo_root"] == "05" and events.loc["sorry", "agent"] == "Jeremy Corbyn"  # 055 apologise
    assert events.loc["challenge", "cameo_root"] == "11"


@pytest.fixture(scope="module")
def evaluation():
    return load_benchmark("eval_events")


def test_event_floor_on_the_seed_gold(evaluation):
    scores = evaluation.evaluate(include_bbc=False)
    assert scores["f1"] >= 0.62 and scores["root_accuracy"] >= 0.90, scores


def test_event_floor_on_the_whole_gold(evaluation, shared_data):
    scores = evaluation.evaluate()
    assert scores["f1"] >= 0.70 and scores["root_accuracy"] >= 0.90, scores

"""`goodword people erase`: nothing of the person's words, handle or id stays in any table,
linked identities included; counters, caps and the report still add up; the erasure is
recorded without saying whom; running it again is safe."""

from __future__ import annotations

import json
from typing import Any

from goodword.aws.claims_table import ClaimsTable
from goodword.aws.state_table import StateTable
from goodword.claims.hashing import address_hash, email_hash
from goodword.claims.records import Claimant
from goodword.events import Event, EventKind
from tests.conftest import Aws
from tests.contract.test_claim_store import FAN, KEY, NOW, Setup, claim_for
from tests.functional.test_cli import goodword, goodword_json, store
from tests.functional.test_people_links import IG_BRAND, on_instagram
from tests.functional.test_pipeline import BRAND, FLAGSHIP, POSITIVE, decisions, event, put_rules, run, work

WHO = "erase-me-7731"
SAID = "@roaster zanzibar espresso is the best thing I ever tasted, thank you!"


def everything(aws: Aws) -> str:
    return json.dumps(
        {name: aws.dynamodb.scan(TableName=table, ConsistentRead=True)["Items"] for name, table in aws.tables.items()},
        default=str,
    )


def caps(aws: Aws) -> list[Any]:
    found = aws.dynamodb.scan(TableName=aws.tables["StateTable"], ConsistentRead=True)["Items"]
    return sorted((i["pk"]["S"], i["sk"]["S"], i["count"]["N"]) for i in found if i["pk"]["S"].startswith("CAP#"))


def test_erasing_a_person_leaves_counts_and_nothing_of_them(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, FLAGSHIP)
    theirs = [event(SAID, author=WHO, post="e1"), event("zanzibar again, so good", author=WHO, post="e2")]
    on_ig = on_instagram("zanzibar on instagram too", f"{WHO}-ig", "e3", kind=EventKind.MENTION)
    someone_else = event(POSITIVE, author="keep-me", post="e4")
    store(aws, *theirs, on_ig, someone_else)
    run(pipeline, lambda_context, *theirs, on_ig, someone_else)
    assert goodword(aws, "people", "link", f"x:{BRAND}:{WHO}", f"instagram:{IG_BRAND}:{WHO}-ig")[0] == 0
    assert goodword(aws, "judgement", "feedback", theirs[0].event_id, "--praise")[0] == 0  # an example with their text
    before = goodword_json(aws, "report", "--since", "1d")
    offers_before = len(work(aws, "offer_sample"))
    caps_before = caps(aws)
    assert caps_before  # the flagship's daily, weekly and total caps counted the sample
    assert WHO in everything(aws) and "zanzibar" in everything(aws)

    erased = goodword_json(aws, "people", "erase", f"x:{BRAND}:{WHO}")
    assert (erased["identities"], erased["events"]) == (2, 3)
    assert erased["work"] >= 1 and erased["state_items"] > 0

    left = everything(aws)
    assert WHO not in left and "zanzibar" not in left  # no words, handle or id, in any table
    assert "keep-me" in left  # someone else is untouched
    after = goodword_json(aws, "report", "--since", "1d")
    assert after["totals"]["events"] == before["totals"]["events"]
    assert after["totals"]["offers"] == before["totals"]["offers"] and len(work(aws, "offer_sample")) == offers_before
    assert caps(aws) == caps_before
    erasures = [i for i in json.loads(left)["StateTable"] if i["pk"]["S"].startswith("ERASURE#")]
    assert len(erasures) == 1 and erasures[0]["events"]["N"] == "3"

    code, output = goodword(aws, "people", "erase", f"x:{BRAND}:{WHO}", "--yes")  # again: nothing more, no error
    assert (code, "nothing left to erase" in output) == (0, True)
    assert everything(aws) == left


def decisions_of(aws: Aws, stored: Event) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = decisions(aws, stored)["decisions"]
    return found


def test_erase_finds_the_offer_after_its_decisions_expired(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, FLAGSHIP)
    praise = event(SAID, author=WHO, post="x1")
    store(aws, praise)
    run(pipeline, lambda_context, praise)
    (offer,) = work(aws, "offer_sample")
    assert offer["author_id"] == WHO
    decided = {"pk": {"S": f"EVENT#{praise.event_id}"}, "sk": {"S": "DECISIONS"}}
    aws.dynamodb.delete_item(TableName=aws.tables["EventsTable"], Key=decided)  # DecisionRetentionDays passed

    assert goodword_json(aws, "people", "erase", f"x:{BRAND}:{WHO}")["work"] == 1
    (offer,) = work(aws, "offer_sample")
    assert offer["person"] == "(erased)"
    assert not {"author_id", "author_handle", "message", "link_message", "claim_link", "claim_code"} & offer.keys()
    assert WHO not in everything(aws) and "zanzibar" not in everything(aws)


def test_a_stop_outlives_the_erasure_as_an_entry_that_names_nobody(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, FLAGSHIP)
    stop = event("@roaster stop messaging me", author=WHO, post="y1", kind=EventKind.REPLY)
    store(aws, stop)
    run(pipeline, lambda_context, stop)
    assert goodword(aws, "people", "erase", f"x:{BRAND}:{WHO}", "--yes")[0] == 0
    assert WHO not in everything(aws)

    praise = event(SAID, author=WHO, post="y2")  # they come back with glowing praise
    store(aws, praise)
    run(pipeline, lambda_context, praise, start=2)
    outcome = {d["rule_id"]: (d["outcome"], d["detail"]) for d in decisions_of(aws, praise)}[FLAGSHIP["id"]]
    assert outcome[0] == "refused" and outcome[1].startswith("opted_out: ") and "suppression entry" in outcome[1]
    assert work(aws, "offer_sample") == []

    assert goodword(aws, "people", "opt-in", f"x:{BRAND}:{WHO}")[0] == 0  # they ask to hear from the brand again
    assert goodword(aws, "people", "erase", f"x:{BRAND}:{WHO}", "--yes")[0] == 0  # and are erased, opted in
    again = event(SAID, author=WHO, post="y3")
    store(aws, again)
    run(pipeline, lambda_context, again, start=3)
    assert {d["rule_id"]: d["outcome"] for d in decisions_of(aws, again)}[FLAGSHIP["id"]] == "acted"


def test_every_command_reads_the_events_of_an_erased_person(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, FLAGSHIP)
    theirs, other = event(SAID, author=WHO, post="e1"), event(POSITIVE, author="keep-me", post="e2")
    store(aws, theirs, other)
    run(pipeline, lambda_context, theirs, other)
    assert goodword(aws, "people", "erase", f"x:{BRAND}:{WHO}", "--yes")[0] == 0
    decided_before = goodword_json(aws, "events", "show", theirs.event_id)["decisions"]["decisions"]

    code, listed = goodword(aws, "events", "list", "--since", "1d")
    assert code == 0 and "(erased)" in listed and "(ids only)" not in listed
    code, shown = goodword(aws, "events", "show", theirs.event_id)
    assert code == 0 and "by (erased)" in shown and "erased at" in shown
    backtest = goodword_json(aws, "rules", "backtest", "--since", "1d")
    assert (backtest["events"], backtest["events_erased"]) == (2, 1)
    code, printed = goodword(aws, "rules", "backtest", "--since", "1d")
    assert code == 0 and "1 of erased people left out" in printed
    code, tested = goodword(aws, "rules", "test", FLAGSHIP["id"], "--event", theirs.event_id)
    assert code == 0 and "by (erased)" in tested and "no author, text or profile facts left" in tested
    replayed = goodword_json(aws, "replay", "--since", "1d")
    assert (replayed["events"], replayed["erased"], replayed["failed"]) == (2, 1, [])
    assert goodword_json(aws, "events", "show", theirs.event_id)["decisions"]["decisions"] == decided_before  # kept as counted
    assert goodword_json(aws, "report", "--since", "1d")["totals"]["events"] == 2
    code, shown = goodword(aws, "people", "show", f"x:{BRAND}:keep-me")
    assert code == 0 and "keep-me" in shown


def test_erase_deletes_the_persons_claims_and_their_repeat_claimer_hashes(aws: Aws) -> None:
    claims = ClaimsTable(aws.tables["ClaimsTable"], aws.tables["StateTable"], aws.keys["ClaimsKey"])
    setup = Setup(claims, StateTable(aws.tables["StateTable"]))
    theirs = setup.offer(1, person=f"PERSON#x#{BRAND}#{WHO}", author_id=WHO)
    kept = setup.offer(2, person=f"PERSON#x#{BRAND}#keep-me", author_id="keep-me")
    assert claims.create(claim_for(theirs), NOW)
    assert claims.create(claim_for(kept, Claimant(name="Keep Me", email="keep@example.org")), NOW)

    erased = goodword_json(aws, "people", "erase", f"x:{BRAND}:{WHO}")
    assert (erased["claims"], erased["work"]) == (1, 1)
    assert claims.get(theirs.id) is None
    assert claims.earlier_claims(email_hash(KEY, FAN.email), address_hash(KEY, FAN)) == []  # no hash recognises them
    left = everything(aws)
    assert theirs.id not in json.dumps(json.loads(left)["ClaimsTable"])  # not the claim, not a pointer to it
    assert WHO not in left
    offer = setup.offer_now(theirs.key)
    assert (offer.claim_state, offer.person) == ("claimed", "(erased)")  # the report still counts a claimed offer
    still = claims.get(kept.id)
    assert still is not None and still.claimant is not None and still.claimant.name == "Keep Me"

    code, output = goodword(aws, "people", "erase", f"x:{BRAND}:{WHO}", "--yes")
    assert (code, "nothing left to erase" in output) == (0, True)

"""`goodword claims` and the report's outcome columns on moto (ClaimsTable with its KMS key):
`list` never prints a name, email or address; `show` decrypts them and says so; a person marks
a held claim fulfilled and is recorded, the move published with ids only; the report's figures
on a small set built by hand."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from click.testing import CliRunner

from goodword.aws import clients
from goodword.aws.state_table import StateTable
from goodword.claims.states import ClaimState
from goodword.events import Author, Event, EventKind, EventRefs, Platform
from goodword.work import WorkState
from goodword_cli import output
from goodword_cli.app import App
from goodword_cli.main import cli
from goodword_cli.target import Target
from tests.conftest import Aws
from tests.functional.test_expiry_schedule import FAN, NOW, claim_for, claims_table, offer, store
from tests.functional.test_pipeline import put_rules

PERSONAL = (FAN.name, FAN.email, "1 Bean St", "Lyon", "69001")


def target(aws: Aws) -> Target:
    return Target(
        "moto",
        aws.tables["EventsTable"],
        aws.tables["RulesTable"],
        aws.tables["StateTable"],
        aws.queues["ActionsQueue"],
        claims_table=aws.tables["ClaimsTable"],
        claims_key=aws.keys["ClaimsKey"],
        event_bus_name="GoodwordEventBus-test",
    )


def goodword(aws: Aws, *args: str) -> Any:
    return CliRunner(mix_stderr=False).invoke(cli, list(args), obj=App(_target=target(aws)), catch_exceptions=False)


def claimed(
    aws: Aws, number: int, to: ClaimState = ClaimState.CLAIMED, sent_days_ago: float = 5, hours_to_claim: float = 1
) -> str:
    record = offer(number, WorkState.SENT, timedelta(days=sent_days_ago), product_cost=6.5)
    store(aws, record)
    at = NOW - timedelta(days=sent_days_ago) + timedelta(hours=hours_to_claim)
    claims = claims_table(aws)
    assert claims.create(claim_for(record, at), at)
    if to is ClaimState.HELD:
        assert claims.move(record.id, ClaimState.CLAIMED, ClaimState.HELD, at, held_because="repeat_claimer")
    elif to is not ClaimState.CLAIMED:
        assert claims.move(record.id, ClaimState.CLAIMED, ClaimState.FULFILLED, at, fulfilled_at=at.isoformat())
        if to is ClaimState.REDEEMED:
            assert claims.move(record.id, ClaimState.FULFILLED, ClaimState.REDEEMED, at, redeemed_at=at.isoformat())
    return record.id


def test_the_list_shows_ids_states_and_times_and_nothing_personal(aws: Aws) -> None:
    first, held = claimed(aws, 1), claimed(aws, 2, ClaimState.HELD)
    result = goodword(aws, "claims", "list")
    assert result.exit_code == 0, result.output
    assert first[:8] in result.stdout and held[:8] in result.stdout and "repeat_claimer" in result.stdout
    listed = json.loads(goodword(aws, "claims", "list", "--json").stdout)["claims"]
    assert {c["id"]: c["state"] for c in listed} == {first: "claimed", held: "held"}
    assert all(set(c) <= {"id", "state", "rule_id", "rule_version", "platform", "fulfilment", "created_at", "updated_at",
                           "held_because", "fulfilment_attempts"} for c in listed)  # fmt: skip
    only_held = json.loads(goodword(aws, "claims", "list", "--state", "held", "--json").stdout)["claims"]
    assert [c["id"] for c in only_held] == [held]
    assert json.loads(goodword(aws, "claims", "list", "--rule", "another-rule", "--json").stdout)["claims"] == []
    for printed in (result.stdout, json.dumps(listed), result.stderr):
        assert not any(value in printed for value in PERSONAL), "no personal field in a list"


def test_show_decrypts_the_claimant_and_says_so(aws: Aws) -> None:
    claim_id = claimed(aws, 1)
    result = goodword(aws, "claims", "show", claim_id[:10])
    assert result.exit_code == 0, result.output
    assert all(value in result.stdout for value in PERSONAL)
    assert "decrypting the claimant" in result.stderr and "personal data" in result.stderr
    shown = json.loads(goodword(aws, "claims", "show", claim_id, "--json").stdout)
    assert shown["claimant"]["email"] == FAN.email and "email_hash" not in shown
    unclaimed = offer(9, WorkState.SENT, timedelta(days=1))
    store(aws, unclaimed)
    missing = goodword(aws, "claims", "show", unclaimed.id)
    assert missing.exit_code == 1 and "nobody has claimed it" in missing.stderr


def test_a_person_marks_a_held_claim_fulfilled_and_is_recorded(aws: Aws) -> None:
    held = claimed(aws, 1, ClaimState.HELD)
    with mock.patch.object(clients.events(), "put_events", wraps=clients.events().put_events) as put_events:
        result = goodword(aws, "claims", "mark-fulfilled", held)
    assert result.exit_code == 0, result.output + result.stderr
    assert f"claim {held}: held -> fulfilled, by " in result.stdout
    found = claims_table(aws).get(held)
    assert found is not None and found.state is ClaimState.FULFILLED
    assert found.fulfilled_by and found.fulfilled_at
    offer_record = StateTable(aws.tables["StateTable"]).get_work(f"OFFER#{held}")
    assert offer_record is not None and offer_record.claim_state == "fulfilled"
    ((entry,),) = [c.kwargs["Entries"] for c in put_events.call_args_list]
    detail = json.loads(entry["Detail"])
    assert (entry["DetailType"], detail["id"], detail["state"]) == ("Offer claim", f"{held}:fulfilled", "fulfilled")
    assert not any(value in entry["Detail"] for value in PERSONAL)

    again = goodword(aws, "claims", "mark-fulfilled", held)
    assert again.exit_code == 0 and "is fulfilled already" in again.stdout


def test_mark_fulfilled_refuses_what_cannot_be_fulfilled(aws: Aws) -> None:
    redeemed = claimed(aws, 1, ClaimState.REDEEMED)
    assert "is redeemed already" in goodword(aws, "claims", "mark-fulfilled", redeemed).stdout
    expired = offer(2, WorkState.SENT, timedelta(days=30))
    store(aws, expired)
    assert StateTable(aws.tables["StateTable"]).expire_offer(expired, NOW)
    refused = goodword(aws, "claims", "mark-fulfilled", expired.id)
    assert refused.exit_code == 1 and "it expired unclaimed" in refused.stderr


def test_a_person_refuses_a_held_repeat_claimer_and_is_recorded(aws: Aws) -> None:
    """A held repeat claimer has a way out that is not a shipment: refused, recording who."""
    held = claimed(aws, 1, ClaimState.HELD)
    with mock.patch.object(clients.events(), "put_events", wraps=clients.events().put_events) as put_events:
        result = goodword(aws, "claims", "refuse", held)
    assert result.exit_code == 0, result.output + result.stderr
    assert f"claim {held}: held -> refused, by " in result.stdout
    found = claims_table(aws).get(held)
    assert found is not None and found.state is ClaimState.REFUSED and found.refused_by
    offer_record = StateTable(aws.tables["StateTable"]).get_work(f"OFFER#{held}")
    assert offer_record is not None and offer_record.claim_state == "refused"
    ((entry,),) = [c.kwargs["Entries"] for c in put_events.call_args_list]
    assert json.loads(entry["Detail"])["state"] == "refused"
    assert "is refused already" in goodword(aws, "claims", "refuse", held).stdout
    fulfilled = claimed(aws, 2, ClaimState.FULFILLED)
    refused = goodword(aws, "claims", "refuse", fulfilled)
    assert refused.exit_code == 1 and "only a held or failed claim can be refused" in refused.stderr


def mention_after(aws: Aws, number: int, days_ago: float) -> None:
    """The fan mentions the brand again."""
    event = Event(
        platform=Platform.X,
        kind=EventKind.MENTION,
        natural_id=f"later-{number}-{days_ago}",
        brand_account="brand",
        occurred_at=NOW - timedelta(days=days_ago),
        received_at=NOW - timedelta(days=days_ago),
        source="x",
        author=Author(id=f"p{number}", handle=f"fan{number}"),
        text="still loving it",
        refs=EventRefs(post_id=f"later{number}"),
    )
    StateTable(aws.tables["StateTable"]).record_event(event, True, NOW - timedelta(days=days_ago))


def test_the_report_says_what_became_of_the_offers(aws: Aws, tmp_path: Any) -> None:
    put_rules(aws)
    claimed(aws, 1, ClaimState.REDEEMED, hours_to_claim=2)
    claimed(aws, 2, ClaimState.FULFILLED, hours_to_claim=6)
    claimed(aws, 3, ClaimState.HELD, hours_to_claim=30)
    never = offer(4, WorkState.SENT, timedelta(days=20))
    waiting = offer(5, WorkState.SENT, timedelta(days=1))
    store(aws, never, waiting)
    assert StateTable(aws.tables["StateTable"]).expire_offer(never, NOW)
    mention_after(aws, 1, 1)
    mention_after(aws, 1, 0.5)
    mention_after(aws, 4, 10)  # an expired offer's fan spoke again too

    report = json.loads(goodword(aws, "report", "--since", "30d", "--json").stdout)
    row = report["rules"]["short-window-sample"]
    assert (row["sent"], row["claims"], row["claim_rate"]) == (5, 3, 0.6)
    assert row["median_hours_to_claim"] == 6.0
    assert (row["fulfilled"], row["redeemed"], row["held_repeat_claimers"], row["expired"]) == (2, 1, 1, 1)
    assert row["product_cost"] == 13.0
    assert (row["fans_said_more"], row["later_mentions"]) == (2, 3)

    human = goodword(aws, "report", "--since", "30d", "--chart", str(tmp_path / "r.png"))
    assert human.exit_code == 0, human.output
    assert "Per rule: what became of the offers sent" in human.stdout
    assert "60%" in human.stdout and "6.0 h" in human.stdout and "13.00" in human.stdout
    assert "3 claimed (60% of those sent), 2 fulfilled, gifts cost 13.00" in " ".join(human.stdout.split())
    assert not any(value in human.stdout for value in PERSONAL)


@pytest.mark.parametrize("command", [("claims", "list"), ("claims", "show", "0" * 32), ("claims", "mark-fulfilled", "0" * 32)])
def test_a_stack_without_claims_says_so(aws: Aws, command: tuple[str, ...]) -> None:
    old = Target("moto", aws.tables["EventsTable"], aws.tables["RulesTable"], aws.tables["StateTable"], "queue")
    result = CliRunner(mix_stderr=False).invoke(cli, list(command), obj=App(_target=old))
    assert result.exit_code == 2 and "has no claims table" in result.stderr


def test_the_claims_tables_fit_a_100_column_terminal(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output.console, "width", 100)
    put_rules(aws)
    ids = [claimed(aws, 1, ClaimState.REDEEMED), claimed(aws, 2, ClaimState.HELD)]
    for args, whole in (
        (("claims", "list"), [i[:8] for i in ids] + ["short-window-sample", "redeemed", "held"]),
        (("report", "--since", "30d"), ["short-window-sample", "claim rate", "gifts cost", "1.0 h"]),
    ):
        result = goodword(aws, *args)
        assert result.exit_code == 0, result.output
        wide = [line for line in result.stdout.splitlines() if len(line) > 100]
        assert not wide, f"{' '.join(args)}: {len(wide)} line(s) over 100 columns:\n" + "\n".join(wide)
        assert not [t for t in whole if t not in result.stdout], result.stdout

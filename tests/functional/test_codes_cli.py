"""goodword codes upload FILE --rule RULE, on moto: codes into a code_pool rule's pool (new
ones counted, duplicates not added twice), refused for an unknown rule or another fulfilment,
and claims held for want of codes sent back to fulfilment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from goodword.aws.claims_table import ClaimsTable
from goodword.aws.state_table import StateTable
from goodword.claims.codes import CodeFileError, read_codes
from goodword.claims.records import FulfilmentKind
from goodword.claims.states import ClaimState
from goodword_cli.app import App
from goodword_cli.main import cli
from goodword_cli.target import Target
from tests.conftest import Aws
from tests.contract.test_claim_store import NOW, Setup, claim_for
from tests.functional.test_pipeline import put_rules

POOLED: dict[str, Any] = {
    "id": "bag-codes",
    "name": "A code for a bag",
    "triggers": {"kinds": ["mention"]},
    "actions": [{"offer_sample": {"product": "Beans", "message": "Thanks! {claim_link}", "fulfilment": {"kind": "code_pool"}}}],
}
NOTIFIED: dict[str, Any] = {
    **POOLED,
    "id": "bag-by-post",
    "actions": [{"offer_sample": {"product": "Beans", "message": "Thanks! {claim_link}"}}],
}
TAGGING: dict[str, Any] = {**POOLED, "id": "tagging", "actions": [{"tag": {"label": "fan"}}]}


def goodword(aws: Aws, *args: str) -> tuple[int, str]:
    target = Target(
        "moto",
        aws.tables["EventsTable"],
        aws.tables["RulesTable"],
        aws.tables["StateTable"],
        aws.queues["ActionsQueue"],
        claims_table=aws.tables["ClaimsTable"],
        claims_key=aws.keys["ClaimsKey"],
        fulfilment_queue_url=aws.queues["FulfilmentQueue"],
    )
    result = CliRunner(mix_stderr=False).invoke(cli, list(args), obj=App(_target=target), catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


def codes_file(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "codes.txt"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_codes_are_added_once_and_the_command_says_how_many_were_new(aws: Aws, tmp_path: Path) -> None:
    put_rules(aws, POOLED)
    first = codes_file(tmp_path, "BAG-1", "BAG-2", "", "  BAG-3  ", "BAG-2")
    code, said = goodword(aws, "codes", "upload", first, "--rule", "bag-codes")
    assert code == 0, said
    assert "bag-codes: 3 new code(s), 1 duplicate(s) (already in the pool or repeated in the file); 3 code(s) left" in said
    again = codes_file(tmp_path, "BAG-3", "BAG-4")
    code, said = goodword(aws, "codes", "upload", again, "--rule", "bag-codes", "--json")
    assert code == 0 and json.loads(said) == {"rule": "bag-codes", "new": 1, "duplicates": 1, "left": 4, "released": 0}


def test_an_unknown_rule_or_a_rule_that_does_not_use_a_pool_is_refused(aws: Aws, tmp_path: Path) -> None:
    put_rules(aws, POOLED, NOTIFIED, TAGGING)
    path = codes_file(tmp_path, "BAG-1")
    code, said = goodword(aws, "codes", "upload", path, "--rule", "no-such-rule")
    assert code == 1 and "no rule 'no-such-rule'" in said
    code, said = goodword(aws, "codes", "upload", path, "--rule", "bag-by-post")
    assert code == 1 and "rule 'bag-by-post' fulfils claims with notify, not code_pool" in said
    code, said = goodword(aws, "codes", "upload", path, "--rule", "tagging")
    assert code == 1 and "rule 'tagging' makes no offer" in said
    code, said = goodword(aws, "codes", "upload", codes_file(tmp_path, "BAG 1"), "--rule", "bag-codes")
    assert code == 1 and "line 1: a code has no spaces or control characters inside" in said
    store = ClaimsTable(aws.tables["ClaimsTable"], aws.tables["StateTable"], aws.keys["ClaimsKey"])
    assert store.codes_left("bag-codes") == store.codes_left("bag-by-post") == 0  # nothing was added


def test_claims_held_for_want_of_codes_go_back_to_fulfilment(aws: Aws, tmp_path: Path) -> None:
    put_rules(aws, POOLED)
    setup = Setup(
        ClaimsTable(aws.tables["ClaimsTable"], aws.tables["StateTable"], aws.keys["ClaimsKey"]),
        StateTable(aws.tables["StateTable"]),
    )
    held = []
    for number, why in enumerate(["code_pool_empty", "code_pool_empty", "repeat_claimer"]):
        offer = setup.offer(number, rule_id="bag-codes")
        claim = claim_for(offer, fulfilment=FulfilmentKind.CODE_POOL)
        assert setup.store.create(claim, NOW)
        assert setup.store.move(claim.id, ClaimState.CLAIMED, ClaimState.HELD, NOW, held_because=why)
        held.append(claim.id)
    code, said = goodword(aws, "codes", "upload", codes_file(tmp_path, "BAG-1", "BAG-2"), "--rule", "bag-codes")
    assert code == 0 and "2 claim(s) held for want of codes sent back to fulfilment" in said
    messages = aws.sqs.receive_message(QueueUrl=aws.queues["FulfilmentQueue"], MaxNumberOfMessages=10)["Messages"]
    assert sorted(json.loads(m["Body"])["claim_id"] for m in messages) == sorted(held[:2])  # not the repeat claimer


def test_a_code_file_is_one_code_per_line() -> None:
    read = read_codes("A-1\r\n\nA-2\n A-1 \n")
    assert (read.codes, read.repeated) == (["A-1", "A-2"], 1)
    for text, problem in [("", "no codes"), ("A\n" + "B" * 257, "line 2: a code has at most 256"), ("A\tB", "line 1")]:
        with pytest.raises(CodeFileError, match=problem):
            read_codes(text)

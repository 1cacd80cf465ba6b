"""The `goodword` command reads right to a marketer (issue 19, "words and widths"): why an
offer waits, actions found by a short id, settings that apply to the chosen judge, a fan's
accounts linked before they write, a person's posts and offers, tables that fit 100
columns."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from goodword_cli import output
from goodword_cli.main import cli
from tests.conftest import Aws
from tests.functional.test_cli import goodword, goodword_json, store
from tests.functional.test_people_links import IG_BRAND, on_instagram
from tests.functional.test_pipeline import BRAND, FLAGSHIP, NEGATIVE, POSITIVE, SUPPORT, event, put_rules, run, work


def manual(rule: dict[str, Any]) -> dict[str, Any]:
    held = copy.deepcopy(rule)
    held["actions"][0]["offer_sample"]["review"] = "manual"
    return held


def test_events_show_says_why_an_offer_waits_for_review(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, manual(FLAGSHIP))
    fan = event(POSITIVE, author="amy", post="w1")
    store(aws, fan)
    run(pipeline, lambda_context, fan)
    offer = work(aws, "offer_sample")[0]
    code, shown = goodword(aws, "events", "show", fan.event_id)
    assert code == 0 and "pending_review" in shown
    assert f"{offer['id'][:8]} waits for review: its rule has review: manual" in shown


def test_offers_show_finds_an_action_by_its_short_id(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, SUPPORT)
    unhappy = event(NEGATIVE, author="cal", post="w2")
    store(aws, unhappy)
    run(pipeline, lambda_context, unhappy)
    action = work(aws, "notify")[0]
    shown = goodword_json(aws, "offers", "show", action["id"][:8])
    assert (shown["id"], shown["kind"]) == (action["id"], "notify")
    code, printed = goodword(aws, "offers", "show", action["id"][:8])
    assert code == 0 and f"notify {action['id']}" in printed


def test_settings_show_leaves_out_what_the_chosen_judge_does_not_use(aws: Aws) -> None:
    put_rules(aws)
    assert goodword(aws, "settings", "set", "sentiment.provider=classifier")[0] == 0
    code, shown = goodword(aws, "settings", "show")
    assert code == 0 and "provider: classifier" in shown
    assert "positive_threshold:" not in shown and "guards:" not in shown
    assert "not shown: sentiment.positive_threshold" in shown  # says what is left out, and why
    assert "positive_threshold" in goodword_json(aws, "settings", "show")["settings"]["sentiment"]  # scripts get all
    assert goodword(aws, "settings", "set", "sentiment.provider=vader")[0] == 0
    code, shown = goodword(aws, "settings", "show")
    assert "positive_threshold:" in shown and "guards:" in shown and "second_opinion:" not in shown


def test_accounts_add_speaks_of_accounts_not_pushed_rules(aws: Aws) -> None:
    put_rules(aws)
    code, said = goodword(aws, "accounts", "add", "instagram", IG_BRAND, "--handle", "roaster")
    assert code == 0 and "added instagram account" in said
    assert "pushed rules" not in said and "the pipeline" in said


def test_a_fans_accounts_linked_before_they_write_count_as_one_person(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, FLAGSHIP)
    code, said = goodword(aws, "people", "link", f"x:{BRAND}:dana", f"instagram:{IG_BRAND}:dana_ig")
    assert code == 1 and f"{IG_BRAND} is not a brand account on instagram" in said  # a typo links nobody
    assert goodword(aws, "accounts", "add", "instagram", IG_BRAND)[0] == 0
    code, said = goodword(aws, "people", "link", f"x:{BRAND}:dana", f"instagram:{IG_BRAND}:dana_ig")
    assert code == 0 and "linked" in said and "not seen yet" in said
    first, then = event(POSITIVE, author="dana", post="w3"), on_instagram(POSITIVE, "dana_ig", "w4")
    store(aws, first, then)
    run(pipeline, lambda_context, first)
    run(pipeline, lambda_context, then)
    assert len(work(aws, "offer_sample")) == 1  # one sample for the person, not one per account
    shown = goodword_json(aws, "people", "show", f"instagram:{IG_BRAND}:dana_ig")
    assert shown["identities"] == [f"PERSON#instagram#{IG_BRAND}#dana_ig", f"PERSON#x#{BRAND}#dana"]
    assert goodword(aws, "people", "link", f"x:{BRAND}:dana", f"x:{BRAND}:dana")[0] == 1  # one identity twice


def test_people_show_lists_the_persons_posts_and_what_they_received(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, FLAGSHIP, SUPPORT)
    said = [event(POSITIVE, author="eve", post="w5"), event(NEGATIVE, author="eve", post="w6")]
    store(aws, *said, event(POSITIVE, author="someone-else", post="w7"))
    run(pipeline, lambda_context, *said)
    shown = goodword_json(aws, "people", "show", f"x:{BRAND}:eve")
    assert [p["event_id"] for p in shown["posts"]] == [e.event_id for e in said]
    assert sorted(w["kind"] for w in shown["work"]) == ["notify", "offer_sample"]
    code, printed = goodword(aws, "people", "show", f"x:{BRAND}:eve")
    assert code == 0 and "Posts" in printed and "stale" in printed and "someone-else" not in printed
    assert "Offers and actions received" in printed and "Ethiopia Guji" in printed and "auto, praise" in printed


def test_revocation_is_refused_as_a_trigger_kind(tmp_path: Path) -> None:
    rule = copy.deepcopy(SUPPORT)
    rule["triggers"]["kinds"] = ["mention", "revocation"]
    path = tmp_path / "revoked.yaml"
    path.write_text(yaml.safe_dump(rule))
    code, said = goodword_offline("rules", "validate", str(path))
    assert code == 1 and "revocation" in said and "rules never act on" in said


def goodword_offline(*args: str) -> tuple[int, str]:
    result = CliRunner(mix_stderr=False).invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture
def terminal_100(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output.console, "width", 100)


def test_every_table_fits_a_100_column_terminal(aws: Aws, pipeline: Any, lambda_context: Any, terminal_100: None) -> None:
    put_rules(aws, manual(FLAGSHIP), SUPPORT)
    many = [event(POSITIVE, author=f"fan_with_a_long_handle_{i}", post=f"w{10 + i}") for i in range(3)]
    unhappy = event(NEGATIVE, author="grumpy_customer_number_one", post="w20")
    store(aws, *many, unhappy)
    run(pipeline, lambda_context, *many, unhappy)
    offer, action = work(aws, "offer_sample")[0], work(aws, "notify")[0]
    flagship = FLAGSHIP["id"]
    # each command, and what must stand whole in it (an id or rule id cut in two cannot be read or copied)
    for args, whole in (
        (("events", "list", "--since", "1d"), [flagship, "tweet:w20", "tweet:w10"]),
        (("events", "show", unhappy.event_id), [action["id"][:8], "negative-to-support"]),
        (("offers", "list"), [offer["id"][:8], flagship, "pending_review"]),
        (("offers", "show", offer["id"][:8]), [offer["id"]]),
        (("review", "list"), [offer["id"][:8]]),
        (("report", "--since", "1d"), [flagship, "rejected", "total cap used"]),
        (("rules", "list"), [flagship]),
        (("rules", "backtest", "--since", "1d"), [flagship, "est. cost"]),
        (("people", "show", f"x:{BRAND}:fan_with_a_long_handle_0"), [flagship, "pending_review"]),
        (("settings", "show"), []),
        (("accounts", "list"), [BRAND]),
    ):
        code, printed = goodword(aws, *args)
        assert code == 0, printed
        wide = [line for line in printed.splitlines() if len(line) > 100]
        assert not wide, f"{' '.join(args)}: {len(wide)} line(s) over 100 columns:\n" + "\n".join(wide)
        broken = [token for token in whole if token not in printed]
        assert not broken, f"{' '.join(args)}: {broken} cut or left out:\n{printed}"
    listed = goodword(aws, "offers", "list")[1]
    assert offer["id"] not in listed  # short ids, which `offers show` takes as printed
    assert goodword_json(aws, "events", "show", "tweet:w20")["event"]["event_id"] == unhappy.event_id  # as listed
    assert unhappy.event_id in goodword(aws, "events", "list", "--since", "1d", "--full-ids")[1]  # to copy whole


def test_people_show_lists_an_offer_after_its_decisions_expired(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, FLAGSHIP)
    praise = event(POSITIVE, author="fay", post="w8")
    store(aws, praise)
    run(pipeline, lambda_context, praise)
    decided = {"pk": {"S": f"EVENT#{praise.event_id}"}, "sk": {"S": "DECISIONS"}}
    aws.dynamodb.delete_item(TableName=aws.tables["EventsTable"], Key=decided)  # DecisionRetentionDays passed
    shown = goodword_json(aws, "people", "show", f"x:{BRAND}:fay")
    assert [w["kind"] for w in shown["work"]] == ["offer_sample"]

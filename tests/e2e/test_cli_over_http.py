"""The `goodword` command, as installed by `make`, against the running local stack: each
command's exit status, output and --json shape, with events delivered over HTTP and decided
by the stack's own pipeline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml

from dev_support.paths import ROOT
from dev_support.platforms import signed_headers
from tests.e2e.conftest import RunningStack
from tests.e2e.test_pipeline_over_http import mention
from tests.e2e.test_receiver_over_http import post

pytestmark = pytest.mark.e2e

GOODWORD = str(Path(sys.executable).parent / "goodword")  # the console script `make` installs
REVIEW_BRAND = "5550001"  # an X account only these tests deliver to
STRONG_PRAISE = "@XDevelopers I love your coffee, wonderful and amazing, best ever, thank you!"  # confident: no review

REVIEW_RULE = {
    "id": "cli-e2e-review",
    "name": "Manual-review sample for the CLI tests' brand account",
    "priority": 1,
    "stop_after": True,
    "triggers": {"kinds": ["mention"], "platforms": ["x"], "brand_accounts": [REVIEW_BRAND]},
    "conditions": {"field": "sentiment.label", "equals": "positive"},
    "actions": [
        {
            "offer_sample": {
                "product": "Espresso blend",
                "product_cost": 4.0,
                "review": "manual",
                "message": "Hi {author_handle}: {claim_link}",
            }
        }
    ],
}


def goodword(stack: RunningStack, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GOODWORD, "--local-url", stack.base_url, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}, **(env or {})},
    )


def goodword_json(stack: RunningStack, *args: str) -> Any:
    result = goodword(stack, *args, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def deliver(stack: RunningStack, post_id: str, author: str, text: str, brand: str = "2244994945") -> str:
    body = json.loads(mention(post_id, author, text))
    body["for_user_id"] = brand
    body["tweet_create_events"][0]["entities"]["user_mentions"][0]["id_str"] = brand  # a mention of that account
    raw = json.dumps(body).encode()
    status, answer = post(stack, "x", raw, {"content-type": "application/json", **signed_headers("x", raw)})
    assert (status, answer["stored"]) == (200, 1)
    return f"x#{brand}#tweet:{post_id}"


def scan(stack: RunningStack, logical_id: str) -> list[str]:
    items = stack.client("dynamodb").scan(TableName=stack.physical(logical_id), ConsistentRead=True)["Items"]
    return sorted(json.dumps(i, sort_keys=True) for i in items)


def offers_of(stack: RunningStack, author: str) -> list[dict[str, Any]]:
    return [o for o in goodword_json(stack, "offers", "list", "--since", "1d")["offers"] if o["author_id"] == author]


def test_no_target_or_a_missing_one_is_a_clear_error(goodword_stack: RunningStack) -> None:
    nothing = subprocess.run(
        [GOODWORD, "rules", "list"], capture_output=True, text=True, check=False, env={**os.environ, "GOODWORD_STACK": ""}
    )
    assert nothing.returncode == 2
    assert "choose a target: --stack NAME" in nothing.stderr
    gone = subprocess.run(
        [GOODWORD, "--local-url", "http://127.0.0.1:9", "events", "list"], capture_output=True, text=True, check=False
    )
    assert gone.returncode == 2
    assert "no local stack answers at http://127.0.0.1:9" in gone.stderr
    assert "Traceback" not in gone.stderr + nothing.stderr

    aws = {"AWS_ENDPOINT_URL": goodword_stack.status["aws_endpoint_url"], "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}
    missing = subprocess.run(
        [GOODWORD, "--stack", "no-such-stack", "--region", "us-east-1", "rules", "list"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **aws},
    )
    assert (missing.returncode, missing.stderr) == (
        2,
        "goodword: stack 'no-such-stack' not found in us-east-1 (check --region and --profile)\n",
    )
    # --stack reads the stack's outputs: the local stack is a CloudFormation stack in moto too
    by_stack = subprocess.run(
        [GOODWORD, "--stack", goodword_stack.status["stack"], "--region", "us-east-1", "rules", "list", "--json"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **aws},
    )
    assert by_stack.returncode == 0, by_stack.stderr
    assert "first-positive-mention-sample" in {r["id"] for r in json.loads(by_stack.stdout)["rules"]}


def test_rules_lifecycle_validate_push_pull_conflict_disable_rollback(goodword_stack: RunningStack, tmp_path: Path) -> None:
    rule = tmp_path / "cli-e2e-likes.yaml"
    rule.write_text(
        yaml.safe_dump(
            {
                "id": "cli-e2e-likes",
                "name": "Tag likers",
                "triggers": {"kinds": ["like"]},
                "actions": [{"tag": {"label": "liker"}}],
            }
        )
    )
    assert goodword(goodword_stack, "rules", "validate", str(rule)).returncode == 0
    pushed = goodword_json(goodword_stack, "rules", "push", str(rule))
    assert [(r["id"], r["action"], r["to_version"]) for r in pushed["rules"]] == [("cli-e2e-likes", "created", 1)]
    assert "+id: cli-e2e-likes" in pushed["rules"][0]["diff"]

    listed = {r["id"]: r for r in goodword_json(goodword_stack, "rules", "list")["rules"]}
    assert (listed["cli-e2e-likes"]["version"], listed["cli-e2e-likes"]["enabled"]) == (1, True)
    assert listed["welcome-dm-x-followers"]["problems"], "the policy-breaking rule of the e2e config is shown as invalid"

    for person in ("alice", "bob"):
        assert goodword(goodword_stack, "rules", "pull", "cli-e2e-likes", "--dir", str(tmp_path / person)).returncode == 0
    alice, bob = (tmp_path / p / "cli-e2e-likes.yaml" for p in ("alice", "bob"))
    alice.write_text(alice.read_text().replace("Tag likers", "Tag people who like posts"))
    bob.write_text(bob.read_text().replace("label: liker", "label: fan"))
    assert goodword(goodword_stack, "rules", "push", str(alice)).returncode == 0
    refused = goodword(goodword_stack, "rules", "push", str(bob))
    assert refused.returncode == 3
    assert "pulled at version 1 but is now version 2" in refused.stderr

    assert goodword(goodword_stack, "rules", "disable", "cli-e2e-likes").stdout == "cli-e2e-likes disabled: version 3\n"
    assert goodword(goodword_stack, "rules", "rollback", "cli-e2e-likes", "2").returncode == 0
    history = goodword_json(goodword_stack, "rules", "history", "cli-e2e-likes")["versions"]
    assert [(v["version"], v["change"], v["name"]) for v in history] == [
        (1, "push", "Tag likers"),
        (2, "push", "Tag people who like posts"),
        (3, "disable", "Tag people who like posts"),
        (4, "rollback to 2", "Tag people who like posts"),
    ]
    assert [v["enabled"] for v in history] == [True, True, False, True]
    table = goodword(goodword_stack, "rules", "history", "cli-e2e-likes").stdout
    assert "rollback to 2" in table


def test_rules_test_and_backtest_agree_with_the_live_pipeline_and_write_nothing(goodword_stack: RunningStack) -> None:
    event_id = deliver(
        goodword_stack,
        "9300000000000000001",
        "e2e-cli-fan",
        "@XDevelopers wonderful, amazing coffee, best ever, love it, thank you!",
    )
    goodword_stack.wait_idle()
    (live,) = offers_of(goodword_stack, "e2e-cli-fan")

    tested = goodword_json(goodword_stack, "rules", "test", "first-positive-mention-sample", "--event", event_id)
    assert (tested["outcome"], tested["triggered"]) == ("acted", True)
    assert {c["path"]: c["holds"] for c in tested["conditions"]}["conditions.all[0]"] is True
    human = goodword(goodword_stack, "rules", "test", "first-positive-mention-sample", "--event", event_id).stdout
    assert "yes   person.praised_before equals False   (saw False)" in human

    before = {t: scan(goodword_stack, t) for t in ("EventsTable", "StateTable", "RulesTable")}
    result = goodword_json(goodword_stack, "rules", "backtest", "--since", "1h")
    assert {t: scan(goodword_stack, t) for t in before} == before
    flagship = next(r for r in result["rules"] if r["rule_id"] == "first-positive-mention-sample")
    mine = [p for p in flagship["recipients"] if p["author_id"] == "e2e-cli-fan"]
    # the backtest's offer starts where the live one started: waiting for review when the judge
    # asked for a person, approved (and then sent) when it decided alone
    started = "pending_review" if live["state"] == "pending_review" else "approved"
    assert live["state"] in {"pending_review", "sent"}
    assert [(p["event_id"], p["state"]) for p in mine] == [(live["event_id"], started)]
    assert set(flagship) >= {"events_considered", "matched", "offers", "stopped_by", "estimated_cost", "recipients"}
    assert (
        "Backtest over" in goodword(goodword_stack, "rules", "backtest", "first-positive-mention-sample", "--since", "1h").stdout
    )


def test_review_queue_approve_sends_once(goodword_stack: RunningStack, tmp_path: Path) -> None:
    rule = tmp_path / "cli-e2e-review.yaml"
    rule.write_text(yaml.safe_dump(REVIEW_RULE))
    assert goodword(goodword_stack, "rules", "push", str(rule)).returncode == 0
    deliver(
        goodword_stack,
        "9300000000000000011",
        "e2e-cli-reviewed",
        "@shop I love your coffee, wonderful and amazing, best beans ever, thank you!",
        brand=REVIEW_BRAND,
    )
    goodword_stack.wait_idle()

    pending = [o for o in goodword_json(goodword_stack, "review", "list")["offers"] if o["author_id"] == "e2e-cli-reviewed"]
    assert [(o["rule_id"], o["state"]) for o in pending] == [("cli-e2e-review", "pending_review")]
    assert pending[0]["sentiment"]["label"] == "positive"
    assert pending[0]["event_text"].startswith("@shop I love your coffee")
    assert "e2e-cli-reviewed" in goodword(goodword_stack, "review", "list").stdout

    approved = goodword(goodword_stack, "review", "approve", pending[0]["id"])
    assert approved.returncode == 0
    assert "queued for sending" in approved.stdout
    goodword_stack.wait_idle()
    (offer,) = offers_of(goodword_stack, "e2e-cli-reviewed")
    assert (offer["state"], offer["dry_run"]) == ("sent", True)
    again = goodword(goodword_stack, "review", "approve", pending[0]["id"])
    assert (again.returncode, "is sent (dry run), not waiting for review" in again.stderr) == (1, True)
    assert goodword(goodword_stack, "rules", "disable", "cli-e2e-review").returncode == 0


def test_events_list_show_tail_and_offers_show(goodword_stack: RunningStack) -> None:
    tail = subprocess.Popen(
        [
            GOODWORD,
            "--local-url",
            goodword_stack.base_url,
            "events",
            "tail",
            "--author",
            "user_e2e-cli-tailed",
            "--max-events",
            "1",
            "--timeout",
            "60",
            "--interval",
            "0.5",
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert "following new events" in (tail.stderr.readline() if tail.stderr else "")  # tail has started: deliver now
    event_id = deliver(goodword_stack, "9300000000000000021", "e2e-cli-tailed", STRONG_PRAISE)
    out, err = tail.communicate(timeout=90)
    assert tail.returncode == 0, err
    assert [json.loads(line)["event_id"] for line in out.splitlines()] == [event_id]
    goodword_stack.wait_idle()

    listed = goodword_json(goodword_stack, "events", "list", "--since", "1h", "--author", "@user_e2e-cli-tailed")["events"]
    assert [(e["event_id"], e["kind"], e["platform"]) for e in listed] == [(event_id, "mention", "x")]
    assert listed[0]["decisions"]["sentiment"]["label"] == "positive"
    shown = goodword_json(goodword_stack, "events", "show", event_id, "--raw")
    assert '"id_str": "9300000000000000021"' in json.dumps(shown["raw"])  # the platform's payload
    assert {d["rule_id"]: d["outcome"] for d in shown["decisions"]["decisions"]}["first-positive-mention-sample"] == "acted"
    (offer,) = shown["work"]
    human = goodword(goodword_stack, "events", "show", event_id).stdout
    assert "first-positive-mention-sample" in human
    assert offer["id"] in human

    shown_offer = goodword_json(goodword_stack, "offers", "show", offer["id"])
    assert (shown_offer["event_id"], shown_offer["state"]) == (event_id, "sent")
    assert "claim_link" in goodword(goodword_stack, "offers", "show", offer["id"]).stdout
    assert goodword(goodword_stack, "offers", "show", "0" * 32).returncode == 1
    assert goodword(goodword_stack, "events", "list", "--since", "1h").returncode == 0


def test_report_and_chart(goodword_stack: RunningStack, tmp_path: Path) -> None:
    chart = tmp_path / "report.png"
    report = goodword_json(goodword_stack, "report", "--since", "1d", "--chart", str(chart))
    assert set(report) == {"since", "totals", "rules", "platforms", "days", "chart"}
    assert report["totals"]["events"] > 0
    assert set(report["rules"]["first-positive-mention-sample"]) >= {"events", "matches", "offers", "sent", "failed", "cost_sent"}
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_replay_over_the_local_stack_offers_nothing_twice(goodword_stack: RunningStack) -> None:
    deliver(goodword_stack, "9300000000000000031", "e2e-cli-replayed", STRONG_PRAISE)
    goodword_stack.wait_idle()
    before = goodword_json(goodword_stack, "offers", "list", "--since", "1d")["offers"]
    result = goodword_json(goodword_stack, "replay", "--since", "1h")
    assert result["failed"] == []
    assert result["events"] >= 1
    goodword_stack.wait_idle()
    after = goodword_json(goodword_stack, "offers", "list", "--since", "1d")["offers"]
    assert sorted((o["id"], o["state"]) for o in after) == sorted((o["id"], o["state"]) for o in before)
    assert len(offers_of(goodword_stack, "e2e-cli-replayed")) == 1


def test_help_on_every_command() -> None:
    commands = [
        [], ["rules"], ["rules", "validate"], ["rules", "push"], ["rules", "pull"], ["rules", "list"], ["rules", "enable"],
        ["rules", "disable"], ["rules", "history"], ["rules", "rollback"], ["rules", "test"], ["rules", "backtest"],
        ["review"], ["review", "list"], ["review", "approve"], ["review", "reject"], ["events"], ["events", "list"],
        ["events", "show"], ["events", "tail"], ["offers"], ["offers", "list"], ["offers", "show"], ["report"], ["replay"],
    ]  # fmt: skip
    results: dict[str, subprocess.CompletedProcess[str]] = {}

    def ask(words: list[str]) -> None:
        results[" ".join(words)] = subprocess.run([GOODWORD, *words, "--help"], capture_output=True, text=True, check=False)

    threads = [threading.Thread(target=ask, args=(c,)) for c in commands]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for words, result in results.items():
        assert (words, result.returncode) == (words, 0)
        assert f"Usage: goodword {words}".rstrip() in result.stdout


def test_send_delivers_a_signed_mention_that_the_rules_then_decide(goodword_stack: RunningStack) -> None:
    mention = ("--platform", "X", "--kind", "mention", "--text", STRONG_PRAISE, "--author", "@sender_fan")
    sent = goodword_json(goodword_stack, "send", *mention, "--account", "2244994945")
    assert sent["status"] == 200 and sent["event_id"].startswith("x#2244994945#tweet:")
    goodword_stack.wait_idle()
    shown = goodword_json(goodword_stack, "events", "show", sent["event_id"])
    assert shown["event"]["author"]["handle"] == "sender_fan"
    assert shown["event"]["text"] == STRONG_PRAISE
    assert shown["decisions"]["decisions"], "the pipeline decided the sent event"
    printed = goodword(goodword_stack, "send", "--platform", "x", "--text", "is the shop open on sunday?", "--author", "asker")
    assert printed.returncode == 0, printed.stderr
    assert "stored event x#" in printed.stdout  # the platform's first configured account


def test_send_uses_the_standard_bridge_for_other_platforms_and_explains_what_is_missing(goodword_stack: RunningStack) -> None:
    account = "17841400000000000"
    follow = ("--platform", "instagram", "--kind", "follow", "--author", "ig_fan", "--account", account)
    sent = goodword_json(goodword_stack, "send", *follow)
    assert sent["event_id"].startswith("instagram#17841400000000000#goodword-send-")
    assert goodword_json(goodword_stack, "events", "show", sent["event_id"])["event"]["source"] == "standard"
    no_text = goodword(goodword_stack, "send", "--platform", "x", "--kind", "mention")
    assert (no_text.returncode, "needs --text" in no_text.stderr) == (1, True)
    no_account = goodword(goodword_stack, "send", "--platform", "bluesky", "--kind", "follow")
    assert (no_account.returncode, "give --account ID" in no_account.stderr) == (1, True)

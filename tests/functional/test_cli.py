"""The `goodword` command against moto tables and queues created from template.yaml, with
the real pipeline making the events' decisions: rules as files with versions and conflicts,
backtest (no writes; the live pipeline's answer), replay after failures (no duplicates), the
review queue."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from dev_support.paths import ROOT
from goodword.aws.codec import from_dynamodb, to_dynamodb
from goodword.aws.rules_store import RulesStore
from goodword.aws.state_table import StateTable
from goodword.event_items import event_item
from goodword.events import Event, EventKind
from goodword.rule_versions import ConflictError
from goodword_cli.app import App
from goodword_cli.main import cli
from goodword_cli.target import Target
from tests.conftest import Aws
from tests.functional.test_pipeline import (
    NEGATIVE,
    POSITIVE,
    event,
    put_rules,
    queued,
    run,
    work,
)

EXAMPLES = sorted((ROOT / "rules").glob("*.yaml"))
SETTINGS = {"time_zone": "Europe/Berlin", "cooldown_days": 7, "claim_link_base_url": "https://roaster.example/claim/"}


def target(aws: Aws) -> Target:
    return Target(
        "moto",
        aws.tables["EventsTable"],
        aws.tables["RulesTable"],
        aws.tables["StateTable"],
        aws.queues["ActionsQueue"],
        claims_table=aws.tables["ClaimsTable"],
        claims_key=aws.keys["ClaimsKey"],
    )


def invoke(aws: Aws, *args: str) -> Any:
    # stderr apart: the pipeline's own log lines go there, never into the output
    return CliRunner(mix_stderr=False).invoke(cli, list(args), obj=App(_target=target(aws)), catch_exceptions=False)


def goodword(aws: Aws, *args: str) -> tuple[int, str]:
    """Exit status, and the output with the error line (goodword: ...) if any."""
    result = invoke(aws, *args)
    errors = "".join(line for line in result.stderr.splitlines(keepends=True) if not line.startswith("{"))  # not log lines
    return result.exit_code, result.stdout + errors


def goodword_json(aws: Aws, *args: str) -> Any:
    result = invoke(aws, *args, "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def store(aws: Aws, *events: Event) -> None:
    """As the receiver stores them."""
    for stored in events:
        aws.dynamodb.put_item(TableName=aws.tables["EventsTable"], Item=to_dynamodb(event_item(stored)))


def snapshot(aws: Aws) -> dict[str, Any]:
    tables = {name: aws.dynamodb.scan(TableName=table, ConsistentRead=True)["Items"] for name, table in aws.tables.items()}
    attributes = aws.sqs.get_queue_attributes(QueueUrl=aws.queues["ActionsQueue"], AttributeNames=["All"])["Attributes"]
    visible = {k: v for k, v in attributes.items() if k.startswith("ApproximateNumberOfMessages")}
    return {"tables": {k: sorted(map(json.dumps, v)) for k, v in tables.items()}, "queue": visible}


# --- rules as files ------------------------------------------------------------------------


def test_push_shows_the_diff_writes_versions_with_history_and_pull_round_trips(aws: Aws, tmp_path: Path) -> None:
    code, output = goodword(aws, "rules", "push", str(ROOT / "rules"))
    assert code == 0, output
    assert output.count("created") == 4
    assert "+++ " in output  # the diff of a new rule against nothing

    pulled = tmp_path / "pulled"
    assert goodword(aws, "rules", "pull", "--dir", str(pulled))[0] == 0
    flagship = pulled / "first-positive-mention-sample.yaml"
    assert flagship.read_text().startswith("# goodword: pulled version 1 of first-positive-mention-sample")
    assert yaml.safe_load(flagship.read_text()) == yaml.safe_load((ROOT / "rules" / flagship.name).read_text())

    flagship.write_text(flagship.read_text().replace("per_day: 20", "per_day: 30"))
    code, output = goodword(aws, "rules", "push", str(flagship), "--dry-run")
    assert (code, "-  per_day: 20" in output, "+  per_day: 30" in output, "would update" in output) == (0, True, True, True)
    assert RulesStore(aws.tables["RulesTable"]).get("first-positive-mention-sample").version == 1  # type: ignore[union-attr]

    code, output = goodword(aws, "rules", "push", str(flagship))
    assert code == 0
    assert "updated      first-positive-mention-sample v1 -> v2" in output
    assert flagship.read_text().startswith("# goodword: pulled version 2 of")  # the next push is based on v2
    assert "unchanged" in goodword(aws, "rules", "push", str(flagship))[1]

    history = goodword_json(aws, "rules", "history", "first-positive-mention-sample")["versions"]
    assert [(v["version"], v["change"]) for v in history] == [(1, "push"), (2, "push")]
    assert all(v["updated_by"] and v["updated_at"] for v in history)
    listed = {r["id"]: r for r in goodword_json(aws, "rules", "list")["rules"]}
    assert (listed["first-positive-mention-sample"]["version"], listed["first-positive-mention-sample"]["problems"]) == (2, [])


def test_a_push_based_on_an_old_pull_is_refused_and_loses_nothing(aws: Aws, tmp_path: Path) -> None:
    goodword(aws, "rules", "push", str(ROOT / "rules"))
    for person in ("alice", "bob"):
        assert goodword(aws, "rules", "pull", "first-positive-mention-sample", "--dir", str(tmp_path / person))[0] == 0
    alice = tmp_path / "alice" / "first-positive-mention-sample.yaml"
    bob = tmp_path / "bob" / "first-positive-mention-sample.yaml"
    alice.write_text(alice.read_text().replace("per_day: 20", "per_day: 30"))
    bob.write_text(bob.read_text().replace("total: 500", "total: 100"))

    assert goodword(aws, "rules", "push", str(alice))[0] == 0
    code, output = goodword(aws, "rules", "push", str(bob))
    assert code == 3
    assert "was pulled at version 1 but is now version 2" in output
    live = RulesStore(aws.tables["RulesTable"]).get("first-positive-mention-sample")
    assert live is not None
    assert (live.version, live.definition["limits"]["per_day"], live.definition["limits"]["total"]) == (2, 30, 500)


@pytest.mark.usefixtures("atomic_moto")
def test_concurrent_pushes_of_one_version_let_exactly_one_win(aws: Aws) -> None:
    rules_store = RulesStore(aws.tables["RulesTable"])
    definition = yaml.safe_load(EXAMPLES[0].read_text())
    rules_store.write(definition["id"], definition, None, "push", "a.yaml", "setup")

    def push(who: str, limit: int, expected: int, start: threading.Barrier, outcomes: list[str]) -> None:
        changed = {**definition, "limits": {**definition["limits"], "per_day": limit}}
        start.wait()
        try:
            rules_store.write(definition["id"], changed, expected, "push", "a.yaml", who)
            outcomes.append(f"won {who}")
        except ConflictError:
            outcomes.append(f"refused {who}")

    for expected in range(1, 6):  # both writers read version `expected`, both write
        start, outcomes = threading.Barrier(2), list[str]()
        threads = [
            threading.Thread(target=push, args=(who, limit, expected, start, outcomes))
            for who, limit in (("alice", 30), ("bob", 40))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(o.split()[0] for o in outcomes) == ["refused", "won"], outcomes
    history = rules_store.history(definition["id"])
    assert [h.version for h in history] == [1, 2, 3, 4, 5, 6]  # one entry per version, none lost or doubled
    live = rules_store.get(definition["id"])
    assert live is not None
    assert live.definition == history[-1].definition


def test_enable_disable_and_rollback_are_new_versions(aws: Aws) -> None:
    goodword(aws, "rules", "push", str(ROOT / "rules"))
    assert goodword(aws, "rules", "disable", "welcome-twitch-followers") == (0, "welcome-twitch-followers disabled: version 2\n")
    assert "already disabled" in goodword(aws, "rules", "disable", "welcome-twitch-followers")[1]
    assert goodword(aws, "rules", "rollback", "welcome-twitch-followers", "1")[0] == 0
    history = goodword_json(aws, "rules", "history", "welcome-twitch-followers")["versions"]
    assert [(v["version"], v["change"], v["enabled"]) for v in history] == [
        (1, "push", True),
        (2, "disable", False),
        (3, "rollback to 1", True),
    ]
    assert goodword(aws, "rules", "rollback", "welcome-twitch-followers", "9")[0] == 1
    assert goodword(aws, "rules", "enable", "no-such-rule") == (1, "goodword: no such rule: no-such-rule\n")


def test_a_push_with_any_invalid_file_writes_nothing(aws: Aws, tmp_path: Path) -> None:
    shutil.copy(EXAMPLES[0], tmp_path / "good.yaml")
    shutil.copy(ROOT / "tests/fixtures/rules/broken/unknown-placeholder.yaml", tmp_path / "bad.yaml")
    code, output = goodword(aws, "rules", "push", str(tmp_path))
    assert code == 1
    assert "unknown placeholder {first_name}" in output
    assert RulesStore(aws.tables["RulesTable"]).all() == []


# --- backtest, test, replay ------------------------------------------------------------


def scenario() -> list[Event]:
    """Fans, repeat fans and complainers (seven people, twelve mentions), and a follower."""
    events = []
    for number in range(12):
        author = f"p{number % 7}"  # some people mention more than once
        text = POSITIVE if number % 3 else NEGATIVE
        events.append(event(text, author=author, post=str(100 + number)))
    follower = event("", author="streamer-fan", post="200", kind=EventKind.FOLLOW)
    return [*events, follower.model_copy(update={"text": None})]


def live_run(aws: Aws, pipeline: Any, lambda_context: Any) -> list[Event]:
    definitions = [yaml.safe_load(p.read_text()) for p in EXAMPLES]
    put_rules(aws, *definitions, settings=SETTINGS)
    events = scenario()
    store(aws, *events)
    for index, stored in enumerate(events):
        assert run(pipeline, lambda_context, stored, start=index + 1) == {"batchItemFailures": []}
    return events


def live_outcomes(aws: Aws) -> dict[str, dict[str, int]]:
    items = [from_dynamodb(i) for i in aws.dynamodb.scan(TableName=aws.tables["EventsTable"], ConsistentRead=True)["Items"]]
    counts: dict[str, dict[str, int]] = {}
    for item in items:
        for decision in item.get("decisions", []) if item["sk"] == "DECISIONS" else []:
            per_rule = counts.setdefault(decision["rule_id"], {})
            per_rule[decision["outcome"]] = per_rule.get(decision["outcome"], 0) + 1
    return counts


def test_backtest_writes_nothing_and_decides_as_the_live_pipeline_did(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    live_run(aws, pipeline, lambda_context)
    live = live_outcomes(aws)
    live_offers = sorted((w["author_id"], w["event_id"]) for w in work(aws, "offer_sample"))
    assert live_offers  # the scenario makes offers
    before = snapshot(aws)

    result = goodword_json(aws, "rules", "backtest", "--since", "1h")

    assert snapshot(aws) == before
    assert result["events"] == 13
    backtested = {r["rule_id"]: r for r in result["rules"]}
    assert {rule: r["outcomes"] for rule, r in backtested.items() if r["outcomes"]} == live
    offers = sorted((p["author_id"], p["event_id"]) for r in backtested.values() for p in r["recipients"])
    assert offers == live_offers
    flagship = backtested["first-positive-mention-sample"]
    assert flagship["estimated_cost"] == pytest.approx(6.5 * flagship["offers"])
    assert flagship["offers"] == flagship["offers_automatic"] + flagship["offers_for_review"]


def test_backtest_of_a_draft_counts_what_its_limits_would_stop(
    aws: Aws, pipeline: Any, lambda_context: Any, tmp_path: Path
) -> None:
    live_run(aws, pipeline, lambda_context)
    draft = yaml.safe_load((ROOT / "rules" / "first-positive-mention-sample.yaml").read_text())
    draft.update(id="draft-sample", conditions={"field": "sentiment.label", "equals": "positive"}, stop_after=False)
    draft["limits"] = {"once_per_person": "forever", "per_day": 3}
    (tmp_path / "draft.yaml").write_text(yaml.safe_dump(json.loads(json.dumps(draft))))
    before = snapshot(aws)

    result = goodword_json(aws, "rules", "backtest", str(tmp_path / "draft.yaml"), "--since", "1d")

    assert snapshot(aws) == before
    (rule,) = result["rules"]
    assert rule["rule_id"] == "draft-sample"
    assert rule["matched"] == 8  # positive mentions
    assert rule["offers"] == 3  # the daily cap
    assert rule["stopped_by"] == {"once per person": 2, "daily cap": 3}
    assert len({p["author_id"] for p in rule["recipients"]}) == 3


def test_rules_test_explains_a_stored_event_and_a_file_event(
    aws: Aws, pipeline: Any, lambda_context: Any, tmp_path: Path
) -> None:
    events = live_run(aws, pipeline, lambda_context)
    first_positive = events[1]  # p1's first mention, positive: the live pipeline offered
    report = goodword_json(aws, "rules", "test", "first-positive-mention-sample", "--event", first_positive.event_id)
    assert report["outcome"] == "acted"  # found its own offer: the same work, not a second one
    assert [c["holds"] for c in report["conditions"]] == [True, True, True, True, False]
    assert report["conditions"][1]["seen"] is False  # person.praised_before

    before = snapshot(aws)
    fresh = event(POSITIVE, author="someone-new", post="999")
    (tmp_path / "event.json").write_text(json.dumps({"event": fresh.model_dump(mode="json")}))
    code, output = goodword(aws, "rules", "test", "first-positive-mention-sample", "--event", str(tmp_path / "event.json"))
    assert code == 0
    assert "yes   person.praised_before equals False   (saw False)" in output
    assert "Outcome: acted" in output
    assert "Would make: offer_sample" in output
    assert "We'd love to send you a bag of Ethiopia Guji, 250 g, on us: https://roaster.example/claim/" in output
    assert snapshot(aws) == before  # tested, not recorded

    (tmp_path / "bad.json").write_text(json.dumps({"platform": "myspace", "kind": "mention"}))
    code, output = goodword(aws, "rules", "test", "first-positive-mention-sample", "--event", str(tmp_path / "bad.json"))
    assert (code, "not a valid event: platform:" in output) == (1, True)
    assert goodword(aws, "rules", "test", "first-positive-mention-sample", "--event", "x#nope#tweet:1")[0] == 1


def test_replay_after_failures_makes_the_missing_offers_and_no_duplicates(
    aws: Aws, pipeline: Any, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    definitions = [yaml.safe_load(p.read_text()) for p in EXAMPLES]
    put_rules(aws, *definitions, settings=SETTINGS)
    fans = [event(POSITIVE, author=name, post=str(300 + i)) for i, name in enumerate(("ok", "claim-failed", "queue-failed"))]
    store(aws, *fans)
    real_claim, real_send = StateTable.claim, pipeline._pipeline().queue.__class__.send

    def claim(self: StateTable, claims: Any) -> Any:
        if any("claim-failed" in repr(c) for c in claims):  # a claim for that person
            raise RuntimeError("DynamoDB outage")
        return real_claim(self, claims)

    def send(self: Any, messages: Any) -> None:
        if any(m.get("author_id") == "queue-failed" for m in messages):
            raise RuntimeError("SQS outage")
        real_send(self, messages)

    monkeypatch.setattr(StateTable, "claim", claim)
    monkeypatch.setattr(pipeline._pipeline().queue.__class__, "send", send)
    result = run(pipeline, lambda_context, *fans)
    assert len(result["batchItemFailures"]) == 2  # the stream would retry; say it gave up
    assert [m["author_id"] for m in queued(aws)] == ["ok"]
    monkeypatch.undo()

    code, output = goodword(aws, "replay", "--since", "1h")
    assert code == 0, output
    assert "Replayed 3 event(s)" in output
    offers = work(aws, "offer_sample")
    assert sorted(o["author_id"] for o in offers) == ["claim-failed", "ok", "queue-failed"]  # one each
    assert sorted(m["author_id"] for m in queued(aws)) == ["claim-failed", "queue-failed"]  # "ok" was queued before

    again = goodword_json(aws, "replay", "--since", "1h")
    assert again["failed"] == []
    assert again["outcomes"]["first-positive-mention-sample"] == {"acted": 3}  # found their offers
    assert len(work(aws, "offer_sample")) == 3
    assert queued(aws) == []


def test_replay_of_some_rules_keeps_the_other_rules_decisions(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    events = live_run(aws, pipeline, lambda_context)
    result = goodword_json(aws, "replay", "--since", "1h", "--rules", "negative-mentions-to-support")
    assert set(result["outcomes"]) == {"negative-mentions-to-support"}
    shown = goodword_json(aws, "events", "show", events[0].event_id)
    assert {d["rule_id"] for d in shown["decisions"]["decisions"]} >= {
        "first-positive-mention-sample",
        "negative-mentions-to-support",
    }
    code, output = goodword(aws, "replay", "--since", "1h", "--rules", "no-such-rule")
    assert (code, "no live rule no-such-rule" in output) == (1, True)


# --- review, events, offers, report --------------------------------------------------------


def test_review_shows_pending_offers_and_approve_queues_each_once(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    flagship = yaml.safe_load((ROOT / "rules" / "first-positive-mention-sample.yaml").read_text())
    flagship["actions"][0]["offer_sample"]["review"] = "manual"
    put_rules(aws, flagship, settings=SETTINGS)
    fans = [event(POSITIVE, author=name, post=str(400 + i)) for i, name in enumerate(("amy", "bo"))]
    store(aws, *fans)
    run(pipeline, lambda_context, *fans)
    assert queued(aws) == []

    pending = goodword_json(aws, "review", "list")["offers"]
    assert [(o["author_id"], o["state"]) for o in pending] == [("amy", "pending_review"), ("bo", "pending_review")]
    assert pending[0]["event_text"] == POSITIVE
    assert pending[0]["sentiment"]["label"] == "positive"
    assert pending[0]["profile"]["mention_count"] == 1
    assert pending[0]["claim_link"] in pending[0]["message"]  # on X too the reply carries the link by default
    human = goodword(aws, "review", "list")[1]
    assert f'said:    "{POSITIVE}"' in human
    assert "2 offer(s) waiting" in human

    amy, bo = pending[0]["id"], pending[1]["id"]
    assert goodword(aws, "review", "approve", amy[:8])[0] == 0  # a unique prefix will do
    assert [m["author_id"] for m in queued(aws)] == ["amy"]
    code, output = goodword(aws, "review", "approve", amy)
    assert (code, f"{amy} is approved, not waiting for review" in output) == (1, True)
    assert queued(aws) == []

    assert goodword(aws, "review", "reject", bo, "--because", "not-eligible", "--reason", "a competitor's employee")[0] == 0
    rejected = goodword_json(aws, "offers", "show", bo)
    assert (rejected["state"], rejected["reason"], rejected["reviewed_by"] != "") == ("rejected", "a competitor's employee", True)
    assert queued(aws) == []
    assert goodword_json(aws, "review", "list")["offers"] == []
    assert [o["state"] for o in goodword_json(aws, "offers", "list", "--state", "rejected")["offers"]] == ["rejected"]
    assert goodword(aws, "review", "approve", "nothing-like-it")[0] == 1


def test_events_and_offers_listings_filter_and_show(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    events = live_run(aws, pipeline, lambda_context)
    listed = goodword_json(aws, "events", "list", "--since", "1h")["events"]
    assert len(listed) == 13
    assert {e["event_id"] for e in listed} == {e.event_id for e in events}
    assert all(e["decisions"] for e in listed)
    assert len(goodword_json(aws, "events", "list", "--kind", "follow")["events"]) == 1
    assert {e["author"]["id"] for e in goodword_json(aws, "events", "list", "--author", "@fan_p1")["events"]} == {"p1"}
    assert goodword_json(aws, "events", "list", "--platform", "twitch")["events"] == []

    shown = goodword_json(aws, "events", "show", events[1].event_id)
    assert shown["event"]["text"] == POSITIVE
    assert [w["kind"] for w in shown["work"]] == ["offer_sample"]
    assert goodword(aws, "events", "show", "x#1#tweet:nope")[0] == 1
    assert goodword(aws, "events", "list", "--since", "yesterday-ish")[0] == 1

    offers = goodword_json(aws, "offers", "list")["offers"]
    assert offers
    assert all(o["kind"] == "offer_sample" for o in offers)
    assert goodword_json(aws, "offers", "list", "--rule", "no-such-rule")["offers"] == []
    assert goodword_json(aws, "offers", "show", offers[0]["id"])["claim_link"].startswith("https://roaster.example/claim/")


def test_report_counts_what_the_pipeline_did_and_draws_a_png(
    aws: Aws, pipeline: Any, lambda_context: Any, tmp_path: Path
) -> None:
    live_run(aws, pipeline, lambda_context)
    chart = tmp_path / "report.png"
    report = goodword_json(aws, "report", "--since", "30d", "--chart", str(chart))
    offers = work(aws, "offer_sample")
    assert report["totals"]["events"] == 13
    assert report["totals"]["offers"] == len(offers)
    assert report["rules"]["first-positive-mention-sample"]["offers"] == len(offers)
    assert report["rules"]["first-positive-mention-sample"]["total_cap"] == {"used": len(offers), "total": 500}
    assert report["platforms"]["x"]["events"] == 13
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert chart.stat().st_size > 10_000
    human = goodword(aws, "report", "--since", "30d")[1]
    assert "Per rule" in human
    assert "Per platform" in human
    assert "Per day (UTC)" in human


def test_a_long_backtest_and_replay_print_only_their_json(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    """The pipeline counts a metric per decision; Powertools prints a metric once it has 100
    values, which must never reach a command's output."""
    put_rules(aws, yaml.safe_load(EXAMPLES[0].read_text()), settings=SETTINGS)
    many = [event(NEGATIVE, author=f"n{i}", post=str(1000 + i)) for i in range(130)]
    store(aws, *many)
    result = invoke(aws, "rules", "backtest", "--since", "1h", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["rules"][0]["outcomes"] == {"condition_failed": 130}
    result = invoke(aws, "replay", "--since", "1h", "--json")
    assert json.loads(result.stdout)["outcomes"] == {"first-positive-mention-sample": {"condition_failed": 130}}

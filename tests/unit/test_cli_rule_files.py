"""`goodword rules validate` and the pure parts of the command: rule files, explanations,
the report's counts. No AWS."""

from __future__ import annotations

import json
import shutil
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
import yaml

from dev_support.paths import ROOT
from goodword.decisions import Decisions
from goodword.rules.explain import explain
from goodword.rules.model import Rule
from goodword.work import WorkRecord
from goodword_cli.main import main
from goodword_cli.report import build, chart, chart_data
from goodword_cli.rule_files import dump, load, load_all, parse_yaml

BROKEN = ROOT / "tests" / "fixtures" / "rules" / "broken"

# file -> (rule id shown, field path, words of the message)
EXPECTED = {
    "wrong-field.yaml": ("wrong-field", "conditions.all[0]", "unknown field 'sentiment.lable'"),
    "unknown-placeholder.yaml": ("unknown-placeholder", "actions[0].offer_sample.message", "unknown placeholder {first_name}"),
    "policy-violation.yaml": ("policy-violation", "actions[0].direct_message", "platform policy"),
    "bad-regex.yaml": ("bad-regex", "conditions", "back-references"),
    "bad-schedule.yaml": ("bad-schedule", "window.days[0]", "should be 'mon'"),
    "bad-dates.yaml": ("bad-dates", "window", "to_date is before from_date"),
    "not-yaml.yaml": (None, "line 3", "not valid YAML"),
}


def plain_yaml(path: Path) -> dict[str, Any]:
    """Plain dicts: some tools imported by other tests make PyYAML's SafeLoader build OrderedDicts."""
    loaded: dict[str, Any] = json.loads(json.dumps(yaml.safe_load(path.read_text())))
    return loaded


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_broken_file_is_reported_with_its_file_rule_and_field(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run("rules", "validate", str(BROKEN / name), capsys=capsys)
    rule_id, field, words = EXPECTED[name]
    assert code == 1
    line = next(x for x in out.splitlines() if x.startswith("error"))
    assert f"{BROKEN / name}: " in line
    assert (f"rule {rule_id}:" if rule_id else "(no rule id):") in line
    assert f": {field}: " in line
    assert words in line
    assert "problem(s) in 1 of 1 file(s)" in err


def test_bad_schedule_reports_the_day_and_the_hour(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run("rules", "validate", str(BROKEN / "bad-schedule.yaml"), "--json", capsys=capsys)
    problems = json.loads(out)["files"][0]["problems"]
    assert [p["field"] for p in problems] == ["window.days[0]", "window.hours.from"]


def test_a_directory_of_files_is_all_checked_and_json_lists_every_problem(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("rules", "validate", str(BROKEN), "--json", capsys=capsys)
    report = json.loads(out)
    assert code == 1
    assert report["valid"] is False
    assert {Path(f["file"]).name for f in report["files"]} == set(EXPECTED)
    assert all(not f["valid"] and f["problems"] for f in report["files"])
    assert set(report["files"][0]["problems"][0]) == {"file", "rule_id", "field", "message"}


def test_the_repository_rules_are_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("rules", "validate", str(ROOT / "rules"), capsys=capsys)
    assert code == 0
    assert "4 rule file(s) valid." in out


def test_two_files_with_one_rule_id_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = ROOT / "rules" / "first-positive-mention-sample.yaml"
    shutil.copy(source, tmp_path / "a.yaml")
    shutil.copy(source, tmp_path / "b.yaml")
    code, out, _ = run("rules", "validate", str(tmp_path), capsys=capsys)
    assert code == 1
    assert "b.yaml: rule first-positive-mention-sample: id: the same rule id is also in" in out


def test_a_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run("rules", "validate", "no-such-file.yaml", capsys=capsys)
    assert code == 2
    assert "does not exist" in err


def test_unquoted_clock_times_mean_times_not_base_60_numbers(tmp_path: Path) -> None:
    """YAML 1.1 reads 10:30 as 630 (seconds: 00:10:30). A rule active 10:30-17:00 must mean that."""
    definition = plain_yaml(ROOT / "rules" / "welcome-twitch-followers.yaml")
    text = yaml.safe_dump(definition) + "window:\n  hours: {from: 10:30, to: 17:00}\n"
    text = text.replace("window:\n  from_date: '2026-01-01'\n", "")
    path = tmp_path / "hours.yaml"
    path.write_text(text)
    rule = load(path).rule
    assert rule is not None
    assert rule.window is not None
    assert rule.window.hours is not None
    assert (rule.window.hours.start, rule.window.hours.end) == (time(10, 30), time(17, 0))
    assert parse_yaml("a: 1_000\nb: 1.5\nc: 09:00") == {"a": 1000, "b": 1.5, "c": "09:00"}


def test_a_pulled_file_remembers_its_version(tmp_path: Path) -> None:
    definition = plain_yaml(ROOT / "rules" / "first-positive-mention-sample.yaml")
    path = tmp_path / "r.yaml"
    path.write_text(dump(definition, 7, "stack prod"))
    (loaded,) = load_all([path])
    assert (loaded.base_version, loaded.definition, loaded.problems) == (7, json.loads(json.dumps(definition)), [])


def test_explain_shows_every_test_with_the_value_it_saw() -> None:
    rule = Rule.model_validate(yaml.safe_load((ROOT / "rules" / "first-positive-mention-sample.yaml").read_text()))
    facts = {"person.praised_before": False, "sentiment.band": "none", "event.text": "my bag never arrived"}
    steps = explain(rule.conditions, facts)
    assert [(s.path, s.holds) for s in steps] == [
        ("conditions", False),
        ("conditions.all[0]", True),
        ("conditions.all[1]", False),
        ("conditions.all[2]", False),
        ("conditions.all[2].not", True),
    ]
    assert steps[2].seen == "none"
    assert steps[4].text.startswith("event.text contains_any ['refund'")


def _records(fields: dict[str, dict[str, Any]]) -> dict[str, Decisions]:
    """Decisions records by event id, from the fields a test cares about."""
    return {e: Decisions.model_validate({"decided_at": "2026-11-20T10:00:01+00:00", **f}) for e, f in fields.items()}


def _work(identifier: str, kind: str, rule_id: str, created_at: str, state: str, **fields: object) -> WorkRecord:
    return WorkRecord.model_validate(
        {
            "id": identifier,
            "kind": kind,
            "state": state,
            "event_id": f"e-{identifier}",
            "event_kind": "mention",
            "event_time": created_at,
            "rule_id": rule_id,
            "rule_version": 1,
            "person": "PERSON#x#brand#p1",
            "platform": "x",
            "brand_account": "brand",
            "created_at": created_at,
            "idempotency_key": identifier,
            **fields,
        }
    )


def test_report_counts_per_rule_platform_and_day() -> None:
    events = [
        {"event_id": "e1", "platform": "x", "received_at": "2026-11-20T10:00:00.000+00:00"},
        {"event_id": "e2", "platform": "x", "received_at": "2026-11-21T10:00:00.000+00:00"},
        {"event_id": "e3", "platform": "twitch", "received_at": "2026-11-21T11:00:00.000+00:00"},
    ]
    decisions = _records(
        {
            "e1": {"decisions": [{"rule_id": "sample", "outcome": "acted"}]},
            "e2": {
                "decisions": [{"rule_id": "sample", "outcome": "limited"}, {"rule_id": "thanks", "outcome": "condition_failed"}]
            },
        }
    )
    offers = [
        _work("o1", "offer_sample", "sample", "2026-11-20T10:00:01+00:00", "sent", product_cost=6.5),
        _work("o2", "offer_sample", "sample", "2026-11-21T10:00:01+00:00", "failed", product_cost=6.5),
        _work("a1", "reply", "thanks", "2026-11-21T10:00:01+00:00", "sent", dry_run=True),
    ]
    report = build("2026-11-20T00:00:00+00:00", events, decisions, offers, {"sample": {"used": 2, "total": 500}}).as_json()
    assert report["rules"]["sample"] == {
        "events": 2,
        "matches": 2,
        "offers": 2,
        "pending_review": 0,
        "sent": 1,
        "failed": 1,
        "rejected": 0,
        "cost_sent": 6.5,
        "cost_committed": 6.5,
        "dry_run": 0,
        "actions": 0,
        "actions_sent": 0,
        "actions_failed": 0,
        "actions_dry_run": 0,
        "opt_outs": 0,
        # what became of the offer sent (tests/unit/test_report_outcomes.py): not claimed yet
        "claims": 0,
        "claim_rate": 0.0,
        "median_hours_to_claim": None,
        "fulfilled": 0,
        "redeemed": 0,
        "held_repeat_claimers": 0,
        "expired": 0,
        "product_cost": 0.0,
        "fans_said_more": 0,
        "later_mentions": 0,
        "claim_states": {"offered": 1},
        "total_cap": {"used": 2, "total": 500},
    }
    assert report["rules"]["thanks"]["matches"] == 0
    # replies, direct messages and notifications are actions: counted, never as offers
    thanks = report["rules"]["thanks"]
    assert (thanks["offers"], thanks["actions"], thanks["actions_sent"], thanks["actions_dry_run"]) == (0, 1, 1, 1)
    assert (report["totals"]["sent"], report["totals"]["actions_sent"]) == (1, 1)
    assert report["platforms"]["twitch"]["events"] == 1
    assert {day: row["events"] for day, row in report["days"].items()} == {"2026-11-20": 1, "2026-11-21": 2}
    assert report["totals"]["matches"] == 2


def test_every_module_of_the_command_imports_first() -> None:
    """The demo imported a command module before goodword_cli.main and hit an import cycle."""
    import pkgutil
    import subprocess
    import sys

    import goodword_cli

    modules = ["local_stack.demo"] + [m.name for m in pkgutil.walk_packages(goodword_cli.__path__, "goodword_cli.")]
    for module in modules:
        if module == "goodword_cli.__main__":
            continue
        result = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{module}: {result.stderr[-400:]}"


def test_the_report_chart_shows_every_day_of_the_window_and_no_empty_rows(tmp_path: Path) -> None:
    events = [{"event_id": "e1", "platform": "x", "received_at": "2026-11-20T10:00:00.000+00:00"}]
    outcomes = [{"rule_id": "sample", "outcome": "acted"}, {"rule_id": "quiet", "outcome": "condition_failed"}]
    decisions = _records({"e1": {"decisions": outcomes}})
    work = [
        _work("o1", "offer_sample", "sample", "2026-11-20T10:00:01+00:00", "sent", product_cost=6.5, dry_run=True),
        _work("o2", "offer_sample", "sample", "2026-11-23T10:00:01+00:00", "pending_review", product_cost=6.5),
    ]
    report = build("2026-11-19T00:00:00+00:00", events, decisions, work)
    data = chart_data(report, until=date(2026, 11, 24))
    assert data.days == ["2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"]  # with the year
    assert data.rules == ["sample"]  # "quiet" made no offers: no empty row
    assert data.sent_label == "sent (1 in dry run: nothing reached a platform)"
    png = tmp_path / "report.png"
    chart(report, png, until=date(2026, 11, 24))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

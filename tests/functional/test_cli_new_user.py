"""What a new user tripped over with the `goodword` command, each fixed and held here: pulling
the example rules from a fresh stack, version wording, id prefixes, rules that can never run,
dry runs said as such, and the settings and accounts of a deployed stack."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from dev_support.paths import ROOT
from goodword.aws.state_table import StateTable
from goodword.limits import RecordWork
from goodword.work import WorkKind, WorkRecord, WorkState, work_id
from tests.conftest import Aws
from tests.functional.test_cli import goodword, goodword_json

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _offer(aws: Aws, number: int, state: WorkState, **fields: Any) -> WorkRecord:
    identifier = work_id(f"x#2244994945#tweet:{number}", "first-positive-mention-sample", 0)
    record = WorkRecord(
        id=identifier,
        kind=WorkKind.OFFER_SAMPLE,
        state=state,
        event_id=f"x#2244994945#tweet:{number}",
        event_kind="mention",
        event_time=NOW.isoformat(),
        rule_id="first-positive-mention-sample",
        rule_version=1,
        person="PERSON#x#2244994945#p1",
        platform="x",
        brand_account="2244994945",
        author_id="p1",
        author_handle="fan_p1",
        created_at=NOW.isoformat(),
        idempotency_key=identifier,
        **{"channel": "reply", "message": "hi", **fields},
    )
    assert StateTable(aws.tables["StateTable"]).claim([RecordWork(record)]).ok
    return record


def test_pulling_the_example_rules_from_a_fresh_stack_keeps_the_files_as_they_are(aws: Aws, tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    before = {p.name: p.read_text() for p in folder.glob("*.yaml")}
    assert goodword(aws, "rules", "push", str(folder))[0] == 0
    assert "unchanged" in goodword(aws, "rules", "push", "--dry-run", str(folder))[1]

    code, output = goodword(aws, "rules", "pull", "--dir", str(folder))
    assert code == 0, output
    assert output.count("unchanged") == 4 and "kept files" not in output
    assert {p.name: p.read_text() for p in folder.glob("*.yaml")} == before  # comments and layout kept

    flagship = folder / "first-positive-mention-sample.yaml"
    flagship.write_text(flagship.read_text().replace("per_day: 20", "per_day: 21"))  # a change not pushed
    code, output = goodword(aws, "rules", "pull", "--dir", str(folder))
    assert (code, "kept files with changes not pushed" in output, flagship.name in output) == (1, True, True)


def test_a_rule_written_with_its_defaults_spelled_out_is_the_same_rule(aws: Aws, tmp_path: Path) -> None:
    rule = json.loads(json.dumps(yaml.safe_load((ROOT / "rules" / "first-positive-mention-sample.yaml").read_text())))
    first = tmp_path / "first.yaml"
    first.write_text(yaml.safe_dump(rule))
    assert goodword(aws, "rules", "push", str(first))[0] == 0
    spelled = {**rule, "enabled": True, "priority": rule.get("priority", 100)}
    first.write_text(yaml.safe_dump(spelled, sort_keys=True))
    code, output = goodword(aws, "rules", "push", str(first))
    assert (code, "unchanged" in output, "v1 -> v2" in output) == (0, True, False)


def test_versions_are_worded_for_people(aws: Aws, tmp_path: Path) -> None:
    code, output = goodword(aws, "rules", "push", str(ROOT / "rules" / "welcome-twitch-followers.yaml"))
    assert code == 0
    assert "created      welcome-twitch-followers (new, v1)" in output
    assert "vNone" not in output
    assert "take" in output and "rules cache" in output  # when pushed rules take effect

    draft = tmp_path / "draft.yaml"
    shutil.copy(ROOT / "rules" / "first-positive-mention-sample.yaml", draft)
    event = tmp_path / "event.json"
    event.write_text('{"platform": "x", "kind": "mention", "text": "@roaster I love your coffee!", "author": {"id": "p1"}}')
    code, output = goodword(aws, "rules", "test", str(draft), "--event", str(event))
    assert "(a draft file, not live)" in output and "version 0" not in output, output

    assert goodword(aws, "rules", "rollback", "nope", "1") == (1, "goodword: no such rule: nope (see `goodword rules list`)\n")
    code, output = goodword(aws, "rules", "rollback", "welcome-twitch-followers", "7")
    assert (code, "has no version 7" in output) == (1, True)


def test_validate_and_push_warn_of_a_rule_that_can_never_run(aws: Aws, tmp_path: Path) -> None:
    catch_all = {
        "id": "catch-all-thanks",
        "name": "Thank every mention",
        "priority": 1,
        "stop_after": True,
        "triggers": {"kinds": ["mention", "reply", "quote", "comment"]},
        "actions": [{"tag": {"label": "thanked"}}],
    }
    (tmp_path / "catch-all.yaml").write_text(yaml.safe_dump(catch_all))
    shutil.copy(ROOT / "rules" / "first-positive-mention-sample.yaml", tmp_path)
    code, output = goodword(aws, "rules", "validate", str(tmp_path))
    assert code == 0, output  # a warning, not a problem
    assert "warning" in output and "rule first-positive-mention-sample: never runs: catch-all-thanks comes first" in output
    checked = goodword_json(aws, "rules", "validate", str(tmp_path))
    assert len(checked["warnings"]) == 1 and checked["valid"]
    assert "never runs" in goodword(aws, "rules", "push", str(tmp_path))[1]

    catch_all["conditions"] = {"field": "sentiment.band", "equals": "auto"}  # now it only matches some mentions
    (tmp_path / "catch-all.yaml").write_text(yaml.safe_dump(catch_all))
    assert goodword_json(aws, "rules", "validate", str(tmp_path))["warnings"] == []


def test_ids_may_be_prefixes_everywhere_and_a_too_short_one_says_so(aws: Aws) -> None:
    rejected = _offer(aws, 1, WorkState.PENDING_REVIEW)
    assert goodword(aws, "review", "reject", rejected.id[:8], "--because", "other", "--reason", "not a fan")[0] == 0
    code, output = goodword(aws, "review", "reject", rejected.id[:8])  # again, by prefix
    assert (code, f"{rejected.id} is rejected, not waiting for review" in output) == (1, True)
    assert goodword_json(aws, "offers", "show", rejected.id[:6])["id"] == rejected.id
    code, output = goodword(aws, "offers", "show", rejected.id[:4])
    assert (code, "too short: give at least 6 characters" in output) == (1, True)
    code, output = goodword(aws, "review", "approve", "abc")
    assert (code, "too short" in output) == (1, True)
    assert goodword(aws, "offers", "show", "ffffffffff")[0] == 1


def test_a_dry_run_send_is_said_as_such_everywhere(aws: Aws) -> None:
    sent = _offer(aws, 2, WorkState.SENT, dry_run=True, platform_message_id="dry-run-1")
    listed = goodword(aws, "offers", "list", "--since", "3650d")[1]
    shown = goodword(aws, "offers", "show", sent.id)[1]
    assert "sent (dry run)" in listed and f"{sent.id}: sent (dry run)" in shown


def test_offers_show_prints_the_link_message_a_person_answers_an_ask_to_dm_with(aws: Aws) -> None:
    link = "https://roaster.example/claim/abcdefabcdefabcdefabcdef"
    asked = _offer(
        aws,
        3,
        WorkState.SENT,
        message="Thank you @fan_p1! Send us a direct message and we'll answer with your link.",
        deliver_link="ask_to_dm",
        claim_link=link,
        link_message=f"Thank you @fan_p1! A bag of Beans is yours: {link}",
    )
    shown = goodword(aws, "offers", "show", asked.id)[1]
    assert "deliver_link         ask_to_dm" in shown
    assert f'link_message         "Thank you @fan_p1! A bag of Beans is yours: {link}"' in shown


def test_platform_names_are_case_insensitive(aws: Aws) -> None:
    assert goodword(aws, "events", "list", "--platform", "X")[0] == 0
    assert goodword(aws, "offers", "list", "--platform", "Instagram", "--state", "SENT")[0] == 0


def test_settings_are_shown_validated_and_versioned(aws: Aws) -> None:
    shown = goodword_json(aws, "settings", "show")
    assert (shown["version"], shown["settings"]["time_zone"], shown["settings"]["cooldown_days"]) == (0, "UTC", 7)

    code, output = goodword(aws, "settings", "set", "time_zone=Europe/Berlin", "cooldown_days=14", "brand_names=[North Roast]")
    assert code == 0, output
    assert "version 1" in output and "rules cache" in output
    assert goodword(aws, "settings", "set", "sentiment.provider=vader")[0] == 0
    shown = goodword_json(aws, "settings", "show")
    assert (shown["version"], shown["settings"]["time_zone"], shown["settings"]["cooldown_days"]) == (2, "Europe/Berlin", 14)
    assert (shown["settings"]["brand_names"], shown["settings"]["sentiment"]["provider"]) == (["North Roast"], "vader")
    assert "time_zone: Europe/Berlin" in goodword(aws, "settings", "show")[1]

    # the pipeline reads what was written
    from goodword.aws.rules_table import RulesLoader

    book = RulesLoader(aws.tables["RulesTable"], 0)()
    read = (book.settings.time_zone, book.settings.cooldown_days, book.settings.sentiment.provider)
    assert read == ("Europe/Berlin", 14, "vader")

    code, output = goodword(aws, "settings", "set", "time_zone=Mars/Olympus", "cooldown_days=14")
    assert (code, "not written" in output, "unknown time zone" in output) == (1, True, True)
    code, output = goodword(aws, "settings", "set", "cooldown=3")
    assert (code, "no setting 'cooldown'" in output, "cooldown_days" in output) == (1, True, True)
    assert goodword(aws, "settings", "set", "cooldown_days")[0] == 1  # not KEY=VALUE
    assert goodword_json(aws, "settings", "show")["version"] == 2  # nothing written by the refusals
    assert "unchanged" in goodword(aws, "settings", "set", "cooldown_days=14")[1]

    assert goodword(aws, "settings", "set", "cooldown_days=")[0] == 0  # back to the default
    assert goodword_json(aws, "settings", "show")["settings"]["cooldown_days"] == 7
    versions = goodword_json(aws, "settings", "history")["versions"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert versions[0]["change"].startswith("set time_zone=Europe/Berlin") and all(v["updated_by"] for v in versions)


def test_accounts_are_added_changed_and_removed_with_history(aws: Aws) -> None:
    assert "none: add one" in goodword(aws, "accounts", "list")[1]
    code, output = goodword(aws, "accounts", "add", "X", "2244994945", "--handle", "@roaster")
    assert (code, "added x account 2244994945" in output) == (0, True), output
    assert "unchanged" in goodword(aws, "accounts", "add", "x", "2244994945", "--handle", "roaster")[1]
    assert "changed x account" in goodword(aws, "accounts", "add", "x", "2244994945", "--handle", "northroast")[1]
    assert goodword(aws, "accounts", "add", "twitch", "1337")[0] == 0
    listed = goodword_json(aws, "accounts", "list")["accounts"]
    assert [(a["platform"], a["account_id"], a["handle"], a["version"]) for a in listed] == [
        ("twitch", "1337", None, 1),
        ("x", "2244994945", "northroast", 2),
    ]
    from goodword.aws.rules_table import RulesLoader

    loader = RulesLoader(aws.tables["RulesTable"], 0)
    account = loader.account("x", "2244994945")
    assert account is not None and account.handle == "northroast"
    assert "northroast" in loader().settings.sentiment.brand_terms  # masked before scoring

    assert goodword(aws, "accounts", "add", "myspace", "1")[0] == 2  # not a platform (click's usage error)
    assert goodword(aws, "accounts", "remove", "x", "2244994945")[0] == 0
    assert goodword(aws, "accounts", "remove", "x", "2244994945") == (
        1,
        "goodword: no x account 2244994945 (see `goodword accounts list`)\n",
    )
    assert [a["platform"] for a in goodword_json(aws, "accounts", "list")["accounts"]] == ["twitch"]
    from goodword.aws.rules_store import SettingsStore
    from goodword.rule_versions import account_sk

    history = SettingsStore(aws.tables["RulesTable"]).history(account_sk("x", "2244994945"))
    assert [(h.version, h.change) for h in history] == [(1, "add"), (2, "change"), (3, "remove")]

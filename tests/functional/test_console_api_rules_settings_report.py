"""The console's API for rules, settings and the report, called as API Gateway's HTTP API
calls it (the JWT authorizer's claims in the event) against moto: editors change rules and
settings with optimistic versions, viewers only read, problems come back at their paths,
a backtest gives the command's numbers, the report comes as CSV too, and the OpenAPI
document lists every route."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from dev_support.lambda_events import console_api_event
from dev_support.paths import ROOT
from goodword.aws.rules_store import RulesStore
from tests.conftest import Aws
from tests.functional.test_cli import goodword_json, live_run, snapshot

EDITOR = {"cognito:username": "ed@example.org", "cognito:groups": "[editors]"}
VIEWER = {"cognito:username": "vi@example.org", "cognito:groups": "[viewers]"}
FLAGSHIP_ID = "first-positive-mention-sample"
FLAGSHIP = (ROOT / "rules" / f"{FLAGSHIP_ID}.yaml").read_text()


@pytest.fixture
def api(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The console API's handler with the function's environment (as the template sets it)."""
    from console_api import handler

    for name, value in {
        "EVENTS_TABLE_NAME": aws.tables["EventsTable"],
        "STATE_TABLE_NAME": aws.tables["StateTable"],
        "RULES_TABLE_NAME": aws.tables["RulesTable"],
        "CLAIMS_TABLE_NAME": aws.tables["ClaimsTable"],
        "ACTIONS_QUEUE_URL": aws.queues["ActionsQueue"],
    }.items():
        monkeypatch.setenv(name, value)
    handler.reset()
    yield handler
    handler.reset()


class Answer:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.status: int = raw["statusCode"]
        self.headers: dict[str, str] = {k.lower(): v for k, v in (raw.get("headers") or {}).items()}
        self.text: str = raw.get("body") or ""

    def json(self) -> Any:
        return json.loads(self.text)


def call(
    api: Any,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    claims: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> Answer:
    """One request as API Gateway's HTTP API (payload 2.0) passes it, signed in as ``claims``."""
    from dev_support.lambda_context import FakeLambdaContext

    event = console_api_event(method, path, body, query, claims or EDITOR)
    return Answer(api.lambda_handler(event, FakeLambdaContext()))


def plain(document: Any) -> str:
    """As YAML (plain dicts: another test's import may make the YAML loader give OrderedDicts)."""
    return yaml.safe_dump(json.loads(json.dumps(document)), sort_keys=False)


def edited(text: str, **limits: int) -> str:
    rule = yaml.safe_load(text)
    rule["limits"] = {**rule["limits"], **limits}
    return plain(rule)


def test_an_editor_saves_a_rule_and_a_stale_version_is_refused(api: Any, aws: Aws) -> None:
    created = call(api, "PUT", f"/api/rules/{FLAGSHIP_ID}", {"yaml": FLAGSHIP, "expected_version": None})
    assert (created.status, created.json()) == (200, {"rule_id": FLAGSHIP_ID, "version": 1})

    saved = call(api, "PUT", f"/api/rules/{FLAGSHIP_ID}", {"yaml": edited(FLAGSHIP, per_day=30), "expected_version": 1})
    assert (saved.status, saved.json()["version"]) == (200, 2)
    shown = call(api, "GET", f"/api/rules/{FLAGSHIP_ID}").json()
    assert (shown["version"], shown["updated_by"], shown["definition"]["limits"]["per_day"]) == (
        2,
        "console:ed@example.org",
        30,
    )
    assert yaml.safe_load(shown["yaml"]) == shown["definition"]

    before = snapshot(aws)
    stale = call(api, "PUT", f"/api/rules/{FLAGSHIP_ID}", {"yaml": edited(FLAGSHIP, per_day=40), "expected_version": 1})
    assert stale.status == 409
    assert "version 2" in stale.json()["message"]
    again = call(api, "PUT", f"/api/rules/{FLAGSHIP_ID}", {"yaml": FLAGSHIP, "expected_version": None})
    assert again.status == 409  # "new" rule that exists: never overwritten
    assert snapshot(aws) == before


def test_problems_come_back_at_their_paths_and_nothing_is_written(api: Any, aws: Aws) -> None:
    broken = edited(FLAGSHIP, per_day=0)

    checked = call(api, "POST", "/api/rules/validate", {"yaml": broken})
    assert checked.status == 200
    assert checked.json()["ok"] is False
    assert [p["path"] for p in checked.json()["problems"]] == ["limits.per_day"]
    assert call(api, "POST", "/api/rules/validate", {"yaml": FLAGSHIP}).json() == {"ok": True, "problems": [], "warnings": []}
    assert call(api, "POST", "/api/rules/validate", {"yaml": "id: [unclosed"}).json()["problems"][0]["path"] == "line 1"

    refused = call(api, "PUT", f"/api/rules/{FLAGSHIP_ID}", {"yaml": broken, "expected_version": None})
    assert refused.status == 422
    assert [p["path"] for p in refused.json()["problems"]] == ["limits.per_day"]
    renamed = call(api, "PUT", "/api/rules/another-id", {"yaml": FLAGSHIP, "expected_version": None})
    assert (renamed.status, [p["path"] for p in renamed.json()["problems"]]) == (422, ["id"])
    assert RulesStore(aws.tables["RulesTable"]).all() == []


def test_a_viewer_reads_but_cannot_change_anything(api: Any, aws: Aws) -> None:
    call(api, "PUT", f"/api/rules/{FLAGSHIP_ID}", {"yaml": FLAGSHIP, "expected_version": None})
    before = snapshot(aws)

    assert call(api, "GET", "/api/rules", claims=VIEWER).status == 200
    assert call(api, "PUT", f"/api/rules/{FLAGSHIP_ID}", {"yaml": FLAGSHIP, "expected_version": 1}, VIEWER).status == 403
    assert call(api, "POST", f"/api/rules/{FLAGSHIP_ID}/disable", claims=VIEWER).status == 403
    assert call(api, "POST", f"/api/rules/{FLAGSHIP_ID}/rollback", {"version": 1}, VIEWER).status == 403
    assert call(api, "PUT", "/api/settings", {"yaml": "cooldown_days: 3", "expected_version": None}, VIEWER).status == 403
    assert snapshot(aws) == before


def test_rollback_restores_an_earlier_definition_and_history_shows_each_change(api: Any) -> None:
    call(api, "PUT", f"/api/rules/{FLAGSHIP_ID}", {"yaml": FLAGSHIP, "expected_version": None})
    first = call(api, "GET", f"/api/rules/{FLAGSHIP_ID}").json()["definition"]
    disabled = call(api, "POST", f"/api/rules/{FLAGSHIP_ID}/disable").json()
    assert disabled == {"rule_id": FLAGSHIP_ID, "enabled": False, "version": 2}
    call(api, "PUT", f"/api/rules/{FLAGSHIP_ID}", {"yaml": edited(FLAGSHIP, total=50), "expected_version": 2})

    rolled = call(api, "POST", f"/api/rules/{FLAGSHIP_ID}/rollback", {"version": 1})

    assert rolled.json() == {"rule_id": FLAGSHIP_ID, "version": 4}
    assert call(api, "GET", f"/api/rules/{FLAGSHIP_ID}").json()["definition"] == first
    versions = call(api, "GET", f"/api/rules/{FLAGSHIP_ID}/history").json()["versions"]
    assert [(v["version"], v["enabled"]) for v in versions] == [(4, True), (3, True), (2, False), (1, True)]
    assert "+  total: 500" in versions[0]["diff"]
    assert "-  total: 500" in versions[1]["diff"]
    assert "+  total: 50\n" in versions[1]["diff"]
    assert call(api, "POST", f"/api/rules/{FLAGSHIP_ID}/rollback", {"version": 9}).status == 404
    proposed = call(api, "POST", f"/api/rules/{FLAGSHIP_ID}/diff", {"yaml": edited(FLAGSHIP, per_day=31)}).json()["diff"]
    assert "-  per_day: 20" in proposed
    assert "+  per_day: 31" in proposed


def test_backtest_gives_the_commands_numbers_and_writes_nothing(
    api: Any, aws: Aws, pipeline: Any, lambda_context: Any, tmp_path: Path
) -> None:
    live_run(aws, pipeline, lambda_context)
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    before = snapshot(aws)

    answer = call(api, "POST", f"/api/rules/{FLAGSHIP_ID}/backtest", {"since": since})

    assert answer.status == 200
    command = goodword_json(aws, "rules", "backtest", FLAGSHIP_ID, "--since", since)
    result = answer.json()
    assert {k: result[k] for k in command} == command
    assert result["rule_id"] == FLAGSHIP_ID
    assert result["offers"] == command["rules"][0]["offers"] > 0  # the rule's figures at the top too

    draft = yaml.safe_load(FLAGSHIP)
    draft["limits"] = {"once_per_person": "forever", "per_day": 1}
    (tmp_path / "draft.yaml").write_text(plain(draft))
    proposed = call(api, "POST", f"/api/rules/{FLAGSHIP_ID}/backtest", {"since": since, "yaml": plain(draft)}).json()
    command = goodword_json(aws, "rules", "backtest", str(tmp_path / "draft.yaml"), "--since", since)
    assert {k: proposed[k] for k in command} == command
    assert proposed["offers"] == 1
    assert snapshot(aws) == before
    assert (
        call(api, "POST", f"/api/rules/{FLAGSHIP_ID}/backtest", {"since": "last tuesday"}).json()["problems"][0]["path"]
        == "since"
    )


def test_the_rules_list_and_the_report_count_what_the_pipeline_did(
    api: Any, aws: Aws, pipeline: Any, lambda_context: Any
) -> None:
    live_run(aws, pipeline, lambda_context)
    command = goodword_json(aws, "report", "--since", "7d")

    listed = {r["rule_id"]: r for r in call(api, "GET", "/api/rules").json()["rules"]}
    flagship = listed[FLAGSHIP_ID]
    offers = command["rules"][FLAGSHIP_ID]["offers"]
    assert flagship["today"] == {"matches": command["rules"][FLAGSHIP_ID]["matches"], "offers": offers}
    assert flagship["cap"] == {"used": offers, "limit": 500}
    live = RulesStore(aws.tables["RulesTable"]).get(FLAGSHIP_ID)
    assert live is not None
    assert (flagship["version"], flagship["enabled"]) == (live.version, True)

    shown = call(api, "GET", "/api/report", query={"since": "7d"}).json()
    assert shown["totals"] == command["totals"]
    assert {r["rule_id"]: r["offers"] for r in shown["per_rule"]} == {k: v["offers"] for k, v in command["rules"].items()}
    assert [p["platform"] for p in shown["per_platform"]] == ["x"]
    assert sum(d["events"] for d in shown["per_day"]) == 13

    csv = call(api, "GET", "/api/report.csv", query={"since": "7d"})
    assert csv.status == 200
    assert csv.headers["content-type"].startswith("text/csv")
    header, *rows = csv.text.splitlines()
    assert header == "day,rule_id,offers,sent,claims,budget_used"
    per_rule: dict[str, int] = {}
    for row in rows:
        _day, rule_id, made, *_ = row.split(",")
        per_rule[rule_id] = per_rule.get(rule_id, 0) + int(made)
    assert per_rule[FLAGSHIP_ID] == offers
    assert call(api, "GET", "/api/report", query={"since": "whenever"}).status == 422


def test_settings_are_saved_with_versions_and_problems_at_their_paths(api: Any, aws: Aws) -> None:
    shown = call(api, "GET", "/api/settings").json()
    assert (shown["version"], shown["settings"]["time_zone"]) == (0, "UTC")

    saved = call(api, "PUT", "/api/settings", {"yaml": "time_zone: Europe/Berlin\ncooldown_days: 14\n", "expected_version": 0})
    assert saved.json() == {"version": 1}
    shown = call(api, "GET", "/api/settings").json()
    assert (shown["version"], shown["settings"]["cooldown_days"], shown["updated_by"]) == (1, 14, "console:ed@example.org")
    assert yaml.safe_load(shown["yaml"]) == {"time_zone": "Europe/Berlin", "cooldown_days": 14}

    assert call(api, "PUT", "/api/settings", {"yaml": "cooldown_days: 3\n", "expected_version": 0}).status == 409
    bad = call(api, "PUT", "/api/settings", {"yaml": "time_zone: Mars/Olympus\n", "expected_version": 1})
    assert (bad.status, [p["path"] for p in bad.json()["problems"]]) == (422, ["time_zone"])
    checked = call(api, "POST", "/api/settings/validate", {"yaml": "sentiment:\n  provider: nope\n"}).json()
    assert (checked["ok"], [p["path"] for p in checked["problems"]]) == (False, ["sentiment.provider"])
    versions = call(api, "GET", "/api/settings/history").json()["versions"]
    assert [v["version"] for v in versions] == [1]
    assert goodword_json(aws, "settings", "show")["settings"]["cooldown_days"] == 14  # the command sees the same


def test_the_openapi_document_lists_every_route_the_app_registers(api: Any) -> None:
    app = api.app
    registered = {
        (method.lower(), route.openapi_path)
        for route in [*app._static_routes, *app._dynamic_routes]
        if route.include_in_schema
        for method in ([route.method] if isinstance(route.method, str) else route.method)
    }
    answer = call(api, "GET", "/api/openapi.json", claims=VIEWER)
    assert answer.status == 200
    documented = {(method, path) for path, operations in answer.json()["paths"].items() for method in operations}
    assert registered <= documented
    assert ("put", "/api/rules/{rule_id}") in documented
    assert ("get", "/api/report.csv") in documented

"""/api routes of the console's rules page, over goodword.services.rules: list, read,
validate, diff, save (optimistic versions), backtest, history, rollback, enable, disable."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, Field

from console_api.auth import caller, editor
from console_api.routes.stores import stores
from goodword.aws import clients
from goodword.pipeline.scoring import Scorer
from goodword.sentiment.providers import providers
from goodword.services import rules
from goodword.services.since import since

router = Router()  # type: ignore[no-untyped-call]


class RuleText(BaseModel):
    yaml: str = Field(description="the rule as YAML, as the rule files write it")


class SaveRule(BaseModel):
    yaml: str = Field(description="the rule as YAML; its id must be the rule's")
    expected_version: int | None = Field(description="the version read before editing; null for a new rule")


class Backtest(BaseModel):
    yaml: str | None = Field(default=None, description="a proposed rule to backtest instead of the live one")
    since: str = Field(default="7d", description="how far back: 30m, 24h, 7d, 2w, or a date")


class Rollback(BaseModel):
    version: int = Field(ge=1, description="the version to make live again (as a new version)")


def _reader() -> None:
    caller(router.current_event.raw_event)


def _writer() -> str:
    return editor(router.current_event.raw_event).name


@router.get("/api/rules")
def list_rules() -> dict[str, Any]:
    """Every rule with its state, version, last change, today's matches and offers, and cap used."""
    _reader()
    return {"rules": [r.as_json() for r in rules.list_rules(stores())]}


@router.post("/api/rules/validate")
def validate(body: RuleText) -> dict[str, Any]:
    """The pipeline's own validation of a proposed rule (nothing is written)."""
    _reader()
    return rules.validate(stores(), body.yaml).as_json()


@router.get("/api/rules/<rule_id>")
def get_rule(rule_id: str) -> dict[str, Any]:
    _reader()
    return rules.get(stores(), rule_id).as_json()


@router.post("/api/rules/<rule_id>/diff")
def diff(rule_id: str, body: RuleText) -> dict[str, Any]:
    """What saving the proposed rule would change, as a unified diff from the live one."""
    _reader()
    return {"diff": rules.diff_proposed(stores(), rule_id, body.yaml)}


@router.put("/api/rules/<rule_id>")
def save(rule_id: str, body: SaveRule) -> dict[str, Any]:
    """Save as the next version; 409 when the rule changed since expected_version, 422 with
    each problem at its path."""
    who = _writer()
    return rules.save(stores(), rule_id, body.yaml, body.expected_version, who).as_json()


@router.post("/api/rules/<rule_id>/backtest")
def backtest(rule_id: str, body: Backtest) -> dict[str, Any]:
    """What the rule (or the proposed one) would have done since then, writing nothing: the
    object `goodword rules backtest RULE --json` prints, and that rule's figures at the top."""
    _reader()
    start = since(body.since)
    scorer = Scorer(providers(comprehend=clients.comprehend))  # as the command's, without a second opinion
    result = rules.backtest_rule(stores(), rule_id, start, body.yaml, scorer).as_json()
    figures: dict[str, Any] = next((r for r in result["rules"] if r["rule_id"] == rule_id), {})
    return {**figures, **result}


@router.get("/api/rules/<rule_id>/history")
def history(rule_id: str) -> dict[str, Any]:
    """Every version, newest first, each with its diff from the one before."""
    _reader()
    return {"versions": rules.history(stores(), rule_id).as_json()["versions"]}


@router.post("/api/rules/<rule_id>/rollback")
def rollback(rule_id: str, body: Rollback) -> dict[str, Any]:
    who = _writer()
    return rules.rollback(stores(), rule_id, body.version, who).as_json()


def _toggled(rule_id: str, enabled: bool) -> dict[str, Any]:
    saved = rules.set_enabled(stores(), rule_id, enabled, _writer())
    return {"rule_id": saved.rule_id, "enabled": saved.enabled, "version": saved.version}


@router.post("/api/rules/<rule_id>/enable")
def enable(rule_id: str) -> dict[str, Any]:
    return _toggled(rule_id, True)


@router.post("/api/rules/<rule_id>/disable")
def disable(rule_id: str) -> dict[str, Any]:
    return _toggled(rule_id, False)

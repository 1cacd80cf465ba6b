"""Rules compiled once per load, indexed by trigger, evaluated per event (pure: the
limits, which need the state table, are applied by the pipeline afterwards)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from goodword.rules.conditions import Check, compile_condition, compile_matcher
from goodword.rules.fields import FIELDS
from goodword.rules.model import Rule, Settings, Window
from goodword.sentiment.judge.adapter import Adapter

_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
MAX_DETAIL = 1000  # characters of a decision's explanation
MAX_FACT_CHARS = 500  # characters of a text fact recorded with a decision (an excerpt of the post)


def bounded(detail: str) -> str:
    """An explanation as recorded: at most MAX_DETAIL characters."""
    return detail if len(detail) <= MAX_DETAIL else detail[: MAX_DETAIL - 1] + "…"


def excerpt(value: Any) -> Any:
    """A fact as recorded with a decision: a long text is cut to MAX_FACT_CHARS."""
    return value[: MAX_FACT_CHARS - 1] + "…" if isinstance(value, str) and len(value) > MAX_FACT_CHARS else value


class Outcome(StrEnum):
    MATCHED = "matched"  # conditions held; limits decide whether it acts
    ACTED = "acted"  # matched and the limits let it act
    CONDITION_FAILED = "condition_failed"
    OUTSIDE_WINDOW = "outside_window"
    DISABLED = "disabled"
    PAUSED = "paused"
    BLOCKED = "blocked"  # the author blocked the brand: no automated contact
    LIMITED = "limited"  # a limit (once per person, cooldown, cap) stopped it
    REFUSED = "refused"  # platform policy forbids its contact after this event
    STOPPED = "stopped"  # an earlier rule with stop_after acted


@dataclass(frozen=True)
class Decision:
    """What happened to one rule for one event (a new one for each step: never changed)."""

    rule_id: str
    version: int
    outcome: Outcome
    detail: str = ""
    facts: dict[str, Any] = field(default_factory=dict)

    def becomes(self, outcome: Outcome, detail: str) -> Decision:
        return replace(self, outcome=outcome, detail=bounded(detail))


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    version: int
    matches: Callable[[dict[str, Any]], bool] | None  # the fast yes/no
    check: Check | None  # the explanation, asked only when the answer is no
    fields: tuple[str, ...]  # the facts its conditions read, recorded with each decision


@dataclass
class RuleBook:
    settings: Settings
    rules: list[CompiledRule]
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (rule id, reason)
    adapter: Adapter | None = None  # the brand's own praise model, when one is live
    _index: dict[tuple[str, str], list[CompiledRule]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        index: dict[tuple[str, str], list[CompiledRule]] = defaultdict(list)
        for compiled in sorted(self.rules, key=lambda c: (c.rule.priority, c.rule.id)):
            triggers = compiled.rule.triggers
            platforms = [p.value for p in triggers.platforms] if triggers.platforms else ["*"]
            for platform in platforms:
                for kind in triggers.kinds:
                    index[(platform, kind.value)].append(compiled)
        self._index = dict(index)

    def candidates(self, platform: str, kind: str, brand_account: str) -> list[CompiledRule]:
        found = self._index.get((platform, kind), []) + self._index.get(("*", kind), [])
        found = [c for c in found if not c.rule.triggers.brand_accounts or brand_account in c.rule.triggers.brand_accounts]
        return sorted(found, key=lambda c: (c.rule.priority, c.rule.id))


def compile_rules(
    settings: Settings,
    rules: list[tuple[Rule, int]],
    invalid: list[tuple[str, str]] | None = None,
    adapter: Adapter | None = None,
) -> RuleBook:
    """Each rule compiled on its own: one that cannot be is reported invalid with the reason
    and left out, and the others run. A disabled rule is not compiled (it never matches)."""
    compiled, skipped = [], list(invalid or [])
    for rule, version in rules:
        try:
            compiled.append(_compile(rule, version))
        except Exception as exc:  # whatever went wrong, it is this rule's alone (invariant 4)
            skipped.append((rule.id, f"the rule could not be compiled: {type(exc).__name__}: {exc}"))
    return RuleBook(settings, compiled, skipped, adapter)


def _compile(rule: Rule, version: int) -> CompiledRule:
    if rule.conditions is None or not rule.enabled:
        return CompiledRule(rule, version, None, None, ())
    return CompiledRule(rule, version, compile_matcher(rule.conditions), compile_condition(rule.conditions), _fields_of(rule))


def _fields_of(rule: Rule) -> tuple[str, ...]:
    text = json.dumps(rule.model_dump(mode="json", by_alias=True).get("conditions"))
    return tuple(name for name in FIELDS if f'"{name}"' in text)


def in_window(window: Window | None, now: datetime, time_zone: str) -> str | None:
    """None when active; else why not."""
    if window is None:
        return None
    local = now.astimezone(ZoneInfo(time_zone))
    if window.start_date and local.date() < window.start_date:
        return f"starts {window.start_date.isoformat()}"
    if window.end_date and local.date() > window.end_date:
        return f"ended {window.end_date.isoformat()}"
    if window.days and _DAYS[local.weekday()] not in window.days:
        return f"not active on {_DAYS[local.weekday()]}"
    if window.hours:
        start, end, clock = window.hours.start, window.hours.end, local.time()
        active = start <= clock < end if start <= end else (clock >= start or clock < end)
        if not active:
            return f"active {start.strftime('%H:%M')}-{end.strftime('%H:%M')} {time_zone}, it is {clock.strftime('%H:%M')}"
    return None


def evaluate(book: RuleBook, facts: dict[str, Any], now: datetime) -> list[tuple[CompiledRule, Decision]]:
    """Every rule the event triggers, with its decision before limits. MATCHED ones go on
    to the limits, in priority order."""
    results = []
    blocked = bool(facts.get("author.has_blocked_brand"))
    for compiled in book.candidates(str(facts["event.platform"]), str(facts["event.kind"]), str(facts["event.brand_account"])):
        rule = compiled.rule
        used = {name: excerpt(facts.get(name)) for name in compiled.fields}
        outcome, detail = Outcome.MATCHED, ""
        if not rule.enabled:
            outcome, detail = Outcome.DISABLED, "the rule is disabled"
        elif book.settings.paused:
            outcome, detail = Outcome.PAUSED, "all rules are paused (settings)"
        elif (why := in_window(rule.window, now, book.settings.time_zone)) is not None:
            outcome, detail = Outcome.OUTSIDE_WINDOW, why
        elif blocked:
            outcome, detail = Outcome.BLOCKED, "the author has blocked the brand"
        elif compiled.matches is not None and compiled.check is not None and not compiled.matches(facts):
            failure = compiled.check(facts)
            outcome, detail = (
                Outcome.CONDITION_FAILED,
                f"{failure.path}: {failure.explain()}" if failure else "conditions were false",
            )
        results.append((compiled, Decision(rule.id, compiled.version, outcome, bounded(detail), used)))
    return results

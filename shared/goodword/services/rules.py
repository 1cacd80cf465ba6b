"""The rules, as a marketer changes them: list (with today's matches and offers and the cap
used), read, validate (the pipeline's own checks, each problem at its dotted path), diff
against what is live, save as the next version (refused when someone saved since: optimistic
versions), history with diffs, rollback, enable and disable; and backtest (what a rule,
stored or proposed, would have done over the stored events, writing nothing). The command
(`goodword rules ...`) and the console's API both call these."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from goodword.backtest import BacktestResult
from goodword.backtest import backtest as run_backtest
from goodword.pipeline.scoring import Scorer
from goodword.rule_versions import ConflictError, StoredRule
from goodword.rules.documents import as_yaml, definition_of, rule_problems, same_rule, unified_diff
from goodword.rules.engine import RuleBook, compile_rules
from goodword.rules.model import Rule
from goodword.rules.shadowing import shadowing_warnings
from goodword.services import errors, report
from goodword.services.errors import Conflict, Invalid, NotFound, Problem
from goodword.services.stores import Stores

Draft = tuple[Rule, int]  # a rule not (or not yet) live, and the version it is based on (0: none)


@dataclass(frozen=True)
class RuleSummary:
    """One live rule in the rules list: its state, and what it did today (UTC)."""

    stored: StoredRule
    problems: list[Problem]  # why the pipeline skips it (empty: valid)
    matches_today: int = 0
    offers_today: int = 0
    cap_used: int = 0
    cap_limit: int | None = None  # limits.total; None: no total cap

    @property
    def rule_id(self) -> str:
        return self.stored.rule_id

    def as_json(self) -> dict[str, Any]:
        definition = self.stored.definition
        return {
            "rule_id": self.rule_id,
            "name": definition.get("name"),
            "enabled": definition.get("enabled", True),
            "priority": definition.get("priority", 100),
            "version": self.stored.version,
            "description": definition.get("description"),
            "updated_by": self.stored.updated_by,
            "updated_at": self.stored.updated_at,
            "today": {"matches": self.matches_today, "offers": self.offers_today},
            "cap": {"used": self.cap_used, "limit": self.cap_limit},
            "problems": [p.as_json() for p in self.problems],
        }


@dataclass(frozen=True)
class RuleDetail:
    stored: StoredRule

    def as_json(self) -> dict[str, Any]:
        stored = self.stored
        return {
            "rule_id": stored.rule_id,
            "version": stored.version,
            "enabled": stored.definition.get("enabled", True),
            "definition": stored.definition,
            "yaml": as_yaml(stored.definition),
            "updated_by": stored.updated_by,
            "updated_at": stored.updated_at,
        }


@dataclass(frozen=True)
class Validation(errors.Validation):
    """A proposed rule's validation; warnings name a rule another can never let run."""

    rule: Rule | None = None  # None when there are problems


@dataclass(frozen=True)
class Saved:
    rule_id: str
    version: int
    changed: bool = True  # False: the same rule was already live, nothing written
    enabled: bool = True

    def as_json(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "version": self.version}


@dataclass(frozen=True)
class RuleVersion:
    """One version in a rule's history, with the diff from the version before it."""

    stored: StoredRule
    diff: str

    def as_json(self) -> dict[str, Any]:
        stored = self.stored
        return {
            "version": stored.version,
            "change": stored.change,
            "updated_by": stored.updated_by,
            "updated_at": stored.updated_at,
            "enabled": stored.definition.get("enabled", True),
            "yaml": as_yaml(stored.definition),
            "diff": self.diff,
        }


@dataclass(frozen=True)
class RuleHistory:
    rule_id: str
    versions: list[RuleVersion]  # oldest first

    def as_json(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "versions": [v.as_json() for v in reversed(self.versions)]}


def _problems(pairs: list[tuple[str, str]]) -> list[Problem]:
    return [Problem(path, message) for path, message in pairs]


def check(definition: dict[str, Any]) -> tuple[Rule | None, list[Problem]]:
    """The rule a definition makes, or its problems (the pipeline's own validation)."""
    rule, problems = rule_problems(definition)
    return rule, _problems(problems)


# --- reading -------------------------------------------------------------------------------


def list_rules(stores: Stores, now: datetime | None = None, today: bool = True) -> list[RuleSummary]:
    """Every stored rule, by id: version, state, last change, and (``today``) its matches
    and offers today (the UTC day, counted as the report counts them) and its total cap used."""
    stored = stores.rules.all()
    if not stored or not today:
        return [RuleSummary(r, check(r.definition)[1]) for r in stored]
    midnight = (now or datetime.now(UTC)).replace(hour=0, minute=0, second=0, microsecond=0)
    counted_today = report.read(stores, midnight, outcomes=False)
    used = stores.state.cap_counts([r.rule_id for r in stored], "TOTAL")
    summaries = []
    for rule in stored:
        counted = counted_today.rules.get(rule.rule_id)
        total = (rule.definition.get("limits") or {}).get("total")
        summaries.append(
            RuleSummary(
                rule,
                check(rule.definition)[1],
                counted.matches if counted else 0,
                counted.offers if counted else 0,
                used.get(rule.rule_id, 0),
                int(total) if isinstance(total, int) else None,
            )
        )
    return summaries


def get(stores: Stores, rule_id: str) -> RuleDetail:
    stored = stores.rules.get(rule_id)
    if stored is None:
        raise NotFound(f"no such rule: {rule_id}")
    return RuleDetail(stored)


def live_rules(stores: Stores, replaced: Sequence[Rule] = ()) -> list[Rule]:
    """The live rules as they would stand with ``replaced`` live (those with their ids)."""
    rules: dict[str, Rule] = {r.id: r for r in replaced}
    for stored in stores.rules.all():
        if stored.rule_id not in rules and (parsed := check(stored.definition)[0]) is not None:
            rules[stored.rule_id] = parsed
    return list(rules.values())


def warnings_for(rules: Sequence[Rule], where: Callable[[str], str] = lambda _rule_id: "live") -> list[str]:
    """Rules that can never run (an earlier rule stops every event they would see)."""
    return [f"{where(rule_id)}: rule {rule_id}: {why}" for rule_id, why in shadowing_warnings(list(rules)).items()]


def validate(stores: Stores | None, text: str, rule_id: str | None = None) -> Validation:
    """A proposed rule as YAML text, checked as the pipeline checks it; with ``stores``, also
    warned about against the live rules (the proposal replacing the live rule of its id).
    ``rule_id``: the rule it must be (a proposal for one rule cannot rename it)."""
    definition, broken = definition_of(text)
    if definition is None:
        return Validation(_problems(broken))
    rule, problems = check(definition)
    if rule_id is not None and definition.get("id") != rule_id:
        problems.append(Problem("id", f"this is rule {rule_id}: its id cannot change (save it as a new rule instead)"))
        rule = None
    if rule is None:
        return Validation(problems, definition=definition)
    warnings = warnings_for(live_rules(stores, [rule]), lambda i: "proposed" if i == rule.id else "live") if stores else []
    return Validation([], warnings, definition, rule)


def diff(live: StoredRule | None, definition: dict[str, Any], label: str) -> str:
    """The unified diff from the live rule to ``definition`` (labelled ``label``)."""
    before = f"live version {live.version}" if live else "not live"
    return unified_diff(live.definition if live else None, definition, before, label)


def diff_proposed(stores: Stores, rule_id: str, text: str) -> str:
    """What saving ``text`` as rule ``rule_id`` would change (Invalid when it is not YAML)."""
    definition, broken = definition_of(text)
    if definition is None:
        raise Invalid(_problems(broken))
    return diff(stores.rules.get(rule_id), definition, "proposed")


# --- writing -------------------------------------------------------------------------------


def write(
    stores: Stores, definition: dict[str, Any], expected_version: int | None, who: str, change: str, source: str
) -> StoredRule:
    """Store a valid definition as the next version of its rule, on the condition that the
    stored version is still ``expected_version`` (None: the rule must not exist yet)."""
    try:
        return stores.rules.write(str(definition["id"]), definition, expected_version, change, source, who)
    except ConflictError as exc:
        raise Conflict(str(exc)) from None


def save(stores: Stores, rule_id: str, text: str, expected_version: int | None, who: str, source: str = "console") -> Saved:
    """Save a proposed rule (YAML text) as rule ``rule_id``'s next version. Refused (Invalid)
    with every problem at its path, or (Conflict) when the stored version is not
    ``expected_version`` (None: a new rule): whoever saved meanwhile is never overwritten.
    The same rule as live writes nothing."""
    checked = validate(None, text, rule_id)
    if not checked.ok or checked.definition is None:
        raise Invalid(checked.problems)
    live = stores.rules.get(rule_id)
    found = live.version if live else None
    if found != expected_version:
        if live is None:
            raise Conflict(f"rule {rule_id} does not exist (any more): save it as a new rule")
        if expected_version is None:
            raise Conflict(f"rule {rule_id} already exists (version {live.version}, by {live.updated_by}): read it first")
        raise Conflict(
            f"rule {rule_id} is at version {live.version} (changed by {live.updated_by} at {live.updated_at}), "
            f"not version {expected_version}: read it again and redo your change"
        )
    if live is not None and same_rule(live.definition, checked.definition):
        return Saved(rule_id, live.version, changed=False, enabled=live.definition.get("enabled", True))
    stored = write(stores, checked.definition, expected_version, who, "edit", source)
    return Saved(rule_id, stored.version, enabled=stored.definition.get("enabled", True))


def _live(stores: Stores, rule_id: str) -> StoredRule:
    live = stores.rules.get(rule_id)
    if live is None:
        raise NotFound(f"no such rule: {rule_id}")
    return live


def set_enabled(stores: Stores, rule_id: str, enabled: bool, who: str) -> Saved:
    """Turn a rule on or off as a new version (it stays, with its history); nothing is
    written when it already is (``changed`` False)."""
    live = _live(stores, rule_id)
    if live.definition.get("enabled", True) == enabled:
        return Saved(rule_id, live.version, changed=False, enabled=enabled)
    change = "enable" if enabled else "disable"
    stored = write(stores, {**live.definition, "enabled": enabled}, live.version, who, change, live.source or "")
    return Saved(rule_id, stored.version, enabled=enabled)


def rollback(stores: Stores, rule_id: str, version: int, who: str) -> Saved:
    """Make an earlier version live again, as a new version (history is never rewritten);
    refused when that version is not valid today."""
    versions = stores.rules.history(rule_id)
    if not versions and stores.rules.get(rule_id) is None:
        raise NotFound(f"no such rule: {rule_id}")
    old = next((v for v in versions if v.version == version), None)
    if old is None:
        raise NotFound(f"rule {rule_id} has no version {version} in its history")
    _, problems = check(old.definition)
    if problems:
        described = "; ".join(f"{p.path}: {p.message}" for p in problems)
        raise Invalid(problems, f"version {version} is not valid today, not rolled back: {described}")
    live = stores.rules.get(rule_id)
    stored = write(stores, old.definition, live.version if live else None, who, f"rollback to {version}", old.source or "")
    return Saved(rule_id, stored.version, enabled=stored.definition.get("enabled", True))


def history(stores: Stores, rule_id: str) -> RuleHistory:
    """Every version, oldest first, each with what changed from the one before."""
    versions = stores.rules.history(rule_id)
    if not versions:
        raise NotFound(f"no history for rule {rule_id}")
    entries, before = [], None
    for stored in versions:
        label = f"version {before.version}" if before else "nothing"
        entries.append(
            RuleVersion(
                stored, unified_diff(before.definition if before else None, stored.definition, label, f"version {stored.version}")
            )
        )
        before = stored
    return RuleHistory(rule_id, entries)


# --- backtest ------------------------------------------------------------------------------


def choose(book: RuleBook, wanted: Sequence[str | Draft]) -> list[Draft]:
    """Live rules by id and drafts as given, in that order, a draft replacing the live rule
    of its id; every live rule when none is wanted."""
    live = {c.rule.id: c for c in book.rules}
    invalid = dict(book.invalid)
    chosen: dict[str, Draft] = {}
    for name in wanted:
        if not isinstance(name, str):
            chosen[name[0].id] = name
        elif name in live:
            chosen[name] = (live[name].rule, live[name].version)
        elif name in invalid:
            raise Invalid(
                [Problem("rule_id", invalid[name])], f"live rule {name} is invalid (the pipeline skips it): {invalid[name]}"
            )
        else:
            raise NotFound(f"no live rule {name}")
    return list(chosen.values()) or [(c.rule, c.version) for c in book.rules]


def backtest(
    stores: Stores,
    since: datetime,
    wanted: Sequence[str | Draft] = (),
    scorer: Scorer | None = None,
    progress: Callable[[str, int, int | None], None] = lambda _step, _done, _total: None,
) -> BacktestResult:
    """What the rules wanted (live ids, drafts; all live rules when none) would have done
    to the events stored since ``since``, as the live pipeline decides, writing nothing.
    ``progress(step, done, total)``: "reading" then "backtesting"."""
    book = stores.rules_loader()
    chosen = choose(book, wanted)
    items = []
    for item in stores.events.since(since):
        items.append(item)
        progress("reading", len(items), None)
    decisions = stores.events.decisions_for(i["event_id"] for i in items)
    return run_backtest(
        items,
        decisions,
        compile_rules(book.settings, chosen),
        stores.rules_loader.accounts(),
        since,
        progress=lambda n: progress("backtesting", n, len(items)),
        scorer=scorer,
    )


def backtest_rule(
    stores: Stores, rule_id: str, since: datetime, text: str | None = None, scorer: Scorer | None = None
) -> BacktestResult:
    """One rule: the live one, or the proposed YAML for it (a draft: version 0)."""
    if text is None:
        return backtest(stores, since, [rule_id], scorer)
    checked = validate(None, text, rule_id)
    if checked.rule is None:
        raise Invalid(checked.problems)
    return backtest(stores, since, [(checked.rule, 0)], scorer)

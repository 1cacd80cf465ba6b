"""`goodword replay`: stored events through the current rules again, with the live state,
queue and tables: the real Pipeline, as ApplyRulesFunction runs it.

Nothing is offered twice because the pipeline is idempotent: the profile counts an event
once (its SEEN marker), work records are keyed by event + rule + action (a replayed event
finds its record and queues it only if it never was), and once-per-person limits hold."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from goodword.decisions import Decisions
from goodword.event_items import event_from_item
from goodword.events import Event
from goodword.memory.rules import FixedRules
from goodword.pipeline.intake import Decided, Failed, Intake
from goodword.pipeline.process import Pipeline
from goodword.rules.engine import RuleBook
from goodword_cli.target import Target


@dataclass
class ReplayResult:
    events: int = 0
    erased: int = 0  # events of erased people: kept as counts, never decided again
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)  # rule -> outcome -> count
    failed: list[tuple[str, str]] = field(default_factory=list)  # (event id, error)

    def count(self, rule_id: str, outcome: str) -> None:
        per_rule = self.outcomes.setdefault(rule_id, {})
        per_rule[outcome] = per_rule.get(outcome, 0) + 1

    def as_json(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "erased": self.erased,
            "outcomes": self.outcomes,
            "failed": [{"event_id": e, "error": m} for e, m in self.failed],
        }


def subset(book: RuleBook, rule_ids: Iterable[str]) -> RuleBook:
    wanted = set(rule_ids)
    return RuleBook(book.settings, [c for c in book.rules if c.rule.id in wanted], [i for i in book.invalid if i[0] in wanted])


class DecisionsRecord(Protocol):
    """EventsTable (``Target.events``), as replaying decisions needs it."""

    def decisions_for(self, event_ids: Iterable[str]) -> dict[str, Decisions]: ...

    def record_decisions(self, event: Event, decisions: Decisions, retention: timedelta) -> None: ...


@dataclass
class MergingDecisions:
    """Replaying some rules keeps the other rules' recorded decisions for the event."""

    events: DecisionsRecord
    replayed: set[str] | None

    def record_decisions(self, event: Event, decisions: Decisions, retention: timedelta) -> None:
        if self.replayed is not None:
            before = self.events.decisions_for([event.event_id]).get(event.event_id)
            kept = tuple(d for d in (before.decisions if before else ()) if d.rule_id not in self.replayed)
            decisions = decisions.model_copy(update={"decisions": kept + decisions.decisions})
        self.events.record_decisions(event, decisions, retention)


def replay(
    target: Target,
    since: datetime,
    rule_ids: list[str] | None,
    progress: Callable[[int, int], None] = lambda _done, _total: None,
    decision_retention_days: int = 90,
) -> ReplayResult:
    loader = target.rules_loader()
    book = loader()
    if rule_ids:
        unknown = set(rule_ids) - {c.rule.id for c in book.rules} - {i[0] for i in book.invalid}
        if unknown:
            raise ValueError(f"no live rule {', '.join(sorted(unknown))}")
        book = subset(book, rule_ids)
    pipeline = Pipeline(
        rules=FixedRules(book, loader.accounts()),
        state=target.state(),
        decisions=MergingDecisions(target.events(), set(rule_ids) if rule_ids else None),
        queue=target.queue(),
        decision_retention=timedelta(days=decision_retention_days),
        clock=lambda: datetime.now(UTC),
    )
    intake = Intake(pipeline, target.scorer())
    items = list(target.events().since(since))
    result = ReplayResult(events=len(items))
    for start in range(0, len(items), 25):  # the stream's batch size: sentiment is scored per batch
        batch = [event_from_item(i) for i in items[start : start + 25]]
        events = [e for e in batch if e.erased_at is None]  # their recorded decisions are all that is left
        result.erased += len(batch) - len(events)
        for taken in intake.take(events):
            if isinstance(taken, Failed):
                result.failed.append((taken.event.event_id, f"{type(taken.error).__name__}: {taken.error}"))
            elif isinstance(taken, Decided):  # none is deferred: replay does not enrich
                for decision in taken.result.decisions:
                    result.count(decision.rule_id, decision.outcome.value)
        progress(min(start + 25, len(items)), len(items))
    return result

"""What rules would have done: stored events through the real Pipeline on a simulated state
(`goodword rules backtest`, the console's backtest). Nothing is written or sent. Each event
gets the sentiment and profile facts the live pipeline recorded for it (its DECISIONS item)
when there is one, so the answer is what the live pipeline would have decided; limits (once
per person, cooldown, caps) start empty, as for a rule that never ran, and only the rules
backtested together charge them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from goodword.decisions import Decisions
from goodword.event_items import event_from_item
from goodword.events import Event
from goodword.memory.messaging import CollectingQueue, DecisionList
from goodword.memory.rules import FixedRules
from goodword.memory.state import InMemoryState
from goodword.pipeline.intake import Intake, result_of
from goodword.pipeline.process import Pipeline
from goodword.pipeline.scoring import Scorer
from goodword.rules.engine import Outcome, RuleBook
from goodword.rules.model import BrandAccount
from goodword.sentiment.providers import providers
from goodword.work import WorkState

_MATCHED = {Outcome.ACTED, Outcome.LIMITED, Outcome.REFUSED, Outcome.STOPPED}


def _stop_reason(detail: str) -> str:
    """'daily cap of 20 reached' -> 'daily cap'; 'once per person: ...' -> 'once per person'."""
    for reason in ("once per person", "cooldown", "daily cap", "weekly cap", "total cap", "platform policy", "no author"):
        if detail.startswith(reason) or reason in detail:
            return reason
    return detail.split(":", maxsplit=1)[0]


@dataclass
class RuleResult:
    rule_id: str
    version: int
    considered: int = 0  # events the rule's triggers selected
    matched: int = 0  # conditions held (whether or not a limit then stopped it)
    acted: int = 0
    offers: int = 0
    automatic: int = 0  # offers approved without review
    for_review: int = 0
    cost: float = 0.0
    cost_unknown: int = 0  # offers whose product has no product_cost
    outcomes: Counter[str] = field(default_factory=Counter)
    stopped_by: Counter[str] = field(default_factory=Counter)
    recipients: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "version": self.version,
            "events_considered": self.considered,
            "matched": self.matched,
            "acted": self.acted,
            "offers": self.offers,
            "offers_automatic": self.automatic,
            "offers_for_review": self.for_review,
            "stopped_by": dict(self.stopped_by),
            "outcomes": dict(self.outcomes),
            "estimated_cost": round(self.cost, 2),
            "offers_without_cost": self.cost_unknown,
            "recipients": self.recipients,
        }


@dataclass
class BacktestResult:
    since: datetime
    events: int
    rules: dict[str, RuleResult]
    rescored: int  # events without a recorded sentiment, scored again now
    erased: int = 0  # events of erased people: counted, not backtested (nobody to offer to)

    def as_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "events": self.events,
            "events_rescored": self.rescored,
            "events_erased": self.erased,
            "rules": [r.as_json() for r in self.rules.values()],
        }


def backtest(
    items: Iterable[dict[str, Any]],
    decisions: Mapping[str, Decisions],
    book: RuleBook,
    accounts: dict[tuple[str, str], BrandAccount],
    since: datetime,
    progress: Callable[[int], None] = lambda _n: None,
    scorer: Scorer | None = None,
) -> BacktestResult:
    """``items`` are stored event items, oldest first; ``decisions`` the decisions records by
    event id (what the live pipeline recorded). ``scorer``: the target's (with its AWS
    clients); without one, only the providers that need no client."""
    stored: list[Event] = [event_from_item(i) for i in items]
    events = [e for e in stored if e.erased_at is None]
    state = InMemoryState(recorded_profiles={e: d.profile for e, d in decisions.items() if d.profile})
    clock: list[datetime] = [since]
    pipeline = Pipeline(
        rules=FixedRules(book, accounts),
        state=state,
        decisions=DecisionList(),
        queue=CollectingQueue(),
        decision_retention=timedelta(days=1),
        clock=lambda: clock[0],
    )
    recorded = {e: d.sentiment for e, d in decisions.items() if d.sentiment is not None}
    missing = [e for e in events if e.text and e.event_id not in recorded]

    def at_arrival(event: Event) -> None:  # the live pipeline decides moments after receipt
        clock[0] = event.received_at
        progress(done[0])
        done[0] += 1

    done = [0]
    taken = Intake(pipeline, scorer or Scorer(providers())).take(events, recorded, before=at_arrival)
    progress(len(events))
    results = {c.rule.id: RuleResult(c.rule.id, c.version) for c in book.rules}
    for decided in map(result_of, taken):
        for decision in decided.decisions:
            result = results[decision.rule_id]
            result.considered += 1
            result.outcomes[decision.outcome.value] += 1
            if decision.outcome in _MATCHED:
                result.matched += 1
            if decision.outcome is Outcome.ACTED:
                result.acted += 1
            elif decision.outcome in (Outcome.LIMITED, Outcome.REFUSED, Outcome.STOPPED):
                reason = "earlier rule stopped it" if decision.outcome is Outcome.STOPPED else _stop_reason(decision.detail)
                result.stopped_by[reason] += 1
    for work in state.made():
        if not work.is_offer:
            continue
        result = results[work.rule_id]
        result.offers += 1
        result.automatic += work.state is WorkState.APPROVED
        result.for_review += work.state is WorkState.PENDING_REVIEW
        if work.product_cost is None:
            result.cost_unknown += 1
        else:
            result.cost += work.product_cost
        result.recipients.append(
            {
                "platform": work.platform,
                "author_handle": work.author_handle,
                "author_id": work.author_id,
                "event_id": work.event_id,
                "state": work.state.value,
            }
        )
    return BacktestResult(since, len(stored), results, len(missing), len(stored) - len(events))

"""The record of what the pipeline decided for one event (its DECISIONS item): the judgement
it used, the profile facts the rules saw, and each rule's decision.

Written by the pipeline (``pipeline/process.py``), stored by ``aws/events_table.py`` (laid
out as an item by ``to_item`` and ``from_item`` here), read everywhere through this model.
The stored shape is the one items have always had, so items stored before the model load.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from goodword.rules.engine import Decision, Outcome
from goodword.sentiment.model import Sentiment

STORAGE_KEYS = ("pk", "sk", "type")  # the item's key and kind: the table's, not the record's


class RuleDecision(BaseModel):
    """One rule's decision as recorded (the engine's ``Decision``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule_id: str
    version: int | None = None
    outcome: Outcome
    detail: str | None = None  # left out once the event is erased
    facts: dict[str, Any] | None = None  # the facts its conditions read; left out of a record too big to store

    @classmethod
    def of(cls, decision: Decision) -> RuleDecision:
        return cls(
            rule_id=decision.rule_id,
            version=decision.version,
            outcome=decision.outcome,
            detail=decision.detail,
            facts=decision.facts,
        )

    @property
    def acted(self) -> bool:
        return self.outcome is Outcome.ACTED

    def counted(self) -> RuleDecision:
        """What an erased event keeps: the rule, its version and the outcome."""
        return RuleDecision(rule_id=self.rule_id, version=self.version, outcome=self.outcome)


class Decisions(BaseModel):
    """Why each rule did or did not act on one event."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    decided_at: datetime
    sentiment: Sentiment | None = None  # the judgement the rules saw (None: no text)
    profile: dict[str, Any] = Field(default_factory=dict)  # the ``profile.*`` facts the rules saw
    decisions: tuple[RuleDecision, ...] = ()
    opted_out: str | None = None  # what the person said that opted them out, when they did here
    erased_at: str | None = None  # the person was erased: kept as counts only
    left_out: str | None = None  # what storage left out to fit the item (event_items.fitted)
    expires_at: int | None = None  # set by storage (DecisionRetentionDays)

    def outcomes(self) -> dict[str, Outcome]:
        return {d.rule_id: d.outcome for d in self.decisions}

    def acted(self) -> list[str]:
        """The rules that acted, in order."""
        return [d.rule_id for d in self.decisions if d.acted]

    def fact(self, name: str) -> Any:
        """A profile fact the rules saw (``profile.is_new``...), None when not recorded."""
        return self.profile.get(name)

    def erased(self, erased_at: str) -> Decisions:
        """The record of an erased person's event: what was decided stays as counts, without
        the facts the rules saw, the second opinion's reason or what the person said."""
        sentiment = self.sentiment.model_copy(update={"reason": None}) if self.sentiment else None
        return self.model_copy(
            update={
                "decisions": tuple(d.counted() for d in self.decisions),
                "sentiment": sentiment,
                "opted_out": None,
                "erased_at": erased_at,
            }
        )

    # --- the stored item's fields (the adapters' business) -------------------------------

    def to_item(self) -> dict[str, Any]:
        """The record's fields as stored (without the item's key)."""
        item: dict[str, Any] = {
            "decided_at": self.decided_at.isoformat(),
            "sentiment": _sentiment_item(self.sentiment, erased=self.erased_at is not None),
            "profile": dict(self.profile),
            "decisions": [_decision_item(d) for d in self.decisions],
        }
        optional = {
            "opted_out": self.opted_out,
            "erased_at": self.erased_at,
            "left_out": self.left_out,
            "expires_at": self.expires_at,
        }
        item.update({k: v for k, v in optional.items() if v is not None})
        return item

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Decisions:
        """The record from its stored item (plain values), its key left out."""
        return cls.model_validate({k: v for k, v in item.items() if k not in STORAGE_KEYS})


def _decision_item(decision: RuleDecision) -> dict[str, Any]:
    item: dict[str, Any] = {"rule_id": decision.rule_id, "version": decision.version, "outcome": decision.outcome.value}
    if decision.detail is not None:
        item["detail"] = decision.detail
    if decision.facts is not None:
        item["facts"] = decision.facts
    return item


def _sentiment_item(sentiment: Sentiment | None, erased: bool) -> dict[str, Any] | None:
    if sentiment is None:
        return None
    return sentiment.model_dump(mode="json", exclude={"reason"} if erased else None)


def each_acted(records: Mapping[str, Decisions]) -> Iterator[tuple[str, str]]:
    """(event id, rule id) of every rule that acted on these events."""
    for event_id, record in records.items():
        for rule_id in record.acted():
            yield event_id, rule_id

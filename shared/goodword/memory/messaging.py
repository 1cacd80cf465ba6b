"""The queue, the event bus and the decision log, kept in lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from goodword.decisions import Decisions
from goodword.events import Event


@dataclass
class CollectingQueue:
    messages: list[dict[str, Any]] = field(default_factory=list)
    delayed: list[tuple[dict[str, Any], int]] = field(default_factory=list)

    def send(self, messages: Sequence[dict[str, Any]]) -> None:
        self.messages.extend(messages)

    def __call__(self, message: dict[str, Any], delay_seconds: int) -> None:  # ports.Requeue
        self.delayed.append((message, delay_seconds))


@dataclass
class CollectingBus:
    published: list[dict[str, Any]] = field(default_factory=list)

    def publish(self, detail: dict[str, Any]) -> None:
        self.published.append(detail)


@dataclass
class DecisionList:
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)  # event id -> the record's fields, as stored

    def record_decisions(self, event: Event, decisions: Decisions, retention: timedelta) -> None:
        self.decisions[event.event_id] = decisions.to_item()

"""The pipeline's first step for an event the platform left incomplete: it is queued, not
judged; its message fetches what is missing and writes it to the stored event; only then is
the event judged and its rules run, once. A redelivered stream record or message finds the
event decided and stops."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from goodword.enrichment.enricher import Enricher
from goodword.enrichment.fetches import EnrichmentSettings, needed
from goodword.events import EnrichmentState, Event


class CompletesEvents(Protocol):
    """EventsTable, as the completion step needs it."""

    def stored_event(self, event_id: str) -> tuple[Event, bool] | None:
        """(the stored event, whether its rules have run), or None if it is not stored."""
        ...

    def complete(self, event: Event) -> bool:
        """Write the event's enrichment; False if another copy already made it final."""
        ...


@dataclass(frozen=True)
class Ready:
    event: Event  # final: judge it and run its rules


@dataclass(frozen=True)
class Waiting:
    seconds: int  # try again after this long
    reason: str


@dataclass(frozen=True)
class Done:
    why: str  # nothing to do: decided already, or not stored


Step = Ready | Waiting | Done


def complete(event_id: str, events: CompletesEvents, enricher: Enricher, settings: EnrichmentSettings, now: datetime) -> Step:
    stored = events.stored_event(event_id)
    if stored is None:
        return Done("not stored (erased?)")
    event, decided = stored
    if decided:
        return Done("already decided")
    fetches = needed(event, settings)
    if not fetches:
        return Ready(event)
    completed = enricher.enrich(event, fetches, settings)
    if not events.complete(completed):  # another copy finished first: go on with what it wrote
        again = events.stored_event(event_id)
        if again is None or again[1]:
            return Done("completed and decided by another copy")
        completed = again[0]
    state = completed.enrichment
    if state is not None and state.state is EnrichmentState.WAITING:
        seconds = int((state.retry_at - now).total_seconds()) if state.retry_at else 60
        return Waiting(max(1, seconds), state.reason or "waiting")
    return Ready(completed)

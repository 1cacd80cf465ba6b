"""What the apply_rules handler does with what the intake takes (pipeline/intake.py): a
decision is counted, an event deferred for enrichment is queued (EnrichmentQueue), a failure
is raised again (the batch processor then retries that record alone). An enrichment queue
message is completed first (``Router.complete``); a read that must be retried keeps its
message hidden until then. Metrics: ``Rule<Outcome>``, ``EventsToEnrich``, ``EventsEnriched``,
``EventsUnavailable``, ``EnrichmentRetries`` (docs/events.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from pydantic import ValidationError

from goodword.enrichment.completion import CompletesEvents, Done, Waiting
from goodword.enrichment.enricher import Enricher
from goodword.event_items import event_from_item
from goodword.events import Event
from goodword.observability import logger, metrics
from goodword.pipeline.intake import Deferred, Failed, Intake, Taken


def _event(record: dict[str, Any]) -> Event | None:
    try:
        return event_from_item(DynamoDBRecord(record).dynamodb.new_image)  # type: ignore[union-attr]
    except (ValidationError, AttributeError, KeyError, TypeError):
        return None  # reported as that record's failure (Router.route)


class RetryLaterError(Exception):
    """The event's read must be retried: its message stays, hidden until then."""


class EnrichmentMessages(Protocol):
    """EnrichmentQueue, as routing needs it."""

    def send(self, messages: Sequence[dict[str, Any]]) -> None: ...

    def retry_later(self, receipt_handle: str, seconds: int) -> None: ...


@dataclass(frozen=True)
class Router:
    intake: Intake
    queue: EnrichmentMessages

    def take(self, records: Sequence[dict[str, Any]]) -> dict[str, Taken | None]:
        """A stream batch (EventsTable's new items), by record (its sequence number): what
        each stored event came to, None for a record that holds no stored event."""
        parsed = {r["dynamodb"]["SequenceNumber"]: _event(r) for r in records}
        taken = iter(self.intake.take([e for e in parsed.values() if e is not None]))
        return {key: next(taken) if e is not None else None for key, e in parsed.items()}

    def route_record(self, routes: Mapping[str, Taken | None], record: DynamoDBRecord) -> None:
        """A stream record's outcome (``take``) routed: its failure is that record's alone."""
        self.route(routes.get(record.dynamodb.sequence_number or "") if record.dynamodb else None)

    def route(self, taken: Taken | None) -> None:
        """Count a decision, queue a deferred event for enrichment, re-raise a failure."""
        if taken is None:
            raise ValueError("the stream record is not a stored event")
        if isinstance(taken, Failed):
            raise taken.error
        if isinstance(taken, Deferred):  # judged when complete (the queue's message)
            self.queue.send([{"event_id": taken.event.event_id}])
            metrics.add_metric("EventsToEnrich", MetricUnit.Count, 1)
            return
        for decision in taken.result.decisions:
            metrics.add_metric(f"Rule{decision.outcome.value.title().replace('_', '')}", MetricUnit.Count, 1)

    def complete(self, body: str, receipt_handle: str, events: CompletesEvents, enricher: Enricher, now: datetime) -> None:
        """An enrichment queue message: its ids-only event completed from the platform's read
        API, then decided and routed; raises RetryLaterError (message hidden) when the read
        must wait."""
        event_id = str(json.loads(body)["event_id"])
        with logger.append_context_keys(event_id=event_id):
            taken = self.intake.complete(event_id, events, enricher, now)
        if isinstance(taken, Waiting):
            metrics.add_metric("EnrichmentRetries", MetricUnit.Count, 1)
            self.queue.retry_later(receipt_handle, taken.seconds)
            raise RetryLaterError(taken.reason)
        if not isinstance(taken, Done):
            if taken.event.enrichment is not None:  # EventsEnriched, EventsUnavailable
                metrics.add_metric(f"Events{taken.event.enrichment.state.value.title()}", MetricUnit.Count, 1)
            self.route(taken)

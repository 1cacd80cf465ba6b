"""Thin handler: new events from EventsTable's stream, and EnrichmentQueue messages (events
delivered with ids only, completed from the platform's read API), built and routed here and
decided by the pipeline's intake (pipeline/intake.py). A failing event is retried alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import cache, partial
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from goodword.aws import actions_queue, bedrock, clients, enrichment_queue, events_table, rules_table, state_table
from goodword.aws.webhook_secrets import SecretLoader
from goodword.enrichment.completion import Done, Waiting
from goodword.enrichment.enricher import Enricher
from goodword.event_items import event_from_item
from goodword.events import Event
from goodword.observability import logger, metrics, tracer
from goodword.outbound.transport import send
from goodword.pipeline.intake import Deferred, Failed, Intake, Taken
from goodword.pipeline.process import Pipeline
from goodword.pipeline.scoring import Scorer
from goodword.sentiment.judge import calibration, encoder
from goodword.sentiment.providers import providers
from goodword.settings import pipeline_settings

# The judge (the default sentiment provider) loads in Lambda's init phase, which runs at full
# CPU, rather than in the first batch's time.
encoder.load()
calibration.load()
_SCORER = Scorer(providers(comprehend=clients.comprehend), second_opinion=bedrock.bedrock_within)


class RetryLaterError(Exception):
    """The event's read must be retried: its message stays, hidden until then."""


@cache
def _pipeline() -> Pipeline:
    clients.use_budget(clients.WORKER)
    settings = pipeline_settings()
    return Pipeline(
        rules=rules_table.RulesLoader(settings.rules_table_name, settings.rules_cache_seconds),
        state=state_table.StateTable(settings.state_table_name),
        decisions=events_table.EventsTable(settings.events_table_name),
        queue=actions_queue.ActionsQueue(settings.actions_queue_url),
        decision_retention=timedelta(days=settings.decision_retention_days),
        clock=lambda: datetime.now(UTC),
    )


def _intake() -> Intake:
    settings = pipeline_settings()  # enrichment needs its queue and the platforms' credentials
    return Intake(_pipeline(), _SCORER, enriching=bool(settings.enrichment_queue_url and settings.credentials_secret_id))


@cache
def _enricher() -> Enricher:
    settings = pipeline_settings()
    state = state_table.StateTable(settings.state_table_name)  # the fetch cache and the read-rate counters
    return Enricher(
        credentials=SecretLoader(settings.credentials_secret_id or "", 300, dict),
        http=lambda request: send(request, settings.enrichment_timeout_seconds),
        cache=state,
        rates=state,
        clock=lambda: datetime.now(UTC),
    )


def _route(taken: Taken | None) -> None:
    """Count a decision, queue a deferred event for enrichment, re-raise a failure."""
    if taken is None:
        raise ValueError("the stream record is not a stored event")
    if isinstance(taken, Failed):
        raise taken.error
    if isinstance(taken, Deferred):  # judged when complete (the queue's message)
        enrichment_queue.EnrichmentQueue(pipeline_settings().enrichment_queue_url or "").send(
            [{"event_id": taken.event.event_id}]
        )
        metrics.add_metric("EventsToEnrich", MetricUnit.Count, 1)
        return
    for decision in taken.result.decisions:
        metrics.add_metric(f"Rule{decision.outcome.value.title().replace('_', '')}", MetricUnit.Count, 1)


def reset() -> None:
    """Forget the tables, loaders and clients this process built: the next invocation builds
    them again from the environment (benches and tests that change it call this)."""
    _pipeline.cache_clear()
    _enricher.cache_clear()


def _event(record: dict[str, Any]) -> Event | None:
    try:
        return event_from_item(DynamoDBRecord(record).dynamodb.new_image)  # type: ignore[union-attr]
    except (ValidationError, AttributeError, KeyError, TypeError):
        return None  # reported as that record's failure (_route)


def _route_record(routes: dict[str, Taken | None], record: DynamoDBRecord) -> None:
    _route(routes.get(record.dynamodb.sequence_number or "") if record.dynamodb else None)


def _complete_one(record: SQSRecord) -> None:
    """Complete an ids-only event from the platform's read API, then decide it."""
    settings, event_id = pipeline_settings(), str(json.loads(record.body)["event_id"])
    with logger.append_context_keys(event_id=event_id):
        events = events_table.EventsTable(settings.events_table_name)
        taken = _intake().complete(event_id, events, _enricher(), datetime.now(UTC))
    if isinstance(taken, Waiting):
        metrics.add_metric("EnrichmentRetries", MetricUnit.Count, 1)
        enrichment_queue.EnrichmentQueue(settings.enrichment_queue_url or "").retry_later(record.receipt_handle, taken.seconds)
        raise RetryLaterError(taken.reason)
    if not isinstance(taken, Done):
        if taken.event.enrichment is not None:  # EventsEnriched, EventsUnavailable
            metrics.add_metric(f"Events{taken.event.enrichment.state.value.title()}", MetricUnit.Count, 1)
        _route(taken)


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if (event.get("Records") or [{}])[0].get("eventSource") == "aws:sqs":
        processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
        return dict(process_partial_response(event=event, record_handler=_complete_one, processor=processor, context=context))
    parsed = {r["dynamodb"]["SequenceNumber"]: _event(r) for r in event.get("Records", [])}
    taken = iter(_intake().take([e for e in parsed.values() if e is not None]))
    routes = {seq: next(taken) if e is not None else None for seq, e in parsed.items()}
    # A processor per invocation: it holds the batch's records, so a shared one lets two
    # invocations in one process (threads: tests, the local stack) swap each other's records.
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    record_handler = partial(_route_record, routes)
    return dict(process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context))

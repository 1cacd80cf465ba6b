"""Thin handler: a batch of new events from EventsTable's stream, each through the rules,
and a batch of EnrichmentQueue messages: events the platform delivered with ids only,
completed from its read API before they are judged. A failing event is reported alone
(partial batch response) and retried; the rest go on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from goodword.aws import clients
from goodword.aws.actions_queue import ActionsQueue
from goodword.aws.bedrock import bedrock_within
from goodword.aws.enrichment_queue import EnrichmentQueue
from goodword.aws.events_table import EventsTable
from goodword.aws.rules_table import RulesLoader
from goodword.aws.state_table import StateTable
from goodword.aws.webhook_secrets import SecretLoader
from goodword.enrichment.completion import Done, Ready, complete
from goodword.enrichment.enricher import Enricher
from goodword.enrichment.fetches import EnrichmentSettings, needed
from goodword.event_items import event_from_item
from goodword.events import Event
from goodword.observability import logger, metrics, tracer
from goodword.outbound.transport import send
from goodword.pipeline.process import Pipeline
from goodword.sentiment.judge import calibration, encoder
from goodword.settings import pipeline_settings

# The judge (the default sentiment provider) loads in Lambda's init phase, which runs at full
# CPU, rather than in the first batch's time.
encoder.load()
calibration.load()


class RetryLaterError(Exception):
    """The event's read must be retried: its message stays, hidden until then."""


@cache
def _pipeline() -> Pipeline:
    clients.use_budget(clients.WORKER)
    settings = pipeline_settings()
    return Pipeline(
        rules=RulesLoader(settings.rules_table_name, settings.rules_cache_seconds),
        state=StateTable(settings.state_table_name),
        decisions=EventsTable(settings.events_table_name),
        queue=ActionsQueue(settings.actions_queue_url),
        decision_retention=timedelta(days=settings.decision_retention_days),
        clock=lambda: datetime.now(UTC),
        second_opinion=bedrock_within,
    )


@cache
def _enricher() -> Enricher:
    settings = pipeline_settings()
    timeout = settings.enrichment_timeout_seconds
    state = StateTable(settings.state_table_name)  # the fetch cache and the read-rate counters
    return Enricher(
        credentials=SecretLoader(settings.credentials_secret_id or "", 300, dict),
        http=lambda request: send(request, timeout),
        cache=state,
        rates=state,
        clock=lambda: datetime.now(UTC),
    )


def reset() -> None:
    """Forget the tables, loaders and clients this process built: the next invocation builds
    them again from the environment (benches and tests that change it call this)."""
    _pipeline.cache_clear()
    _enricher.cache_clear()


def _enrichment(pipeline: Pipeline) -> EnrichmentSettings:
    settings = pipeline_settings()
    if not settings.enrichment_queue_url or not settings.credentials_secret_id:
        return EnrichmentSettings(enabled=False)
    return pipeline.rules().settings.enrichment


def _event(record: dict[str, Any]) -> Event | None:
    try:
        return event_from_item(DynamoDBRecord(record).dynamodb.new_image)  # type: ignore[union-attr]
    except (ValidationError, AttributeError, KeyError, TypeError):
        return None  # reported as that record's failure below


def _decide(pipeline: Pipeline, event: Event, sentiment: Any) -> None:
    with logger.append_context_keys(event_id=event.event_id):
        result = pipeline.process(event, sentiment)
    for decision in result.decisions:
        metrics.add_metric(f"Rule{decision.outcome.value.title().replace('_', '')}", MetricUnit.Count, 1)


def _new_events(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    pipeline = _pipeline()
    enrichment = _enrichment(pipeline)
    parsed = {r["dynamodb"]["SequenceNumber"]: _event(r) for r in event.get("Records", [])}
    incomplete = {seq for seq, e in parsed.items() if e is not None and needed(e, enrichment)}
    sentiments = pipeline.score([e for seq, e in parsed.items() if e is not None and seq not in incomplete])

    def handle(record: DynamoDBRecord) -> None:
        stored = parsed.get(record.dynamodb.sequence_number) if record.dynamodb else None
        if stored is None:
            raise ValueError("the stream record is not a stored event")
        if record.dynamodb and record.dynamodb.sequence_number in incomplete:
            EnrichmentQueue(pipeline_settings().enrichment_queue_url or "").send([{"event_id": stored.event_id}])
            metrics.add_metric("EventsToEnrich", MetricUnit.Count, 1)
            return  # judged when complete (the queue's message)
        _decide(pipeline, stored, sentiments.get(stored.event_id))

    # A processor per invocation: it holds the batch's records, so a shared one lets two
    # invocations in one process (threads: tests, the local stack) swap each other's records.
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    return dict(process_partial_response(event=event, record_handler=handle, processor=processor, context=context))


def _events_to_complete(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    pipeline = _pipeline()
    settings = pipeline_settings()
    events = EventsTable(settings.events_table_name)

    def handle(record: SQSRecord) -> None:
        event_id = str(json.loads(record.body)["event_id"])
        with logger.append_context_keys(event_id=event_id):
            step = complete(event_id, events, _enricher(), _enrichment(pipeline), datetime.now(UTC))
            if isinstance(step, Done):
                logger.info("nothing to complete", extra={"why": step.why})
                return
            if not isinstance(step, Ready):
                logger.info("enrichment will be retried", extra={"reason": step.reason, "seconds": step.seconds})
                metrics.add_metric("EnrichmentRetries", MetricUnit.Count, 1)
                EnrichmentQueue(settings.enrichment_queue_url or "").retry_later(record.receipt_handle, step.seconds)
                raise RetryLaterError(step.reason)
            if step.event.enrichment is not None:  # EventsEnriched, EventsUnavailable
                metrics.add_metric(f"Events{step.event.enrichment.state.value.title()}", MetricUnit.Count, 1)
        _decide(pipeline, step.event, pipeline.score([step.event]).get(step.event.event_id))

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return dict(process_partial_response(event=event, record_handler=handle, processor=processor, context=context))


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = event.get("Records") or [{}]
    if records[0].get("eventSource") == "aws:sqs":
        return _events_to_complete(event, context)
    return _new_events(event, context)

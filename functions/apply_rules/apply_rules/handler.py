"""Thin handler: a batch of new events from EventsTable's stream, each through the rules.
A failing event is reported alone (partial batch response) and retried; the rest go on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from goodword.aws import clients
from goodword.aws.actions_queue import ActionsQueue
from goodword.aws.bedrock import bedrock_within
from goodword.aws.events_table import EventsTable
from goodword.aws.rules_table import RulesLoader
from goodword.aws.state_table import StateTable
from goodword.event_items import event_from_item
from goodword.events import Event
from goodword.observability import logger, metrics, tracer
from goodword.pipeline.process import Pipeline
from goodword.sentiment.judge import calibration, encoder
from goodword.settings import pipeline_settings

# The judge (the default sentiment provider) loads in Lambda's init phase, which runs at full
# CPU, rather than in the first batch's time.
encoder.load()
calibration.load()


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


def _event(record: dict[str, Any]) -> Event | None:
    try:
        return event_from_item(DynamoDBRecord(record).dynamodb.new_image)  # type: ignore[union-attr]
    except (ValidationError, AttributeError, KeyError, TypeError):
        return None  # reported as that record's failure below


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    pipeline = _pipeline()
    parsed = {r["dynamodb"]["SequenceNumber"]: _event(r) for r in event.get("Records", [])}
    sentiments = pipeline.score([e for e in parsed.values() if e is not None])

    def handle(record: DynamoDBRecord) -> None:
        stored = parsed.get(record.dynamodb.sequence_number) if record.dynamodb else None
        if stored is None:
            raise ValueError("the stream record is not a stored event")
        with logger.append_context_keys(event_id=stored.event_id):
            result = pipeline.process(stored, sentiments.get(stored.event_id))
        for decision in result.decisions:
            metrics.add_metric(f"Rule{decision.outcome.value.title().replace('_', '')}", MetricUnit.Count, 1)

    # A processor per invocation: it holds the batch's records, so a shared one lets two
    # invocations in one process (threads: tests, the local stack) swap each other's records.
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    return dict(process_partial_response(event=event, record_handler=handle, processor=processor, context=context))

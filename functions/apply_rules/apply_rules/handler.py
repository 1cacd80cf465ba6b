"""Thin handler: new events from EventsTable's stream, and EnrichmentQueue messages (events
delivered with ids only, completed from the platform's read API), built here and handed to
the pipeline's router (pipeline/routing.py), which decides them through the intake
(pipeline/intake.py) and counts, queues or fails each. A failing event is retried alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache, partial
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from goodword.aws import actions_queue, bedrock, clients, enrichment_queue, events_table, rules_table, state_table
from goodword.aws.webhook_secrets import SecretLoader
from goodword.enrichment.enricher import Enricher
from goodword.observability import logger, metrics, tracer
from goodword.outbound.transport import send
from goodword.pipeline.intake import Intake
from goodword.pipeline.process import Pipeline
from goodword.pipeline.routing import Router
from goodword.pipeline.scoring import Scorer
from goodword.sentiment.judge import calibration, encoder
from goodword.sentiment.providers import providers
from goodword.settings import pipeline_settings

# The judge (the default sentiment provider) loads in Lambda's init phase, which runs at full
# CPU, rather than in the first batch's time.
encoder.load()
calibration.load()
_SCORER = Scorer(providers(comprehend=clients.comprehend), second_opinion=bedrock.bedrock_within)


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
        claim_page_url=settings.claim_page_url,
    )


def _router() -> Router:
    settings = pipeline_settings()  # enrichment needs its queue and the platforms' credentials
    enriching = bool(settings.enrichment_queue_url and settings.credentials_secret_id)
    queue = enrichment_queue.EnrichmentQueue(settings.enrichment_queue_url or "")
    return Router(Intake(_pipeline(), _SCORER, enriching=enriching), queue)


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


def reset() -> None:
    """Forget the tables, loaders and clients this process built: the next invocation builds
    them again from the environment (benches and tests that change it call this)."""
    _pipeline.cache_clear()
    _enricher.cache_clear()


def _complete_one(record: SQSRecord) -> None:
    events = events_table.EventsTable(pipeline_settings().events_table_name)
    _router().complete(record.body, record.receipt_handle, events, _enricher(), datetime.now(UTC))


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if (event.get("Records") or [{}])[0].get("eventSource") == "aws:sqs":
        processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
        return dict(process_partial_response(event=event, record_handler=_complete_one, processor=processor, context=context))
    router = _router()
    routes = router.take(event.get("Records", []))
    # A processor per invocation: it holds the batch's records, so a shared one lets two
    # invocations in one process (threads: tests, the local stack) swap each other's records.
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    record_handler = partial(router.route_record, routes)
    return dict(process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context))

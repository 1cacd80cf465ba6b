"""Thin handler: a batch of ActionsQueue messages, each performed at most once. A message
that must be retried is reported alone (partial batch response), with a growing delay."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from goodword.actions.perform import Performer
from goodword.aws import clients
from goodword.aws.actions_queue import ActionsQueue
from goodword.aws.event_bus import EventBus
from goodword.aws.state_table import StateTable
from goodword.aws.webhook_secrets import SecretLoader
from goodword.observability import logger, metrics, tracer
from goodword.outbound.transport import send, send_to_public_address
from goodword.settings import actions_settings

# All failing is still a partial response: each message keeps its own retry delay.


class RetryLaterError(Exception):
    pass


@cache
def _performer() -> Performer:
    clients.use_budget(clients.WORKER)
    settings = actions_settings()
    return Performer(
        state=StateTable(settings.state_table_name),
        credentials=SecretLoader(settings.credentials_secret_id, 300, dict),
        bus=EventBus(settings.event_bus_name),
        requeue=ActionsQueue(settings.actions_queue_url),
        http=send,
        clock=lambda: datetime.now(UTC),
        mode=settings.actions_mode,
        max_receives=settings.max_receives,
        notify_http=lambda request: send_to_public_address(request, settings.notify_allow_private_networks),
    )


def reset() -> None:
    """Forget the tables, loaders and clients this process built: the next invocation builds
    them again from the environment (benches and tests that change it call this)."""
    _performer.cache_clear()


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    performer = _performer()

    def handle(record: SQSRecord) -> None:
        message = json.loads(record.body)
        receives = int(record.attributes.approximate_receive_count or 1)
        with logger.append_context_keys(work_id=message.get("id")):
            result = performer.perform(message, receives)
            logger.info("work performed" if result.done else "work will be retried", extra={"detail": result.detail})
        if not result.done:
            ActionsQueue(actions_settings().actions_queue_url).retry_later(record.receipt_handle, 10 * 2 ** min(receives, 6))
            raise RetryLaterError(result.detail)

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)  # per invocation: see apply_rules
    return dict(process_partial_response(event=event, record_handler=handle, processor=processor, context=context))

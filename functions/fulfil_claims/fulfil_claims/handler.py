"""Thin handler: a batch of FulfilmentQueue messages ({"claim_id": ...}), each claim fulfilled
by goodword.claims.fulfilment. A message to retry is reported alone (partial batch response)
and kept hidden for a growing delay; after the queue's five receives it goes to the
dead-letter queue (alarmed). Counts go to metrics: CodePoolEmpty raises its alarm."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from goodword.aws import clients
from goodword.aws.claim_hash_key import claim_hash_key
from goodword.aws.claims_table import ClaimsTable
from goodword.aws.event_bus import EventBus
from goodword.aws.fulfilment_queue import FulfilmentQueue
from goodword.aws.state_table import StateTable
from goodword.aws.webhook_secrets import SecretLoader
from goodword.claims.fulfilment.fulfil import Fulfiller, Outcome
from goodword.claims.states import ClaimState
from goodword.observability import logger, metrics, tracer
from goodword.outbound.transport import send_to_public_address, send_without_redirects
from goodword.settings import fulfilment_settings

_COUNTED = {ClaimState.FULFILLED: "ClaimsFulfilled", ClaimState.HELD: "ClaimsHeld", ClaimState.FAILED: "ClaimsFailed"}


class RetryLaterError(Exception):
    pass


@cache
def _fulfiller() -> Fulfiller:
    clients.use_budget(clients.WORKER)
    settings = fulfilment_settings()
    return Fulfiller(
        claims=ClaimsTable(settings.claims_table_name, settings.state_table_name, settings.claims_key_id),
        offers=StateTable(settings.state_table_name),
        bus=EventBus(settings.event_bus_name),
        credentials=SecretLoader(settings.credentials_secret_id, 300, dict),
        code_key=claim_hash_key(settings.claim_hash_key_id),
        notify_http=lambda request: send_to_public_address(request, settings.notify_allow_private_networks),
        # https://{shop}.myshopify.com only (the rule's shop is checked when saved); a redirect
        # would carry the access token elsewhere: never followed
        shopify_http=send_without_redirects,
        clock=lambda: datetime.now(UTC),
        max_receives=settings.max_receives,
    )


def reset() -> None:
    """Forget what this process built: the next invocation builds it again from the environment."""
    _fulfiller.cache_clear()


def _count(outcome: Outcome) -> None:
    if outcome.state in _COUNTED:
        metrics.add_metric(_COUNTED[outcome.state], MetricUnit.Count, 1)
    if outcome.pool_empty:
        metrics.add_metric("CodePoolEmpty", MetricUnit.Count, 1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    fulfiller = _fulfiller()

    def handle(record: SQSRecord) -> None:
        claim_id = str(json.loads(record.body)["claim_id"])
        receives = int(record.attributes.approximate_receive_count or 1)
        with logger.append_context_keys(claim_id=claim_id):
            outcome = fulfiller.fulfil(claim_id, receives)
            logger.info(
                "claim fulfilled" if outcome.state is ClaimState.FULFILLED else "claim seen", extra={"detail": outcome.detail}
            )
        _count(outcome)
        if not outcome.done:
            FulfilmentQueue(fulfilment_settings().fulfilment_queue_url).retry_later(
                record.receipt_handle, 10 * 2 ** min(receives, 6)
            )
            raise RetryLaterError(outcome.detail)

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)  # per invocation: see apply_rules
    return dict(process_partial_response(event=event, record_handler=handle, processor=processor, context=context))

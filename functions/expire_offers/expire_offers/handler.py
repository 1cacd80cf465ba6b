"""Thin handler: run by EventBridge Scheduler (hourly by default; template parameter
ExpirySchedule). Expires offers not claimed within their rule's window and review items
nobody decided in time, erases the address fields of claims past the retention, and queues
again the claims left claimed (goodword.claims.expiry). Every run does what is due, so a missed or repeated run is harmless."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from goodword.aws import clients
from goodword.aws.claims_table import ClaimsTable
from goodword.aws.event_bus import EventBus
from goodword.aws.fulfilment_queue import FulfilmentQueue
from goodword.aws.rules_table import RulesLoader
from goodword.aws.state_table import StateTable
from goodword.claims.expiry import Expiry, PublishError
from goodword.observability import logger, metrics, tracer
from goodword.settings import expiry_settings


@cache
def _dependencies() -> tuple[Expiry, RulesLoader]:
    clients.use_budget(clients.WORKER)
    settings = expiry_settings()
    # Retention only removes the sealed address fields, and the re-queue reads ids and states:
    # nothing is decrypted, no key is needed.
    claims = ClaimsTable(settings.claims_table_name, settings.state_table_name, key_id="")
    state = StateTable(settings.state_table_name)
    queue = FulfilmentQueue(settings.fulfilment_queue_url)
    expiry = Expiry(
        state,
        EventBus(settings.event_bus_name),
        lambda: datetime.now(UTC),
        retention=claims,
        claims=claims,
        fulfil=queue.send_claim,
    )
    return expiry, RulesLoader(settings.rules_table_name, 0)


def reset() -> None:
    """Forget the tables and clients this process built (tests that change the environment)."""
    _dependencies.cache_clear()


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    expiry, rules = _dependencies()
    result = expiry.run(rules())
    summary = result.summary()
    metrics.add_metric("OffersExpired", MetricUnit.Count, len(result.offers_expired))
    metrics.add_metric("ReviewsExpired", MetricUnit.Count, len(result.reviews_expired))
    metrics.add_metric("ClaimAddressesErased", MetricUnit.Count, result.addresses_erased)
    metrics.add_metric("ClaimsRequeued", MetricUnit.Count, len(result.claims_requeued))
    logger.info("expiry ran", extra=summary)  # counts and ids only
    if result.requeue_failures:
        logger.error("claims left claimed could not be queued again", extra={"failures": result.requeue_failures})
    if result.publish_failures:
        # the offers did expire; the function fails so its alarm says the bus missed some
        raise PublishError(f"{result.publish_failures} expired offer(s) could not be published on the event bus")
    return summary

"""Thin handler: an HTTP API request for /claim/{code} in, an HTML page out. The page itself
(routing, the form, CSRF, throttle, repeat claimers, the claim) is goodword.claims.page; here
it gets its adapters, and each answer is logged and counted by what happened: ids and a
label, never what the fan typed."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from goodword.aws import clients
from goodword.aws.claim_hash_key import claim_hash_key
from goodword.aws.claims_table import ClaimsTable
from goodword.aws.event_bus import EventBus
from goodword.aws.events_table import EventsTable
from goodword.aws.fulfilment_queue import FulfilmentQueue
from goodword.aws.rules_table import SettingsLoader
from goodword.aws.state_table import StateTable
from goodword.claims.page.flow import ClaimPage, Limits, Outcome, Services, unavailable
from goodword.claims.page.http import http_api_response, request_from_http_api
from goodword.observability import logger, metrics, tracer
from goodword.settings import claim_page_settings


@cache
def _page() -> ClaimPage:
    clients.use_budget(clients.RECEIVER)  # a person is waiting: fail fast, they can send again
    settings = claim_page_settings()
    events = EventsTable(settings.events_table_name)
    return ClaimPage(
        Services(
            claims=ClaimsTable(settings.claims_table_name, settings.state_table_name, settings.claims_key_id),
            people=StateTable(settings.state_table_name),
            settings=SettingsLoader(settings.rules_table_name, settings.rules_cache_seconds),
            post_text=events.post_text,
            bus=EventBus(settings.event_bus_name),
            fulfil=FulfilmentQueue(settings.fulfilment_queue_url).send_claim,
            hash_key=claim_hash_key(settings.claim_hash_key_id)(),
            clock=lambda: datetime.now(UTC),
            limits=Limits(
                max_body_bytes=settings.max_body_bytes,
                lookups_per_minute=settings.lookups_per_minute,
                min_fill_seconds=settings.min_fill_seconds,
            ),
        )
    )


def reset() -> None:
    """Forget the adapters this process built (tests that change the environment call this)."""
    _page.cache_clear()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = request_from_http_api(event)
    try:
        outcome = _page().handle(request)
    except Exception as error:  # storage, a secret, the bus or the queue: the fan may send again
        # The type only: an exception's message may quote what it was given.
        logger.error("claim page failed; answered 503", extra={"error": type(error).__name__})
        metrics.add_metric("ClaimPageErrors", MetricUnit.Count, 1)
        return http_api_response(unavailable())
    _record(outcome)
    return http_api_response(outcome.response)


def _record(outcome: Outcome) -> None:
    """One log line and one metric per answer: what happened, with ids only."""
    metrics.add_dimension("result", outcome.result.value)
    metrics.add_metric("ClaimPageAnswers", MetricUnit.Count, 1)
    summary = {"result": outcome.result.value, "status": outcome.response.status}
    if outcome.offer_id:
        summary.update(offer_id=outcome.offer_id, rule_id=outcome.rule_id or "")
    logger.info("claim page answered", extra=summary)

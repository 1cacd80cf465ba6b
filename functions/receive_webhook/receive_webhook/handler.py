"""Thin handler: HTTP API event in, stored events and an HTTP answer out.

Invariant: this function never evaluates rules or calls a platform; it answers only
after the delivery's events are durably written (5xx otherwise, so the platform retries).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from goodword.aws import clients
from goodword.aws.events_table import EventsTable
from goodword.aws.webhook_secrets import SecretLoader
from goodword.observability import logger, metrics, tracer
from goodword.settings import receiver_settings
from goodword.webhooks.errors import WebhookError
from goodword.webhooks.http_api import http_api_response, request_from_http_api
from goodword.webhooks.receive import ADAPTERS, Outcome, error_response, receive
from goodword.webhooks.secrets import WebhookSecrets


@cache
def _dependencies() -> tuple[EventsTable, SecretLoader[WebhookSecrets], int]:
    clients.use_budget(clients.RECEIVER)
    settings = receiver_settings()
    table = EventsTable(settings.events_table_name, timedelta(days=settings.raw_payload_retention_days))
    secrets = SecretLoader(settings.webhook_secret_id, settings.secrets_cache_seconds, WebhookSecrets.model_validate)
    return table, secrets, settings.max_body_bytes


def reset() -> None:
    """Forget the tables, loaders and clients this process built: the next invocation builds
    them again from the environment (benches and tests that change it call this)."""
    _dependencies.cache_clear()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    now = datetime.now(UTC)
    table, secrets, max_body_bytes = _dependencies()
    try:
        request = request_from_http_api(event, now)
    except WebhookError as error:
        _record("unknown", Outcome(error_response(error), error=error))
        return http_api_response(error_response(error))
    outcome = receive(request, load_secrets=secrets, store=table.save, now=now, max_body_bytes=max_body_bytes)
    _record(request.platform if request.platform in ADAPTERS else "unknown", outcome)
    return http_api_response(outcome.response)


def _record(platform: str, outcome: Outcome) -> None:
    """One log line and one set of metrics per delivery, by platform and outcome."""
    result = outcome.error.code if outcome.error else "accepted"
    metrics.add_dimension("platform", platform)
    metrics.add_dimension("outcome", result)
    metrics.add_metric("Deliveries", MetricUnit.Count, 1)
    summary: dict[str, Any] = {"platform": platform, "status": outcome.response.status, "outcome": result}
    if outcome.error is None:
        delivery = outcome.delivery
        metrics.add_metric("EventsReceived", MetricUnit.Count, len(delivery.events))
        metrics.add_metric("EventsStored", MetricUnit.Count, outcome.stored.stored)
        metrics.add_metric("EventsDuplicate", MetricUnit.Count, outcome.stored.duplicates)
        metrics.add_metric("EventsIgnored", MetricUnit.Count, sum(delivery.ignored.values()))
        summary.update(
            received=len(delivery.events),
            stored=outcome.stored.stored,
            duplicates=outcome.stored.duplicates,
            ignored=dict(delivery.ignored),
            event_ids=[e.event_id for e in delivery.events][:20],
        )
        logger.info("delivery accepted", extra=summary)
    elif outcome.error.status >= 500:
        logger.error("delivery not stored; the platform will retry", extra={**summary, "reason": outcome.error.message})
    else:
        logger.warning("delivery rejected", extra={**summary, "reason": outcome.error.message})

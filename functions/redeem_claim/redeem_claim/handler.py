"""Thin handler: ``POST /claims/{claim_id}/redeemed``, a Standard Webhooks request signed by the
shop, moves a fulfilled claim to redeemed (goodword.claims.redemption). Logs and metrics say
the outcome and, once the request is verified, the claim's id: nothing personal is read."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from goodword.aws import clients
from goodword.aws.claims_table import ClaimsTable
from goodword.aws.event_bus import EventBus
from goodword.aws.state_table import StateTable
from goodword.aws.webhook_secrets import SecretLoader
from goodword.claims.redemption import redeem
from goodword.observability import logger, metrics, tracer
from goodword.ports import SecretsUnavailable
from goodword.settings import redemption_settings
from goodword.webhooks.errors import SecretsUnavailableError, WebhookError
from goodword.webhooks.http_api import http_api_response, request_from_http_api
from goodword.webhooks.receive import error_response
from goodword.webhooks.secrets import StandardSecrets


def _shop_secrets(document: Any) -> StandardSecrets | None:
    """ShopWebhookSecret: {"secret": "whsec_..."} (or a list while rotating); {} until set."""
    return StandardSecrets.model_validate(document) if document else None


@cache
def _dependencies() -> tuple[StateTable, ClaimsTable, EventBus, SecretLoader[StandardSecrets | None]]:
    clients.use_budget(clients.RECEIVER)  # the shop waits for the answer: fail fast, it retries
    settings = redemption_settings()
    state = StateTable(settings.state_table_name)
    # A move changes states only: nothing is decrypted, no key is needed.
    claims = ClaimsTable(settings.claims_table_name, settings.state_table_name, key_id="")
    secrets = SecretLoader(settings.shop_webhook_secret_id, settings.secrets_cache_seconds, _shop_secrets)
    return state, claims, EventBus(settings.event_bus_name), secrets


def reset() -> None:
    """Forget the tables, loaders and clients this process built (tests that change the environment)."""
    _dependencies.cache_clear()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    now = datetime.now(UTC)
    state, claims, bus, loader = _dependencies()
    claim_id = str((event.get("pathParameters") or {}).get("claim_id") or "")
    try:
        request = request_from_http_api({**event, "pathParameters": {"platform": "shop"}}, now)
    except WebhookError as error:
        return _answered(error.code, error_response(error).status, None, http_api_response(error_response(error)))

    def secrets() -> StandardSecrets | None:
        try:
            return loader()
        except SecretsUnavailable as exc:
            raise SecretsUnavailableError(str(exc)) from None

    result = redeem(request, claim_id, secrets, state, claims, bus, now)
    return _answered(result.outcome, result.response.status, result.claim_id, http_api_response(result.response))


def _answered(outcome: str, status: int, claim_id: str | None, response: dict[str, Any]) -> dict[str, Any]:
    metrics.add_dimension("outcome", outcome)
    metrics.add_metric("Redemptions", MetricUnit.Count, 1)
    summary = {"outcome": outcome, "status": status, **({"claim_id": claim_id} if claim_id else {})}
    if status >= 500:
        logger.error("redemption not recorded; the shop will retry", extra=summary)
    elif status >= 400:
        logger.warning("redemption refused", extra=summary)
    else:
        logger.info("redemption recorded", extra=summary)
    return response

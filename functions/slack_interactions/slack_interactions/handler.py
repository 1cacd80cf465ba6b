"""Thin handler: ``POST /slack/interactions``, a click on a review notice's button, signed by
Slack (goodword.slack.interactions). No authorizer: Slack's signature is the check."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from goodword.aws import clients
from goodword.aws.stores import from_environment
from goodword.aws.webhook_secrets import SecretLoader
from goodword.observability import logger, tracer
from goodword.outbound.transport import send, send_to_public_address
from goodword.services import review
from goodword.settings import slack_settings
from goodword.slack.interactions import Interactions
from goodword.webhooks.errors import WebhookError
from goodword.webhooks.http_api import request_from_http_api

ANSWER_SECONDS = 1.5  # the update of the message: Slack wants the click answered within 3 s


@cache
def _interactions() -> Interactions:
    clients.use_budget(clients.RECEIVER)  # Slack waits for the answer: fail fast
    settings = slack_settings()
    return Interactions(
        credentials=SecretLoader(settings.credentials_secret_id, settings.secrets_cache_seconds, dict),
        stores=cache(from_environment),
        decide=review.decide,
        web_api=lambda request: send(request, ANSWER_SECONDS),
        public=lambda request: send_to_public_address(request, settings.notify_allow_private_networks, ANSWER_SECONDS),
    )


def reset() -> None:
    """Forget what this process built (tests that change the environment)."""
    _interactions.cache_clear()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    now = datetime.now(UTC)
    try:
        request = request_from_http_api({**event, "pathParameters": {"platform": "slack"}}, now)
    except WebhookError:
        return _answer(400)
    return _answer(_interactions().handle(request.headers, request.body, now))


def _answer(status: int) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"content-type": "text/plain"}, "body": "", "isBase64Encoded": False}

"""One delivery, start to finish: route, size, secrets, handshake or verify, normalize,
store, answer. Pure: AWS access comes in as the ``load_secrets`` and ``store`` callables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from goodword.observability import logger
from goodword.platform_ids import event_problem
from goodword.ports import SecretsUnavailable, StorageUnavailable, StoreEvents, StoreResult
from goodword.validation import describe_validation_error
from goodword.webhooks.adapter import Delivery, PlatformAdapter
from goodword.webhooks.errors import (
    InvalidPayloadError,
    MethodNotAllowedError,
    PayloadTooLargeError,
    SecretsUnavailableError,
    StorageUnavailableError,
    UnknownPlatformError,
    WebhookError,
)
from goodword.webhooks.linkedin import LinkedInAdapter
from goodword.webhooks.meta import MetaAdapter
from goodword.webhooks.request import WebhookRequest, WebhookResponse
from goodword.webhooks.secrets import WebhookSecrets
from goodword.webhooks.standard import StandardAdapter
from goodword.webhooks.twitch import TwitchAdapter
from goodword.webhooks.x import XAdapter

ADAPTERS: dict[str, PlatformAdapter[Any]] = {
    adapter.name: adapter for adapter in (XAdapter(), MetaAdapter(), LinkedInAdapter(), TwitchAdapter(), StandardAdapter())
}


@dataclass
class Outcome:
    response: WebhookResponse
    error: WebhookError | None = None
    delivery: Delivery = field(default_factory=Delivery)
    stored: StoreResult = field(default_factory=lambda: StoreResult(0, 0))


def receive(
    request: WebhookRequest,
    *,
    load_secrets: Callable[[], WebhookSecrets],
    store: StoreEvents,
    now: datetime,
    max_body_bytes: int,
) -> Outcome:
    outcome = Outcome(WebhookResponse(200))
    try:
        outcome.response = _receive(request, outcome, load_secrets, store, now, max_body_bytes)
    except WebhookError as error:
        outcome.error = error
        outcome.response = error_response(error)
    return outcome


def error_response(error: WebhookError) -> WebhookResponse:
    return WebhookResponse.json(error.status, {"error": error.code, "message": error.message}, error.headers)


def _receive(
    request: WebhookRequest,
    outcome: Outcome,
    load_secrets: Callable[[], WebhookSecrets],
    store: StoreEvents,
    now: datetime,
    max_body_bytes: int,
) -> WebhookResponse:
    adapter = ADAPTERS.get(request.platform)
    if adapter is None:
        raise UnknownPlatformError(f"unknown platform; use one of {', '.join(ADAPTERS)}")
    if request.method not in adapter.methods:
        raise MethodNotAllowedError(f"{request.method} is not accepted for {adapter.name}", headers=adapter.allow_header())
    if len(request.body) > max_body_bytes:
        raise PayloadTooLargeError(f"body is over the {max_body_bytes}-byte limit")
    try:
        loaded = load_secrets()
    except SecretsUnavailable as exc:
        raise SecretsUnavailableError(str(exc)) from None
    secrets = adapter.secrets(loaded)
    if request.method == "GET":
        return adapter.handshake(request, secrets)

    adapter.verify(request, secrets, now)
    outcome.delivery = delivery = _read(adapter, request)
    if delivery.reply is not None:
        return delivery.reply
    try:
        outcome.stored = result = store(delivery.events) if delivery.events else StoreResult(0, 0)
    except StorageUnavailable as exc:
        raise StorageUnavailableError(str(exc)) from None
    return WebhookResponse.json(
        200,
        {
            "received": len(delivery.events),
            "stored": result.stored,
            "duplicates": result.duplicates,
            "ignored": sum(delivery.ignored.values()),
        },
    )


def _read(adapter: PlatformAdapter[Any], request: WebhookRequest) -> Delivery:
    try:
        delivery = adapter.read(request)
    except WebhookError:
        raise
    except ValidationError as exc:
        raise InvalidPayloadError(describe_validation_error(exc)) from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError) as exc:
        # A signed body our reader could not follow: still the sender's shape problem, never
        # a 5xx; logged with the trace so a reader bug is visible to operators.
        logger.exception("unreadable signed payload", extra={"platform": adapter.name})
        raise InvalidPayloadError(f"body is not a {adapter.name} payload we can read ({type(exc).__name__})") from None
    _check_ids(delivery)
    return delivery


def _check_ids(delivery: Delivery) -> None:
    """Every id has its platform's shape before it is stored: ids end up in read and send
    requests (platform_ids), so one that is not the platform's refuses the delivery whole."""
    for index, event in enumerate(delivery.events):
        problem = event_problem(event)
        if problem:
            raise InvalidPayloadError(f"event {index} ({event.platform.value} {event.kind.value}): {problem}")


__all__ = ["ADAPTERS", "Outcome", "StorageUnavailableError", "StoreResult", "receive"]

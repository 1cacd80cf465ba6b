"""boto3 clients, created once per container and on first use (so tests and the local
stack can point AWS_ENDPOINT_URL at moto before any client exists)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_secretsmanager import SecretsManagerClient

# Webhook senders wait seconds, not minutes: fail fast and let the platform retry.
_CONFIG = Config(connect_timeout=2, read_timeout=3, retries={"mode": "standard", "max_attempts": 3})


@cache
def _client(service: str) -> Any:
    return boto3.session.Session().client(service, config=_CONFIG)  # type: ignore[call-overload]


def dynamodb() -> DynamoDBClient:
    client: DynamoDBClient = _client("dynamodb")
    return client


def secretsmanager() -> SecretsManagerClient:
    client: SecretsManagerClient = _client("secretsmanager")
    return client


def sqs() -> Any:
    return _client("sqs")


def events() -> Any:
    return _client("events")


def comprehend() -> Any:
    return _client("comprehend")


def sts() -> Any:
    return _client("sts")


def reset() -> None:
    """Forget every client (tests, and the local stack after it changes endpoints)."""
    _client.cache_clear()

"""Test environment: fake AWS credentials and Powertools settings are set before any
handler import; moto is imported first so every boto3 client is mocked."""

from __future__ import annotations

import os

import moto  # noqa: F401  (must precede boto3 client creation; see conventions "pesky imports")

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "goodword",
        "POWERTOOLS_METRICS_NAMESPACE": "Goodword",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_DEV": "false",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws

from dev_support import moto_dynamodb
from dev_support.lambda_context import FakeLambdaContext
from dev_support.platforms import CLAIM_HASH_KEY, CREDENTIALS, SECRETS
from dev_support.template import (
    create_event_buses,
    create_keys,
    create_queues,
    create_secrets,
    create_tables,
    function_environment,
)
from goodword.aws import clients
from goodword.settings import actions_settings, pipeline_settings, receiver_settings


@pytest.fixture(autouse=True)
def _logger_level_restored() -> Iterator[None]:
    """Commands run in-process (goodword main) quieten the shared logger: give the next test
    the level it had, so no test depends on the order they run in."""
    from goodword.observability import logger

    level = logger.log_level
    yield
    logger.setLevel(level)


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


@dataclass
class Aws:
    """The template's resources, created in moto."""

    dynamodb: Any
    secretsmanager: Any
    sqs: Any
    tables: dict[str, str]
    secrets: dict[str, str]
    queues: dict[str, str]
    keys: dict[str, str] = field(default_factory=dict)  # logical id -> KMS key ARN

    @property
    def events_table(self) -> str:
        return self.tables["EventsTable"]

    def event_items(self) -> list[dict[str, Any]]:
        items = self.dynamodb.scan(TableName=self.events_table, ConsistentRead=True)["Items"]
        return [i for i in items if i["sk"]["S"] == "EVENT"]

    def all_items(self) -> list[dict[str, Any]]:
        return list(self.dynamodb.scan(TableName=self.events_table, ConsistentRead=True)["Items"])


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    """moto with every table and secret of template.yaml, and the receiver's environment
    exactly as the template sets it."""
    with mock_aws():
        moto_dynamodb.atomic_writes()  # conditional writes are atomic, as in DynamoDB
        clients.reset()
        receiver_settings.cache_clear()
        pipeline_settings.cache_clear()
        actions_settings.cache_clear()
        dynamodb = boto3.client("dynamodb")
        secretsmanager = boto3.client("secretsmanager")
        sqs = boto3.client("sqs")
        tables = create_tables(dynamodb)
        secrets = create_secrets(
            secretsmanager, {"WebhookSecret": SECRETS, "PlatformCredentials": CREDENTIALS, "ClaimHashKey": CLAIM_HASH_KEY}
        )
        queues = create_queues(sqs)
        buses = create_event_buses(boto3.client("events"))
        keys = create_keys(boto3.client("kms"))
        refs = {**tables, **secrets, **queues, **buses, **keys}
        for function in ("ReceiveWebhookFunction", "ApplyRulesFunction", "PerformActionsFunction"):
            for key, value in function_environment(function, refs).items():
                if not key.startswith("POWERTOOLS_"):
                    monkeypatch.setenv(key, value)
        yield Aws(dynamodb, secretsmanager, sqs, tables, secrets, queues, keys)
        clients.reset()
        receiver_settings.cache_clear()


@pytest.fixture
def receiver(aws: Aws) -> Iterator[Any]:
    """The receiver's handler module, with its per-container caches fresh for this test."""
    from receive_webhook import handler

    handler._dependencies.cache_clear()
    clients.use_budget(clients.RECEIVER)  # as the handler does first, so tests patch the clients it uses
    yield handler
    handler._dependencies.cache_clear()

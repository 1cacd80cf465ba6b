"""boto3 clients, created once per container and on first use (so tests and the local
stack can point AWS_ENDPOINT_URL at moto before any client exists)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_secretsmanager import SecretsManagerClient


@dataclass(frozen=True)
class Budget:
    """How long one AWS call may take, at worst, with botocore's standard retries."""

    connect_seconds: float
    read_seconds: float
    attempts: int

    @property
    def worst_case_seconds(self) -> float:
        # Standard mode waits random() * 2**n seconds (n = 0, 1, ...) before retry n + 1.
        backoff = float(sum(min(2**n, 20) for n in range(self.attempts - 1)))
        return self.attempts * (self.connect_seconds + self.read_seconds) + backoff

    def config(self) -> Config:
        return Config(
            connect_timeout=self.connect_seconds,
            read_timeout=self.read_seconds,
            retries={"mode": "standard", "total_max_attempts": self.attempts},  # max_attempts counts retries
        )


# The receiver (10 s timeout) makes at most two calls one after the other (the secret on a cold
# start, then the parallel event and raw writes): 2 x 4 s, and time to answer 503 before Lambda
# would cut it off with a 500. Webhook senders wait seconds: fail fast, the platform retries.
RECEIVER = Budget(connect_seconds=0.5, read_seconds=1.0, attempts=2)
# The pipeline and the actions function (60 s): a slow call may wait longer, still well inside.
WORKER = Budget(connect_seconds=2, read_seconds=5, attempts=3)
_budget = [WORKER]


def use_budget(budget: Budget) -> None:
    """Use clients with this budget from now on (a handler calls it first); clients are kept
    per budget, so switching back and forth (tests, benchmarks) finds the same clients."""
    _budget[0] = budget


@cache
def _client_with(service: str, budget: Budget) -> Any:
    return boto3.session.Session().client(service, config=budget.config())  # type: ignore[call-overload]


def _client(service: str) -> Any:
    return _client_with(service, _budget[0])


def dynamodb() -> DynamoDBClient:
    client: DynamoDBClient = _client("dynamodb")
    return client


def secretsmanager() -> SecretsManagerClient:
    client: SecretsManagerClient = _client("secretsmanager")
    return client


def sqs() -> Any:
    return _client("sqs")


def kms() -> Any:
    return _client("kms")


def events() -> Any:
    return _client("events")


def comprehend() -> Any:
    return _client("comprehend")


def bedrock_runtime(timeout_seconds: float) -> Any:
    """The second opinion's client: one attempt within its own timeout (a slow answer falls
    back to the review queue rather than holding the batch)."""
    budget = Budget(connect_seconds=min(2.0, timeout_seconds), read_seconds=timeout_seconds, attempts=1)
    return _client_with("bedrock-runtime", budget)


def sts() -> Any:
    return _client("sts")


def cloudformation() -> Any:
    return _client("cloudformation")


def cognito_idp() -> Any:
    return _client("cognito-idp")


def reset() -> None:
    """Forget every client (tests, and the local stack after it changes endpoints)."""
    _client_with.cache_clear()

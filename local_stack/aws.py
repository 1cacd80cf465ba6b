"""boto3 clients for the moto server the local stack runs (AWS_ENDPOINT_URL)."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": REGION}


@cache
def client(service: str) -> Any:
    return boto3.session.Session(
        aws_access_key_id="local",
        aws_secret_access_key="local",
        region_name=REGION,
    ).client(
        service,
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],  # type: ignore[call-overload]
        config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=30),
    )


def reset() -> None:
    client.cache_clear()

"""Fixtures of the functional tests: the rules pipeline's handler, and moto with DynamoDB's
per-request atomicity."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Aws


@pytest.fixture
def atomic_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB applies each request atomically; moto's in-memory backend does not under
    threads (a transaction deep-copies tables while another thread writes). One lock per
    request gives moto DynamoDB's atomicity, no more: code that read and then wrote would
    still race between its two requests, which is what the concurrency tests look for."""
    import threading

    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("transact_write_items", "put_item", "update_item", "get_item", "query", "scan", "delete_item"):
        original = getattr(DynamoDBBackend, name)

        def locked(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return __original(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)


@pytest.fixture
def pipeline(aws: Aws) -> Iterator[Any]:
    from apply_rules import handler

    from goodword.aws import clients
    from goodword.settings import pipeline_settings

    handler._pipeline.cache_clear()
    handler._enricher.cache_clear()
    pipeline_settings.cache_clear()
    clients.use_budget(clients.WORKER)
    yield handler
    handler._pipeline.cache_clear()
    handler._enricher.cache_clear()

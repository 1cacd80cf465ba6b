"""Loads the platforms' webhook secrets from Secrets Manager, cached for a few minutes so
a rotation is picked up without a deploy. Values are never logged."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from goodword.aws import clients
from goodword.observability import logger
from goodword.ports import SecretsUnavailable
from goodword.validation import describe_validation_error

T = TypeVar("T")


class SecretLoader(Generic[T]):
    """A JSON secret, parsed by ``parse`` and cached for ``max_age_seconds``."""

    def __init__(
        self, secret_id: str, max_age_seconds: int, parse: Callable[[Any], T], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.secret_id = secret_id
        self.max_age = max_age_seconds
        self.parse = parse
        self.clock = clock
        self._value: T | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> T:
        with self._lock:
            if self._value is not None and self.clock() - self._fetched_at < self.max_age:
                return self._value
            try:
                self._value = self._fetch()
                self._fetched_at = self.clock()
            except SecretsUnavailable:
                if self._value is None:
                    raise
                # Keep verifying with the last good secrets rather than failing deliveries.
                logger.warning("secret refresh failed; using the cached value")
            return self._value

    def _fetch(self) -> T:
        try:
            response = clients.secretsmanager().get_secret_value(SecretId=self.secret_id)
        except (ClientError, BotoCoreError) as exc:
            logger.error("cannot read a secret", extra={"error": type(exc).__name__})
            raise SecretsUnavailable("the secret cannot be read") from None
        try:
            return self.parse(json.loads(response.get("SecretString") or "{}"))
        except ValueError as exc:
            reason = describe_validation_error(exc) if isinstance(exc, ValidationError) else "not JSON"
            logger.error("a secret is not valid", extra={"reason": reason})
            raise SecretsUnavailable(f"the secret is not valid: {reason}") from None

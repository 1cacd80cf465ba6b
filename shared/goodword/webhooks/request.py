"""Transport-neutral request and response: what a platform sent and what we answer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from goodword.webhooks.errors import InvalidJsonError


@dataclass(frozen=True)
class WebhookRequest:
    method: str
    platform: str
    headers: dict[str, str]  # names lower-cased
    query: dict[str, str]
    body: bytes  # the exact bytes the platform signed
    received_at: datetime
    request_id: str = ""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidJsonError(f"body is not valid JSON: {type(exc).__name__}") from None


@dataclass(frozen=True)
class WebhookResponse:
    status: int
    body: str = ""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> WebhookResponse:
        return cls(status, json.dumps(payload, separators=(",", ":")), "application/json", headers or {})

    @classmethod
    def text(cls, status: int, body: str) -> WebhookResponse:
        return cls(status, body, "text/plain; charset=utf-8")

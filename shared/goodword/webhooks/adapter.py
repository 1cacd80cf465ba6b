"""What every platform adapter provides: handshake, verification, normalization."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Generic, TypeVar

from pydantic import BaseModel

from goodword.events import Event
from goodword.webhooks.errors import (
    InvalidParameterError,
    MethodNotAllowedError,
    MissingParameterError,
    MissingSignatureError,
    NotConfiguredError,
)
from goodword.webhooks.request import WebhookRequest, WebhookResponse
from goodword.webhooks.secrets import WebhookSecrets

S = TypeVar("S", bound=BaseModel)


@dataclass
class Delivery:
    """What one verified request contained."""

    events: list[Event] = field(default_factory=list)
    # Things the platform sent that we acknowledge but do not store, by reason
    # (e.g. "x.tweet_delete_events", "own_post"): counted, never errors.
    ignored: Counter[str] = field(default_factory=Counter)
    # A handshake carried in a signed POST (Twitch) is answered with this instead.
    reply: WebhookResponse | None = None


class PlatformAdapter(ABC, Generic[S]):
    name: ClassVar[str]
    methods: ClassVar[tuple[str, ...]] = ("POST",)

    def secrets(self, secrets: WebhookSecrets) -> S:
        section: S | None = getattr(secrets, self.name)
        if section is None:
            raise NotConfiguredError(f"no webhook secret is configured for {self.name}")
        return section

    def handshake(self, request: WebhookRequest, secrets: S) -> WebhookResponse:
        """Answer a GET challenge. Platforms without one do not accept GET."""
        raise MethodNotAllowedError(f"{request.method} is not accepted for {self.name}", headers=self.allow_header())

    @abstractmethod
    def verify(self, request: WebhookRequest, secrets: S, now: datetime) -> None:
        """Raise a 401 error unless the request is signed by the platform."""

    @abstractmethod
    def read(self, request: WebhookRequest) -> Delivery:
        """Normalize a verified body into events. Raises InvalidPayloadError/InvalidJsonError."""

    @classmethod
    def allow_header(cls) -> dict[str, str]:
        return {"allow": ", ".join(cls.methods)}

    def required_header(self, request: WebhookRequest, name: str) -> str:
        value = request.header(name)
        if not value:
            raise MissingSignatureError(f"the {name} header is missing")
        return value

    def handshake_parameter(self, request: WebhookRequest, name: str, shape: re.Pattern[str], described: str) -> str:
        """A handshake's query parameter, present and of the only shape the handshake answers."""
        value = request.query.get(name)
        if not value:
            raise MissingParameterError(f"GET needs the {name} query parameter")
        if not shape.fullmatch(value):
            raise InvalidParameterError(f"{name} must be {described}")
        return value

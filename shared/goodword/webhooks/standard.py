"""Standard Webhooks carrying Goodword's own canonical event JSON: the door for bridges
from platforms without webhooks (Mastodon, Bluesky, Zapier...). See platforms.md §6.

Body: one event object, or {"events": [...]} with up to 100 of them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from goodword.events import Author, Event, EventKind, EventRefs, Platform, UtcTime
from goodword.signing import matches_any, standard_signature
from goodword.validation import describe_validation_error
from goodword.webhooks.adapter import Delivery, PlatformAdapter
from goodword.webhooks.errors import InvalidPayloadError, InvalidSignatureError, InvalidTimestampError, StaleTimestampError
from goodword.webhooks.request import WebhookRequest
from goodword.webhooks.secrets import StandardSecrets

WEBHOOK_ID = "webhook-id"
WEBHOOK_TIMESTAMP = "webhook-timestamp"
WEBHOOK_SIGNATURE = "webhook-signature"
TOLERANCE = timedelta(minutes=5)
MAX_EVENTS = 100
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")


class BridgeEvent(BaseModel):
    """One event as a bridge sends it: the canonical model without what we set ourselves."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    platform: Platform
    kind: EventKind
    natural_id: str = Field(pattern=r"^[^\s#]{1,256}$")
    brand_account: str = Field(pattern=r"^[^\s#]{1,256}$")
    occurred_at: UtcTime
    author: Author | None = None
    text: str | None = Field(default=None, max_length=100_000)
    lang: str | None = Field(default=None, max_length=16)
    refs: EventRefs = EventRefs()


class BridgeBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    events: list[BridgeEvent] = Field(min_length=1, max_length=MAX_EVENTS)


class StandardAdapter(PlatformAdapter[StandardSecrets]):
    name = "standard"

    def verify(self, request: WebhookRequest, secrets: StandardSecrets, now: datetime) -> None:
        msg_id = self.required_header(request, WEBHOOK_ID)
        timestamp = self.required_header(request, WEBHOOK_TIMESTAMP)
        presented = self.required_header(request, WEBHOOK_SIGNATURE)
        if not _UNIX_SECONDS.fullmatch(timestamp):  # ASCII digits: str.isdigit() also takes "²"
            raise InvalidTimestampError(f"{WEBHOOK_TIMESTAMP} must be integer unix seconds")
        expected = [standard_signature(s, msg_id, timestamp, request.body) for s in secrets.secret]
        # The header may list several signatures (rotation); v1a (ed25519) entries are skipped.
        offered = [sig for sig in presented.split(" ") if sig.startswith("v1,")]
        if not any(matches_any(sig, expected) for sig in offered):
            raise InvalidSignatureError(f"no v1 signature in {WEBHOOK_SIGNATURE} matches")
        if abs(now.timestamp() - int(timestamp)) > TOLERANCE.total_seconds():  # integers: no date overflow
            raise StaleTimestampError(f"{WEBHOOK_TIMESTAMP} is more than 5 minutes from now")

    def read(self, request: WebhookRequest) -> Delivery:
        body = request.json()
        try:
            if isinstance(body, dict) and "events" in body:
                incoming = BridgeBatch.model_validate(body).events
            else:
                incoming = [BridgeEvent.model_validate(body)]
        except ValidationError as exc:
            raise InvalidPayloadError(describe_validation_error(exc)) from None
        delivery = Delivery()
        for item in incoming:
            delivery.events.append(
                Event(
                    **item.model_dump(exclude={"occurred_at"}),
                    occurred_at=item.occurred_at.astimezone(UTC),
                    source="standard",
                    received_at=request.received_at,
                    delivery_id=request.header(WEBHOOK_ID),
                    raw=item.model_dump(mode="json"),
                )
            )
        return delivery

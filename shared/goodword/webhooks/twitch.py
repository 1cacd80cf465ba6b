"""Twitch EventSub (webhook transport): signed challenge, id+timestamp+body HMAC,
10-minute replay window, channel.follow v2, revocations. See platforms.md §4."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from goodword.events import Author, Event, EventKind, EventRefs, Platform
from goodword.platform_json import Json, opt_text, parse_time
from goodword.signing import matches_any, twitch_signature
from goodword.webhooks.adapter import Delivery, PlatformAdapter
from goodword.webhooks.errors import InvalidPayloadError, InvalidSignatureError, InvalidTimestampError, StaleTimestampError
from goodword.webhooks.payload import obj, text
from goodword.webhooks.request import WebhookRequest, WebhookResponse
from goodword.webhooks.secrets import TwitchSecrets

MESSAGE_ID = "twitch-eventsub-message-id"
TIMESTAMP = "twitch-eventsub-message-timestamp"
SIGNATURE = "twitch-eventsub-message-signature"
MESSAGE_TYPE = "twitch-eventsub-message-type"
MAX_AGE = timedelta(minutes=10)
_UNPARSABLE = datetime.fromtimestamp(0, UTC)


class TwitchAdapter(PlatformAdapter[TwitchSecrets]):
    name = "twitch"

    def verify(self, request: WebhookRequest, secrets: TwitchSecrets, now: datetime) -> None:
        message_id = self.required_header(request, MESSAGE_ID)
        timestamp = self.required_header(request, TIMESTAMP)
        presented = self.required_header(request, SIGNATURE)
        # Header strings are signed byte for byte (timestamps carry varying fractions).
        expected = (twitch_signature(s, message_id, timestamp, request.body) for s in secrets.secret)
        if not matches_any(presented, expected):
            raise InvalidSignatureError(f"{SIGNATURE} does not match id, timestamp and body")
        sent = parse_time(timestamp, fallback=_UNPARSABLE)
        if sent is _UNPARSABLE:
            raise InvalidTimestampError(f"{TIMESTAMP} is not an RFC 3339 time")
        if abs(now - sent) > MAX_AGE:
            raise StaleTimestampError(f"{TIMESTAMP} is more than 10 minutes from now")

    def read(self, request: WebhookRequest) -> Delivery:
        body = obj(request.json(), "body")
        message_type = request.header(MESSAGE_TYPE)
        subscription = obj(body.get("subscription"), "subscription")
        delivery = Delivery()
        if message_type == "webhook_callback_verification":
            delivery.reply = WebhookResponse.text(200, text(body, "challenge", "body"))
        elif message_type == "revocation":
            condition = obj(subscription.get("condition"), "subscription.condition")
            delivery.events.append(
                Event(
                    platform=Platform.TWITCH,
                    source="twitch",
                    kind=EventKind.REVOCATION,
                    natural_id=f"message:{request.header(MESSAGE_ID)}",
                    brand_account=text(condition, "broadcaster_user_id", "subscription.condition"),
                    occurred_at=request.received_at,
                    received_at=request.received_at,
                    text=f"{subscription.get('type')} revoked: {subscription.get('status')}"[:200],
                    refs=EventRefs(subscription_id=text(subscription, "id", "subscription")),
                    delivery_id=request.header(MESSAGE_ID),
                    raw=body,
                )
            )
        elif message_type == "notification":
            self._notification(request, body, subscription, delivery)
        else:
            raise InvalidPayloadError(f"{MESSAGE_TYPE} must be notification, webhook_callback_verification or revocation")
        return delivery

    def _notification(self, request: WebhookRequest, body: Json, subscription: Json, delivery: Delivery) -> None:
        sub_type = subscription.get("type")
        if sub_type != "channel.follow":
            delivery.ignored[f"twitch.{sub_type}"[:64]] += 1
            return
        event = obj(body.get("event"), "event")
        message_id = request.header(MESSAGE_ID)
        delivery.events.append(
            Event(
                platform=Platform.TWITCH,
                source="twitch",
                kind=EventKind.FOLLOW,
                # Twitch resends with the same message id: that is the dedupe key.
                natural_id=f"message:{message_id}",
                brand_account=text(event, "broadcaster_user_id", "event"),
                occurred_at=parse_time(event.get("followed_at"), request.received_at),
                received_at=request.received_at,
                author=Author(
                    id=text(event, "user_id", "event"),
                    handle=opt_text(event, "user_login", 256),
                    name=opt_text(event, "user_name", 512),
                ),
                refs=EventRefs(subscription_id=opt_text(subscription, "id", 256)),
                delivery_id=message_id,
                raw=body,
            )
        )

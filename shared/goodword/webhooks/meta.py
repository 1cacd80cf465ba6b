"""Meta (Instagram and Facebook Pages): hub verification, X-Hub-Signature-256, batched
entry[]/changes[] and entry[]/messaging[]. See platforms.md §2."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from goodword.events import Author, Event, EventKind, EventRefs, Platform
from goodword.platform_json import Json, opt_id, opt_obj, opt_text, parse_time
from goodword.signing import matches_any, meta_signature
from goodword.webhooks.adapter import Delivery, PlatformAdapter
from goodword.webhooks.errors import (
    InvalidPayloadError,
    InvalidSignatureError,
    MissingParameterError,
    VerifyTokenMismatchError,
)
from goodword.webhooks.payload import array, obj, text
from goodword.webhooks.request import WebhookRequest, WebhookResponse
from goodword.webhooks.secrets import MetaSecrets

SIGNATURE_HEADER = "x-hub-signature-256"
_PLATFORMS = {"instagram": Platform.INSTAGRAM, "page": Platform.FACEBOOK}
_FEED_POST_ITEMS = ("post", "status", "photo", "video")


def _digest(words: str | None) -> str:
    return hashlib.sha256((words or "").encode()).hexdigest()[:16]


class MetaAdapter(PlatformAdapter[MetaSecrets]):
    name = "meta"
    methods = ("GET", "POST")

    def handshake(self, request: WebhookRequest, secrets: MetaSecrets) -> WebhookResponse:
        mode, token, challenge = (request.query.get(f"hub.{k}") for k in ("mode", "verify_token", "challenge"))
        if mode != "subscribe" or not token or not challenge:
            raise MissingParameterError("GET needs hub.mode=subscribe, hub.verify_token and hub.challenge")
        if not matches_any(token, [secrets.verify_token]):
            raise VerifyTokenMismatchError("hub.verify_token does not match the configured verify token")
        return WebhookResponse.text(200, challenge)

    def verify(self, request: WebhookRequest, secrets: MetaSecrets, now: datetime) -> None:
        presented = self.required_header(request, SIGNATURE_HEADER)
        # HMAC of the raw bytes: Meta signs its \\u-escaped body, so never re-serialize.
        if not matches_any(presented, (meta_signature(s, request.body) for s in secrets.app_secret)):
            raise InvalidSignatureError(f"{SIGNATURE_HEADER} does not match the body")

    def read(self, request: WebhookRequest) -> Delivery:
        body = obj(request.json(), "body")
        entries = array(body.get("entry"), "entry")
        object_type = body.get("object")
        if not isinstance(object_type, str):
            raise InvalidPayloadError("object must be a string such as instagram or page")
        reader = _Reader(request, _PLATFORMS.get(object_type))
        for index, entry in enumerate(entries):
            reader.entry(obj(entry, f"entry[{index}]"), f"entry[{index}]", object_type)
        return reader.delivery


class _Reader:
    def __init__(self, request: WebhookRequest, platform: Platform | None) -> None:
        self.request = request
        self.platform = platform
        self.delivery = Delivery()

    def add(self, **fields: Any) -> None:
        self.delivery.events.append(Event(platform=self.platform, source="meta", received_at=self.request.received_at, **fields))

    def entry(self, entry: Json, path: str, object_type: str) -> None:
        brand = text(entry, "id", path)
        changes: list[tuple[Json, str]] = []
        if "changes" in entry:
            changes = [
                (obj(c, f"{path}.changes[{i}]"), f"{path}.changes[{i}]")
                for i, c in enumerate(array(entry["changes"], f"{path}.changes"))
            ]
        elif "field" in entry:
            changes = [(entry, path)]  # Business Login documents field/value on the entry itself
        messages = array(entry.get("messaging", []), f"{path}.messaging")
        if self.platform is None:
            self.delivery.ignored[f"meta.{object_type}"[:64]] += max(1, len(changes) + len(messages))
            return
        sent = parse_time(entry.get("time"), self.request.received_at)
        for change, change_path in changes:
            self.change(change, change_path, brand, sent)
        for index, message in enumerate(messages):
            self.message(obj(message, f"{path}.messaging[{index}]"), f"{path}.messaging[{index}]", brand, entry)

    def change(self, change: Json, path: str, brand: str, sent: datetime) -> None:
        field = change.get("field")
        value = obj(change.get("value"), f"{path}.value")
        if self.platform is Platform.INSTAGRAM and field in ("comments", "live_comments"):
            self.instagram_comment(change, value, f"{path}.value", brand, sent)
        elif self.platform is Platform.INSTAGRAM and field == "mentions":
            self.instagram_mention(change, value, f"{path}.value", brand, sent)
        elif self.platform is Platform.FACEBOOK and field == "feed":
            self.page_feed(change, value, f"{path}.value", brand)
        elif self.platform is Platform.FACEBOOK and field == "mention":
            self.page_mention(change, value, f"{path}.value", brand)
        else:
            self.delivery.ignored[f"meta.{self.platform}.{field}"[:64]] += 1

    def instagram_comment(self, raw: Json, value: Json, path: str, brand: str, sent: datetime) -> None:
        # Business Login sends the comment id as `id`, Facebook Login as `comment_id`.
        comment_id = opt_id(value, "id") or text(value, "comment_id", path)
        sender = obj(value.get("from"), f"{path}.from")
        author = Author(id=text(sender, "id", f"{path}.from"), handle=opt_text(sender, "username", 256))
        if author.id == brand:
            self.delivery.ignored["own_comment"] += 1
            return
        parent_id = opt_id(value, "parent_id")
        media = opt_obj(value, "media")
        self.add(
            kind=EventKind.REPLY if parent_id else EventKind.COMMENT,
            natural_id=f"comment:{comment_id}",
            brand_account=brand,
            occurred_at=sent,
            author=author,
            text=opt_text(value, "text"),
            refs=EventRefs(comment_id=comment_id, parent_id=parent_id, media_id=opt_id(media, "id")),
            raw=raw,
        )

    def instagram_mention(self, raw: Json, value: Json, path: str, brand: str, sent: datetime) -> None:
        # Facebook Login mentions carry only ids: the author and text are fetched later.
        media_id = text(value, "media_id", path)
        comment_id = opt_id(value, "comment_id")
        self.add(
            kind=EventKind.MENTION,
            natural_id=f"mention:{media_id}:{comment_id or '-'}",
            brand_account=brand,
            occurred_at=sent,
            refs=EventRefs(media_id=media_id, comment_id=comment_id),
            raw=raw,
        )

    def page_feed(self, raw: Json, value: Json, path: str, brand: str) -> None:
        item, verb = value.get("item"), value.get("verb")
        sender = opt_obj(value, "from")
        sender_id = opt_id(sender, "id")
        edited = verb == "edited" and item in ("comment", *_FEED_POST_ITEMS)
        if verb != "add" and not edited:
            self.delivery.ignored[f"meta.feed.{item}.{verb}"[:64]] += 1
            return
        if sender_id == brand:
            self.delivery.ignored["own_post"] += 1
            return
        post_id = text(value, "post_id", path)
        comment_id = opt_id(value, "comment_id")
        parent_id = opt_id(value, "parent_id")
        if item == "comment":
            kind = EventKind.REPLY if parent_id and parent_id != post_id else EventKind.COMMENT
            natural = f"comment:{text(value, 'comment_id', path)}"
        elif item in ("reaction", "like"):
            kind, natural = EventKind.LIKE, f"{item}:{post_id}:{comment_id or '-'}:{sender_id}"
        elif item == "share":
            kind, natural = EventKind.SHARE, f"share:{post_id}"
        elif item in _FEED_POST_ITEMS:
            kind, natural = EventKind.MENTION, f"post:{post_id}"  # a visitor's post on the brand's Page
        else:
            self.delivery.ignored[f"meta.feed.{item}"[:64]] += 1
            return
        if sender_id is None:
            raise InvalidPayloadError(f"{path}.from.id must be a non-empty id string")
        occurred = parse_time(value.get("created_time"), self.request.received_at)
        self.add(
            kind=kind,
            # each edit is an event of its own, pointing at what it edits; a redelivery of the
            # same edit (same words) is the same event
            natural_id=f"{natural}:edited:{_digest(opt_text(value, 'message'))}" if edited else natural,
            brand_account=brand,
            occurred_at=occurred,
            author=Author(id=sender_id, name=opt_text(sender, "name", 512)),
            text=opt_text(value, "message"),
            refs=EventRefs(post_id=post_id, comment_id=comment_id, parent_id=parent_id, edits=natural if edited else None),
            raw=raw,
        )

    def page_mention(self, raw: Json, value: Json, path: str, brand: str) -> None:
        if value.get("verb") not in (None, "add"):
            self.delivery.ignored[f"meta.mention.{value.get('verb')}"[:64]] += 1
            return
        post_id = text(value, "post_id", path)
        comment_id = opt_id(value, "comment_id")
        sender_id = opt_id(value, "sender_id")
        self.add(
            kind=EventKind.MENTION,
            natural_id=f"mention:{post_id}:{comment_id or '-'}",
            brand_account=brand,
            occurred_at=parse_time(value.get("created_time"), self.request.received_at),
            author=Author(id=sender_id, name=opt_text(value, "sender_name", 512)) if sender_id else None,
            text=opt_text(value, "message"),
            refs=EventRefs(post_id=post_id, comment_id=comment_id),
            raw=raw,
        )

    def message(self, messaging: Json, path: str, brand: str, entry: Json) -> None:
        message = messaging.get("message")
        if not isinstance(message, dict):
            self.delivery.ignored["meta.messaging.other"] += 1  # reactions, reads, postbacks
            return
        sender = text(obj(messaging.get("sender"), f"{path}.sender"), "id", f"{path}.sender")
        if message.get("is_echo") or sender == brand:
            self.delivery.ignored["own_message"] += 1
            return
        self.add(
            kind=EventKind.DIRECT_MESSAGE,
            natural_id=f"dm:{text(message, 'mid', f'{path}.message')}"[:256],
            brand_account=brand,
            occurred_at=parse_time(messaging.get("timestamp"), self.request.received_at),
            author=Author(id=sender),
            text=opt_text(message, "text"),
            refs=EventRefs(conversation_id=sender),
            raw=messaging,
        )

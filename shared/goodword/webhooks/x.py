"""X (Twitter): CRC handshake, x-twitter-webhooks-signature, X Activity API envelopes and
Account Activity API arrays. See platforms.md §1."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from goodword.events import Author, Event, EventKind, EventRefs, Platform
from goodword.platform_json import Json, opt_bool, opt_id, opt_int, opt_obj, opt_text, opt_time, parse_time
from goodword.signing import b64_hmac, matches_any, x_signature
from goodword.webhooks.adapter import Delivery, PlatformAdapter
from goodword.webhooks.errors import (
    InvalidPayloadError,
    InvalidSignatureError,
)
from goodword.webhooks.payload import array, obj, text
from goodword.webhooks.request import WebhookRequest, WebhookResponse
from goodword.webhooks.secrets import XSecrets
from goodword.x_users import user_fields, v2_user_facts

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
# X's crc_token is a short random string (base64 or base64url in practice; the docs' example is
# "challenge_string"). The handshake answers only that shape: its answer is the same HMAC the POST
# signature uses, so answering for arbitrary text (a JSON body) would sign forged deliveries. The
# verifier refuses any body of that shape, so the two domains are disjoint (no JSON object can
# match: "{" is outside the alphabet).
CRC_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{1,128}")

# X Activity API event types and the kind each becomes (when it concerns the brand).
_XAA_POST_KINDS = {
    "post.mention.create": EventKind.MENTION,
    "post.reply.create": EventKind.REPLY,
    "post.quote.create": EventKind.QUOTE,
}
# Account Activity API keys we acknowledge but do not store.
_AAA_IGNORED = (
    "tweet_delete_events",
    "block_events",
    "mute_events",
    "direct_message_indicate_typing_events",
    "direct_message_mark_read_events",
)


class XAdapter(PlatformAdapter[XSecrets]):
    name = "x"
    methods = ("GET", "POST")

    def handshake(self, request: WebhookRequest, secrets: XSecrets) -> WebhookResponse:
        token = self.handshake_parameter(request, "crc_token", CRC_TOKEN, "1 to 128 base64 or base64url characters")
        # The current consumer secret answers; during a rotation that is the first one listed.
        return WebhookResponse.json(200, {"response_token": "sha256=" + b64_hmac(secrets.consumer_secret[0], token)})

    def verify(self, request: WebhookRequest, secrets: XSecrets, now: datetime) -> None:
        presented = self.required_header(request, SIGNATURE_HEADER)
        if CRC_TOKEN.fullmatch(request.body.decode("latin-1")):
            # A body the CRC handshake would answer for: its HMAC is public, so never authenticate it.
            raise InvalidSignatureError(f"{SIGNATURE_HEADER} cannot authenticate a body shaped like a crc_token")
        expected = (x_signature(s, request.body) for s in secrets.consumer_secret)
        if not matches_any(presented, expected):
            raise InvalidSignatureError(f"{SIGNATURE_HEADER} does not match the body")

    def read(self, request: WebhookRequest) -> Delivery:
        body = obj(request.json(), "body")
        reader = _Reader(request)
        if "data" in body:
            reader.activity_event(obj(body["data"], "data"))
        elif "for_user_id" in body:
            reader.account_activity(body)
        elif "user_event" in body:
            reader.user_event(obj(body["user_event"], "user_event"))
        elif "replay_job_status" in body:
            reader.delivery.ignored["x.replay_job_status"] += 1
        else:
            raise InvalidPayloadError(
                "body is neither an X Activity API event (data) nor an Account Activity delivery (for_user_id)"
            )
        return reader.delivery


def _author_from_v2(user: Json | None, author_id: str, blocked: bool = False) -> Author:
    fields = user_fields(user or {})
    metrics = opt_obj(fields, "public_metrics")
    return Author(
        id=author_id,
        handle=opt_text(fields, "username", 256),
        name=opt_text(fields, "name", 512),
        followers_count=opt_int(metrics, "followers_count"),
        has_blocked_brand=blocked,
        **v2_user_facts(fields),
    )


def _author_from_v1(user: Json, path: str, blocked: bool = False) -> Author:
    return Author(
        id=text(user, "id_str", path),
        handle=opt_text(user, "screen_name", 256),
        name=opt_text(user, "name", 512),
        followers_count=opt_int(user, "followers_count"),
        has_blocked_brand=blocked,
        created_at=opt_time(user, "created_at"),
        following_count=opt_int(user, "friends_count"),
        verified=opt_bool(user, "verified"),
        default_profile=opt_bool(user, "default_profile"),
        is_private=opt_bool(user, "protected"),
    )


def _edit_of(post_id: str, history: Any) -> str | None:
    """The natural id of the post this one edits: the first of its edit history (v2
    ``edit_history_tweet_ids``, v1.1 ``edit_history.initial_tweet_id``), if not itself."""
    first = history[0] if isinstance(history, list) and history else None
    return f"tweet:{first}" if isinstance(first, str) and first and first != post_id else None


class _Reader:
    def __init__(self, request: WebhookRequest) -> None:
        self.request = request
        self.delivery = Delivery()

    def add(self, **fields: Any) -> None:
        self.delivery.events.append(Event(platform=Platform.X, source="x", received_at=self.request.received_at, **fields))

    # --- X Activity API -------------------------------------------------------------

    def activity_event(self, data: Json) -> None:
        event_type = text(data, "event_type", "data")
        uuid = text(data, "event_uuid", "data")
        payload = obj(data.get("payload"), "data.payload")
        includes = opt_obj(data, "includes")
        brand = opt_id(opt_obj(data, "filter"), "user_id")
        if event_type == "oauth.revoke":
            user_id = text(payload, "user_id", "data.payload")
            self.add(
                kind=EventKind.REVOCATION,
                natural_id=uuid,
                brand_account=user_id,
                occurred_at=parse_time(payload.get("date_time"), self.request.received_at),
                raw=data,
            )
            return
        if brand is None:
            raise InvalidPayloadError("data.filter.user_id must be a non-empty id string")
        if event_type in _XAA_POST_KINDS:
            self._activity_post(data, brand, _XAA_POST_KINDS[event_type], payload, includes)
        elif event_type in ("follow.follow", "follow.unfollow"):
            self._activity_follow(data, uuid, brand, event_type, payload)
        elif event_type == "like.create":
            self._activity_like(data, uuid, brand, payload, includes)
        elif event_type == "dm.received":
            self._direct_messages(data, payload, brand, users=opt_obj(payload, "users"), path="data.payload")
        else:
            self.delivery.ignored[f"x.{event_type}"[:64]] += 1

    def _activity_post(self, data: Json, brand: str, kind: EventKind, post: Json, includes: Json) -> None:
        author_id = text(post, "author_id", "data.payload")
        if author_id == brand:
            self.delivery.ignored["own_post"] += 1
            return
        users = {opt_id(user_fields(u), "id"): u for u in includes.get("users") or [] if isinstance(u, dict)}
        referenced = {r.get("type"): opt_id(r, "id") for r in post.get("referenced_tweets") or [] if isinstance(r, dict)}
        post_id = text(post, "id", "data.payload")
        self.add(
            # Keyed by post, like Account Activity tweets, so one post is one event even if
            # both APIs deliver it.
            kind=kind,
            natural_id=f"tweet:{post_id}",
            brand_account=brand,
            occurred_at=parse_time(post.get("created_at"), self.request.received_at),
            author=_author_from_v2(users.get(author_id), author_id),
            text=opt_text(post, "text"),
            lang=opt_text(post, "lang", 16),
            refs=EventRefs(
                post_id=post_id,
                conversation_id=opt_id(post, "conversation_id"),
                in_reply_to_post_id=opt_id(post, "in_reply_to_tweet_id") or referenced.get("replied_to"),
                quoted_post_id=referenced.get("quoted"),
                edits=_edit_of(post_id, post.get("edit_history_tweet_ids")),
            ),
            raw=data,
        )

    def _activity_follow(self, data: Json, uuid: str, brand: str, event_type: str, payload: Json) -> None:
        source = user_fields(obj(payload.get("source"), "data.payload.source"))
        target = user_fields(obj(payload.get("target"), "data.payload.target"))
        source_id = text(source, "id", "data.payload.source")
        # Only "the brand was (un)followed" concerns us; the brand following others does not.
        if text(target, "id", "data.payload.target") != brand or source_id == brand:
            self.delivery.ignored["outbound_follow"] += 1
            return
        kind = EventKind.FOLLOW if event_type == "follow.follow" else EventKind.UNFOLLOW
        self.add(
            kind=kind,
            natural_id=uuid,
            brand_account=brand,
            occurred_at=self.request.received_at,
            author=_author_from_v2(source, source_id),
            raw=data,
        )

    def _activity_like(self, data: Json, uuid: str, brand: str, payload: Json, includes: Json) -> None:
        if opt_id(payload, "liked_tweet_author_id") != brand:
            self.delivery.ignored["outbound_like"] += 1
            return
        liker_id = opt_id(payload, "user_id") or opt_id(payload, "liking_user_id")
        users = [user_fields(u) for u in includes.get("users") or [] if isinstance(u, dict)]
        if liker_id is None:
            others = [u for u in users if opt_id(u, "id") not in (None, brand)]
            liker_id = opt_id(others[0], "id") if others else None
        if liker_id is None or liker_id == brand:
            self.delivery.ignored["like_without_liker"] += 1
            return
        liker = next((u for u in users if opt_id(u, "id") == liker_id), None)
        self.add(
            kind=EventKind.LIKE,
            natural_id=f"like:{opt_id(payload, 'id') or uuid}",
            brand_account=brand,
            occurred_at=parse_time(payload.get("created_at"), self.request.received_at),
            author=_author_from_v2(liker, liker_id),
            refs=EventRefs(post_id=opt_id(payload, "liked_tweet_id")),
            raw=data,
        )

    # --- Account Activity API --------------------------------------------------------

    def account_activity(self, body: Json) -> None:
        brand = text(body, "for_user_id", "body")
        blocked = body.get("user_has_blocked") in ("true", True)
        for index, tweet in enumerate(array(body.get("tweet_create_events", []), "tweet_create_events")):
            self._tweet(obj(tweet, f"tweet_create_events[{index}]"), f"tweet_create_events[{index}]", brand, blocked)
        for key in ("follow_events", "unfollow_events"):
            for index, follow in enumerate(array(body.get(key, []), key)):
                self._follow(obj(follow, f"{key}[{index}]"), f"{key}[{index}]", brand)
        for index, favorite in enumerate(array(body.get("favorite_events", []), "favorite_events")):
            self._favorite(obj(favorite, f"favorite_events[{index}]"), f"favorite_events[{index}]", brand)
        if "direct_message_events" in body:
            self._direct_messages(body, body, brand, users=opt_obj(body, "users"), path="body")
        for key in _AAA_IGNORED:
            if isinstance(body.get(key), list):
                self.delivery.ignored[f"x.{key}"] += len(body[key])

    def _tweet(self, tweet: Json, path: str, brand: str, blocked: bool) -> None:
        user = obj(tweet.get("user"), f"{path}.user")
        post_id = text(tweet, "id_str", path)
        author = _author_from_v1(user, f"{path}.user", blocked)
        if author.id == brand:
            self.delivery.ignored["own_post"] += 1  # the brand's own posts, replies and retweets
            return
        if "retweeted_status" in tweet:
            self.delivery.ignored["retweet"] += 1
            return
        extended = opt_obj(tweet, "extended_tweet")
        entities = opt_obj(extended, "entities") or opt_obj(tweet, "entities")
        mentioned = {opt_id(m, "id_str") for m in entities.get("user_mentions") or [] if isinstance(m, dict)}
        quoted = opt_obj(tweet, "quoted_status")
        quoted_author = opt_id(opt_obj(quoted, "user"), "id_str")
        if tweet.get("in_reply_to_user_id_str") == brand:
            kind = EventKind.REPLY
        elif quoted_author == brand:
            kind = EventKind.QUOTE
        elif brand in mentioned:
            kind = EventKind.MENTION
        else:
            self.delivery.ignored["not_about_brand"] += 1
            return
        self.add(
            kind=kind,
            natural_id=f"tweet:{post_id}",
            brand_account=brand,
            occurred_at=parse_time(tweet.get("timestamp_ms") or tweet.get("created_at"), self.request.received_at),
            author=author,
            text=opt_text(extended, "full_text") or opt_text(tweet, "text"),
            lang=opt_text(tweet, "lang", 16),
            refs=EventRefs(
                post_id=post_id,
                conversation_id=opt_id(tweet, "conversation_id_str"),
                in_reply_to_post_id=opt_id(tweet, "in_reply_to_status_id_str"),
                quoted_post_id=opt_id(quoted, "id_str"),
                edits=_edit_of(post_id, [opt_id(opt_obj(tweet, "edit_history"), "initial_tweet_id")]),
            ),
            raw=tweet,
        )

    def _follow(self, follow: Json, path: str, brand: str) -> None:
        follow_type = follow.get("type")
        source = obj(follow.get("source"), f"{path}.source")
        target = obj(follow.get("target"), f"{path}.target")
        if follow_type not in ("follow", "unfollow"):
            raise InvalidPayloadError(f"{path}.type must be follow or unfollow")
        author = _author_from_v1(source, f"{path}.source")
        if text(target, "id_str", f"{path}.target") != brand or author.id == brand:
            self.delivery.ignored["outbound_follow"] += 1
            return
        created = opt_id(follow, "created_timestamp") or ""
        self.add(
            kind=EventKind.FOLLOW if follow_type == "follow" else EventKind.UNFOLLOW,
            # No id: platforms.md's key is type|source|target|created_timestamp.
            natural_id=f"{follow_type}:{author.id}:{created}",
            brand_account=brand,
            occurred_at=parse_time(created, self.request.received_at),
            author=author,
            raw=follow,
        )

    def _favorite(self, favorite: Json, path: str, brand: str) -> None:
        status = obj(favorite.get("favorited_status"), f"{path}.favorited_status")
        author = _author_from_v1(obj(favorite.get("user"), f"{path}.user"), f"{path}.user")
        if opt_id(opt_obj(status, "user"), "id_str") != brand or author.id == brand:
            self.delivery.ignored["outbound_like"] += 1
            return
        self.add(
            kind=EventKind.LIKE,
            natural_id=f"like:{text(favorite, 'id', path)}",
            brand_account=brand,
            occurred_at=parse_time(favorite.get("timestamp_ms"), self.request.received_at),
            author=author,
            refs=EventRefs(post_id=opt_id(status, "id_str")),
            raw=favorite,
        )

    def user_event(self, user_event: Json) -> None:
        revoke = obj(user_event.get("revoke"), "user_event.revoke")
        user_id = text(obj(revoke.get("source"), "user_event.revoke.source"), "user_id", "user_event.revoke.source")
        occurred = parse_time(revoke.get("date_time"), self.request.received_at)
        self.add(
            kind=EventKind.REVOCATION,
            natural_id=f"revoke:{int(occurred.timestamp())}",
            brand_account=user_id,
            occurred_at=occurred,
            raw=user_event,
        )

    # --- Direct messages (both APIs use the v1.1 message_create shape) -------------------

    def _direct_messages(self, raw: Json, container: Json, brand: str, users: Json, path: str) -> None:
        key = "direct_message_events"
        for index, item in enumerate(array(container.get(key), f"{path}.{key}")):
            item_path = f"{path}.{key}[{index}]"
            message = obj(item, item_path)
            if message.get("type") != "message_create":
                self.delivery.ignored["x.dm_other"] += 1
                continue
            create = obj(message.get("message_create"), f"{item_path}.message_create")
            sender = text(create, "sender_id", f"{item_path}.message_create")
            if sender == brand:
                self.delivery.ignored["own_message"] += 1  # our own sent DMs are echoed back
                continue
            user = users.get(sender)
            fields = user_fields(user) if isinstance(user, dict) else {}
            author = Author(
                id=sender,
                handle=opt_text(fields, "screen_name", 256) or opt_text(fields, "username", 256),
                name=opt_text(fields, "name", 512),
                followers_count=opt_int(fields, "followers_count")
                or opt_int(opt_obj(fields, "public_metrics"), "followers_count"),
            )
            self.add(
                kind=EventKind.DIRECT_MESSAGE,
                natural_id=f"dm:{text(message, 'id', item_path)}",
                brand_account=brand,
                occurred_at=parse_time(message.get("created_timestamp"), self.request.received_at),
                author=author,
                text=opt_text(opt_obj(create, "message_data"), "text"),
                refs=EventRefs(conversation_id=sender),
                raw=message,
            )

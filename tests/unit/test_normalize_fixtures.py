"""Every documented payload goes through the real normalization code, with what a user
would see: which events come out (kind, who, about which brand) and what is acknowledged
without being stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from dev_support.paths import FIXTURES
from dev_support.platforms import all_fixture_files
from goodword.events import EventKind, Platform
from goodword.webhooks.adapter import Delivery
from goodword.webhooks.receive import ADAPTERS
from goodword.webhooks.request import WebhookRequest

RECEIVED = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)

# fixture -> (events as (kind, platform, brand, author id or None, natural id), ignored reasons);
# None: the file is not a complete delivery as documented and has a dedicated test below.
EXPECTED: dict[str, tuple[list[tuple[str, str, str, str | None, str]] | None, dict[str, int]]] = {
    "x/xaa_post_mention_create.json": (
        [("mention", "x", "1111111111111111111", "2222222222222222222", "tweet:2080765813578191303")],
        {},
    ),
    "x/xaa_post_reply_create.json": (
        [("reply", "x", "1111111111111111111", "2222222222222222222", "tweet:2090000000000000001")],
        {},
    ),
    "x/xaa_post_quote_create.json": (
        [("quote", "x", "1111111111111111111", "2222222222222222222", "tweet:2090000000000000002")],
        {},
    ),
    # The documented follow/unfollow/like examples are the brand's own outbound actions.
    "x/xaa_follow_follow.json": ([], {"outbound_follow": 1}),
    "x/xaa_follow_unfollow.json": ([], {"outbound_follow": 1}),
    "x/xaa_like_create.json": ([], {"outbound_like": 1}),
    "x/xaa_dm_received.json": (
        [("direct_message", "x", "1111111111111111111", "2222222222222222222", "dm:2080765901528535096")],
        {},
    ),
    "x/xaa_oauth_revoke.json": ([("revocation", "x", "1111111111111111111", None, "5934540941047412905")], {}),
    "x/xaa_event_envelope.json": ([], {"x.post.create": 1}),
    "x/aaa_tweet_create_events_mention.constructed.json": (
        [("mention", "x", "2244994945", "3001969357", "tweet:978310196411928576")],
        {},
    ),
    # A long post by someone else that does not mention the subscribed account.
    "x/aaa_tweet_create_events_longform.json": (None, {}),
    "x/aaa_follow_events.constructed.json": (
        [("follow", "x", "2244994945", "3001969357", "follow:3001969357:1517588749178")],
        {},
    ),
    "x/aaa_unfollow_events.constructed.json": (
        [("unfollow", "x", "2244994945", "3001969357", "unfollow:3001969357:1517588749178")],
        {},
    ),
    "x/aaa_favorite_events.constructed.json": (
        [("like", "x", "2244994945", "3001969357", "like:a7ba59eab0bfcba386f7acedac279542")],
        {},
    ),
    "x/aaa_direct_message_events.json": ([("direct_message", "x", "4337869213", "3001969357", "dm:954491830116155396")], {}),
    "x/aaa_tweet_delete_events.json": ([], {"x.tweet_delete_events": 1}),
    "x/aaa_user_event_revoke.json": ([("revocation", "x", "63046977", None, "revoke:1527155292")], {}),
    "x/aaa_replay_job_complete.json": ([], {"x.replay_job_status": 1}),
    "meta/instagram_mentions_comment_fblogin.json": (
        [("mention", "instagram", "17841405726653026", None, "mention:17918195224117851:17894227972186120")],
        {},
    ),
    "meta/instagram_mentions_media_fblogin.json": (
        [("mention", "instagram", "17841405726653026", None, "mention:17918195224117851:-")],
        {},
    ),
    "meta/instagram_comments_fblogin.constructed.json": (
        [("comment", "instagram", "17841405726653026", "1234567890123456", "comment:17894227972186120")],
        {},
    ),
    "meta/instagram_comments_business_login.documented_shape.constructed.json": (
        [("comment", "instagram", "17841405726653026", "1234567890123456", "comment:17894227972186120")],
        {},
    ),
    "meta/instagram_comments_business_login.observed_shape.constructed.json": (
        [("comment", "instagram", "17841405726653026", "1234567890123456", "comment:17894227972186120")],
        {},
    ),
    "meta/instagram_message_business_login.constructed.json": (None, {}),
    "meta/facebook_page_feed_comment.constructed.json": (
        [("comment", "facebook", "106123456789012", "24266381753005180", "comment:122197857164920798_2719805541795582")],
        {},
    ),
    "meta/facebook_page_mention.constructed.json": (
        [("mention", "facebook", "106123456789012", "44444444", "mention:44444444_444444444:-")],
        {},
    ),
    "meta/graph_webhook_user_photos_sample.json": ([], {"meta.user": 1}),
    "linkedin/org_social_action_share_mention.constructed.json": (
        [("mention", "linkedin", "urn:li:organization:12345", None, "notification:4406044")],
        {},
    ),
    "linkedin/org_social_action_comment.constructed.json": (
        [("comment", "linkedin", "urn:li:organization:12345", None, "notification:4406004")],
        {},
    ),
    "twitch/channel_follow_v2_notification.json": ([("follow", "twitch", "1337", "1234", "message:msg-1")], {}),
    "twitch/revocation.json": ([("revocation", "twitch", "12826", None, "message:msg-1")], {}),
}
# Outbound requests, platform API responses and handshakes are not deliveries.
NOT_DELIVERIES = {
    "x/outbound_create_post_reply_request.json",
    "x/outbound_create_post_response.json",
    "x/outbound_dm_request.json",
    "x/outbound_dm_response.json",
    "x/webhook_create_request.json",
    "x/webhook_create_response.json",
    "x/xaa_subscription_create_request.json",
    "meta/outbound_instagram_comment_reply_response.json",
    "meta/outbound_instagram_private_reply_request.json",
    "meta/outbound_instagram_send_message_request.json",
    "meta/outbound_instagram_send_message_response.json",
    "linkedin/outbound_create_comment_request.constructed.json",
    "linkedin/validation_challenge_documented.json",
    "twitch/create_subscription_request_channel_follow_v2.json",
    "twitch/outbound_send_chat_message_request.json",
    "twitch/outbound_send_whisper_request.json",
    "twitch/webhook_callback_verification.json",
    # read API answers (enrichment: tests/unit/test_enrichment.py)
    "meta/read_mentioned_comment.constructed.json",
    "meta/read_mentioned_media.constructed.json",
    "meta/read_page_post.constructed.json",
    "meta/read_graph_error_missing.documented_shape.json",
    "meta/read_graph_error_permission.documented_shape.json",
    "meta/read_graph_error_rate_limited.documented_shape.json",
    "linkedin/read_post.constructed.json",
    "linkedin/read_comment.constructed.json",
    "x/read_user.json",
    "x/read_user_not_found.documented_shape.json",
}
ADAPTER_OF_DIR = {"x": "x", "meta": "meta", "linkedin": "linkedin", "twitch": "twitch"}


def read(relative: str, **headers: str) -> Delivery:
    platform = ADAPTER_OF_DIR[relative.split("/", maxsplit=1)[0]]
    body = json.dumps(json.loads((FIXTURES / relative).read_text())).encode()
    request = WebhookRequest("POST", platform, {k.lower().replace("_", "-"): v for k, v in headers.items()}, {}, body, RECEIVED)
    return ADAPTERS[platform].read(request)


def test_every_documented_payload_has_an_expectation() -> None:
    files = {f"{d}/{p.name}" for d in ADAPTER_OF_DIR for p in all_fixture_files(d)}
    assert files - NOT_DELIVERIES == set(EXPECTED)


def summary(delivery: Delivery) -> list[tuple[str, str, str, str | None, str]]:
    return [
        (e.kind.value, e.platform.value, e.brand_account, e.author.id if e.author else None, e.natural_id)
        for e in delivery.events
    ]


@pytest.mark.parametrize("relative", [k for k, v in EXPECTED.items() if v[0] is not None])
def test_documented_payload_normalizes_to_expected_events(relative: str) -> None:
    expected_events, expected_ignored = EXPECTED[relative]
    twitch = {
        "twitch_eventsub_message_id": "msg-1",
        "twitch_eventsub_message_type": "revocation" if "revocation" in relative else "notification",
    }
    delivery = read(relative, **(twitch if relative.startswith("twitch/") else {}))
    assert summary(delivery) == expected_events
    assert dict(delivery.ignored) == expected_ignored
    for event in delivery.events:
        assert event.received_at == RECEIVED
        assert event.raw, "the platform's payload is kept with each event"


def test_x_mention_carries_what_rules_and_replies_need() -> None:
    (event,) = read("x/xaa_post_mention_create.json").events
    assert event.text == "hey @ExampleUser"
    assert event.author is not None
    assert (event.author.handle, event.author.followers_count) == ("OtherUser", 97)
    assert event.refs.post_id == "2080765813578191303"
    assert event.occurred_at == datetime(2026, 7, 24, 21, 23, 23, tzinfo=UTC)
    assert event.event_id == "x#1111111111111111111#tweet:2080765813578191303"


def test_x_longform_uses_id_str_and_full_text_when_it_mentions_the_brand() -> None:
    body = json.loads((FIXTURES / "x/aaa_tweet_create_events_longform.json").read_text())
    body["for_user_id"] = "1582853809"  # @HistoryInPics, mentioned in extended_tweet only
    body["tweet_create_events"][0]["user"] = {"id": 1, "id_str": "777", "screen_name": "someone"}
    request = WebhookRequest("POST", "x", {}, {}, json.dumps(body).encode(), RECEIVED)
    (event,) = ADAPTERS["x"].read(request).events
    assert event.kind is EventKind.MENTION
    assert event.refs.post_id == "1924465506158878979"  # id_str, not the imprecise number
    assert event.text is not None
    assert event.text.startswith("The Antikythera Mechanism") and "Roman ship off the Greek island" in event.text


def test_x_longform_fixture_as_documented_is_not_about_the_subscribed_account() -> None:
    body = json.loads((FIXTURES / "x/aaa_tweet_create_events_longform.json").read_text())
    body["tweet_create_events"][0]["user"] = {"id_str": "777"}  # the doc elides the user object
    delivery = ADAPTERS["x"].read(WebhookRequest("POST", "x", {}, {}, json.dumps(body).encode(), RECEIVED))
    assert delivery.events == []
    assert delivery.ignored == {"not_about_brand": 1}


def test_x_account_activity_skips_own_posts_and_retweets_and_honours_blocks() -> None:
    body = json.loads((FIXTURES / "x/aaa_tweet_create_events_mention.constructed.json").read_text())
    mention = body["tweet_create_events"][0]
    own = {**mention, "id_str": "1", "user": {**mention["user"], "id_str": "2244994945"}}
    retweet = {**mention, "id_str": "2", "retweeted_status": {"id_str": "9"}}
    body["tweet_create_events"] = [mention, own, retweet]
    body["user_has_blocked"] = "true"
    delivery = ADAPTERS["x"].read(WebhookRequest("POST", "x", {}, {}, json.dumps(body).encode(), RECEIVED))
    assert [e.natural_id for e in delivery.events] == ["tweet:978310196411928576"]
    assert delivery.events[0].author is not None and delivery.events[0].author.has_blocked_brand
    assert delivery.ignored == {"own_post": 1, "retweet": 1}


def test_x_follow_counts_only_when_the_brand_is_followed() -> None:
    body = json.loads((FIXTURES / "x/xaa_follow_follow.json").read_text())
    payload = body["data"]["payload"]
    payload["source"], payload["target"] = payload["target"], payload["source"]  # someone follows the brand
    (event,) = ADAPTERS["x"].read(WebhookRequest("POST", "x", {}, {}, json.dumps(body).encode(), RECEIVED)).events
    assert (event.kind, event.author and event.author.handle) == (EventKind.FOLLOW, "AnotherUser")
    assert event.natural_id == "-7953119945885597316"  # event_uuid, negative as documented


def test_x_inbound_like_on_a_brand_post() -> None:
    body = json.loads((FIXTURES / "x/xaa_like_create.json").read_text())
    body["data"]["payload"]["liked_tweet_author_id"] = "1111111111111111111"
    (event,) = ADAPTERS["x"].read(WebhookRequest("POST", "x", {}, {}, json.dumps(body).encode(), RECEIVED)).events
    assert event.kind is EventKind.LIKE
    assert event.author is not None and event.author.handle == "PublicUser"


def test_instagram_message_is_a_direct_message_and_echoes_are_skipped() -> None:
    body = json.loads((FIXTURES / "meta/instagram_message_business_login.constructed.json").read_text())
    echo = json.loads(json.dumps(body["entry"][0]["messaging"][0]))
    echo["message"]["is_echo"] = True
    echo["message"]["mid"] = "other"
    body["entry"][0]["messaging"].append(echo)
    delivery = ADAPTERS["meta"].read(WebhookRequest("POST", "meta", {}, {}, json.dumps(body).encode(), RECEIVED))
    (event,) = delivery.events
    assert (event.platform, event.kind, event.text) == (
        Platform.INSTAGRAM,
        EventKind.DIRECT_MESSAGE,
        "Hi! Is the free sample still available?",
    )
    assert event.occurred_at == datetime.fromtimestamp(1569262485.349, UTC)  # milliseconds understood
    assert delivery.ignored == {"own_message": 1}


def test_meta_batches_yield_one_event_per_change() -> None:
    body: dict[str, Any] = json.loads((FIXTURES / "meta/instagram_comments_fblogin.constructed.json").read_text())
    change = body["entry"][0]["changes"][0]
    body["entry"][0]["changes"] = [json.loads(json.dumps(change).replace("17894227972186120", str(n))) for n in range(5)]
    body["entry"].append(json.loads((FIXTURES / "meta/instagram_mentions_media_fblogin.json").read_text())["entry"][0])
    delivery = ADAPTERS["meta"].read(WebhookRequest("POST", "meta", {}, {}, json.dumps(body).encode(), RECEIVED))
    assert [e.kind.value for e in delivery.events] == ["comment"] * 5 + ["mention"]
    assert len({e.event_id for e in delivery.events}) == 6


def test_twitch_follow_v2_fields() -> None:
    (event,) = read(
        "twitch/channel_follow_v2_notification.json", twitch_eventsub_message_id="m", twitch_eventsub_message_type="notification"
    ).events
    assert event.author is not None
    assert (event.author.handle, event.author.name) == ("cool_user", "Cool_User")
    assert event.occurred_at == datetime(2020, 7, 15, 18, 16, 11, 171067, tzinfo=UTC)  # nanoseconds trimmed


def test_twitch_other_subscription_types_are_acknowledged_not_stored() -> None:
    body = json.loads((FIXTURES / "twitch/channel_follow_v2_notification.json").read_text())
    body["subscription"]["type"] = "channel.raid"
    request = WebhookRequest(
        "POST",
        "twitch",
        {"twitch-eventsub-message-type": "notification", "twitch-eventsub-message-id": "m"},
        {},
        json.dumps(body).encode(),
        RECEIVED,
    )
    delivery = ADAPTERS["twitch"].read(request)
    assert (delivery.events, dict(delivery.ignored)) == ([], {"twitch.channel.raid": 1})

"""Edits are events of their own that say what they edit: X posts by their edit history (v2
``edit_history_tweet_ids``, v1.1 ``edit_history``), Facebook Page feed ``verb: edited``; a
redelivered edit is the same event, a new edit a new one."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from dev_support.platforms import load_fixture
from goodword.webhooks.adapter import Delivery
from goodword.webhooks.receive import ADAPTERS
from goodword.webhooks.request import WebhookRequest

RECEIVED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def read(platform: str, body: Any) -> Delivery:
    request = WebhookRequest("POST", platform, {}, {}, json.dumps(body).encode(), RECEIVED)
    return ADAPTERS[platform].read(request)


def test_an_edited_x_post_points_at_the_post_it_edits() -> None:
    body = load_fixture("x/xaa_post_mention_create.json")
    post = body["data"]["payload"]
    original = post["id"]
    post.update({"id": "2080765813578191999", "edit_history_tweet_ids": [original, "2080765813578191999"]})
    (edit,) = read("x", body).events
    assert (edit.natural_id, edit.refs.edits) == ("tweet:2080765813578191999", f"tweet:{original}")
    (unedited,) = read("x", load_fixture("x/xaa_post_mention_create.json")).events
    assert unedited.refs.edits is None  # its history is only itself


def test_an_edited_account_activity_tweet_points_at_the_first_version() -> None:
    body = load_fixture("x/aaa_tweet_create_events_mention.constructed.json")
    tweet = body["tweet_create_events"][0]
    tweet["edit_history"] = {"initial_tweet_id": "1111", "edit_tweet_ids": ["1111", tweet["id_str"]]}
    (edit,) = read("x", body).events
    assert edit.refs.edits == "tweet:1111"


def test_a_facebook_comment_edit_is_a_new_event_and_its_redelivery_the_same() -> None:
    body = load_fixture("meta/facebook_page_feed_comment.constructed.json")
    value = body["entry"][0]["changes"][0]["value"]
    value.update({"verb": "edited", "message": "Actually, not great."})
    (edit,) = read("meta", body).events
    assert edit.refs.edits == "comment:122197857164920798_2719805541795582"
    assert edit.natural_id.startswith("comment:122197857164920798_2719805541795582:edited:")
    assert edit.text == "Actually, not great."
    (again,) = read("meta", body).events
    value["message"] = "Changed my mind again"
    (later,) = read("meta", body).events
    assert again.event_id == edit.event_id and later.event_id != edit.event_id


def test_an_edited_reaction_is_still_acknowledged_not_stored() -> None:
    body = load_fixture("meta/facebook_page_feed_comment.constructed.json")
    body["entry"][0]["changes"][0]["value"].update({"item": "reaction", "verb": "edited"})
    delivery = read("meta", body)
    assert delivery.events == [] and delivery.ignored["meta.feed.reaction.edited"] == 1

"""Platform policy: every row of the capability matrix, allowed and refused, at rule save
and at send."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml

from dev_support.paths import ROOT
from goodword.events import EventKind, Platform
from goodword.policy import MATRIX, Channel, automatic_channel, refusal, send_refusal
from goodword.rules.model import Rule
from goodword.rules.policy_check import policy_problems

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
ROWS = [(platform, cap) for platform, caps in MATRIX.items() for cap in caps]


@pytest.mark.parametrize(("platform", "cap"), ROWS, ids=lambda x: getattr(x, "value", None) or getattr(x, "channel", ""))
def test_every_row_allows_its_kinds_and_refuses_the_others(platform: Platform, cap: Any) -> None:
    for kind in cap.after:
        assert refusal(platform, kind, cap.channel) is None
        assert send_refusal(platform, kind, cap.channel, "Thank you!", NOW, NOW, person_wrote_first=True) is None
    for kind in set(EventKind) - cap.after:
        if any(kind in other.after for other in MATRIX[platform] if other.channel is cap.channel):
            continue  # another row of the same channel allows it
        assert refusal(platform, kind, cap.channel) is not None
        assert send_refusal(platform, kind, cap.channel, "Thank you!", NOW, NOW, person_wrote_first=True) is not None
    too_long = "x" * (cap.max_length + 1)
    assert "characters" in str(
        send_refusal(platform, next(iter(cap.after)), cap.channel, too_long, NOW, NOW, person_wrote_first=True)
    )
    if cap.within is not None:
        late = NOW + cap.within + timedelta(minutes=1)
        assert "only within" in str(
            send_refusal(platform, next(iter(cap.after)), cap.channel, "hi", NOW, late, person_wrote_first=True)
        )


@pytest.mark.parametrize(
    ("platform", "kind", "channel", "reason"),
    [
        (Platform.X, EventKind.FOLLOW, Channel.DIRECT_MESSAGE, "direct_message is not allowed after a follow on x"),
        (Platform.X, EventKind.LIKE, Channel.REPLY, "reply is not allowed after a like on x"),
        (
            Platform.X,
            EventKind.MENTION,
            Channel.DIRECT_MESSAGE,
            "direct_message is not allowed after a mention on x (allowed: reply)",
        ),
        (
            Platform.LINKEDIN,
            EventKind.COMMENT,
            Channel.DIRECT_MESSAGE,
            "direct_message is not allowed after a comment on linkedin",
        ),
        (Platform.MASTODON, EventKind.MENTION, Channel.REPLY, "Goodword cannot contact people on mastodon yet"),
    ],
)
def test_documented_policies_are_refused_with_the_reason(
    platform: Platform, kind: EventKind, channel: Channel, reason: str
) -> None:
    assert str(refusal(platform, kind, channel)).startswith(reason)


def test_send_time_rules() -> None:
    assert send_refusal(Platform.X, EventKind.DIRECT_MESSAGE, Channel.DIRECT_MESSAGE, "hi", NOW, NOW) == (
        "on x a direct message only answers a person who wrote to the brand first"
    )
    assert (
        send_refusal(Platform.INSTAGRAM, EventKind.COMMENT, Channel.PRIVATE_REPLY, "hi", NOW, NOW, already_private_replied=True)
        == "instagram allows one private reply per comment"
    )
    assert send_refusal(Platform.INSTAGRAM, EventKind.COMMENT, Channel.PRIVATE_REPLY, "hi", NOW, NOW + timedelta(days=8)) == (
        "instagram allows a private_reply only within 7 days of the comment"
    )
    assert send_refusal(Platform.X, EventKind.MENTION, Channel.REPLY, "hi", NOW, NOW, author_blocked_brand=True) == (
        "the person blocked the brand"
    )


def test_automatic_delivery_picks_the_allowed_channel() -> None:
    assert automatic_channel(Platform.X, EventKind.MENTION) is Channel.REPLY
    assert automatic_channel(Platform.INSTAGRAM, EventKind.COMMENT) is Channel.PRIVATE_REPLY
    assert automatic_channel(Platform.INSTAGRAM, EventKind.MENTION) is Channel.REPLY
    assert automatic_channel(Platform.X, EventKind.FOLLOW) is None


def rule(**overrides: Any) -> Rule:
    return Rule.model_validate(
        {
            "id": "r",
            "name": "r",
            "triggers": {"kinds": ["follow"], "platforms": ["x"]},
            "actions": [{"direct_message": {"message": "Welcome {author_handle}!"}}],
            **overrides,
        }
    )


def test_a_welcome_dm_rule_for_x_followers_is_refused_at_save() -> None:
    assert policy_problems(rule()) == ["actions[0].direct_message: direct_message is not allowed after a follow on x"]
    welcome_on_twitch = rule(triggers={"kinds": ["follow"], "platforms": ["twitch"]})
    assert policy_problems(welcome_on_twitch) == []
    all_platforms = rule(triggers={"kinds": ["follow"]}, actions=[{"reply": {"message": "Welcome!"}}])
    assert policy_problems(all_platforms) == ["actions[0].reply: reply is not allowed after a follow on x"]
    internal = rule(actions=[{"tag": {"label": "follower"}}, {"notify": {"url": "https://a.example/h"}}])
    assert policy_problems(internal) == []


@pytest.mark.parametrize("path", sorted((ROOT / "rules").glob("*.yaml")), ids=lambda p: p.name)
def test_the_example_rules_respect_platform_policy(path: Any) -> None:
    assert policy_problems(Rule.model_validate(yaml.safe_load(path.read_text()))) == []

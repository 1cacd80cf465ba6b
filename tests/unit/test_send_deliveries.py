"""`goodword send` deliveries carry the person's facts as each platform sends them: through
the receiver (signature, normalizing, id shapes) to the facts rules test (author.*)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dev_support.platforms import SECRETS
from goodword.events import EventKind, Platform
from goodword.pipeline.process import event_facts
from goodword.ports import StoreResult
from goodword.webhooks.receive import Outcome, receive
from goodword.webhooks.request import WebhookRequest
from goodword.webhooks.secrets import WebhookSecrets
from goodword_cli.deliveries import AuthorFacts, Post, build

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
ACCOUNTS = {
    Platform.X: "2244994945",
    Platform.INSTAGRAM: "17841400000000000",
    Platform.FACEBOOK: "106123456789012",
    Platform.LINKEDIN: "urn:li:organization:12345",
    Platform.MASTODON: "roaster@mastodon.social",
}
FACTS = AuthorFacts(followers=1_500, following=80, verified=True, account_age_days=400, default_profile=False, private=False)


def delivered(post: Post) -> Outcome:
    delivery = build(post, SECRETS, NOW)
    request = WebhookRequest("POST", delivery.webhook, delivery.headers, {}, delivery.body, NOW)
    outcome = receive(
        request,
        load_secrets=lambda: WebhookSecrets.model_validate(SECRETS),
        store=lambda events: StoreResult(len(events), 0),
        now=NOW,
        max_body_bytes=1_048_576,
    )
    assert outcome.response.status == 200, outcome.response.body
    return outcome


@pytest.mark.parametrize("platform", list(ACCOUNTS), ids=[p.value for p in ACCOUNTS])
def test_the_facts_given_to_send_are_the_facts_rules_test(platform: Platform) -> None:
    post = Post(platform, EventKind.MENTION, "love the beans", "fan_1", ACCOUNTS[platform], "roaster", FACTS)
    (event,) = delivered(post).delivery.events
    facts = event_facts(event, None, None, NOW)
    assert facts["author.followers"] == 1_500
    assert facts["author.following"] == 80
    assert facts["author.verified"] is True
    assert 399.9 <= facts["author.account_age_days"] <= 400.1
    assert (facts["author.default_profile"], facts["author.is_private"]) == (False, False)


def test_facts_not_given_are_left_out_as_when_the_platform_does_not_say() -> None:
    post = Post(Platform.INSTAGRAM, EventKind.MENTION, "love it", "fan_1", ACCOUNTS[Platform.INSTAGRAM])
    (event,) = delivered(post).delivery.events
    facts = event_facts(event, None, None, NOW)
    assert [facts[f"author.{name}"] for name in ("followers", "verified", "account_age_days", "accepts_dms")] == [None] * 4


def test_a_person_who_blocked_the_brand_and_one_who_accepts_dms() -> None:
    x = Post(Platform.X, EventKind.MENTION, "hi", "fan_1", ACCOUNTS[Platform.X], "roaster", AuthorFacts(blocked_brand=True))
    (event,) = delivered(x).delivery.events
    assert event_facts(event, None, None, NOW)["author.has_blocked_brand"] is True
    bridge = AuthorFacts(accepts_dms=True, blocked_brand=True)
    post = Post(Platform.MASTODON, EventKind.FOLLOW, None, "fan_1", ACCOUNTS[Platform.MASTODON], facts=bridge)
    (event,) = delivered(post).delivery.events
    facts = event_facts(event, None, None, NOW)
    assert (facts["author.accepts_dms"], facts["author.has_blocked_brand"]) == (True, True)


def test_the_same_handle_is_the_same_person_with_an_id_of_the_platforms_shape() -> None:
    ids = {}
    for platform in ACCOUNTS:
        kind = EventKind.FOLLOW
        first = delivered(Post(platform, kind, None, "Fan_1", ACCOUNTS[platform], "roaster")).delivery.events[0]
        again = delivered(Post(platform, kind, None, "fan_1", ACCOUNTS[platform], "roaster")).delivery.events[0]
        assert first.author is not None and again.author is not None
        assert first.author.id == again.author.id
        ids[platform] = first.author.id
    assert ids[Platform.X].isdigit() and ids[Platform.LINKEDIN].startswith("urn:li:person:")

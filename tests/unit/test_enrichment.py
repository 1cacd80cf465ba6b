"""Enrichment against pytest-httpserver: each documented read request (method, path, fields,
auth header), each documented answer shape, and what the event becomes: enriched, unavailable
(deleted, private, no permission) or waiting (429 with and without a retry hint, 5xx, a slow
answer past the timeout), with answers cached per object and reads paced."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from dev_support.paths import FIXTURES
from goodword.enrichment.enricher import Enricher
from goodword.enrichment.fetches import EnrichmentSettings, needed
from goodword.events import Author, EnrichmentState, Event, EventKind, EventRefs, Platform
from goodword.memory.state import InMemoryState
from goodword.outbound.transport import send

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
IG_ACCOUNT = "17841405726653026"
TOKENS = {
    "instagram": {"access_token": "ig-token"},
    "facebook": {"page_access_token": "page-token"},
    "linkedin": {"access_token": "li-token"},
    "x": {"bearer_token": "x-app-token"},
}
SETTINGS = EnrichmentSettings()


def fixture(path: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / path).read_text())
    return body


def ig_mention(comment: str | None = "17894227972186120", media: str = "17918195224117851") -> Event:
    return Event(
        platform=Platform.INSTAGRAM,
        kind=EventKind.MENTION,
        natural_id=f"mention:{media}:{comment or '-'}",
        brand_account=IG_ACCOUNT,
        occurred_at=NOW,
        received_at=NOW,
        source="meta",
        refs=EventRefs(media_id=media, comment_id=comment),
    )


def linkedin(kind: EventKind, activity: str) -> Event:
    return Event(
        platform=Platform.LINKEDIN,
        kind=kind,
        natural_id="notification:4406044",
        brand_account="urn:li:organization:12345",
        occurred_at=NOW,
        received_at=NOW,
        source="linkedin",
        refs=EventRefs(
            post_id="urn:li:activity:92828282828282828828",
            comment_id=activity if kind is EventKind.COMMENT else None,
            conversation_id=activity,
        ),
    )


def x_mention(author: str = "2244994945") -> Event:
    return Event(
        platform=Platform.X,
        kind=EventKind.MENTION,
        natural_id="tweet:1",
        brand_account="999",
        occurred_at=NOW,
        received_at=NOW,
        source="x",
        author=Author(id=author, handle="fan"),
        text="@roaster lovely beans",
        refs=EventRefs(post_id="1"),
    )


@pytest.fixture
def state() -> InMemoryState:
    return InMemoryState()


@pytest.fixture
def enricher(httpserver: HTTPServer, state: InMemoryState) -> Enricher:
    base = httpserver.url_for("").rstrip("/")
    credentials = {**TOKENS, "api_base_urls": {"graph": f"{base}/graph/v26.0", "linkedin": f"{base}/linkedin", "x": f"{base}/x"}}
    return Enricher(lambda: credentials, lambda r: send(r, 0.5), state, state, lambda: NOW)


def enrich(enricher: Enricher, event: Event) -> Event:
    return enricher.enrich(event, needed(event, SETTINGS), SETTINGS)


def test_an_instagram_comment_mention_is_read_with_the_documented_request(enricher: Enricher, httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request(
        f"/graph/v26.0/{IG_ACCOUNT}",
        method="GET",
        query_string={
            "fields": "mentioned_comment.comment_id(17894227972186120){id,text,timestamp,username,media{id,permalink}}"
        },
        headers={"authorization": "Bearer ig-token"},
    ).respond_with_json(fixture("meta/read_mentioned_comment.constructed.json"))
    event = enrich(enricher, ig_mention())
    httpserver.check_assertions()
    assert event.text and event.text.startswith("@roaster your Ethiopia Guji")
    assert event.author == Author(id="gracehopper_brews", handle="gracehopper_brews")
    assert event.refs.permalink == "https://www.instagram.com/p/DemoMentionPost/"
    assert event.enrichment is not None and event.enrichment.state is EnrichmentState.ENRICHED
    assert event.enrichment.fetched == ("instagram.mentioned_comment",) and event.enrichment.enriched_at == NOW


def test_an_instagram_caption_mention_reads_the_mentioned_media(enricher: Enricher, httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request(
        f"/graph/v26.0/{IG_ACCOUNT}",
        query_string={
            "fields": "mentioned_media.media_id(17918195224117851){id,caption,timestamp,username,permalink,media_type}"
        },
        headers={"authorization": "Bearer ig-token"},
    ).respond_with_json(fixture("meta/read_mentioned_media.constructed.json"))
    event = enrich(enricher, ig_mention(comment=None))
    httpserver.check_assertions()
    assert event.text == "Sunday brew with @roaster beans. Wonderful, fruity and smooth, thank you!"
    assert event.author is not None and event.author.handle == "adalovelace_cups"


def test_a_facebook_mention_without_a_message_reads_the_post(enricher: Enricher, httpserver: HTTPServer) -> None:
    mention = Event(
        platform=Platform.FACEBOOK,
        kind=EventKind.MENTION,
        natural_id="mention:105486221234567_123456789012345:-",
        brand_account="105486221234567",
        occurred_at=NOW,
        received_at=NOW,
        source="meta",
        refs=EventRefs(post_id="105486221234567_123456789012345"),
    )
    httpserver.expect_oneshot_request(
        "/graph/v26.0/105486221234567_123456789012345",
        query_string={"fields": "id,message,from,created_time,permalink_url"},
        headers={"authorization": "Bearer page-token"},
    ).respond_with_json(fixture("meta/read_page_post.constructed.json"))
    event = enrich(enricher, mention)
    assert event.author == Author(id="6098765432101234", name="Margaret Hamilton")
    assert event.text and "Lovely, thank you!" in event.text


def test_a_linkedin_share_mention_reads_the_post_with_the_versioned_headers(enricher: Enricher, httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request(
        "/linkedin/rest/posts/urn:li:share:6441333333905633322",
        method="GET",
        headers={"authorization": "Bearer li-token", "linkedin-version": "202601", "x-restli-protocol-version": "2.0.0"},
    ).respond_with_json(fixture("linkedin/read_post.constructed.json"))
    event = enrich(enricher, linkedin(EventKind.MENTION, "urn:li:share:6441333333905633322"))
    httpserver.check_assertions()
    request, _ = httpserver.log[0]
    assert request.environ["REQUEST_URI"] == "/linkedin/rest/posts/urn%3Ali%3Ashare%3A6441333333905633322"  # one segment
    assert event.author == Author(id="urn:li:person:katherinejohnson1", is_private=False)
    assert event.text and event.text.startswith("Loved the tasting session")


def test_a_linkedin_comment_reads_the_comment_of_its_post(enricher: Enricher, httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request(
        "/linkedin/rest/socialActions/urn:li:activity:92828282828282828828/comments/6441333333905633999",
        headers={"authorization": "Bearer li-token", "linkedin-version": "202601"},
    ).respond_with_json(fixture("linkedin/read_comment.constructed.json"))
    event = enrich(
        enricher, linkedin(EventKind.COMMENT, "urn:li:comment:(urn:li:activity:92828282828282828828,6441333333905633999)")
    )
    assert event.author == Author(id="urn:li:person:dorothyvaughan2")
    assert event.text == "Great post! When does the Ethiopia Guji come back in stock?"


def test_an_x_author_gets_the_account_facts_of_a_users_lookup(enricher: Enricher, httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request(
        "/x/2/users/2244994945",
        query_string={
            "user.fields": "created_at,public_metrics,verified,verified_type,protected,receives_your_dm,profile_image_url"
        },
        headers={"authorization": "Bearer x-app-token"},
    ).respond_with_json(fixture("x/read_user.json"))
    event = enrich(enricher, x_mention())
    author = event.author
    assert author is not None
    assert (author.created_at, author.following_count, author.followers_count, author.verified) == (
        datetime(2013, 12, 14, 4, 35, 55, tzinfo=UTC),
        2048,
        583423,
        True,
    )
    assert author.handle == "fan"  # what the platform delivered stays
    assert event.text == "@roaster lovely beans"


def test_an_x_author_that_no_longer_exists_leaves_the_event_judgeable(enricher: Enricher, httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/x/2/users/1234567890").respond_with_json(
        fixture("x/read_user_not_found.documented_shape.json")
    )
    event = enrich(enricher, x_mention("1234567890"))
    assert event.enrichment is not None
    assert (event.enrichment.state, event.enrichment.reason) == (EnrichmentState.UNAVAILABLE, "deleted")
    assert event.text == "@roaster lovely beans" and event.author is not None


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (400, "meta/read_graph_error_missing.documented_shape.json", "deleted"),
        (403, "meta/read_graph_error_permission.documented_shape.json", "no_permission"),
    ],
)
def test_a_deleted_or_forbidden_instagram_mention_is_final_and_says_why(
    enricher: Enricher, httpserver: HTTPServer, status: int, body: str, reason: str
) -> None:
    httpserver.expect_oneshot_request(f"/graph/v26.0/{IG_ACCOUNT}").respond_with_json(fixture(body), status=status)
    event = enrich(enricher, ig_mention())
    assert event.enrichment is not None
    assert (event.enrichment.state, event.enrichment.reason) == (EnrichmentState.UNAVAILABLE, reason)
    assert event.enrichment.detail and event.enrichment.detail.startswith("Graph API error")
    assert event.text is None and event.author is None


@pytest.mark.parametrize(("status", "reason"), [(403, "no_permission"), (404, "deleted")])
def test_linkedin_refusals_are_final(enricher: Enricher, httpserver: HTTPServer, status: int, reason: str) -> None:
    httpserver.expect_oneshot_request("/linkedin/rest/posts/urn:li:share:1").respond_with_json(
        {"status": status, "serviceErrorCode": 100, "code": "ACCESS_DENIED", "message": "Not enough permissions"}, status=status
    )
    event = enrich(enricher, linkedin(EventKind.MENTION, "urn:li:share:1"))
    assert event.enrichment is not None and (event.enrichment.state, event.enrichment.reason) == (
        EnrichmentState.UNAVAILABLE,
        reason,
    )


def test_a_post_only_its_authors_connections_see_marks_the_author_private(enricher: Enricher, httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/linkedin/rest/posts/urn:li:share:1").respond_with_json(
        {**fixture("linkedin/read_post.constructed.json"), "visibility": "CONNECTIONS"}
    )
    event = enrich(enricher, linkedin(EventKind.MENTION, "urn:li:share:1"))
    assert event.author is not None and event.author.is_private is True


def test_429_with_retry_after_waits_as_long_as_the_platform_says(enricher: Enricher, httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/linkedin/rest/posts/urn:li:share:1").respond_with_json(
        {"message": "Resource level throttle limit"}, status=429, headers={"retry-after": "120"}
    )
    event = enrich(enricher, linkedin(EventKind.MENTION, "urn:li:share:1"))
    assert event.enrichment is not None
    assert (event.enrichment.state, event.enrichment.reason) == (EnrichmentState.WAITING, "rate_limited")
    assert event.enrichment.retry_at == NOW + timedelta(seconds=120) and event.enrichment.attempts == 1


def test_a_rate_limit_without_a_hint_backs_off_longer_each_time(enricher: Enricher, httpserver: HTTPServer) -> None:
    error = fixture("meta/read_graph_error_rate_limited.documented_shape.json")
    httpserver.expect_request(f"/graph/v26.0/{IG_ACCOUNT}").respond_with_json(error, status=400)
    first = enrich(enricher, ig_mention())
    second = enrich(enricher, first)
    assert first.enrichment is not None and second.enrichment is not None
    assert (first.enrichment.reason, first.enrichment.retry_at) == ("rate_limited", NOW + timedelta(seconds=30))
    assert (second.enrichment.attempts, second.enrichment.retry_at) == (2, NOW + timedelta(seconds=60))


def test_a_platform_error_then_success_is_enriched_on_the_retry(enricher: Enricher, httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request(f"/graph/v26.0/{IG_ACCOUNT}").respond_with_data("upstream error", status=503)
    httpserver.expect_ordered_request(f"/graph/v26.0/{IG_ACCOUNT}").respond_with_json(
        fixture("meta/read_mentioned_comment.constructed.json")
    )
    waiting = enrich(enricher, ig_mention())
    assert waiting.enrichment is not None and (waiting.enrichment.state, waiting.enrichment.reason) == (
        EnrichmentState.WAITING,
        "platform_error",
    )
    done = enrich(enricher, waiting)
    assert done.enrichment is not None and done.enrichment.state is EnrichmentState.ENRICHED
    assert done.enrichment.attempts == 2 and done.author is not None


def test_an_answer_slower_than_the_timeout_is_retried_later(enricher: Enricher, httpserver: HTTPServer) -> None:
    release = threading.Event()

    def slow(_: Request) -> Response:
        release.wait(10)  # answers only after the client gave up (0.5 s)
        return Response("{}", content_type="application/json")

    httpserver.expect_oneshot_request(f"/graph/v26.0/{IG_ACCOUNT}").respond_with_handler(slow)
    try:
        event = enrich(enricher, ig_mention())
    finally:
        release.set()
        deadline = time.monotonic() + 10  # let the server finish the request before the next test
        while not httpserver.log and time.monotonic() < deadline:
            time.sleep(0.01)
    assert event.enrichment is not None
    assert (event.enrichment.state, event.enrichment.reason) == (EnrichmentState.WAITING, "timeout")


def test_an_answer_is_cached_per_object(enricher: Enricher, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x/2/users/2244994945").respond_with_json(fixture("x/read_user.json"))
    first = enrich(enricher, x_mention())
    second = enrich(enricher, x_mention().model_copy(update={"natural_id": "tweet:2"}))
    assert [r.path for r, _ in httpserver.log] == ["/x/2/users/2244994945"]
    assert first.author == second.author and second.enrichment is not None
    assert second.enrichment.state is EnrichmentState.ENRICHED


def test_reads_are_paced_per_brand_account(enricher: Enricher, httpserver: HTTPServer, state: InMemoryState) -> None:
    bucket = int(NOW.timestamp()) // 3600
    for _ in range(200):  # this hour's reads are used up
        assert state.count_rate(f"read#instagram#{IG_ACCOUNT}#3600#{bucket}", 200, (bucket + 2) * 3600)
    event = enrich(enricher, ig_mention())
    assert httpserver.log == []
    assert event.enrichment is not None and event.enrichment.reason == "rate_limited"
    # the window reopens at 13:00; the queue's longest delay is 15 minutes, so it looks again then
    assert event.enrichment.retry_at == NOW + timedelta(minutes=15)


def test_without_credentials_for_the_platform_the_event_is_judged_as_delivered(httpserver: HTTPServer) -> None:
    state = InMemoryState()
    enricher = Enricher(lambda: {}, lambda r: send(r, 0.5), state, state, lambda: NOW)
    event = enrich(enricher, ig_mention())
    assert httpserver.log == []
    assert event.enrichment is not None
    assert (event.enrichment.state, event.enrichment.reason) == (EnrichmentState.UNAVAILABLE, "no_permission")
    assert event.enrichment.detail == "no instagram section in PlatformCredentials"


def test_what_needs_enriching() -> None:
    assert [f.kind.value for f in needed(ig_mention(), SETTINGS)] == ["instagram.mentioned_comment"]
    assert needed(x_mention(), EnrichmentSettings(x_authors=False)) == []
    assert needed(ig_mention(), EnrichmentSettings(enabled=False)) == []
    known = x_mention().model_copy(update={"author": Author(id="1", created_at=NOW)})
    assert needed(known, SETTINGS) == []  # the payload carried the account's facts


def test_an_x_mention_is_judged_after_three_failed_lookups_not_held_for_a_day(enricher: Enricher, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x/2/users/2244994945").respond_with_data("over capacity", status=503)
    event = x_mention()
    for _ in range(2):
        event = enrich(enricher, event)
        assert event.enrichment is not None and event.enrichment.state is EnrichmentState.WAITING
    event = enrich(enricher, event)
    assert event.enrichment is not None
    assert (event.enrichment.state, event.enrichment.reason, event.enrichment.attempts) == (
        EnrichmentState.UNAVAILABLE,
        "platform_error",
        3,
    )


def test_an_instagram_mention_keeps_waiting_for_its_text(enricher: Enricher, httpserver: HTTPServer) -> None:
    httpserver.expect_request(f"/graph/v26.0/{IG_ACCOUNT}").respond_with_data("busy", status=503)
    event = ig_mention()
    for _ in range(5):
        event = enrich(enricher, event)
    assert event.enrichment is not None and event.enrichment.state is EnrichmentState.WAITING
    assert event.enrichment.retry_at == NOW + timedelta(seconds=480)  # 30 s doubling


def facebook_mention(post: str) -> Event:
    return Event(
        platform=Platform.FACEBOOK,
        kind=EventKind.MENTION,
        natural_id="mention:1:-",
        brand_account="1234567890",
        occurred_at=NOW,
        received_at=NOW,
        source="meta",
        refs=EventRefs(post_id=post),
    )


BREAKOUT = "1){id},name,business_discovery.username(competitor){followers_count,media{caption}},mentioned_comment.comment_id(1"


@pytest.mark.parametrize(
    "event",
    [
        ig_mention(comment=BREAKOUT),
        ig_mention(comment=None, media="1){id},business_discovery.username(competitor){id"),
        ig_mention().model_copy(update={"brand_account": ".."}),
        facebook_mention(".."),
        facebook_mention("../1234567890"),
        linkedin(EventKind.MENTION, ".."),
        linkedin(EventKind.COMMENT, "urn:li:comment:(urn:li:activity:..,..)"),
        linkedin(EventKind.COMMENT, "urn:li:comment:(urn:li:activity:1,..)"),
        x_mention(author=".."),
    ],
    ids=[
        "ig-comment-breakout",
        "ig-media-breakout",
        "ig-account-dotdot",
        "fb-dotdot",
        "fb-traversal",
        "li-post-dotdot",
        "li-comment-dotdot-post",
        "li-comment-dotdot",
        "x-author-dotdot",
    ],
)
def test_an_id_without_its_platforms_shape_is_never_requested_nor_cached(
    event: Event, enricher: Enricher, httpserver: HTTPServer, state: InMemoryState
) -> None:
    wanted = needed(event, SETTINGS)
    assert wanted, "the event needs a read"
    enriched = enricher.enrich(event, wanted, SETTINGS)
    assert httpserver.log == [], "no request left Goodword"
    assert enriched.enrichment is not None and enriched.enrichment.state is EnrichmentState.UNAVAILABLE
    assert enriched.enrichment.detail and "must be" in enriched.enrichment.detail
    assert all(state.cached(f.cache_key, NOW) is None for f in wanted), "nothing cached under the forged id"

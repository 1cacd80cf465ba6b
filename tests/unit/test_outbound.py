"""Each platform client sends exactly the documented request (method, path, headers, body
as in the outbound fixtures) to a local HTTP server, and every kind of answer is judged as
specified: sent, retry (with the platform's delay) or failed (with its message)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from dev_support.platforms import load_fixture
from goodword.outbound.platform_requests import RequestError, Send, build, platform_message_id
from goodword.outbound.transport import HttpResponse, TransportError, judge, send
from goodword.policy import Channel

CREDENTIALS = {
    "x": {"user_access_token": "x-token"},
    "instagram": {"access_token": "ig-token"},
    "facebook": {"page_access_token": "fb-token"},
    "linkedin": {"access_token": "li-token"},
    "twitch": {"client_id": "tw-client", "access_token": "tw-token", "sender_id": "141981764"},
}


def urls(server: HTTPServer) -> dict[str, str]:
    base = server.url_for("").rstrip("/")
    return {"x": base, "graph": base, "linkedin": base, "twitch": base}


def roundtrip(
    server: HTTPServer,
    request_send: Send,
    path: str,
    response: dict[str, Any],
    status: int = 201,
    query: dict[str, str] | None = None,
) -> tuple[Request, Any]:
    captured: list[Request] = []

    def handler(request: Request) -> Response:
        captured.append(request)
        return Response(json.dumps(response), status=status, content_type="application/json")

    server.expect_oneshot_request(path, method="POST", query_string=query).respond_with_handler(handler)
    request = build(request_send, CREDENTIALS[request_send.platform], urls(server))
    verdict = judge(send(request))
    server.check_assertions()
    return captured[0], verdict


def test_x_reply_is_the_documented_request(httpserver: HTTPServer) -> None:
    expected = load_fixture("x/outbound_create_post_reply_request.json")
    s = Send(
        "x",
        Channel.REPLY,
        expected["text"],
        "2244994945",
        "3001969357",
        "mention",
        {"post_id": expected["reply"]["in_reply_to_tweet_id"]},
    )
    request, verdict = roundtrip(httpserver, s, "/2/tweets", load_fixture("x/outbound_create_post_response.json"))
    assert json.loads(request.data) == expected
    assert request.headers["Authorization"] == "Bearer x-token"
    assert (verdict.outcome, platform_message_id("x", Channel.REPLY, verdict.body)) == ("sent", "1445880548472328192")


def test_x_direct_message(httpserver: HTTPServer) -> None:
    expected = load_fixture("x/outbound_dm_request.json")
    s = Send("x", Channel.DIRECT_MESSAGE, expected["text"], "2244994945", "9876543210", "direct_message")
    request, verdict = roundtrip(
        httpserver, s, "/2/dm_conversations/with/9876543210/messages", load_fixture("x/outbound_dm_response.json")
    )
    assert json.loads(request.data) == expected
    assert platform_message_id("x", Channel.DIRECT_MESSAGE, verdict.body) == "1582103724607971332"


def test_instagram_private_reply(httpserver: HTTPServer) -> None:
    expected = load_fixture("meta/outbound_instagram_private_reply_request.json")
    s = Send(
        "instagram",
        Channel.PRIVATE_REPLY,
        expected["message"]["text"],
        "17841405726653026",
        "1234567890123456",
        "comment",
        {"comment_id": expected["recipient"]["comment_id"], "media_id": "17918195224117851"},
    )
    request, verdict = roundtrip(httpserver, s, "/17841405726653026/messages", {"recipient_id": "1", "message_id": "m_1"}, 200)
    assert json.loads(request.data) == expected
    assert platform_message_id("instagram", Channel.PRIVATE_REPLY, verdict.body) == "m_1"


def test_instagram_public_replies_to_comments_and_mentions(httpserver: HTTPServer) -> None:
    comment = Send("instagram", Channel.REPLY, "Thank you!", "1784", "555", "comment", {"comment_id": "179", "media_id": "180"})
    request, verdict = roundtrip(
        httpserver,
        comment,
        "/179/replies",
        load_fixture("meta/outbound_instagram_comment_reply_response.json"),
        200,
        {"message": "Thank you!"},
    )
    assert verdict.outcome == "sent" and request.headers["Authorization"] == "Bearer ig-token"
    mention = Send("instagram", Channel.REPLY, "Hi!", "1784", None, "mention", {"comment_id": "179", "media_id": "180"})
    roundtrip(httpserver, mention, "/1784/mentions", {"id": "1"}, 200, {"media_id": "180", "message": "Hi!", "comment_id": "179"})


def test_facebook_comment_reply(httpserver: HTTPServer) -> None:
    s = Send("facebook", Channel.REPLY, "Thanks!", "106", "242", "comment", {"post_id": "106_122", "comment_id": "122_271"})
    request, _ = roundtrip(httpserver, s, "/122_271/comments", {"id": "c1"}, 200, {"message": "Thanks!"})
    assert request.headers["Authorization"] == "Bearer fb-token"


def test_linkedin_comment(httpserver: HTTPServer) -> None:
    expected = load_fixture("linkedin/outbound_create_comment_request.constructed.json")
    s = Send(
        "linkedin",
        Channel.REPLY,
        expected["message"]["text"],
        expected["actor"],
        None,
        "comment",
        {"post_id": expected["object"], "comment_id": expected["parentComment"]},
    )
    request, _ = roundtrip(
        httpserver,
        s,
        "/rest/socialActions/urn:li:comment:(urn:li:activity:92828282828282828828,6441333333905633999)/comments",
        {"id": "1"},
    )
    assert json.loads(request.data) == expected
    assert request.headers["X-Restli-Protocol-Version"] == "2.0.0"


def test_twitch_chat_and_whisper(httpserver: HTTPServer) -> None:
    expected = load_fixture("twitch/outbound_send_chat_message_request.json")
    chat = Send("twitch", Channel.REPLY, expected["message"], expected["broadcaster_id"], "1234", "follow")
    request, verdict = roundtrip(
        httpserver, chat, "/helix/chat/messages", {"data": [{"message_id": "abc", "is_sent": True}]}, 200
    )
    assert json.loads(request.data) == expected and request.headers["Client-Id"] == "tw-client"
    assert platform_message_id("twitch", Channel.REPLY, verdict.body) == "abc"
    whisper = Send(
        "twitch",
        Channel.DIRECT_MESSAGE,
        load_fixture("twitch/outbound_send_whisper_request.json")["message"],
        "12826",
        "1234",
        "follow",
    )
    request, verdict = roundtrip(
        httpserver, whisper, "/helix/whispers", {}, 204, {"from_user_id": "141981764", "to_user_id": "1234"}
    )
    assert json.loads(request.data) == {"message": "hello"} and verdict.outcome == "sent"


def test_missing_ids_and_unsupported_platforms_are_final_errors() -> None:
    with pytest.raises(RequestError, match="no post to reply to"):
        build(Send("x", Channel.REPLY, "hi", "1", "2", "mention"), CREDENTIALS["x"])
    with pytest.raises(RequestError, match="no outbound API for mastodon"):
        build(Send("mastodon", Channel.REPLY, "hi", "1", "2", "mention"), {})


@pytest.mark.parametrize(
    ("request_send", "named"),
    [
        (Send("x", Channel.DIRECT_MESSAGE, "hi", "1", "..", "follow"), "the author"),
        (Send("instagram", Channel.REPLY, "hi", "..", "2", "comment", {"comment_id": "3"}), "the brand account"),
        (Send("instagram", Channel.REPLY, "hi", "1", "2", "comment", {"comment_id": ".."}), "the comment"),
        (Send("facebook", Channel.REPLY, "hi", "1", "2", "comment", {"comment_id": ".."}), "the post or comment"),
        (
            Send("linkedin", Channel.REPLY, "hi", "urn:li:organization:1", "2", "mention", {"post_id": ".."}),
            "the post or comment",
        ),
    ],
    ids=["x-author", "ig-account", "ig-comment", "fb-comment", "li-post"],
)
def test_an_id_without_its_platforms_shape_never_becomes_a_path_segment(request_send: Send, named: str) -> None:
    with pytest.raises(RequestError, match=f"{named} must be"):
        build(request_send, CREDENTIALS[request_send.platform])


NOW = datetime(2026, 11, 21, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "headers", "body", "outcome", "detail", "after"),
    [
        (429, {"retry-after": "120"}, b"", "retry", "rate limited (429)", 120.0),
        (429, {"x-rate-limit-reset": str(int(NOW.timestamp()) + 300)}, b"", "retry", "rate limited (429)", 300.0),
        (429, {}, b"", "retry", "rate limited (429)", 60.0),
        (500, {}, b"oops", "retry", "platform error 500", None),
        (503, {}, b"", "retry", "platform error 503", None),
        (
            403,
            {},
            b'{"detail": "You are not permitted to perform this action."}',
            "failed",
            "403: You are not permitted to perform this action.",
            None,
        ),
        (
            400,
            {},
            b'{"error": {"message": "(#10) Outside of allowed window"}}',
            "failed",
            "400: (#10) Outside of allowed window",
            None,
        ),
        (200, {}, b"<html>not json</html>", "sent", "", None),  # accepted: never send again
    ],
)
def test_answers_are_judged(
    status: int, headers: dict[str, str], body: bytes, outcome: str, detail: str, after: float | None
) -> None:
    verdict = judge(HttpResponse(status, headers, body), NOW)
    assert (verdict.outcome, verdict.detail, verdict.retry_after) == (outcome, detail, after)


def test_timeouts_and_connection_resets_are_transport_errors(httpserver: HTTPServer) -> None:
    release, answered = threading.Event(), threading.Event()

    def slow(_: Request) -> Response:
        release.wait(120)  # held until the test lets go: the client's timeout must come first
        answered.set()
        return Response("{}", status=200)

    httpserver.expect_request("/slow/2/tweets").respond_with_handler(slow)
    request = build(
        Send("x", Channel.REPLY, "hi", "1", "2", "mention", {"post_id": "9"}),
        CREDENTIALS["x"],
        {"x": httpserver.url_for("/slow").removesuffix("/slow") + "/slow"},
    )
    with pytest.raises(TransportError):
        send(request, timeout=0.3)
    assert not answered.is_set()  # it gave up while the platform still held the request
    release.set()
    from goodword.outbound.platform_requests import HttpRequest

    with pytest.raises(TransportError):
        send(HttpRequest("POST", "http://127.0.0.1:9/refused", {}), timeout=2)

"""Approve from Slack, the pure parts: Slack's request signature, the notice's blocks and
buttons, the brand's Slack settings, and what Slack's answers mean."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from goodword.outbound.transport import HttpResponse
from goodword.people import Profile
from goodword.sentiment.model import Band, Sentiment, SentimentLabel
from goodword.slack.api import answer, post_message, respond, response_url_allowed
from goodword.slack.blocks import Choice, ReviewNotice, decided, notice, outcome_line, parse_action_id
from goodword.slack.config import SlackConfig, SlackNotConfigured, slack_config
from goodword.slack.interactions import clicks
from goodword.slack.signature import SignatureError, signature, verify
from goodword.work import WorkKind, WorkRecord, WorkState

VECTORS = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "slack" / "vectors.json").read_text())["vectors"]
SECRET = "local-dev-slack-signing-secret"
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def signed(body: bytes, at: datetime = NOW, secret: str = SECRET) -> dict[str, str]:
    timestamp = str(int(at.timestamp()))
    return {"x-slack-request-timestamp": timestamp, "x-slack-signature": signature(secret, timestamp, body)}


# --- the signature ---------------------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["status"])
def test_slacks_published_vector_verifies_and_a_changed_body_does_not(vector: dict[str, Any]) -> None:
    headers = {"x-slack-request-timestamp": vector["timestamp"], "x-slack-signature": vector["expected_header"]}
    at = datetime.fromtimestamp(int(vector["timestamp"]) + 60, UTC)
    verify(vector["signing_secret"], headers, vector["body"].encode(), at)
    with pytest.raises(SignatureError):
        verify(vector["signing_secret"], headers, vector["body"].encode() + b"&x=1", at)


def test_a_request_signed_now_verifies() -> None:
    body = urlencode({"payload": json.dumps({"type": "block_actions"})}).encode()
    verify(SECRET, signed(body), body, NOW)
    verify(SECRET, signed(body, NOW - timedelta(minutes=4, seconds=59)), body, NOW)


def test_a_stale_timestamp_is_refused_even_when_signed() -> None:
    body = b"payload=%7B%7D"
    with pytest.raises(SignatureError, match="five minutes"):
        verify(SECRET, signed(body, NOW - timedelta(minutes=5, seconds=1)), body, NOW)
    with pytest.raises(SignatureError, match="five minutes"):
        verify(SECRET, signed(body, NOW + timedelta(minutes=6)), body, NOW)


def test_another_secret_is_refused() -> None:
    body = b"payload=%7B%7D"
    with pytest.raises(SignatureError, match="does not match"):
        verify(SECRET, signed(body, secret="someone-elses-secret"), body, NOW)


def test_the_same_json_encoded_again_is_refused() -> None:
    """The signature covers the bytes as received: parsing and encoding again changes them."""
    payload = {"type": "block_actions", "actions": [{"action_id": "approve:abc", "value": "abc"}]}
    received = urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()
    again = urlencode({"payload": json.dumps(payload)}).encode()  # the same JSON, spaced as json.dumps does
    assert again != received
    with pytest.raises(SignatureError):
        verify(SECRET, signed(received), again, NOW)


@pytest.mark.parametrize("missing", ["x-slack-request-timestamp", "x-slack-signature"])
def test_a_missing_header_is_refused(missing: str) -> None:
    body = b"payload=%7B%7D"
    headers = signed(body)
    del headers[missing]
    with pytest.raises(SignatureError, match="missing"):
        verify(SECRET, headers, body, NOW)


def test_no_signing_secret_refuses_everything() -> None:
    with pytest.raises(SignatureError):
        verify("", signed(b"x", secret=""), b"x", NOW)


# --- the notice ------------------------------------------------------------------------------


def offer(**fields: Any) -> WorkRecord:
    values: dict[str, Any] = {
        "id": "0123456789abcdef0123456789abcdef",
        "kind": WorkKind.OFFER_SAMPLE,
        "state": WorkState.PENDING_REVIEW,
        "event_id": "x#1#99",
        "event_kind": "mention",
        "event_time": NOW.isoformat(),
        "rule_id": "first-praise",
        "rule_version": 1,
        "person": "PERSON#x#1#42",
        "platform": "x",
        "brand_account": "1",
        "author_id": "42",
        "author_handle": "fan<!channel>",
        "refs": {"post_id": "1234567890"},
        "created_at": NOW.isoformat(),
        "idempotency_key": "k",
        "product": "a bag of beans",
        "message": "Thank you @fan! Claim your beans: https://example.com/claim/abc",
        "claim_link": "https://example.com/claim/abc",
        "claim_code": "abc",
    }
    return WorkRecord.model_validate({**values, **fields})


SENTIMENT = Sentiment(label=SentimentLabel.POSITIVE, score=0.8, confidence=0.7, provider="judge", band=Band.REVIEW, praise=0.7)
PROFILE = Profile(
    key="PERSON#x#1#42",
    first_seen="",
    last_seen="",
    first_event_id="",
    mention_count=3,
    positive_mention_count=2,
    followers_count=1200,
)


def test_the_notice_shows_the_post_the_person_the_judgement_and_the_message_with_buttons_naming_the_offer() -> None:
    message = notice(ReviewNotice(offer(), "love <!here> these beans & more", SENTIMENT, PROFILE))
    text = json.dumps(message["blocks"])
    assert "love &lt;!here&gt; these beans &amp; more" in text  # escaped: no channel ping
    assert "<!channel>" not in text and "<!here>" not in text
    assert "@fan&lt;!channel&gt;" in text
    assert "1,200" in text and "3 (2 positive)" in text
    assert "review: likely praise" in text  # describe(): the judgement in words
    assert "Claim your beans: [claim link]" in text
    assert "claim/abc" not in json.dumps(message), "the fan's key to the claim page stays out of Slack"
    assert "https://x.com/i/web/status/1234567890" in text
    (actions,) = [b for b in message["blocks"] if b["type"] == "actions"]
    offer_id = offer().id
    assert actions["block_id"] == f"review:{offer_id}"
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        (f"approve:{offer_id}", offer_id),
        (f"reject-not-praise:{offer_id}", offer_id),
        (f"reject-other:{offer_id}", offer_id),
    ]
    assert "<!" not in message["text"]


def test_each_button_says_what_it_decides() -> None:
    assert parse_action_id("approve:abc") == (Choice.APPROVE, "abc")
    assert (Choice.APPROVE.decision, Choice.APPROVE.because) == ("approve", None)
    assert (Choice.REJECT_NOT_PRAISE.decision, Choice.REJECT_NOT_PRAISE.because) == ("reject", "not-praise")
    assert (Choice.REJECT_OTHER.decision, Choice.REJECT_OTHER.because) == ("reject", "other")
    assert parse_action_id("delete:abc") is None
    assert parse_action_id("approve:") is None


def test_a_decided_message_loses_its_buttons_and_says_who_and_when() -> None:
    blocks = notice(ReviewNotice(offer(), "nice", None, None))["blocks"]
    line = outcome_line("approved", "slack:ana", "2026-12-04T10:32:00+00:00", first=True)
    after = decided(blocks, line)
    assert not [b for b in after if b["type"] == "actions"]
    assert after[-1]["elements"][0]["text"] == "✅ Approved by slack:ana at 2026-12-04 10:32 UTC"
    assert outcome_line("rejected", "console:bo@example.com", None, first=False) == "Already rejected by console:bo@example.com"


def test_only_our_buttons_whose_value_names_the_same_offer_are_clicks() -> None:
    payload = {
        "user": {"id": "U1", "username": "ana"},
        "actions": [
            {"action_id": "approve:abc", "value": "abc"},
            {"action_id": "approve:abc", "value": "other"},
            {"action_id": "something-else", "value": "abc"},
        ],
    }
    (click,) = clicks(payload)
    assert (click.choice, click.offer_id, click.who) == (Choice.APPROVE, "abc", "slack:ana")
    assert clicks({"user": {"id": "U9"}, "actions": [{"action_id": "reject-other:abc", "value": "abc"}]})[0].who == "slack:U9"


# --- settings and answers --------------------------------------------------------------------


def test_the_slack_entry_needs_a_signing_secret_and_somewhere_to_post() -> None:
    with pytest.raises(SlackNotConfigured, match="no slack entry"):
        slack_config({"x": {}})
    with pytest.raises(SlackNotConfigured, match="go together"):
        slack_config({"slack": {"signing_secret": "s", "bot_token": "xoxb-1"}})
    with pytest.raises(SlackNotConfigured, match="incoming_webhook_url"):
        slack_config({"slack": {"signing_secret": "s"}})
    with pytest.raises(SlackNotConfigured, match="https"):
        slack_config(
            {"slack": {"signing_secret": "s", "bot_token": "t", "channel": "C"}, "api_base_urls": {"slack": "http://evil"}}
        )
    config = slack_config({"slack": {"signing_secret": "s", "incoming_webhook_url": "https://hooks.slack.com/services/T/B/X"}})
    assert post_message(config, {"text": "hi"}).url == "https://hooks.slack.com/services/T/B/X"
    bot = slack_config({"slack": {"signing_secret": "s", "bot_token": "xoxb-1", "channel": "C1"}})
    request = post_message(bot, {"text": "hi"})
    assert (request.url, request.headers["authorization"], request.json()["channel"]) == (
        "https://slack.com/api/chat.postMessage",
        "Bearer xoxb-1",
        "C1",
    )


def test_a_response_url_must_be_slacks() -> None:
    config = SlackConfig(signing_secret="s", incoming_webhook_url="https://hooks.slack.com/services/T/B/X")
    assert response_url_allowed("https://hooks.slack.com/actions/T/1/abc", config)
    assert not response_url_allowed("http://hooks.slack.com/actions/T/1/abc", config)
    assert not response_url_allowed("https://169.254.169.254/latest/meta-data", config)
    local = SlackConfig(signing_secret="s", bot_token="t", channel="C", api_base_url="http://127.0.0.1:4000/slack/api")
    assert response_url_allowed("http://127.0.0.1:4000/slack/actions/abc", local)
    assert not response_url_allowed("http://127.0.0.1:5000/slack/actions/abc", local)
    assert respond("https://hooks.slack.com/actions/T/1/abc", {"text": "x"}).json()["replace_original"] is True


def test_slacks_answers() -> None:
    def said(status: int, body: Any, headers: dict[str, str] | None = None) -> Any:
        raw = json.dumps(body).encode() if isinstance(body, dict) else str(body).encode()
        return answer(HttpResponse(status, headers or {}, raw))

    posted = said(200, {"ok": True, "channel": "C1", "ts": "1.2"})
    assert (posted.outcome, posted.channel, posted.ts) == ("sent", "C1", "1.2")
    assert said(200, "ok").outcome == "sent"  # an incoming webhook
    assert (said(200, {"ok": False, "error": "channel_not_found"}).outcome, said(200, {"ok": False, "error": "x"}).detail) == (
        "failed",
        "x",
    )
    assert said(429, {"ok": False, "error": "ratelimited"}, {"retry-after": "30"}).retry_after == 30
    assert said(404, "no_service").detail == "404: no_service"
    assert said(503, "").outcome == "retry"


# --- the notice, once ------------------------------------------------------------------------


class State:
    """StateTable's part a notice uses, in memory."""

    def __init__(self, *records: WorkRecord) -> None:
        self.records = {r.key: r for r in records}
        self.marks: dict[str, str] = {}

    def get_work(self, work_key: str) -> WorkRecord | None:
        return self.records.get(work_key)

    def profile(self, person: str) -> Profile | None:
        return PROFILE

    def mark_once(self, mark: str, owner: str) -> bool:
        return self.marks.setdefault(mark, owner) == owner

    def unmark(self, mark: str, owner: str) -> bool:
        return self.marks.pop(mark, None) is not None


class Events:
    def events(self, event_ids: Any) -> dict[str, dict[str, Any]]:
        return {e: {"text": "love these beans"} for e in event_ids}

    def decisions_for(self, event_ids: Any) -> dict[str, Any]:
        return {}


def notices(state: State, answers: list[Any]) -> tuple[Any, list[Any]]:
    from goodword.slack.notices import Notices

    sent: list[Any] = []

    def http(request: Any) -> HttpResponse:
        sent.append(request)
        outcome = answers.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return HttpResponse(200, {}, json.dumps(outcome).encode())

    credentials = {"slack": {"bot_token": "xoxb-1", "channel": "C1", "signing_secret": "s"}}
    return Notices(state, Events(), lambda: credentials, http, http), sent


def test_an_offer_decided_before_its_notice_is_not_posted() -> None:
    decided = offer(state=WorkState.APPROVED)
    posting, sent = notices(State(decided), [])
    assert posting.post(offer()).detail == "no longer waiting for review"
    assert not sent


def test_slack_refusing_the_notice_is_not_retried_and_an_answer_that_never_came_is_not_posted_again() -> None:
    from goodword.outbound.transport import TransportError

    state = State(offer())
    posting, sent = notices(state, [{"ok": False, "error": "channel_not_found"}])
    refused = posting.post(offer())
    assert refused.done and refused.detail == "failed: channel_not_found"
    assert posting.post(offer()).detail == "already posted"  # refused: the mark stays, never posted again
    assert len(sent) == 1

    state = State(offer())
    posting, sent = notices(state, [TransportError("ReadTimeout", maybe_sent=True)])
    first = posting.post(offer())
    assert first.done and first.detail.startswith("outcome unknown")
    assert posting.post(offer()).detail == "already posted"
    assert len(sent) == 1

    state = State(offer())
    posting, sent = notices(state, [TransportError("ConnectionRefused", maybe_sent=False), {"ok": True, "ts": "1.1"}])
    assert not posting.post(offer()).done  # nothing reached Slack: the trigger retries
    assert posting.post(offer()).detail == "posted"
    assert posting.post(offer()).detail == "already posted"
    assert len(sent) == 2

"""Exactly the documented request for each channel of each platform (platforms.md §1.6,
§2.6, §3.3, §4); pure: no network, no credentials lookup."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from goodword.platform_ids import misshapen
from goodword.policy import Channel

BASE_URLS = {
    "x": "https://api.x.com",
    "graph": "https://graph.facebook.com/v26.0",
    "linkedin": "https://api.linkedin.com",
    "twitch": "https://api.twitch.tv",
}


@dataclass(frozen=True)
class Send:
    """What to send, to whom, in answer to what."""

    platform: str
    channel: Channel
    text: str
    brand_account: str
    author_id: str | None
    event_kind: str
    refs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class RequestError(ValueError):
    """The event lacks what the channel needs (e.g. no post id to reply to): final."""


def _json(method: str, url: str, token: str, payload: Any, extra: dict[str, str] | None = None) -> HttpRequest:
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json", **(extra or {})}
    return HttpRequest(method, url, headers, json.dumps(payload, separators=(",", ":")).encode())


def _need(value: str | None, what: str) -> str:
    if not value:
        raise RequestError(f"the event has no {what}")
    return value


def _segment(value: str, platform: str = "", what: str = "id") -> str:
    """An id as one URL path segment: ids come from webhooks, so "../" or "?" must stay data,
    and one without its platform's shape (``..``) is refused (platform_ids)."""
    problem = misshapen(platform, value, what) if platform else None
    if problem:
        raise RequestError(problem)
    return quote(value, safe="")


def build(send: Send, credentials: dict[str, Any], base_urls: dict[str, str] | None = None) -> HttpRequest:
    builder = _BUILDERS.get(send.platform)
    if builder is None:
        raise RequestError(f"no outbound API for {send.platform}")
    return builder(send, credentials, {**BASE_URLS, **(base_urls or {})})


def _x(send: Send, credentials: dict[str, Any], urls: dict[str, str]) -> HttpRequest:
    """X: a reply to the post, or a direct message to its author."""
    refs = send.refs
    token = credentials["user_access_token"]
    if send.channel is Channel.REPLY:
        post = _need(refs.get("post_id"), "post to reply to")
        return _json("POST", f"{urls['x']}/2/tweets", token, {"text": send.text, "reply": {"in_reply_to_tweet_id": post}})
    author = _need(send.author_id, "author")
    return _json(
        "POST",
        f"{urls['x']}/2/dm_conversations/with/{_segment(author, 'x', 'the author')}/messages",
        token,
        {"text": send.text},
    )


def _instagram(send: Send, credentials: dict[str, Any], urls: dict[str, str]) -> HttpRequest:
    """Instagram: a private reply or direct message, a public reply to a comment, or a reply to a mention."""
    refs = send.refs
    token, account = credentials["access_token"], _segment(send.brand_account, "instagram", "the brand account")
    if send.channel is Channel.PRIVATE_REPLY:
        comment = _need(refs.get("comment_id"), "comment")
        return _json(
            "POST",
            f"{urls['graph']}/{account}/messages",
            token,
            {"recipient": {"comment_id": comment}, "message": {"text": send.text}},
        )
    if send.channel is Channel.DIRECT_MESSAGE:
        return _json(
            "POST",
            f"{urls['graph']}/{account}/messages",
            token,
            {"recipient": {"id": _need(send.author_id, "author")}, "message": {"text": send.text}},
        )
    if send.event_kind != "mention":  # a public reply to a comment on the brand's media
        query = urlencode({"message": send.text})
        comment = _need(refs.get("comment_id"), "comment")
        return HttpRequest(
            "POST",
            f"{urls['graph']}/{_segment(comment, 'instagram', 'the comment')}/replies?{query}",
            {"authorization": f"Bearer {token}"},
        )
    params = {"media_id": _need(refs.get("media_id"), "media"), "message": send.text}
    if refs.get("comment_id"):
        params["comment_id"] = refs["comment_id"]
    return HttpRequest("POST", f"{urls['graph']}/{account}/mentions?{urlencode(params)}", {"authorization": f"Bearer {token}"})


def _facebook(send: Send, credentials: dict[str, Any], urls: dict[str, str]) -> HttpRequest:
    """Facebook: a comment on the post or comment."""
    refs = send.refs
    target = _segment(_need(refs.get("comment_id") or refs.get("post_id"), "post or comment"), "facebook", "the post or comment")
    query = urlencode({"message": send.text})
    return HttpRequest(
        "POST", f"{urls['graph']}/{target}/comments?{query}", {"authorization": f"Bearer {credentials['page_access_token']}"}
    )


def _linkedin(send: Send, credentials: dict[str, Any], urls: dict[str, str]) -> HttpRequest:
    """LinkedIn: a comment on the post (or under the comment)."""
    refs = send.refs
    post = _need(refs.get("post_id"), "post")
    payload: dict[str, Any] = {"actor": send.brand_account, "object": post, "message": {"text": send.text}}
    target = post
    if refs.get("comment_id"):
        payload["parentComment"] = refs["comment_id"]
        target = refs["comment_id"]
    return _json(
        "POST",
        f"{urls['linkedin']}/rest/socialActions/{_segment(target, 'linkedin', 'the post or comment')}/comments",
        credentials["access_token"],
        payload,
        {"linkedin-version": "202601", "x-restli-protocol-version": "2.0.0"},
    )


def _twitch(send: Send, credentials: dict[str, Any], urls: dict[str, str]) -> HttpRequest:
    """Twitch: a chat message, or a whisper to the author."""
    headers = {"client-id": credentials["client_id"]}
    sender = credentials.get("sender_id") or send.brand_account
    if send.channel is Channel.REPLY:
        return _json(
            "POST",
            f"{urls['twitch']}/helix/chat/messages",
            credentials["access_token"],
            {"broadcaster_id": send.brand_account, "sender_id": sender, "message": send.text},
            headers,
        )
    query = urlencode({"from_user_id": sender, "to_user_id": _need(send.author_id, "author")})
    return _json("POST", f"{urls['twitch']}/helix/whispers?{query}", credentials["access_token"], {"message": send.text}, headers)


_BUILDERS: dict[str, Callable[[Send, dict[str, Any], dict[str, str]], HttpRequest]] = {
    "x": _x,
    "instagram": _instagram,
    "facebook": _facebook,
    "linkedin": _linkedin,
    "twitch": _twitch,
}


def platform_message_id(platform: str, channel: Channel, body: Any) -> str | None:
    """The platform's id of what was sent, where its answer carries one."""
    if not isinstance(body, dict):
        return None
    data = body.get("data")
    if platform == "x" and isinstance(data, dict):
        return data.get("id") or data.get("dm_event_id")
    if platform == "twitch" and isinstance(data, list) and data and isinstance(data[0], dict):
        return data[0].get("message_id")
    return body.get("message_id") or body.get("id")

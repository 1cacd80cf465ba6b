"""The Slack requests Goodword makes, built exactly as documented (pure), and what an answer
means:

- ``chat.postMessage`` (https://api.slack.com/methods/chat.postMessage) and ``chat.update``
  (https://api.slack.com/methods/chat.update): JSON with a bot token; Slack answers 200 with
  ``{"ok": true, "channel", "ts"}`` or ``{"ok": false, "error"}``, and 429 with Retry-After;
- an incoming webhook (https://api.slack.com/messaging/webhooks): JSON to the URL; 200 ``ok``,
  or 4xx with the error as text (``invalid_payload``, ``no_service``...);
- an interaction's ``response_url`` (https://api.slack.com/interactivity/handling#message_responses):
  JSON with ``replace_original``; the same answers as an incoming webhook.

Where they go is checked: the Web API is Slack's fixed host (or the configured base URL, the
local fake); a webhook URL from the secret and a response_url from a click are called through
goodword.outbound's public-address check, and a response_url must be Slack's own
(``https://hooks.slack.com/``) or under the configured base URL."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from goodword.outbound.platform_requests import HttpRequest
from goodword.outbound.transport import HttpResponse, judge
from goodword.slack.config import SlackConfig

RESPONSE_URL_HOST = "hooks.slack.com"


def _json(url: str, payload: dict[str, Any], token: str | None = None) -> HttpRequest:
    headers = {"content-type": "application/json; charset=utf-8"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return HttpRequest("POST", url, headers, json.dumps(payload, ensure_ascii=False).encode())


def post_message(config: SlackConfig, message: dict[str, Any]) -> HttpRequest:
    """The notice: chat.postMessage to the channel with the bot token, else the incoming webhook."""
    if config.bot_token and config.channel:
        return _json(
            f"{config.api_base_url.rstrip('/')}/chat.postMessage", {"channel": config.channel, **message}, config.bot_token
        )
    return _json(str(config.incoming_webhook_url), message)


def update_message(config: SlackConfig, channel: str, ts: str, message: dict[str, Any]) -> HttpRequest:
    """chat.update of a message the bot posted (a click without a response_url)."""
    return _json(f"{config.api_base_url.rstrip('/')}/chat.update", {"channel": channel, "ts": ts, **message}, config.bot_token)


def respond(response_url: str, message: dict[str, Any]) -> HttpRequest:
    """The clicked message, replaced (a response_url is good for 30 minutes and 5 uses)."""
    return _json(response_url, {"replace_original": True, **message})


def response_url_allowed(url: str, config: SlackConfig) -> bool:
    """Slack's own hooks host over https, or the configured base URL's origin (the local fake)."""
    try:
        parts, base = urlsplit(url), urlsplit(config.api_base_url)
    except ValueError:
        return False
    if parts.scheme == "https" and parts.hostname == RESPONSE_URL_HOST:
        return True
    return config.api_base_url != "https://slack.com/api" and (parts.scheme, parts.netloc) == (base.scheme, base.netloc)


def via_web_api(request: HttpRequest, config: SlackConfig) -> bool:
    """Whether the request goes to the Web API's host (fixed), not to a URL from elsewhere."""
    return request.url.startswith(config.api_base_url.rstrip("/") + "/")


@dataclass(frozen=True)
class Answer:
    outcome: str  # "sent", "retry", "failed" (outbound.transport.judge's words)
    detail: str = ""
    retry_after: float | None = None
    channel: str | None = None  # chat.postMessage: where and which message (for chat.update)
    ts: str | None = None


def answer(response: HttpResponse) -> Answer:
    """Slack's Web API says failure in a 200 (``ok: false``); webhooks say it in the status."""
    verdict = judge(response)
    body = verdict.body if isinstance(verdict.body, dict) else None
    if verdict.outcome != "sent":
        text = response.body[:100].decode(errors="replace") if body is None else str(body.get("error") or "")
        return Answer(verdict.outcome, f"{response.status}: {text}" if text else verdict.detail, verdict.retry_after)
    if body is not None and body.get("ok") is False:
        error = str(body.get("error") or "unknown error")
        return Answer("retry" if error in ("ratelimited", "internal_error", "fatal_error") else "failed", error)
    channel, ts = (str(body.get("channel") or ""), str(body.get("ts") or "")) if body else ("", "")
    return Answer("sent", channel=channel or None, ts=ts or None)

"""Slack, faked on loopback for the local stack and the tests (approve from Slack): the Web
API's ``chat.postMessage`` and ``chat.update``, an incoming webhook, and the ``response_url``
of a click, each answered with the documented shapes (tests/fixtures/slack/, PROVENANCE.md):

- https://api.slack.com/methods/chat.postMessage and https://api.slack.com/methods/chat.update:
  a bot token (``Authorization: Bearer``) or ``{"ok": false, "error": "not_authed"}``; then
  ``{"ok": true, "channel", "ts", "message"}``, or ``channel_not_found``, ``message_not_found``,
  ``no_text``, each with HTTP 200 as Slack answers;
- https://api.slack.com/messaging/webhooks: ``ok`` as text, ``invalid_payload`` (400),
  ``no_service`` (404) for an unknown hook;
- https://api.slack.com/interactivity/handling#message_responses: ``replace_original`` replaces
  the message the click came from; a response_url is good 5 times (then 404 ``used_url``).

``click`` makes what Slack sends when a person clicks a button of a message it holds (the
``block_actions`` payload, form-encoded, signed with the app's signing secret:
https://api.slack.com/authentication/verifying-requests-from-slack)."""

from __future__ import annotations

import copy
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "slack"
API_PATH = "/slack/api"
HOOKS_PATH = "/slack/hooks/services/"
ACTIONS_PATH = "/slack/actions/"
RESPONSE_URL_USES = 5


def _fixture(name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return found


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    edits: int = 0  # chat.update and replace_original, counted


@dataclass
class FakeSlack:
    """One workspace: its bot token, one incoming webhook (into ``webhook_channel``), the
    messages of every channel, and the app's signing secret (for ``click``)."""

    bot_token: str = "xoxb-local-dev-bot-token"
    signing_secret: str = "local-dev-slack-signing-secret"
    channels: frozenset[str] = frozenset({"C0REVIEWS"})
    webhook_channel: str = "C0REVIEWS"
    webhook_token: str = "T0LOCAL/B0LOCAL/local-dev-incoming-webhook"
    root: str = "http://127.0.0.1"  # where this fake is served (set by the server)
    messages: list[Message] = field(default_factory=list)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (path, JSON body), every one
    _response_urls: dict[str, tuple[Message, int]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    # --- what the stack's credentials hold ---------------------------------------------------

    @property
    def api_base_url(self) -> str:
        return f"{self.root}{API_PATH}"

    @property
    def incoming_webhook_url(self) -> str:
        return f"{self.root}{HOOKS_PATH}{self.webhook_token}"

    def in_channel(self, channel: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m.channel == channel]

    # --- HTTP ----------------------------------------------------------------------------------

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        """(status, JSON body or text) for one request, as Slack answers it."""
        route = urlsplit(path).path
        try:
            payload = json.loads(body) if body else {}
        except ValueError:
            payload = None
        with self.lock:
            self.requests.append((route, payload if isinstance(payload, dict) else {}))
            if method != "POST":
                return 405, "method_not_allowed"
            if route.startswith(API_PATH + "/"):
                return 200, self._web_api(route.removeprefix(API_PATH + "/"), headers, payload)
            if route.startswith(HOOKS_PATH):
                if route.removeprefix(HOOKS_PATH) != self.webhook_token:
                    return 404, "no_service"
                return self._hook(payload)
            if route.startswith(ACTIONS_PATH):
                return self._response(route.removeprefix(ACTIONS_PATH), payload)
            return 404, "no_service"

    def _web_api(self, method: str, headers: dict[str, str], payload: Any) -> dict[str, Any]:  # noqa: PLR0911
        if headers.get("authorization") != f"Bearer {self.bot_token}":
            return {"ok": False, "error": "not_authed" if not headers.get("authorization") else "invalid_auth"}
        if not isinstance(payload, dict):
            return {"ok": False, "error": "invalid_json"}
        channel = str(payload.get("channel") or "")
        if channel not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        if not payload.get("text") and not payload.get("blocks"):
            return {"ok": False, "error": "no_text"}
        if method == "chat.postMessage":
            message = self._post(channel, payload)
            answer = _fixture("chat_post_message_response.documented_shape.json")
            answer.update(channel=channel, ts=message.ts)
            answer["message"].update(text=message.text, ts=message.ts, blocks=message.blocks)
            return answer
        if method == "chat.update":
            found = next((m for m in self.messages if m.channel == channel and m.ts == payload.get("ts")), None)
            if found is None:
                return {"ok": False, "error": "message_not_found"}
            self._replace(found, payload)
            answer = _fixture("chat_update_response.documented_shape.json")
            answer.update(channel=channel, ts=found.ts, text=found.text)
            answer["message"]["text"] = found.text
            return answer
        return {"ok": False, "error": "unknown_method"}

    def _hook(self, payload: Any) -> tuple[int, str]:
        if not isinstance(payload, dict):
            return 400, "invalid_payload"
        if not payload.get("text") and not payload.get("blocks"):
            return 400, "no_text"
        self._post(self.webhook_channel, payload)
        return 200, "ok"

    def _response(self, token: str, payload: Any) -> tuple[int, str]:
        if token not in self._response_urls:
            return 404, "expired_url"
        message, uses = self._response_urls[token]
        if uses >= RESPONSE_URL_USES:
            return 404, "used_url"
        if not isinstance(payload, dict):
            return 400, "invalid_payload"
        self._response_urls[token] = (message, uses + 1)
        if payload.get("replace_original") in (True, "true"):
            self._replace(message, payload)
        else:
            self._post(message.channel, payload)
        return 200, "ok"

    def _post(self, channel: str, payload: dict[str, Any]) -> Message:
        ts = f"{time.time():.6f}"
        while any(m.ts == ts for m in self.messages):  # unique per channel, as Slack's are
            ts = f"{float(ts) + 0.000001:.6f}"
        message = Message(channel, ts, str(payload.get("text") or ""), copy.deepcopy(list(payload.get("blocks") or [])))
        self.messages.append(message)
        return message

    def _replace(self, message: Message, payload: dict[str, Any]) -> None:
        message.text = str(payload.get("text") or message.text)
        message.blocks = copy.deepcopy(list(payload.get("blocks") or []))
        message.edits += 1

    def admin(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        """The fake's own door for the local stack's users and tests (not Slack's): ``GET
        /slack/__messages`` lists the channels' messages; ``POST /slack/__click`` with
        ``{"channel", "ts", "action_id", "user"}`` answers ``{"headers", "body"}``, the signed
        request Slack would send the app for that click (``click``)."""
        route = urlsplit(path).path
        with self.lock:
            if method == "GET" and route == "/slack/__messages":
                return 200, {"messages": [vars(m) for m in self.messages]}
            if method == "POST" and route == "/slack/__click":
                try:
                    asked = json.loads(body)
                    message = next(m for m in self.messages if m.channel == asked["channel"] and m.ts == asked["ts"])
                    headers, request = self.click(message, str(asked["action_id"]), str(asked.get("user") or "ana"))
                except (ValueError, KeyError, TypeError, StopIteration, LookupError) as exc:
                    return 400, {"error": f"no such message or button: {exc}"}
                return 200, {"headers": headers, "body": request.decode()}
        return 404, {"error": "the fake Slack's own paths: GET /slack/__messages, POST /slack/__click"}

    def __call__(self, request: Any) -> Any:
        """An HTTP transport (outbound.transport.send's shape) that never leaves the process."""
        from goodword.outbound.transport import HttpResponse

        headers = {k.lower(): v for k, v in request.headers.items()}
        status, body = self.answer(request.method, request.url.removeprefix(self.root), headers, request.body)
        if isinstance(body, dict):
            return HttpResponse(status, {"content-type": "application/json; charset=utf-8"}, json.dumps(body).encode())
        return HttpResponse(status, {"content-type": "text/html"}, str(body).encode())

    # --- a person clicks -------------------------------------------------------------------

    def click(
        self, message: Message, action_id: str, user: str = "ana", *, now: float | None = None, value: str | None = None
    ) -> tuple[dict[str, str], bytes]:
        """(headers, body) of the request Slack sends the app's interactivity URL when ``user``
        clicks the button ``action_id`` of ``message``: a block_actions payload, form-encoded,
        signed. Each click gets its own response_url."""
        from goodword.slack.signature import signature

        with self.lock:
            button = next(
                (
                    (block, element)
                    for block in message.blocks
                    for element in block.get("elements") or []
                    if block.get("type") == "actions" and element.get("action_id") == action_id
                ),
                None,
            )
            if button is None:
                raise LookupError(f"the message has no button {action_id!r}")
            token = secrets.token_urlsafe(12)
            self._response_urls[token] = (message, 0)
            payload = _fixture("block_actions_payload.documented_shape.json")
            payload["user"].update(id=f"U{user.upper()[:8]}", username=user, name=user)
            payload["container"].update(message_ts=message.ts, channel_id=message.channel)
            payload["channel"]["id"] = message.channel
            payload["message"].update(text=message.text, ts=message.ts, blocks=copy.deepcopy(message.blocks))
            payload["response_url"] = f"{self.root}{ACTIONS_PATH}{token}"
            block, element = button
            payload["actions"] = [
                {
                    "action_id": element["action_id"],
                    "block_id": block.get("block_id", ""),
                    "text": element.get("text"),
                    "value": element.get("value") if value is None else value,
                    "type": "button",
                    "action_ts": f"{time.time():.6f}",
                }
            ]
        body = urlencode({"payload": json.dumps(payload)}).encode()
        timestamp = str(int(time.time() if now is None else now))
        headers = {
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": timestamp,
            "x-slack-signature": signature(self.signing_secret, timestamp, body),
        }
        return headers, body

"""A click on a review notice's button (``POST /slack/interactions``): verified, decided
through the review service exactly as the console decides, and the message updated to say
who decided and when.

Slack wants its answer within 3 seconds: the answer is an empty 200, and the message is
replaced through the click's ``response_url`` (``replace_original``), or chat.update where a
click carries none. A second click, or a console decision that came first, is no second
approval: the review service refuses it (Conflict: the state table's conditional decide), and
the message then says who decided first and what the offer is now."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from goodword.observability import logger
from goodword.outbound.destinations import UnsafeDestinationError
from goodword.outbound.platform_requests import HttpRequest
from goodword.outbound.transport import HttpResponse, TransportError
from goodword.services.errors import Conflict, Invalid, NotFound, Refused
from goodword.services.stores import Stores
from goodword.slack.api import answer, respond, response_url_allowed, update_message, via_web_api
from goodword.slack.blocks import Choice, decided, escaped, outcome_line, parse_action_id
from goodword.slack.config import SlackConfig, SlackNotConfigured, slack_config
from goodword.slack.signature import SignatureError, verify
from goodword.work import WorkRecord, WorkState

Http = Callable[[HttpRequest], HttpResponse]


# goodword.services.review.decide, the console's own (a test may give another)
Decide = Callable[..., object]


@dataclass(frozen=True)
class Click:
    """One of our buttons, clicked by someone."""

    choice: Choice
    offer_id: str
    who: str  # "slack:<username>" (or the user's id)


@dataclass
class Interactions:
    credentials: Callable[[], dict[str, Any]]  # PlatformCredentials
    stores: Callable[[], Stores]
    decide: Decide
    web_api: Http  # Slack's Web API (chat.update)
    public: Http  # a response_url: public addresses only (outbound.destinations)

    def handle(self, headers: dict[str, str], body: bytes, now: datetime) -> int:
        """The status to answer Slack with (the body is always empty)."""
        try:
            config = slack_config(self.credentials())
            verify(config.signing_secret, headers, body, now)
        except (SlackNotConfigured, SignatureError) as exc:
            logger.warning("a Slack interaction is refused", extra={"reason": str(exc)})
            return 401
        payload = _payload(body)
        if payload is None:
            return 400
        if payload.get("type") != "block_actions":
            return 200  # nothing else is asked of this app
        if config.channel and _channel_of(payload) not in ("", config.channel):
            logger.warning("a click from another channel than the review channel decides nothing")
            return 200
        for click in clicks(payload):
            line, keep_buttons = self._decide(click)
            original = (payload.get("message") or {}).get("blocks") or []
            self._update(config, payload, {"text": line, "blocks": decided(original, line, keep_buttons)})
        return 200

    def _decide(self, click: Click) -> tuple[str, bool]:
        """What the message says after the click, and whether its buttons stay (the offer
        still waits: approval refused, say for a person who asked to stop)."""
        stores = self.stores()
        try:
            self.decide(stores, click.offer_id, click.choice.decision, click.who, because=click.choice.because)
        except Conflict:
            current = stores.state.find_work(click.offer_id)
            return (_decided_line(current, first=False) if current else "This offer is no longer there."), False
        except NotFound:
            return "This offer is no longer there (erased, or never made).", False
        except (Refused, Invalid) as exc:
            return escaped(f"Not {click.choice.decision}d ({click.who}): {exc.message}"), True
        logger.info("a review decided from Slack", extra={"offer_id": click.offer_id, "decision": click.choice.value})
        current = stores.state.find_work(click.offer_id)
        return (_decided_line(current, first=True) if current else escaped(f"{click.choice.decision}d by {click.who}")), False

    def _update(self, config: SlackConfig, payload: dict[str, Any], message: dict[str, Any]) -> None:
        """Replace the clicked message; a failure is logged (the decision stands either way)."""
        response_url = str(payload.get("response_url") or "")
        channel, ts = _channel_of(payload), str((payload.get("container") or {}).get("message_ts") or "")
        if response_url:
            if not response_url_allowed(response_url, config):
                logger.warning("a response_url that is not Slack's is not called")
                return
            request = respond(response_url, message)
        elif config.bot_token and channel and ts:
            request = update_message(config, channel, ts, message)
        else:
            return
        try:
            sent = (self.web_api if via_web_api(request, config) else self.public)(request)
        except (TransportError, UnsafeDestinationError) as exc:
            logger.warning("the Slack message could not be updated", extra={"reason": str(exc)})
            return
        said = answer(sent)
        if said.outcome != "sent":
            logger.warning("the Slack message could not be updated", extra={"reason": said.detail})


def _channel_of(payload: dict[str, Any]) -> str:
    return str((payload.get("container") or {}).get("channel_id") or (payload.get("channel") or {}).get("id") or "")


def _payload(body: bytes) -> dict[str, Any] | None:
    """The form field ``payload``: JSON (https://api.slack.com/interactivity/handling#payloads)."""
    try:
        (raw,) = parse_qs(body.decode(), strict_parsing=True)["payload"]
        found = json.loads(raw)
    except (ValueError, KeyError, UnicodeDecodeError):
        return None
    return found if isinstance(found, dict) else None


def clicks(payload: dict[str, Any]) -> list[Click]:
    """Our buttons among the payload's actions (value and action_id naming the same offer)."""
    user = payload.get("user") or {}
    name = str(user.get("username") or user.get("name") or user.get("id") or "unknown")
    found = []
    for action in payload.get("actions") or []:
        parsed = parse_action_id(str(action.get("action_id") or "")) if isinstance(action, dict) else None
        if parsed is not None and action.get("value") == parsed[1]:
            found.append(Click(parsed[0], parsed[1], f"slack:{name}"))
    return found


_APPROVED_THEN = (WorkState.APPROVED, WorkState.SENDING, WorkState.SENT, WorkState.FAILED)


def _decided_line(record: WorkRecord, first: bool) -> str:
    """Who decided the offer, when, and what it is now."""
    if record.state is WorkState.PENDING_REVIEW:
        return "Still waiting for review."
    decision = WorkState.APPROVED.value if record.state in _APPROVED_THEN else record.state.value
    line = outcome_line(decision, record.reviewed_by, record.reviewed_at, first)
    return line if record.state.value == decision else f"{line} (now {escaped(record.state_label)})"

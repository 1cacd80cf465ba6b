"""An offer entering review, posted once to the brand's Slack channel with its buttons.

Once per offer, precisely: a once-ever mark (``SLACK_NOTICE#<offer id>``, StateTable) is
taken before Slack is called, so a redelivered trigger, or two at once, find it taken and
post nothing. The mark is given back only when Slack surely never got the message (no
connection, 5xx, rate limited): then the trigger's retry posts it. An answer that never came
after the request was written keeps the mark: a missed notice is better than two (the offer
still waits in the console and in ``goodword review list``).

An offer decided before its notice went out (a quick reviewer in the console) is not posted."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from goodword.decisions import Decisions
from goodword.observability import logger
from goodword.outbound.destinations import UnsafeDestinationError
from goodword.outbound.platform_requests import HttpRequest
from goodword.outbound.transport import HttpResponse, TransportError
from goodword.people import Profile
from goodword.slack.api import answer, post_message, via_web_api
from goodword.slack.blocks import ReviewNotice, notice
from goodword.slack.config import SlackConfig, SlackNotConfigured, slack_config
from goodword.work import WorkKind, WorkRecord, WorkState

Http = Callable[[HttpRequest], HttpResponse]


class NoticeState(Protocol):
    """StateTable, as a notice needs it."""

    def get_work(self, work_key: str) -> WorkRecord | None: ...

    def profile(self, person: str) -> Profile | None: ...

    def mark_once(self, mark: str, owner: str) -> bool: ...

    def unmark(self, mark: str, owner: str) -> bool: ...


class NoticeEvents(Protocol):
    """EventsTable, as a notice needs it: the post and the judgement the rules saw."""

    def events(self, event_ids: Iterable[str]) -> dict[str, dict[str, Any]]: ...

    def decisions_for(self, event_ids: Iterable[str]) -> dict[str, Decisions]: ...


def notice_mark(offer_id: str) -> str:
    return f"SLACK_NOTICE#{offer_id}"


@dataclass(frozen=True)
class Posted:
    done: bool  # False: the trigger should retry (nothing reached Slack)
    detail: str


@dataclass
class Notices:
    state: NoticeState
    events: NoticeEvents
    credentials: Callable[[], dict[str, Any]]  # PlatformCredentials
    web_api: Http  # Slack's Web API: its fixed host (outbound.transport.send)
    public: Http  # a URL from elsewhere (the incoming webhook): public addresses only

    def post(self, offer: WorkRecord) -> Posted:
        """Post the notice of ``offer`` (as the trigger saw it) unless it was posted already."""
        if offer.kind is not WorkKind.OFFER_SAMPLE:
            return Posted(True, "not an offer")
        try:
            config = slack_config(self.credentials())
        except SlackNotConfigured as exc:
            return Posted(True, str(exc))
        current = self.state.get_work(offer.key)
        if current is None or current.state is not WorkState.PENDING_REVIEW:
            return Posted(True, "no longer waiting for review")
        attempt = str(uuid.uuid4())
        mark = notice_mark(offer.id)
        if not self.state.mark_once(mark, attempt):
            return Posted(True, "already posted")
        request = post_message(config, notice(self._review(current)))
        outcome = self._send(request, config)
        if outcome.done:
            return outcome
        self.state.unmark(mark, attempt)  # nothing reached Slack: the retry may post it
        return outcome

    def _review(self, offer: WorkRecord) -> ReviewNotice:
        event = self.events.events([offer.event_id]).get(offer.event_id) or {}
        decided = self.events.decisions_for([offer.event_id]).get(offer.event_id)
        return ReviewNotice(
            offer=offer,
            event_text=event.get("text"),
            sentiment=decided.sentiment if decided else None,
            profile=self.state.profile(offer.person),
        )

    def _send(self, request: HttpRequest, config: SlackConfig) -> Posted:
        try:
            response = (self.web_api if via_web_api(request, config) else self.public)(request)
        except UnsafeDestinationError as exc:
            logger.error("the Slack incoming webhook URL is refused", extra={"reason": str(exc)})
            return Posted(True, f"refused: {exc}")
        except TransportError as exc:
            if exc.maybe_sent:
                logger.warning("Slack's answer never came: not posted again", extra={"reason": str(exc)})
                return Posted(True, f"outcome unknown: {exc}")
            return Posted(False, f"no connection: {exc}")
        said = answer(response)
        if said.outcome == "sent":
            return Posted(True, "posted")
        if said.outcome == "failed":
            logger.error("Slack refused the review notice", extra={"reason": said.detail})
            return Posted(True, f"failed: {said.detail}")
        return Posted(False, f"retry: {said.detail}")

"""One approved offer or action, from the queue to the platform, exactly once.

Exactly once, precisely: the record moves approved -> sending with a conditional write
before any call. A redelivered or concurrent copy of the message finds it sending (and
waits) or sent (and stops). A retryable failure moves it back to approved. If the process
dies after the platform answered but before the record says so, the record stays sending;
when its lease has expired, the next copy marks it failed with "outcome unknown" instead of
sending again: a missed thank-you is better than a person getting the same message twice.
For the same reason an answer that never came back after the request was sent (read
timeout, connection reset) is not retried.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from goodword.events import EventKind, Platform
from goodword.observability import logger
from goodword.opt_out import contact_refusal
from goodword.outbound.destinations import UnsafeDestinationError
from goodword.outbound.notify import body as notify_body
from goodword.outbound.platform_requests import HttpRequest, RequestError, Send, build, platform_message_id
from goodword.outbound.transport import HttpResponse, TransportError, Verdict, judge, send_to_public_address
from goodword.pacing import wait_seconds, windows
from goodword.policy import Channel, send_refusal
from goodword.ports import EventBus, Requeue, StateStore
from goodword.signing import standard_signature
from goodword.work import ERASED_PERSON, WorkKind, WorkRecord, WorkState

LEASE = timedelta(minutes=5)  # longer than the function's timeout


def _redirect_note(status: int) -> str:
    return " (a redirect: not followed)" if 300 <= status < 400 else ""


def announcement_id(work_id: str) -> str:
    """The id consumers of the event bus dedupe on: one per completed offer or action."""
    return f"{work_id}:sent"


@dataclass(frozen=True)
class Result:
    done: bool  # False: leave the message for a retry (backoff by visibility)
    detail: str = ""


class Performer:
    def __init__(
        self,
        state: StateStore,
        credentials: Callable[[], dict[str, Any]],
        bus: EventBus,
        requeue: Requeue,
        http: Callable[[HttpRequest], HttpResponse],
        clock: Callable[[], datetime],
        mode: str,
        max_receives: int,
        notify_http: Callable[[HttpRequest], HttpResponse] | None = None,
    ) -> None:
        self.state, self.credentials, self.bus, self.requeue = state, credentials, bus, requeue
        self.http, self.clock, self.mode, self.max_receives = http, clock, mode, max_receives
        # notify URLs are written by marketers: public addresses only (outbound.destinations)
        self.notify_http = notify_http or send_to_public_address

    def perform(self, message: dict[str, Any], receive_count: int) -> Result:  # noqa: PLR0911 (one exit per outcome)
        now = self.clock()
        record = self.state.get_work(message["pk"])
        if record is None:
            return Result(True, "no such offer or action")
        if record.state is WorkState.SENT and not record.announced_at:
            self._announce(record, {})  # sent, but its announcement never went out: at least once
            return Result(True, "already sent; announced")
        if record.state.final:
            return Result(True, f"already {record.state.value}")
        attempt = str(uuid.uuid4())
        if not self.state.start_sending(record, attempt, now):
            return self._claimed_elsewhere(record, now)
        stopped = None if record.kind is WorkKind.NOTIFY else self._stopped(record)
        if stopped:  # a STOP that came after the rule ran or the offer was approved
            self._finish(record, attempt, WorkState.FAILED, reason=stopped)
            return Result(True, stopped)
        refusal = self._refusal(record, now)
        if refusal:
            self._finish(record, attempt, WorkState.FAILED, reason=f"platform policy: {refusal}")
            return Result(True, refusal)
        delay = self._pace(record, now)
        if delay:
            self.state.release(record, attempt)  # False only when a retried release had landed already
            self.requeue(message, delay)
            return Result(True, f"paced: delayed {delay} s")
        if self.mode != "live":
            self._finish(record, attempt, WorkState.SENT, dry_run=True, platform_message_id=f"dry-run-{record.id}")
            return Result(True, "sent (dry run)")
        return self._send(record, attempt, message, receive_count)

    # --- the state machine -----------------------------------------------------------------

    def _claimed_elsewhere(self, record: WorkRecord, now: datetime) -> Result:
        current = self.state.get_work(record.key) or record
        if current.state is not WorkState.SENDING:
            return Result(current.state.final, f"state {current.state.value}")
        started = datetime.fromisoformat(current.attempt_started_at or now.isoformat())
        if now - started < LEASE:
            return Result(False, "another attempt is in progress")
        self._finish(
            current,
            current.attempt_id or "",
            WorkState.FAILED,
            reason="outcome unknown: an attempt stopped after calling the platform; not sent again",
        )
        return Result(True, "outcome unknown")

    def _finish(self, record: WorkRecord, attempt: str, to: WorkState, **fields: Any) -> None:
        """Record the outcome, if this attempt still holds the record."""
        if not self.state.finish(record, attempt, to, self.clock(), **fields):
            logger.warning("the record changed hands before it could be finished", extra={"pk": record.key})
            return
        if to is WorkState.SENT:
            self._announce(record, fields)

    def _announce(self, record: WorkRecord, fields: dict[str, Any]) -> None:
        """Every completed offer or action, for other systems (shop, CRM, fulfilment), at least
        once: a redelivered message announces what was sent but never announced, and the AWS SDK
        may retry a PutEvents that had landed. ``announcement_id`` is the same every time."""
        detail = announcement(record, fields)
        try:
            self.bus.publish({**detail, "announcement_id": announcement_id(record.id)})
        except Exception:  # the send happened: never undo or repeat it for a notification
            logger.exception("could not publish the completed work to the event bus", extra={"pk": record.key})
            return
        self.state.mark_announced(record, self.clock())

    # --- checks ------------------------------------------------------------------------------

    def _stopped(self, record: WorkRecord) -> str | None:
        """Why nothing may reach the person now: they asked to stop, or were erased."""
        if record.person == ERASED_PERSON:
            return "the person was erased: nobody to send to"
        return contact_refusal(self.state.profile(record.person))

    def _refusal(self, record: WorkRecord, now: datetime) -> str | None:
        if record.kind is WorkKind.NOTIFY:
            return None
        channel = Channel(record.channel or "")
        already = False
        if channel is Channel.PRIVATE_REPLY:
            comment = record.refs.get("comment_id", "")
            already = not self.state.mark_once(f"PRIVATE_REPLY#{record.platform}#{comment}", record.id)
        return send_refusal(
            Platform(record.platform),
            EventKind(record.event_kind),
            channel,
            record.message or "",
            datetime.fromisoformat(record.event_time),
            now,
            already_private_replied=already,
            person_wrote_first=record.event_kind == "direct_message",
        )

    def _pace(self, record: WorkRecord, now: datetime) -> int:
        """0 when within every rate limit (and counted); else seconds to wait."""
        if record.kind is WorkKind.NOTIFY or record.channel is None:
            return 0
        key = f"{record.platform}#{record.brand_account}#{record.channel}"
        return wait_seconds(self.state, key, windows(record.platform, Channel(record.channel or "")), now)

    # --- sending -----------------------------------------------------------------------------

    def _request(self, record: WorkRecord) -> HttpRequest:
        credentials = self.credentials()
        if record.kind is WorkKind.NOTIFY:
            body = notify_body(record)
            timestamp = str(int(self.clock().timestamp()))
            signature = standard_signature(credentials["notify"]["secret"], record.id, timestamp, body)
            return HttpRequest(
                "POST",
                record.url or "",
                {
                    "content-type": "application/json",
                    "webhook-id": record.id,
                    "webhook-timestamp": timestamp,
                    "webhook-signature": signature,
                },
                body,
            )
        send = Send(
            record.platform,
            Channel(record.channel or ""),
            record.message or "",
            record.brand_account,
            record.author_id,
            record.event_kind,
            dict(record.refs),
        )
        return build(send, credentials[record.platform], credentials.get("api_base_urls"))

    def _send(self, record: WorkRecord, attempt: str, message: dict[str, Any], receive_count: int) -> Result:  # noqa: PLR0911
        try:
            request = self._request(record)
        except (RequestError, KeyError) as exc:
            self._finish(record, attempt, WorkState.FAILED, reason=f"cannot build the request: {exc}")
            return Result(True, str(exc))
        notify = record.kind is WorkKind.NOTIFY
        try:
            response = (self.notify_http if notify else self.http)(request)
            verdict = judge(response, self.clock())
            if notify and verdict.outcome == "failed":  # keep no text of a URL we do not control
                verdict = Verdict("failed", f"the notify URL answered {response.status}" + _redirect_note(response.status))
        except UnsafeDestinationError as exc:
            self._finish(record, attempt, WorkState.FAILED, reason=f"notify URL refused: {exc}")
            return Result(True, "notify URL refused")
        except TransportError as exc:
            if not exc.maybe_sent:
                verdict = Verdict("retry", f"no connection: {exc}")
            else:
                self._finish(record, attempt, WorkState.FAILED, reason=f"outcome unknown: {exc} after sending; not sent again")
                return Result(True, "outcome unknown")
        if verdict.outcome == "sent":
            platform_id = platform_message_id(record.platform, Channel(record.channel or "reply"), verdict.body)
            self._finish(record, attempt, WorkState.SENT, platform_message_id=platform_id or "")
            return Result(True, "sent")
        if verdict.outcome == "failed":
            self._finish(record, attempt, WorkState.FAILED, reason=verdict.detail)
            return Result(True, verdict.detail)
        if receive_count >= self.max_receives:
            self._finish(record, attempt, WorkState.FAILED, reason=f"gave up after {receive_count} attempts: {verdict.detail}")
            return Result(False, "gave up")  # also lands in the dead-letter queue
        self.state.release(record, attempt)
        if verdict.retry_after is not None:
            self.requeue(message, int(min(900, max(1, verdict.retry_after))))
            return Result(True, f"retry in {verdict.retry_after:.0f} s")
        return Result(False, verdict.detail)


# Never on the bus: the claim code and link are the fan's key to the claim page (anyone who
# reads the bus could claim the gift or see its code), the link message carries the link, a
# fulfilment's notify url and an action's url may be secret webhooks (Slack's are).
_NOT_ANNOUNCED = frozenset({"attempt_id", "announced_at", "claim_code", "claim_link", "link_message", "fulfilment", "url"})


def announcement(record: WorkRecord, fields: dict[str, Any]) -> dict[str, Any]:
    """What the bus carries for a sent offer or action: the record without its secrets. The
    message keeps its words with the claim link taken out; the fulfilment is named by its kind."""
    values = {**record.fields(), **fields, "state": "sent"}
    detail = {k: v for k, v in values.items() if k not in _NOT_ANNOUNCED}
    link = values.get("claim_link")
    if link and isinstance(detail.get("message"), str):
        detail["message"] = detail["message"].replace(link, "[claim link]")
    fulfilment = values.get("fulfilment")
    if isinstance(fulfilment, dict) and isinstance(fulfilment.get("kind"), str):
        detail["fulfilment_kind"] = fulfilment["kind"]
    return detail

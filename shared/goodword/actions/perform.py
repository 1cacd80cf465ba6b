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

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from goodword.actions.pacing import windows
from goodword.aws import clients
from goodword.aws.events_table import to_dynamodb
from goodword.aws.state_table import StateTable
from goodword.events import EventKind, Platform
from goodword.observability import logger
from goodword.outbound.destinations import UnsafeDestinationError
from goodword.outbound.platform_requests import HttpRequest, RequestError, Send, build, platform_message_id
from goodword.outbound.transport import HttpResponse, TransportError, Verdict, judge, send_to_public_address
from goodword.policy import Channel, send_refusal
from goodword.webhooks.standard import sign

LEASE = timedelta(minutes=5)  # longer than the function's timeout
FINAL = ("sent", "failed", "rejected", "expired")


def _redirect_note(status: int) -> str:
    return " (a redirect: not followed)" if 300 <= status < 400 else ""


def announcement_id(work_id: str) -> str:
    """The id consumers of the event bus dedupe on: one per completed offer or action."""
    return f"{work_id}:sent"


def _conditional(write: Callable[..., Any], **request: Any) -> bool:
    """True if the conditional write happened, False if its condition was false."""
    try:
        write(**request)
        return True
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise


@dataclass(frozen=True)
class Result:
    done: bool  # False: leave the message for a retry (backoff by visibility)
    detail: str = ""


class Performer:
    def __init__(
        self,
        state: StateTable,
        credentials: Callable[[], dict[str, Any]],
        publish: Callable[[dict[str, Any]], None],
        requeue: Callable[[dict[str, Any], int], None],
        http: Callable[[HttpRequest], HttpResponse],
        clock: Callable[[], datetime],
        mode: str,
        max_receives: int,
        notify_http: Callable[[HttpRequest], HttpResponse] | None = None,
    ) -> None:
        self.state, self.credentials, self.publish, self.requeue = state, credentials, publish, requeue
        self.http, self.clock, self.mode, self.max_receives = http, clock, mode, max_receives
        # notify URLs are written by marketers: public addresses only (outbound.destinations)
        self.notify_http = notify_http or send_to_public_address

    def perform(self, message: dict[str, Any], receive_count: int) -> Result:  # noqa: PLR0911 (one exit per outcome)
        now = self.clock()
        record = self.state.get(message["pk"], "WORK")
        if record is None:
            return Result(True, "no such offer or action")
        if record["state"] == "sent" and not record.get("announced_at"):
            self._announce(record, {})  # sent, but its announcement never went out: at least once
            return Result(True, "already sent; announced")
        if record["state"] in FINAL:
            return Result(True, f"already {record['state']}")
        attempt = str(uuid.uuid4())
        if not self._claim(record, attempt, now):
            return self._claimed_elsewhere(record, now)
        refusal = self._refusal(record, now)
        if refusal:
            self._finish(record, attempt, "failed", reason=f"platform policy: {refusal}")
            return Result(True, refusal)
        delay = self._pace(record, now)
        if delay:
            self._release(record, attempt)
            self.requeue(message, delay)
            return Result(True, f"paced: delayed {delay} s")
        if self.mode != "live":
            self._finish(record, attempt, "sent", dry_run=True, platform_message_id=f"dry-run-{record['id']}")
            return Result(True, "sent (dry run)")
        return self._send(record, attempt, message, receive_count)

    # --- the state machine -----------------------------------------------------------------

    def _claim(self, record: dict[str, Any], attempt: str, now: datetime) -> bool:
        return _conditional(
            clients.dynamodb().update_item,
            TableName=self.state.table,
            Key=to_dynamodb({"pk": record["pk"], "sk": "WORK"}),
            UpdateExpression="SET #s = :sending, attempt_id = :a, attempt_started_at = :t",
            # Or this very attempt already holds it: botocore retried a claim that had landed.
            ConditionExpression="#s = :approved OR (#s = :sending AND attempt_id = :a)",
            ExpressionAttributeNames={"#s": "state"},
            ExpressionAttributeValues=to_dynamodb(
                {":sending": "sending", ":approved": "approved", ":a": attempt, ":t": now.isoformat()}
            ),
        )

    def _claimed_elsewhere(self, record: dict[str, Any], now: datetime) -> Result:
        current = self.state.get(record["pk"], "WORK") or record
        if current["state"] != "sending":
            return Result(current["state"] in FINAL, f"state {current['state']}")
        started = datetime.fromisoformat(current["attempt_started_at"])
        if now - started < LEASE:
            return Result(False, "another attempt is in progress")
        self._finish(
            current,
            current["attempt_id"],
            "failed",
            reason="outcome unknown: an attempt stopped after calling the platform; not sent again",
        )
        return Result(True, "outcome unknown")

    def _finish(self, record: dict[str, Any], attempt: str, state: str, **fields: Any) -> None:
        """Record the outcome, if this attempt still holds the record."""
        values: dict[str, Any] = {"state": state, "finished_at": self.clock().isoformat(), **fields}
        if record.get("kind") == "offer_sample":
            values["gsi1pk"] = f"OFFERS#{state}"  # the ByState index lists offers by state
        names = {f"#{i}": name for i, name in enumerate(values)}
        finished = _conditional(
            clients.dynamodb().update_item,
            TableName=self.state.table,
            Key=to_dynamodb({"pk": record["pk"], "sk": "WORK"}),
            UpdateExpression="SET " + ", ".join(f"#{i} = :{i}" for i in range(len(values))),
            ConditionExpression="attempt_id = :attempt",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_dynamodb({**{f":{i}": v for i, v in enumerate(values.values())}, ":attempt": attempt}),
        )
        if not finished:
            logger.warning("the record changed hands before it could be finished", extra={"pk": record["pk"]})
            return
        if state == "sent":
            self._announce(record, fields)

    def _release(self, record: dict[str, Any], attempt: str) -> None:
        _conditional(  # False only when a retried release had landed already
            clients.dynamodb().update_item,
            TableName=self.state.table,
            Key=to_dynamodb({"pk": record["pk"], "sk": "WORK"}),
            UpdateExpression="SET #s = :approved REMOVE attempt_id, attempt_started_at",
            ConditionExpression="attempt_id = :a",
            ExpressionAttributeNames={"#s": "state"},
            ExpressionAttributeValues=to_dynamodb({":approved": "approved", ":a": attempt}),
        )

    def _announce(self, record: dict[str, Any], fields: dict[str, Any]) -> None:
        """Every completed offer or action, for other systems (shop, CRM, fulfilment), at least
        once: a redelivered message announces what was sent but never announced, and botocore
        may retry a PutEvents that had landed. ``announcement_id`` is the same every time."""
        try:
            self.publish(
                {
                    **{
                        k: v
                        for k, v in {**record, **fields, "state": "sent"}.items()
                        if k not in ("pk", "sk", "gsi1pk", "gsi1sk", "attempt_id", "announced_at")
                    },
                    "announcement_id": announcement_id(record["id"]),
                }
            )
        except Exception:  # the send happened: never undo or repeat it for a notification
            logger.exception("could not publish the completed work to the event bus", extra={"pk": record["pk"]})
            return
        clients.dynamodb().update_item(
            TableName=self.state.table,
            Key=to_dynamodb({"pk": record["pk"], "sk": "WORK"}),
            UpdateExpression="SET announced_at = :t",
            ExpressionAttributeValues=to_dynamodb({":t": self.clock().isoformat()}),
        )

    # --- checks ------------------------------------------------------------------------------

    def _refusal(self, record: dict[str, Any], now: datetime) -> str | None:
        if record["kind"] == "notify":
            return None
        channel = Channel(record["channel"])
        already = False
        if channel is Channel.PRIVATE_REPLY:
            comment = record.get("refs", {}).get("comment_id", "")
            already = not self._mark(f"PRIVATE_REPLY#{record['platform']}#{comment}", record["id"])
        return send_refusal(
            Platform(record["platform"]),
            EventKind(record["event_kind"]),
            channel,
            record.get("message") or "",
            datetime.fromisoformat(record["event_time"]),
            now,
            already_private_replied=already,
            person_wrote_first=record["event_kind"] == "direct_message",
        )

    def _mark(self, key: str, owner: str) -> bool:
        """Once per key, ever; the same owner may re-mark (retries)."""
        return _conditional(
            clients.dynamodb().update_item,
            TableName=self.state.table,
            Key=to_dynamodb({"pk": key, "sk": "MARK"}),
            UpdateExpression="SET #o = :o",
            ConditionExpression="attribute_not_exists(pk) OR #o = :o",
            ExpressionAttributeNames={"#o": "owner"},
            ExpressionAttributeValues=to_dynamodb({":o": owner}),
        )

    def _pace(self, record: dict[str, Any], now: datetime) -> int:
        """0 when within every rate limit (and counted); else seconds to wait."""
        if record["kind"] == "notify":
            return 0
        for window in windows(record["platform"], Channel(record["channel"])):
            bucket = int(now.timestamp()) // window.seconds
            key = f"RATE#{record['platform']}#{record['brand_account']}#{record['channel']}#{window.seconds}#{bucket}"
            counted = _conditional(
                clients.dynamodb().update_item,
                TableName=self.state.table,
                Key=to_dynamodb({"pk": key, "sk": "RATE"}),
                UpdateExpression="ADD #n :one SET expires_at = :e",
                ConditionExpression="attribute_not_exists(#n) OR #n < :limit",
                ExpressionAttributeNames={"#n": "count"},
                ExpressionAttributeValues=to_dynamodb({":one": 1, ":limit": window.limit, ":e": (bucket + 2) * window.seconds}),
            )
            if not counted:
                return max(1, (bucket + 1) * window.seconds - int(now.timestamp()))
        return 0

    # --- sending -----------------------------------------------------------------------------

    def _request(self, record: dict[str, Any]) -> HttpRequest:
        credentials = self.credentials()
        if record["kind"] == "notify":
            body = json.dumps(
                {
                    "type": "goodword.notify",
                    "message": record.get("message"),
                    "text": record.get("text"),
                    "platform": record["platform"],
                    "author_handle": record.get("author_handle"),
                    "event_id": record["event_id"],
                    "rule_id": record["rule_id"],
                }
            ).encode()
            timestamp = str(int(self.clock().timestamp()))
            signature = sign(credentials["notify"]["secret"], record["id"], timestamp, body)
            return HttpRequest(
                "POST",
                record["url"],
                {
                    "content-type": "application/json",
                    "webhook-id": record["id"],
                    "webhook-timestamp": timestamp,
                    "webhook-signature": signature,
                },
                body,
            )
        send = Send(
            record["platform"],
            Channel(record["channel"]),
            record.get("message") or "",
            record["brand_account"],
            record.get("author_id"),
            record["event_kind"],
            dict(record.get("refs") or {}),
        )
        return build(send, credentials[record["platform"]], credentials.get("api_base_urls"))

    def _send(self, record: dict[str, Any], attempt: str, message: dict[str, Any], receive_count: int) -> Result:  # noqa: PLR0911
        try:
            request = self._request(record)
        except (RequestError, KeyError) as exc:
            self._finish(record, attempt, "failed", reason=f"cannot build the request: {exc}")
            return Result(True, str(exc))
        notify = record["kind"] == "notify"
        try:
            response = (self.notify_http if notify else self.http)(request)
            verdict = judge(response, self.clock())
            if notify and verdict.outcome == "failed":  # keep no text of a URL we do not control
                verdict = Verdict("failed", f"the notify URL answered {response.status}" + _redirect_note(response.status))
        except UnsafeDestinationError as exc:
            self._finish(record, attempt, "failed", reason=f"notify URL refused: {exc}")
            return Result(True, "notify URL refused")
        except TransportError as exc:
            if not exc.maybe_sent:
                verdict = Verdict("retry", f"no connection: {exc}")
            else:
                self._finish(record, attempt, "failed", reason=f"outcome unknown: {exc} after sending; not sent again")
                return Result(True, "outcome unknown")
        if verdict.outcome == "sent":
            platform_id = platform_message_id(record["platform"], Channel(record.get("channel") or "reply"), verdict.body)
            self._finish(record, attempt, "sent", platform_message_id=platform_id or "")
            return Result(True, "sent")
        if verdict.outcome == "failed":
            self._finish(record, attempt, "failed", reason=verdict.detail)
            return Result(True, verdict.detail)
        if receive_count >= self.max_receives:
            self._finish(record, attempt, "failed", reason=f"gave up after {receive_count} attempts: {verdict.detail}")
            return Result(False, "gave up")  # also lands in the dead-letter queue
        self._release(record, attempt)
        if verdict.retry_after is not None:
            self.requeue(message, int(min(900, max(1, verdict.retry_after))))
            return Result(True, f"retry in {verdict.retry_after:.0f} s")
        return Result(False, verdict.detail)

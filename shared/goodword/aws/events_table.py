"""Writes events to EventsTable exactly once.

Per event, two writes: the event item, conditional on not existing yet (that condition is
the dedupe), and its raw payload item, which expires through TTL. Both are idempotent, so a
retry after any partial failure completes the delivery. A delivery of many events first
reads which items exist and skips them, then writes the events, then the raw payloads (25 a
request), so that every retry of a delivery too big for one attempt progresses. A
transaction would make the pair atomic but cost twice the write units and a round trip
more; an orphan raw item is invisible and expires, and an event whose raw write failed is
answered 5xx so the platform's retry writes the raw item too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from goodword.aws import clients
from goodword.aws.codec import BATCH_WRITE_ITEMS, batch_get, batch_put, items, key, partition, plain, scan, to_dynamodb
from goodword.aws.writes import conditional, error_code
from goodword.decisions import Decisions
from goodword.event_items import (
    DECISIONS_SK,
    DELIVERY_ATTEMPT,
    EVENT_SK,
    RAW_SK,
    decisions_item,
    event_from_item,
    event_item,
    event_pk,
    raw_item,
    stored_decisions,
)
from goodword.events import EnrichmentState, Event
from goodword.observability import logger
from goodword.ports import StorageUnavailable, StoreResult

# Reused across invocations of a warm container; boto3 clients are thread-safe.
_writers = ThreadPoolExecutor(max_workers=8, thread_name_prefix="events-writer")


@dataclass
class StoredEvent:
    """An event's items as stored: the event, its raw payload (until it expires) and the
    pipeline's decisions (once decided)."""

    event: dict[str, Any]
    raw: dict[str, Any] | None
    decisions: Decisions | None


def _days(since: datetime, until: datetime) -> Iterator[date]:
    day = since.astimezone(UTC).date()
    while day <= until.astimezone(UTC).date():
        yield day
        day += timedelta(days=1)


class EventsTable:
    def __init__(self, table_name: str, raw_retention: timedelta = timedelta(days=30)) -> None:
        self.table_name = table_name
        self.raw_retention = raw_retention

    def save(self, events: Sequence[Event]) -> StoreResult:
        """Store every event not stored before. Raises StorageUnavailable if any write
        failed; the platform's retry then completes the delivery (written ones dedupe)."""
        # Each save marks its writes with an attempt id, so that when botocore retries a write
        # that had landed (its answer lost), the retry is recognised as this delivery's own and
        # answered "stored", not "duplicate": only another delivery's write is a duplicate.
        attempt = uuid.uuid4().hex
        if len(events) == 1:  # the common case: both writes at once, from two threads
            raw_write = _writers.submit(self._put_raw, events[0])
            outcomes = [self._put_event(events[0], attempt)]
            raw_ok = raw_write.result()
        else:
            outcomes, raw_ok = self._save_batch(events, attempt)
        if None in outcomes or not raw_ok:
            raise StorageUnavailable("events could not be stored; retry the delivery")
        stored = sum(1 for outcome in outcomes if outcome)
        return StoreResult(stored=stored, duplicates=len(outcomes) - stored)

    def _save_batch(self, events: Sequence[Event], attempt: str) -> tuple[list[bool | None], bool]:
        """A delivery of many events (X, Meta and LinkedIn batch thousands in one request) is
        written so that each retry of it progresses where the last attempt stopped (a timeout):
        which events and raw payloads exist is read first (100 keys a request) and those are
        skipped; the events are written before the raw payloads, and those 25 a request."""
        try:
            existing = batch_get(
                self.table_name, ((event_pk(e.event_id), sk) for e in events for sk in (EVENT_SK, RAW_SK)), keys_only=True
            )
        except (ClientError, BotoCoreError) as exc:
            logger.warning("could not read which events are stored", extra={"error": type(exc).__name__})
            raise StorageUnavailable("events could not be stored; retry the delivery") from None
        new = [e for e in events if (event_pk(e.event_id), EVENT_SK) not in existing]
        written = dict(zip((id(e) for e in new), _writers.map(self._put_event, new, [attempt] * len(new)), strict=True))
        outcomes = [written.get(id(e), False) for e in events]
        raws = {event_pk(e.event_id): e for e in events if (event_pk(e.event_id), RAW_SK) not in existing}
        chunks = [list(raws.values())[start : start + BATCH_WRITE_ITEMS] for start in range(0, len(raws), BATCH_WRITE_ITEMS)]
        raw_ok = all(_writers.map(self._put_raws, chunks))
        return outcomes, raw_ok

    def _put_event(self, event: Event, attempt: str) -> bool | None:
        """True: stored (by this attempt). False: already stored by another. None: failed."""
        try:
            return conditional(
                "put_item",
                TableName=self.table_name,
                Item=to_dynamodb(event_item(event, attempt)),
                ConditionExpression="attribute_not_exists(pk) OR #a = :a",
                ExpressionAttributeNames={"#a": DELIVERY_ATTEMPT},
                ExpressionAttributeValues={":a": {"S": attempt}},
            )
        except ClientError as exc:
            _log_failure(event, error_code(exc))
        except BotoCoreError as exc:
            _log_failure(event, type(exc).__name__)
        except Exception:  # anything else is still "not stored": answer 5xx so the platform retries
            logger.exception("event write failed", extra={"event_id": event.event_id})
        return None

    def _put_raw(self, event: Event) -> bool:
        try:
            clients.dynamodb().put_item(TableName=self.table_name, Item=to_dynamodb(raw_item(event, self.raw_retention)))
            return True
        except (ClientError, BotoCoreError) as exc:
            _log_failure(event, type(exc).__name__, what="raw payload")
        except Exception:
            logger.exception("raw payload write failed", extra={"event_id": event.event_id})
        return False

    def _put_raws(self, events: list[Event]) -> bool:
        try:
            if batch_put(self.table_name, [raw_item(e, self.raw_retention) for e in events]):
                return True
            _log_failure(events[0], "UnprocessedItems", what="raw payloads")
        except (ClientError, BotoCoreError) as exc:
            _log_failure(events[0], type(exc).__name__, what="raw payloads")
        except Exception:
            logger.exception("raw payload writes failed", extra={"event_id": events[0].event_id})
        return False

    # --- reads (the command) ------------------------------------------------------------

    def since(self, since: datetime, until: datetime | None = None) -> Iterator[dict[str, Any]]:
        """Stored event items received at or after ``since``, oldest first (the ByDay index)."""
        until = until or datetime.now(UTC)
        start = since.astimezone(UTC).isoformat(timespec="milliseconds")
        for day in _days(since, until):
            yield from items(
                "query",
                TableName=self.table_name,
                IndexName="ByDay",
                KeyConditionExpression="gsi1pk = :day AND gsi1sk >= :start",
                ExpressionAttributeValues=to_dynamodb({":day": f"DAY#{day.isoformat()}", ":start": start}),
            )

    def get(self, event_id: str) -> StoredEvent | None:
        found = {i["sk"]: i for i in partition(self.table_name, event_pk(event_id))}
        if EVENT_SK not in found:
            return None
        decided = found.get(DECISIONS_SK)
        return StoredEvent(found[EVENT_SK], found.get(RAW_SK), Decisions.from_item(decided) if decided else None)

    def post_text(self, event_id: str) -> str | None:
        """The event's text alone (the claim page shows the post an offer thanks); None when
        the event is gone (erased) or had none."""
        answer = clients.dynamodb().get_item(
            TableName=self.table_name,
            Key=key(event_pk(event_id), EVENT_SK),
            ProjectionExpression="#t",
            ExpressionAttributeNames={"#t": "text"},
        )
        text = (answer.get("Item") or {}).get("text", {}).get("S")
        return str(text) if text else None

    def stored_event(self, event_id: str) -> tuple[Event, bool] | None:
        """The stored event and whether its rules have run (ports.CompletesEvents)."""
        stored = self.get(event_id)
        return (event_from_item(plain(stored.event)), stored.decisions is not None) if stored else None

    def complete(self, event: Event) -> bool:
        """Write what enrichment found and its state, unless another copy already reached a
        final state (then False). The raw payload stays as received."""
        item = event_item(event)
        values: dict[str, Any] = {":w": EnrichmentState.WAITING.value, ":enrichment": item["enrichment"]}
        names = {"#s": "state"}
        sets, removes = ["enrichment = :enrichment"], []
        for name in ("text", "author", "refs"):
            names[f"#{name}"] = name
            if name in item:
                values[f":{name}"] = item[name]
                sets.append(f"#{name} = :{name}")
            else:
                removes.append(f"#{name}")
        return conditional(
            "update_item",
            TableName=self.table_name,
            Key=to_dynamodb({"pk": event_pk(event.event_id), "sk": EVENT_SK}),
            UpdateExpression="SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else ""),
            ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(enrichment) OR enrichment.#s = :w)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_dynamodb(values),
        )

    def events(self, event_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Event items by event id (those still stored)."""
        return self._by_event(event_ids, EVENT_SK)

    def decisions_for(self, event_ids: Iterable[str]) -> dict[str, Decisions]:
        """The pipeline's decisions by event id (those decided and not expired)."""
        return {e: Decisions.from_item(item) for e, item in self._by_event(event_ids, DECISIONS_SK).items()}

    def _by_event(self, event_ids: Iterable[str], sk: str) -> dict[str, dict[str, Any]]:
        found = batch_get(self.table_name, ((event_pk(e), sk) for e in event_ids))
        return {pk.removeprefix("EVENT#"): plain(item) for (pk, _), item in found.items()}

    # --- erasure (goodword people erase) --------------------------------------------------

    def authored_by(self, platform: str, brand_account: str, author_id: str) -> list[str]:
        """The ids of every stored event by this author (a scan: erasures are rare)."""
        found = scan(
            self.table_name,
            FilterExpression="sk = :event AND platform = :p AND brand_account = :b AND author.id = :a",
            ExpressionAttributeValues=to_dynamodb({":event": EVENT_SK, ":p": platform, ":b": brand_account, ":a": author_id}),
            ProjectionExpression="event_id",
        )
        return sorted(str(i["event_id"]) for i in found)

    def scrub(self, event_id: str, erased_at: str, decided: Decisions | None) -> None:
        """Keep an event as an anonymous count: its author, text, language, references and
        raw payload go; what its rules decided (``decided``, its DECISIONS item as read)
        stays, without the facts they saw."""
        pk = event_pk(event_id)
        clients.dynamodb().update_item(
            TableName=self.table_name,
            Key=to_dynamodb({"pk": pk, "sk": EVENT_SK}),
            UpdateExpression="REMOVE author, #t, lang, refs, delivery_id SET erased_at = :e",
            ExpressionAttributeNames={"#t": "text"},
            ExpressionAttributeValues=to_dynamodb({":e": erased_at}),
        )
        clients.dynamodb().delete_item(TableName=self.table_name, Key=to_dynamodb({"pk": pk, "sk": RAW_SK}))
        if decided is not None:
            item = stored_decisions(event_id, decided.erased(erased_at))
            clients.dynamodb().put_item(TableName=self.table_name, Item=to_dynamodb(item))

    def record_decisions(self, event: Event, decisions: Decisions, retention: timedelta) -> None:
        """Why each rule did or did not act on the event (ports.DecisionLog)."""
        clients.dynamodb().put_item(TableName=self.table_name, Item=to_dynamodb(decisions_item(event, decisions, retention)))


def _log_failure(event: Event, error: str | None, what: str = "event") -> None:
    logger.error(f"{what} write failed", extra={"event_id": event.event_id, "error": error})

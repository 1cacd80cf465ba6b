"""StateTable: person profiles, limit claims, offers and actions. Every limit is a
conditional write, and all the writes of one rule acting go in one transaction: either
the rule acts and every limit is charged, or nothing is written and the decision says which
limit stopped it. Never read-then-write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from goodword.aws import clients
from goodword.aws.events_table import to_dynamodb
from goodword.events import Event
from goodword.pipeline.profiles import MENTION_KINDS, Profile, person_key

_deserializer = TypeDeserializer()


def from_dynamodb(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


@dataclass(frozen=True)
class Write:
    """One conditional write of a claim; ``label`` says what its failed condition means."""

    label: str
    item: dict[str, Any]
    already_done: bool = False  # failing means this very work was recorded before (a retry)


@dataclass(frozen=True)
class ClaimResult:
    ok: bool
    blocked_by: str | None = None  # the label of the first failed condition
    already_done: bool = False


class StateTable:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    # --- profiles ----------------------------------------------------------------------

    def record_event(self, event: Event, positive: bool, now: datetime, seen_days: int = 400) -> Profile | None:
        """Count the event in its author's profile exactly once (retries count nothing) and
        return the profile as it stands after it. None when the event has no author."""
        key = person_key(event)
        if key is None or event.author is None:
            return None
        mention = event.kind in MENTION_KINDS
        names = {
            "#fs": "first_seen",
            "#ls": "last_seen",
            "#fe": "first_event_id",
            "#mc": "mention_count",
            "#pc": "positive_mention_count",
            "#pl": "platform",
            "#ba": "brand_account",
            "#ai": "author_id",
        }
        values: dict[str, Any] = {
            ":t": now.isoformat(),
            ":e": event.event_id,
            ":m": 1 if mention else 0,
            ":p": 1 if mention and positive else 0,
            ":pl": event.platform.value,
            ":ba": event.brand_account,
            ":ai": event.author.id,
        }
        sets = ["#fs = if_not_exists(#fs, :t)", "#ls = :t", "#fe = if_not_exists(#fe, :e)", "#pl = :pl", "#ba = :ba", "#ai = :ai"]
        if mention:
            names["#fm"] = "first_mention_event_id"
            sets.append("#fm = if_not_exists(#fm, :e)")
        if event.author.handle:
            names["#h"], values[":h"] = "handle", event.author.handle
            sets.append("#h = :h")
        if event.author.followers_count is not None:
            names["#fc"], values[":fc"] = "followers_count", event.author.followers_count
            sets.append("#fc = :fc")
        marker = {"pk": key, "sk": f"SEEN#{event.event_id}", "expires_at": int((now + timedelta(days=seen_days)).timestamp())}
        try:
            clients.dynamodb().transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": to_dynamodb(marker),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": to_dynamodb({"pk": key, "sk": "PROFILE"}),
                            "UpdateExpression": "SET " + ", ".join(sets) + " ADD #mc :m, #pc :p",
                            "ExpressionAttributeNames": names,
                            "ExpressionAttributeValues": to_dynamodb(values),
                        }
                    },
                ]
            )
        except ClientError as exc:
            if _cancellation_codes(exc)[:1] != ["ConditionalCheckFailed"]:
                raise  # the stream retries the event
        item = clients.dynamodb().get_item(
            TableName=self.table, Key=to_dynamodb({"pk": key, "sk": "PROFILE"}), ConsistentRead=True
        )["Item"]
        return Profile.from_item(from_dynamodb(item))

    # --- claims ------------------------------------------------------------------------

    def claim(self, writes: Sequence[Write]) -> ClaimResult:
        if not writes:  # a rule with no limits and nothing to record (tags only): nothing to claim
            return ClaimResult(ok=True)
        try:
            items: list[Any] = [w.item for w in writes]
            clients.dynamodb().transact_write_items(TransactItems=items)
            return ClaimResult(ok=True)
        except ClientError as exc:
            codes = _cancellation_codes(exc)
            if not codes:
                raise
            failed = [w for w, code in zip(writes, codes, strict=False) if code == "ConditionalCheckFailed"]
            if not failed:
                raise  # a conflict or throttling: the stream retries
            if any(w.already_done for w in failed):
                return ClaimResult(ok=False, already_done=True)
            return ClaimResult(ok=False, blocked_by=failed[0].label)

    def put(self, label: str, item: dict[str, Any], already_done: bool = True) -> Write:
        return Write(
            label,
            {"Put": {"TableName": self.table, "Item": to_dynamodb(item), "ConditionExpression": "attribute_not_exists(pk)"}},
            already_done,
        )

    def once_per_person(self, person: str, rule_id: str, days: int | None, now: datetime) -> Write:
        item: dict[str, Any] = {"pk": person, "sk": f"RULE#{rule_id}", "at": now.isoformat()}
        condition = "attribute_not_exists(pk)"
        values: dict[str, Any] = {}
        if days is not None:
            item["expires_at"] = int((now + timedelta(days=days)).timestamp())
            condition += " OR expires_at < :now"  # TTL deletes lazily: the condition decides
            values[":now"] = int(now.timestamp())
        put: dict[str, Any] = {"TableName": self.table, "Item": to_dynamodb(item), "ConditionExpression": condition}
        if values:
            put["ExpressionAttributeValues"] = to_dynamodb(values)
        label = "once per person" + (f" per {days} days" if days else "") + f": {rule_id} already acted for this person"
        return Write(label, {"Put": put})

    def cooldown(self, person: str, days: int, now: datetime) -> Write:
        until = int((now + timedelta(days=days)).timestamp())
        return Write(
            f"cooldown: this person had automated contact within {days} days",
            {
                "Put": {
                    "TableName": self.table,
                    "Item": to_dynamodb({"pk": person, "sk": "COOLDOWN", "until": until, "expires_at": until}),
                    "ConditionExpression": "attribute_not_exists(pk) OR #u <= :now",
                    "ExpressionAttributeNames": {"#u": "until"},
                    "ExpressionAttributeValues": to_dynamodb({":now": int(now.timestamp())}),
                }
            },
        )

    def cap(self, rule_id: str, period: str, cap: int, label: str) -> Write:
        return Write(
            f"{label} cap of {cap} reached",
            {
                "Update": {
                    "TableName": self.table,
                    "Key": to_dynamodb({"pk": f"CAP#{rule_id}", "sk": period}),
                    "UpdateExpression": "ADD #n :one",
                    "ConditionExpression": "attribute_not_exists(#n) OR #n < :cap",
                    "ExpressionAttributeNames": {"#n": "count"},
                    "ExpressionAttributeValues": to_dynamodb({":one": 1, ":cap": cap}),
                }
            },
        )

    def contact(self, person: str, now: datetime, offer: bool) -> Write:
        expression = "SET last_contact_at = :t" + (" ADD offers_received :one" if offer else "")
        values: dict[str, Any] = {":t": now.isoformat(), **({":one": 1} if offer else {})}
        return Write(
            "profile",
            {
                "Update": {
                    "TableName": self.table,
                    "Key": to_dynamodb({"pk": person, "sk": "PROFILE"}),
                    "UpdateExpression": expression,
                    "ExpressionAttributeValues": to_dynamodb(values),
                }
            },
        )

    def tag(self, person: str, label: str) -> None:
        clients.dynamodb().update_item(
            TableName=self.table,
            Key=to_dynamodb({"pk": person, "sk": "PROFILE"}),
            UpdateExpression="ADD tags :t",
            ExpressionAttributeValues={":t": {"SS": [label]}},
        )

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item = (
            clients.dynamodb()
            .get_item(TableName=self.table, Key=to_dynamodb({"pk": pk, "sk": sk}), ConsistentRead=True)
            .get("Item")
        )
        return from_dynamodb(item) if item else None

    def mark_queued(self, pk: str, now: datetime) -> None:
        clients.dynamodb().update_item(
            TableName=self.table,
            Key=to_dynamodb({"pk": pk, "sk": "WORK"}),
            UpdateExpression="SET queued_at = :t",
            ExpressionAttributeValues=to_dynamodb({":t": now.isoformat()}),
        )


def _cancellation_codes(exc: ClientError) -> list[str]:
    if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return []
    reasons = exc.response.get("CancellationReasons") or []
    if not reasons:  # some SDKs only put them in the message: "[ConditionalCheckFailed, None]"
        message = exc.response.get("Error", {}).get("Message", "")
        if "[" in message:
            return [part.strip() for part in message[message.index("[") + 1 : message.rindex("]")].split(",")]
    return [r.get("Code", "None") for r in reasons]

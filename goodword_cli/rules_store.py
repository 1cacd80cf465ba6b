"""The rules as stored in RulesTable, with versions and a history.

    pk = RULE,              sk = <rule id>      {"definition", "version", "updated_at", "updated_by", "source"}
    pk = HISTORY#<rule id>, sk = V#<version>    the same, for every version ever written, plus "change"

The pipeline reads only pk = RULE. Every write is one transaction: the rule item on the
condition that its version is still the one the writer saw (optimistic concurrency), and the
history item of the new version. Two writers that saw the same version cannot both win."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from goodword.aws import clients
from goodword.aws.events_table import to_dynamodb
from goodword.aws.rules_table import plain
from goodword.aws.state_table import from_dynamodb


class ConflictError(RuntimeError):
    """The rule changed since the writer read it."""


@dataclass(frozen=True)
class StoredRule:
    rule_id: str
    version: int
    definition: dict[str, Any]
    updated_at: str | None = None
    updated_by: str | None = None
    source: str | None = None
    change: str | None = None  # history entries: push, enable, disable, rollback to N

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> StoredRule:
        item = plain(item)
        definition = item.get("definition") or {}
        return cls(
            rule_id=str(definition.get("id") or item["sk"]),
            version=int(item.get("version", 1)),
            definition=definition,
            updated_at=item.get("updated_at"),
            updated_by=item.get("updated_by"),
            source=item.get("source"),
            change=item.get("change"),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.rule_id,
            "version": self.version,
            "enabled": self.definition.get("enabled", True),
            "name": self.definition.get("name"),
            "updated_at": self.updated_at,
            "updated_by": self.updated_by,
            "source": self.source,
            **({"change": self.change} if self.change else {}),
        }


def who() -> str:
    """Who is writing: the AWS identity when there is one, and the local user name."""
    user = getpass.getuser()
    try:
        arn = clients.sts().get_caller_identity()["Arn"]
    except (BotoCoreError, ClientError, KeyError):
        return user
    return f"{arn} ({user})"


class RulesStore:
    def __init__(self, table: str) -> None:
        self.table = table

    def _query(self, pk: str) -> list[dict[str, Any]]:
        paginator = clients.dynamodb().get_paginator("query")
        items: list[dict[str, Any]] = []
        for page in paginator.paginate(
            TableName=self.table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
            ConsistentRead=True,
        ):
            items.extend(from_dynamodb(i) for i in page.get("Items", []))
        return items

    def all(self) -> list[StoredRule]:
        return sorted((StoredRule.from_item(i) for i in self._query("RULE")), key=lambda r: r.rule_id)

    def get(self, rule_id: str) -> StoredRule | None:
        item = clients.dynamodb().get_item(
            TableName=self.table, Key=to_dynamodb({"pk": "RULE", "sk": rule_id}), ConsistentRead=True
        )
        return StoredRule.from_item(from_dynamodb(item["Item"])) if "Item" in item else None

    def history(self, rule_id: str) -> list[StoredRule]:
        return sorted((StoredRule.from_item(i) for i in self._query(f"HISTORY#{rule_id}")), key=lambda r: r.version)

    def write(
        self,
        rule_id: str,
        definition: dict[str, Any],
        expected_version: int | None,
        change: str,
        source: str,
        author: str,
        now: datetime | None = None,
    ) -> StoredRule:
        """Store the next version; ``expected_version`` None means the rule must not exist yet.
        Raises ConflictError when the live version is not the expected one."""
        version = (expected_version or 0) + 1
        at = (now or datetime.now(UTC)).isoformat(timespec="seconds")
        fields = {"definition": definition, "version": version, "updated_at": at, "updated_by": author, "source": source}
        if expected_version is None:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            condition = {
                "ConditionExpression": "#v = :expected",
                "ExpressionAttributeNames": {"#v": "version"},
                "ExpressionAttributeValues": to_dynamodb({":expected": expected_version}),
            }
        history = {"pk": f"HISTORY#{rule_id}", "sk": f"V#{version:08d}", **fields, "change": change}
        try:
            items: list[Any] = [
                {"Put": {"TableName": self.table, "Item": to_dynamodb({"pk": "RULE", "sk": rule_id, **fields}), **condition}},
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": to_dynamodb(history),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
            clients.dynamodb().transact_write_items(TransactItems=items)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            live = self.get(rule_id)
            if live is None:
                raise ConflictError(f"{rule_id} was deleted since version {expected_version} was read") from None
            if expected_version is None:
                raise ConflictError(f"{rule_id} was created by {live.updated_by} at {live.updated_at} meanwhile") from None
            raise ConflictError(
                f"{rule_id} is at version {live.version} (changed by {live.updated_by} at {live.updated_at}), "
                f"not version {expected_version}"
            ) from None
        return StoredRule(rule_id, version, definition, at, author, source, change)

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
from goodword.aws.codec import from_dynamodb, items, key, plain, to_dynamodb


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
        return list(
            items(
                "query",
                TableName=self.table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": pk}},
                ConsistentRead=True,
            )
        )

    def all(self) -> list[StoredRule]:
        return sorted((StoredRule.from_item(i) for i in self._query("RULE")), key=lambda r: r.rule_id)

    def get(self, rule_id: str) -> StoredRule | None:
        item = clients.dynamodb().get_item(TableName=self.table, Key=key("RULE", rule_id), ConsistentRead=True)
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
            writes: list[Any] = [
                {"Put": {"TableName": self.table, "Item": to_dynamodb({"pk": "RULE", "sk": rule_id, **fields}), **condition}},
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": to_dynamodb(history),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
            clients.dynamodb().transact_write_items(TransactItems=writes)
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


# --- the brand's settings and accounts, versioned like rules ------------------------------
#
#    pk = SETTINGS,         sk = GLOBAL                         {"definition", "version", ...}
#    pk = SETTINGS,         sk = ACCOUNT#<platform>#<id>         {"platform", "account_id", "handle", "version", ...}
#    pk = SETTINGS_HISTORY, sk = <the live sk>#V#<version>       every version, plus "change"
#
# The pipeline reads pk = SETTINGS (rules_table.RulesLoader). A removed account leaves its
# history, with a last entry whose change is "remove".

SETTINGS_PK = "SETTINGS"
SETTINGS_HISTORY_PK = "SETTINGS_HISTORY"
GLOBAL_SK = "GLOBAL"


def account_sk(platform: str, account_id: str) -> str:
    return f"ACCOUNT#{platform}#{account_id}"


@dataclass(frozen=True)
class StoredSetting:
    """The settings, or one brand account, as stored."""

    sk: str
    version: int
    values: dict[str, Any]  # the settings' definition, or the account's fields
    updated_at: str | None = None
    updated_by: str | None = None
    change: str | None = None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> StoredSetting:
        item = plain(item)
        values = (
            item.get("definition") if item["sk"] == GLOBAL_SK else {k: item.get(k) for k in ("platform", "account_id", "handle")}
        )
        sk = str(item["sk"]).split("#V#")[0]
        return cls(
            sk, int(item.get("version", 0)), values or {}, item.get("updated_at"), item.get("updated_by"), item.get("change")
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "updated_at": self.updated_at,
            "updated_by": self.updated_by,
            **({"change": self.change} if self.change else {}),
        }


class SettingsStore:
    def __init__(self, table: str) -> None:
        self.table = table

    def get(self, sk: str) -> StoredSetting | None:
        item = clients.dynamodb().get_item(TableName=self.table, Key=key(SETTINGS_PK, sk), ConsistentRead=True)
        return StoredSetting.from_item(from_dynamodb(item["Item"])) if "Item" in item else None

    def accounts(self) -> list[StoredSetting]:
        found = items(
            "query",
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :account)",
            ExpressionAttributeValues={":pk": {"S": SETTINGS_PK}, ":account": {"S": "ACCOUNT#"}},
            ConsistentRead=True,
        )
        return sorted((StoredSetting.from_item(i) for i in found), key=lambda s: s.sk)

    def history(self, sk: str) -> list[StoredSetting]:
        found = items(
            "query",
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :sk)",
            ExpressionAttributeValues={":pk": {"S": SETTINGS_HISTORY_PK}, ":sk": {"S": f"{sk}#V#"}},
            ConsistentRead=True,
        )
        return sorted((StoredSetting.from_item(i) for i in found), key=lambda s: s.version)

    def write(
        self, sk: str, values: dict[str, Any] | None, expected_version: int | None, change: str, author: str
    ) -> StoredSetting:
        """The next version of the settings (sk GLOBAL) or of an account; ``values`` None
        removes the account. ``expected_version`` None: it must not exist (or carries no
        version yet: settings written before they were versioned). Raises ConflictError."""
        version = (expected_version or 0) + 1
        at = datetime.now(UTC).isoformat(timespec="seconds")
        stamp = {"version": version, "updated_at": at, "updated_by": author}
        body = {"definition": values} if sk == GLOBAL_SK else dict(values or {})
        if expected_version is None:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk) OR attribute_not_exists(#v)"}
            condition["ExpressionAttributeNames"] = {"#v": "version"}
        else:
            condition = {
                "ConditionExpression": "#v = :expected",
                "ExpressionAttributeNames": {"#v": "version"},
                "ExpressionAttributeValues": to_dynamodb({":expected": expected_version}),
            }
        live_write: dict[str, Any]
        if values is None:
            live_write = {"Delete": {"TableName": self.table, "Key": key(SETTINGS_PK, sk), **condition}}
        else:
            live_write = {
                "Put": {"TableName": self.table, "Item": to_dynamodb({"pk": SETTINGS_PK, "sk": sk, **body, **stamp}), **condition}
            }
        history = {"pk": SETTINGS_HISTORY_PK, "sk": f"{sk}#V#{version:08d}", **body, **stamp, "change": change}
        writes: list[Any] = [
            live_write,
            {"Put": {"TableName": self.table, "Item": to_dynamodb(history), "ConditionExpression": "attribute_not_exists(pk)"}},
        ]
        try:
            clients.dynamodb().transact_write_items(TransactItems=writes)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            raise ConflictError(f"{sk} changed since version {expected_version} was read; read it again") from None
        return StoredSetting(sk, version, dict(values or {}), at, author, change)

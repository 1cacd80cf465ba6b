"""RulesTable's one writer: the rules, the brand's settings and accounts (each with versions
and a history), and the judge's adapter. The pipeline only reads the table
(rules_table.RulesLoader).

    pk = RULE,              sk = <rule id>      {"definition", "version", "updated_at", "updated_by", "source"}
    pk = HISTORY#<rule id>, sk = V#<version>    the same, for every version ever written, plus "change"

The pipeline reads only pk = RULE. Every write is one transaction (writes.versioned_write):
the rule item on the condition that its version is still the one the writer saw (optimistic
concurrency), and the history item of the new version. Two writers that saw the same version
cannot both win. The settings' layout is below, with SettingsStore."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from goodword.aws import clients
from goodword.aws.codec import from_dynamodb, key, partition, plain, to_dynamodb
from goodword.aws.rules_table import ADAPTER_SK
from goodword.aws.writes import versioned_write
from goodword.rule_versions import GLOBAL_SK, ConflictError, StoredRule, StoredSetting
from goodword.sentiment.judge.adapter import Adapter


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

    def all(self) -> list[StoredRule]:
        return sorted((StoredRule.from_item(plain(i)) for i in partition(self.table, "RULE")), key=lambda r: r.rule_id)

    def get(self, rule_id: str) -> StoredRule | None:
        item = clients.dynamodb().get_item(TableName=self.table, Key=key("RULE", rule_id), ConsistentRead=True)
        return StoredRule.from_item(plain(from_dynamodb(item["Item"]))) if "Item" in item else None

    def history(self, rule_id: str) -> list[StoredRule]:
        return sorted(
            (StoredRule.from_item(plain(i)) for i in partition(self.table, f"HISTORY#{rule_id}")), key=lambda r: r.version
        )

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
        history = {"pk": f"HISTORY#{rule_id}", "sk": f"V#{version:08d}", **fields, "change": change}
        if not versioned_write(self.table, {"pk": "RULE", "sk": rule_id, **fields}, history, expected_version):
            live = self.get(rule_id)
            if live is None:
                raise ConflictError(f"{rule_id} was deleted since version {expected_version} was read")
            if expected_version is None:
                raise ConflictError(f"{rule_id} was created by {live.updated_by} at {live.updated_at} meanwhile")
            raise ConflictError(
                f"{rule_id} is at version {live.version} (changed by {live.updated_by} at {live.updated_at}), "
                f"not version {expected_version}"
            )
        return StoredRule(rule_id, version, definition, at, author, source, change)


# --- the brand's settings and accounts, versioned like rules ------------------------------
#
#    pk = SETTINGS,         sk = GLOBAL                         {"definition", "version", ...}
#    pk = SETTINGS,         sk = ACCOUNT#<platform>#<id>         {"platform", "account_id", "handle", "version", ...}
#    pk = SETTINGS_HISTORY, sk = <the live sk>#V#<version>       every version, plus "change"
#
#    pk = SETTINGS,         sk = JUDGEMENT#ADAPTER               {"adapter": <Adapter as JSON text>}, not versioned
#
# The pipeline reads pk = SETTINGS (rules_table.RulesLoader). A removed account leaves its
# history, with a last entry whose change is "remove".

SETTINGS_PK = "SETTINGS"
SETTINGS_HISTORY_PK = "SETTINGS_HISTORY"


class SettingsStore:
    def __init__(self, table: str) -> None:
        self.table = table

    def get(self, sk: str) -> StoredSetting | None:
        found = self._item(sk)
        return StoredSetting.from_item(plain(found)) if found else None

    def accounts(self) -> list[StoredSetting]:
        found = partition(self.table, SETTINGS_PK, "ACCOUNT#")
        return sorted((StoredSetting.from_item(plain(i)) for i in found), key=lambda s: s.sk)

    def history(self, sk: str) -> list[StoredSetting]:
        found = partition(self.table, SETTINGS_HISTORY_PK, f"{sk}#V#")
        return sorted((StoredSetting.from_item(plain(i)) for i in found), key=lambda s: s.version)

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
        history = {"pk": SETTINGS_HISTORY_PK, "sk": f"{sk}#V#{version:08d}", **body, **stamp, "change": change}
        live = {"pk": SETTINGS_PK, "sk": sk, **body, **stamp}
        if not versioned_write(self.table, live, history, expected_version, delete=values is None, unversioned_ok=True):
            raise ConflictError(f"{sk} changed since version {expected_version} was read; read it again")
        return StoredSetting(sk, version, dict(values or {}), at, author, change)

    # --- the judge's adapter: one item, not versioned (a retrain replaces it) ----------

    def save_adapter(self, adapter: Adapter) -> None:
        item = {"pk": SETTINGS_PK, "sk": ADAPTER_SK, "adapter": adapter.model_dump_json()}
        clients.dynamodb().put_item(TableName=self.table, Item=to_dynamodb(item))

    def live_adapter(self) -> Adapter | None:
        found = self._item(ADAPTER_SK)
        return Adapter.model_validate_json(str(found["adapter"])) if found else None

    def _item(self, sk: str) -> dict[str, Any] | None:
        answer = clients.dynamodb().get_item(TableName=self.table, Key=key(SETTINGS_PK, sk), ConsistentRead=True)
        return from_dynamodb(answer["Item"]) if "Item" in answer else None

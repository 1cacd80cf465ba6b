"""What RulesTable keeps of the rules and the brand's settings and accounts, as the commands
read them: each version with who wrote it and when (``StoredRule``, ``StoredSetting``), the
settings' sort keys, and the error of a write that lost to another (``ConflictError``).
Written and read by the data layer's one writer (``goodword.aws.rules_store``); plain
records, so the commands use them without importing the data layer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


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
        """From a stored item, its values plain (the data layer's ``codec.plain``)."""
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
        """From a stored item, its values plain (the data layer's ``codec.plain``)."""
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


class RuleVersions(Protocol):
    """The rules as stored (``rules_store.RulesStore``, from ``Target.rules``), read."""

    def all(self) -> list[StoredRule]: ...

    def get(self, rule_id: str) -> StoredRule | None: ...

    def history(self, rule_id: str) -> list[StoredRule]: ...


class SettingVersions(Protocol):
    """The settings and accounts as stored (``rules_store.SettingsStore``, from ``Target.settings``), read."""

    def get(self, sk: str) -> StoredSetting | None: ...

    def accounts(self) -> list[StoredSetting]: ...

    def history(self, sk: str) -> list[StoredSetting]: ...

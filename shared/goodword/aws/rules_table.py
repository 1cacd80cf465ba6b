"""Loads settings and rules from RulesTable (written only by rules_store.py), validates and compiles them, and keeps the
result for a few minutes so a batch neither re-reads nor re-parses them. An invalid rule is
logged and counted with its id and reason, and skipped; the others still run.

    pk = SETTINGS, sk = GLOBAL                       {"definition": <Settings>}
    pk = SETTINGS, sk = ACCOUNT#<platform>#<id>      {"platform", "account_id", "handle"}
    pk = SETTINGS, sk = JUDGEMENT#ADAPTER            {"adapter": <Adapter as JSON text>}
    pk = RULE,     sk = <rule id>                    {"definition": <Rule>, "version": N}
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import ValidationError

from goodword.aws import clients
from goodword.aws.codec import from_dynamodb, key, partition, plain
from goodword.observability import logger, metrics
from goodword.rules.engine import RuleBook, compile_rules
from goodword.rules.model import BrandAccount, Rule, Settings
from goodword.rules.policy_check import policy_problems
from goodword.sentiment.judge.adapter import Adapter
from goodword.validation import describe_validation_error

ADAPTER_SK = "JUDGEMENT#ADAPTER"


class RulesLoader:
    def __init__(self, table_name: str, max_age_seconds: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.table = table_name
        self.max_age = max_age_seconds
        self.clock = clock
        self._book: RuleBook | None = None
        self._accounts: dict[tuple[str, str], BrandAccount] = {}
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> RuleBook:
        with self._lock:
            if self._book is None or self.clock() - self._loaded_at >= self.max_age:
                self._book = self._load()
                self._loaded_at = self.clock()
            return self._book

    def accounts(self) -> dict[tuple[str, str], BrandAccount]:
        """The brand accounts by (platform, account id), as last loaded."""
        self()
        return dict(self._accounts)

    def account(self, platform: str, account_id: str) -> BrandAccount | None:
        self()
        return self._accounts.get((platform, account_id))

    def _load(self) -> RuleBook:
        settings_items = partition(self.table, "SETTINGS")
        settings = Settings()
        accounts: dict[tuple[str, str], BrandAccount] = {}
        adapter: Adapter | None = None
        for item in settings_items:
            try:
                if item["sk"] == ADAPTER_SK:
                    adapter = Adapter.model_validate_json(str(item.get("adapter", "")))
                elif item["sk"] == "GLOBAL":
                    settings = Settings.model_validate(plain(item.get("definition", {})))
                elif item["sk"].startswith("ACCOUNT#"):
                    account = BrandAccount.model_validate({k: plain(item.get(k)) for k in ("platform", "account_id", "handle")})
                    accounts[(account.platform.value, account.account_id)] = account
            except ValidationError as exc:
                logger.error(
                    "invalid settings item; using defaults for it",
                    extra={"sk": item["sk"], "reason": describe_validation_error(exc)},
                )
                metrics.add_metric("InvalidSettings", MetricUnit.Count, 1)
        terms = [*settings.brand_names, *(a.handle for a in accounts.values() if a.handle)]
        settings = settings.model_copy(
            update={
                "sentiment": settings.sentiment.model_copy(
                    update={"brand_terms": tuple(dict.fromkeys([*settings.sentiment.brand_terms, *terms]))}
                )
            }
        )
        rules, invalid = [], []
        for item in partition(self.table, "RULE"):
            rule_id = str(item.get("sk"))
            try:
                rule = Rule.model_validate(plain(item.get("definition")))
                if rule.id != rule_id:
                    raise ValueError(f"definition id {rule.id!r} differs from the item's {rule_id!r}")
                if problems := policy_problems(rule):
                    raise ValueError("platform policy: " + "; ".join(problems))
                rules.append((rule, int(item.get("version", 1))))
            except (ValidationError, ValueError) as exc:
                reason = describe_validation_error(exc) if isinstance(exc, ValidationError) else str(exc)
                invalid.append((rule_id, reason))
                logger.error("invalid rule skipped", extra={"rule_id": rule_id, "reason": reason})
                metrics.add_metric("InvalidRules", MetricUnit.Count, 1)
        self._accounts = accounts
        book = compile_rules(settings, rules, invalid, adapter)
        for rule_id, reason in book.invalid[len(invalid) :]:  # valid, yet could not be compiled
            logger.error("invalid rule skipped", extra={"rule_id": rule_id, "reason": reason})
            metrics.add_metric("InvalidRules", MetricUnit.Count, 1)
        return book


class SettingsLoader:
    """The brand's settings alone (the claim page needs no rules): one GetItem, kept for
    ``max_age_seconds``. Invalid settings are logged and counted, and the defaults stand."""

    def __init__(self, table_name: str, max_age_seconds: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.table = table_name
        self.max_age = max_age_seconds
        self.clock = clock
        self._settings: Settings | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> Settings:
        with self._lock:
            if self._settings is None or self.clock() - self._loaded_at >= self.max_age:
                self._settings = self._load()
                self._loaded_at = self.clock()
            return self._settings

    def _load(self) -> Settings:
        answer = clients.dynamodb().get_item(TableName=self.table, Key=key("SETTINGS", "GLOBAL"))
        if "Item" not in answer:
            return Settings()
        try:
            return Settings.model_validate(plain(from_dynamodb(answer["Item"]).get("definition", {})))
        except ValidationError as exc:
            logger.error(
                "invalid settings item; using defaults for it", extra={"sk": "GLOBAL", "reason": describe_validation_error(exc)}
            )
            metrics.add_metric("InvalidSettings", MetricUnit.Count, 1)
            return Settings()

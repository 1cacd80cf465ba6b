"""A rule book given, not loaded: drafts, a subset, or the live rules read once."""

from __future__ import annotations

from dataclasses import dataclass, field

from goodword.rules.engine import RuleBook
from goodword.rules.model import BrandAccount


@dataclass
class FixedRules:
    book: RuleBook
    known_accounts: dict[tuple[str, str], BrandAccount] = field(default_factory=dict)

    def __call__(self) -> RuleBook:
        return self.book

    def accounts(self) -> dict[tuple[str, str], BrandAccount]:
        return dict(self.known_accounts)

    def account(self, platform: str, account_id: str) -> BrandAccount | None:
        return self.known_accounts.get((platform, account_id))

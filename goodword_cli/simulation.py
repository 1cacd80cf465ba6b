"""The real Pipeline, run on an in-memory state: what `rules backtest` and `rules test` use
so that they decide exactly as the live pipeline does, without writing anything.

`SimulatedState` keeps StateTable's semantics (every limit a condition checked before any
write of the same claim; all or nothing). It starts empty (a backtest asks "what would these
rules have done over these events") or reads through to the live StateTable without ever
writing to it (`rules test`: "what would happen now")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from goodword.aws.actions_queue import ActionsQueue
from goodword.aws.rules_table import RulesLoader
from goodword.aws.state_table import ClaimResult, StateTable, Write
from goodword.events import Event
from goodword.pipeline.profiles import MENTION_KINDS, Profile, person_key
from goodword.rules.engine import RuleBook
from goodword.rules.model import BrandAccount

Reader = Callable[[str, str], dict[str, Any] | None]  # (pk, sk) -> item from the live table


def no_live_state(_pk: str, _sk: str) -> dict[str, Any] | None:
    return None


@dataclass(frozen=True)
class _Check:
    """One conditional write: ``holds`` is its condition, ``apply`` its effect."""

    holds: Callable[[], bool]
    apply: Callable[[], None]


def profile_from_facts(event: Event, facts: dict[str, Any], now: datetime) -> Profile:
    """A profile that gives back the profile facts the live pipeline recorded for the event."""
    earlier = "(an earlier event)"
    days = facts.get("profile.days_since_last_contact")
    return Profile(
        key=person_key(event) or "",
        first_seen=now.isoformat(),
        last_seen=now.isoformat(),
        first_event_id=event.event_id if facts.get("profile.is_new") else earlier,
        first_mention_event_id=event.event_id if facts.get("profile.is_first_mention") else earlier,
        mention_count=int(facts.get("profile.mention_count") or 0),
        positive_mention_count=int(facts.get("profile.positive_mention_count") or 0),
        offers_received=int(facts.get("profile.offers_received") or 0),
        last_contact_at=(now - timedelta(days=float(days))).isoformat() if days is not None else None,
        tags=frozenset(facts.get("profile.tags") or ()),
    )


class SimulatedState(StateTable):
    def __init__(self, read_through: Reader = no_live_state, recorded_profiles: dict[str, dict[str, Any]] | None = None) -> None:
        super().__init__("(simulated)")
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.read_through = read_through
        self.recorded_profiles = recorded_profiles or {}
        self._seen: set[tuple[str, str]] = set()
        self._made: list[tuple[str, str]] = []

    def _item(self, pk: str, sk: str) -> dict[str, Any] | None:
        key = (pk, sk)
        if key not in self.items and key not in self._seen:
            self._seen.add(key)
            live = self.read_through(pk, sk)
            if live is not None:
                self.items[key] = dict(live)
        return self.items.get(key)

    # --- profiles ----------------------------------------------------------------------

    def record_event(self, event: Event, positive: bool, now: datetime, seen_days: int = 400) -> Profile | None:
        key = person_key(event)
        if key is None or event.author is None:
            return None
        if event.event_id in self.recorded_profiles:
            return profile_from_facts(event, self.recorded_profiles[event.event_id], now)
        profile = self._item(key, "PROFILE")
        if self._item(key, f"SEEN#{event.event_id}") is None:
            profile = dict(
                profile or {"pk": key, "sk": "PROFILE", "first_seen": now.isoformat(), "first_event_id": event.event_id}
            )
            profile["last_seen"] = now.isoformat()
            if event.kind in MENTION_KINDS:
                profile.setdefault("first_mention_event_id", event.event_id)
                profile["mention_count"] = int(profile.get("mention_count", 0)) + 1
                profile["positive_mention_count"] = int(profile.get("positive_mention_count", 0)) + (1 if positive else 0)
            self.items[(key, "PROFILE")] = profile
            self.items[(key, f"SEEN#{event.event_id}")] = {"pk": key}
        assert profile is not None  # noqa: S101 (a seen event has a profile)
        return Profile.from_item(profile)

    # --- claims ------------------------------------------------------------------------

    def claim(self, writes: Sequence[Write]) -> ClaimResult:
        checks = [w.item["simulated"] for w in writes]
        failed = [w for w, check in zip(writes, checks, strict=True) if not check.holds()]
        if failed:  # as DynamoDB reports every failed condition of a cancelled transaction
            return (
                ClaimResult(ok=False, already_done=True)
                if any(w.already_done for w in failed)
                else ClaimResult(False, failed[0].label)
            )
        for check in checks:
            check.apply()
        return ClaimResult(ok=True)

    def _write(self, label: str, holds: Callable[[], bool], apply: Callable[[], None], already_done: bool = False) -> Write:
        return Write(label, {"simulated": _Check(holds, apply)}, already_done)

    def put(self, label: str, item: dict[str, Any], already_done: bool = True) -> Write:
        key = (item["pk"], item["sk"])

        def apply() -> None:
            self.items[key] = dict(item)
            self._made.append(key)

        return self._write(label, lambda: self._item(*key) is None, apply, already_done)

    def once_per_person(self, person: str, rule_id: str, days: int | None, now: datetime) -> Write:
        key = (person, f"RULE#{rule_id}")
        marker: dict[str, Any] = {"pk": person, "at": now.isoformat()}
        if days is not None:
            marker["expires_at"] = int((now + timedelta(days=days)).timestamp())

        def holds() -> bool:
            found = self._item(*key)
            return found is None or (days is not None and int(found.get("expires_at", 0)) < int(now.timestamp()))

        label = "once per person" + (f" per {days} days" if days else "") + f": {rule_id} already acted for this person"
        return self._write(label, holds, lambda: self.items.__setitem__(key, marker))

    def cooldown(self, person: str, days: int, now: datetime) -> Write:
        key = (person, "COOLDOWN")
        until = int((now + timedelta(days=days)).timestamp())

        def holds() -> bool:
            found = self._item(*key)
            return found is None or int(found["until"]) <= int(now.timestamp())

        return self._write(
            f"cooldown: this person had automated contact within {days} days",
            holds,
            lambda: self.items.__setitem__(key, {"pk": person, "until": until}),
        )

    def cap(self, rule_id: str, period: str, cap: int, label: str) -> Write:
        key = (f"CAP#{rule_id}", period)

        def holds() -> bool:
            found = self._item(*key)
            return found is None or int(found.get("count", 0)) < cap

        def apply() -> None:
            found = self._item(*key) or {"pk": key[0], "sk": period}
            self.items[key] = {**found, "count": int(found.get("count", 0)) + 1}

        return self._write(f"{label} cap of {cap} reached", holds, apply)

    def contact(self, person: str, now: datetime, offer: bool) -> Write:
        def apply() -> None:
            found = self._item(person, "PROFILE") or {"pk": person, "sk": "PROFILE"}
            self.items[(person, "PROFILE")] = {
                **found,
                "last_contact_at": now.isoformat(),
                "offers_received": int(found.get("offers_received", 0)) + (1 if offer else 0),
            }

        return self._write("profile", lambda: True, apply)

    def tag(self, person: str, label: str) -> None:
        found = self._item(person, "PROFILE") or {"pk": person, "sk": "PROFILE"}
        self.items[(person, "PROFILE")] = {**found, "tags": {*found.get("tags", ()), label}}

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        return self._item(pk, sk)

    def mark_queued(self, pk: str, now: datetime) -> None:
        found = self._item(pk, "WORK")
        if found is not None:
            found["queued_at"] = now.isoformat()

    def work(self) -> list[dict[str, Any]]:
        """The offers and actions the simulation made (not those read from the live table)."""
        return [self.items[key] for key in self._made if key[1] == "WORK"]


class FixedRules(RulesLoader):
    """A rule book given, not loaded (drafts, a subset, or the live rules read once)."""

    def __init__(self, book: RuleBook, accounts: dict[tuple[str, str], BrandAccount]) -> None:
        super().__init__("(given)", 0)
        self.book = book
        self.known_accounts = accounts

    def __call__(self) -> RuleBook:
        return self.book

    def accounts(self) -> dict[tuple[str, str], BrandAccount]:
        return dict(self.known_accounts)

    def account(self, platform: str, account_id: str) -> BrandAccount | None:
        return self.known_accounts.get((platform, account_id))


class CollectingQueue(ActionsQueue):
    def __init__(self) -> None:
        super().__init__("(simulated)")
        self.messages: list[dict[str, Any]] = []

    def send(self, messages: Sequence[dict[str, Any]]) -> None:
        self.messages.extend(messages)

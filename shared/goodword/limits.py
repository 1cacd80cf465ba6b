"""What one rule acting claims, all or nothing: its limits (once per person, the cooldown,
the caps), the work records it makes and the contact it counts. A store checks every
condition and applies every claim in one step, or none and says which limit stopped it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from goodword.work import WorkRecord


@dataclass(frozen=True)
class RecordWork:
    """The record is new; finding it already there means this very work was recorded
    before (a retried event)."""

    record: WorkRecord

    @property
    def label(self) -> str:
        return f"{self.record.kind.value} already recorded"


@dataclass(frozen=True)
class OncePerPerson:
    person: str
    rule_id: str
    days: int | None  # None: forever
    now: datetime

    @property
    def label(self) -> str:
        return (
            "once per person"
            + (f" per {self.days} days" if self.days else "")
            + f": {self.rule_id} already acted for this person"
        )

    @property
    def expires_at(self) -> int | None:
        return int((self.now + timedelta(days=self.days)).timestamp()) if self.days is not None else None


@dataclass(frozen=True)
class Cooldown:
    person: str
    days: int
    now: datetime
    charge: bool = True  # False: only checked (an offer held for review is no contact yet)

    @property
    def label(self) -> str:
        return f"cooldown: this person had automated contact within {self.days} days"

    @property
    def until(self) -> int:
        return int((self.now + timedelta(days=self.days)).timestamp())


@dataclass(frozen=True)
class Cap:
    rule_id: str
    period: str  # DAY#2026-11-30, WEEK#2026-W48 or TOTAL
    cap: int
    name: str  # daily, weekly, total

    @property
    def label(self) -> str:
        return f"{self.name} cap of {self.cap} reached"


@dataclass(frozen=True)
class Contact:
    """Always holds: the profile remembers the contact (and counts an offer)."""

    person: str
    now: datetime
    offer: bool

    @property
    def label(self) -> str:
        return "profile"


Claim = RecordWork | OncePerPerson | Cooldown | Cap | Contact


def approved_contact(person: str, linked: str | None, offer: bool, cooldown_days: int, now: datetime) -> list[Contact | Cooldown]:
    """What a person approving held work charges, with the approval: the identity's contact
    (and offer count), and the person's cooldown (over linked identities, as when a rule acts)."""
    charges: list[Contact | Cooldown] = [Contact(person, now, offer)]
    if cooldown_days:
        charges.append(Cooldown(linked or person, cooldown_days, now))
    return charges


@dataclass(frozen=True)
class ClaimResult:
    ok: bool
    blocked_by: str | None = None  # the label of the first failed condition
    already_done: bool = False


def result_of(claims: list[Claim], failed: list[bool]) -> ClaimResult:
    """The outcome when ``failed[i]`` says whether claim i's condition failed (every failed
    condition is known, as DynamoDB reports them for a cancelled transaction)."""
    failing = [c for c, f in zip(claims, failed, strict=True) if f]
    if not failing:
        return ClaimResult(ok=True)
    if any(isinstance(c, RecordWork) for c in failing):
        return ClaimResult(ok=False, already_done=True)
    return ClaimResult(ok=False, blocked_by=failing[0].label)

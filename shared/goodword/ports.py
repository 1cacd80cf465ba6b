"""What the pipeline, the performer and the commands need from storage and messaging, as
protocols. Two kinds of adapter implement them: DynamoDB/SQS/EventBridge in ``goodword.aws``
(the deployed stack) and plain Python in ``goodword.memory`` (backtests, ``rules test``,
fast tests). ``tests/contract`` runs the same checks against both, so they cannot drift."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # the receiver imports this module: keep its cold start free of the rest
    from goodword.claims.records import ClaimRecord
    from goodword.claims.states import ClaimState
    from goodword.decisions import Decisions
    from goodword.events import Event
    from goodword.limits import Claim, ClaimResult, Contact, Cooldown
    from goodword.people import Profile
    from goodword.rules.engine import RuleBook
    from goodword.rules.model import BrandAccount
    from goodword.work import RejectReason, WorkKind, WorkRecord, WorkState


class StorageUnavailable(Exception):
    """A store could not durably write: the caller must retry (a platform, the stream)."""


class SecretsUnavailable(Exception):
    """Secrets Manager could not be read, or the secret is not valid: retryable."""


class ServiceUnavailable(Exception):
    """An optional service (the second opinion's model) failed or timed out: fall back."""


@dataclass(frozen=True)
class ConverseAnswer:
    text: str
    input_tokens: int
    output_tokens: int


class Converse(Protocol):
    """One question to a language model; raises ServiceUnavailable."""

    def __call__(self, model_id: str, system: str, user: str, max_tokens: int) -> ConverseAnswer: ...


@dataclass(frozen=True)
class StoreResult:
    stored: int
    duplicates: int


class StoreEvents(Protocol):
    """Store every event not stored before (EventsTable.save); raises StorageUnavailable
    if any write failed."""

    def __call__(self, events: Sequence[Event], /) -> StoreResult: ...


class LimitsView(Protocol):
    """Read-only: where a person and a rule stand, without changing anything."""

    def profile(self, person: str) -> Profile | None: ...

    def has_seen(self, person: str, event_id: str) -> bool: ...

    def once_marker(self, person: str, rule_id: str) -> tuple[bool, int | None]:
        """(the rule acted for this person, when that expires: None for forever)."""
        ...

    def cooldown_until(self, person: str) -> int | None: ...

    def cap_count(self, rule_id: str, period: str) -> int: ...

    def get_work(self, key: str) -> WorkRecord | None: ...

    def suppressed(self, identity: str) -> bool:
        """The identity asked to stop and was then erased: its suppression entry (a keyed hash
        of the identity, naming nobody) outlives the profile."""
        ...


class PeopleStore(LimitsView, Protocol):
    def record_event(self, event: Event, positive: bool, now: datetime) -> Profile | None:
        """Count the event in its author's profile exactly once (a retry counts nothing) and
        return the profile as it stands after it; None when the event has no author."""
        ...

    def claim(self, claims: Sequence[Claim]) -> ClaimResult:
        """Every claim's condition holds and all are applied, or none is."""
        ...

    def tag(self, person: str, label: str) -> None: ...

    def opt_out(self, person: str, now: datetime, why: str) -> Profile:
        """Mark the person as not to be contacted (kept if already); the profile after it."""
        ...

    def opt_in(self, person: str) -> bool:
        """Undo an opt-out; False when the person had not opted out."""
        ...

    def link(self, identity: str, person_id: str) -> None:
        """The identity (a profile) belongs to the person: its limits scoped ``person`` are
        the person's from now on, and the identity's once-per-person markers become the
        person's too (so linking never opens a second sample)."""
        ...

    def unlink(self, identity: str) -> bool:
        """The identity stands alone again; False when it was not linked."""
        ...

    def identities(self, person_id: str) -> list[str]: ...

    def overturn_praise(self, person: str, event_id: str) -> bool:
        """A reviewer found the event is not praise: when it was the identity's first praise,
        clear it (conditionally) so the next praise is the first; False when it was not."""
        ...

    def handle_owner(self, platform: str, brand_account: str, handle: str, identity: str) -> str:
        """The identity that first showed this handle (case-insensitive) on this brand account;
        claimed for ``identity`` when none had."""
        ...

    def mentions_since(self, person: str, since: datetime) -> int:
        """Mentions, replies, quotes and comments counted for this identity since ``since``."""
        ...


class WorkStore(Protocol):
    def get_work(self, key: str) -> WorkRecord | None: ...

    def list_work(
        self, states: Iterable[WorkState] | None = None, since: datetime | None = None, kind: WorkKind = ...
    ) -> list[WorkRecord]:
        """Offers (or flags: ``kind``; offers when left out) by state (every state when None), created at or after ``since``,
        newest first."""
        ...

    def mark_queued(self, record: WorkRecord, now: datetime) -> None: ...

    def decide(
        self,
        record: WorkRecord,
        to: WorkState,
        reviewer: str,
        reason: str | None,
        now: datetime,
        *,
        rejected_as: RejectReason | None = None,
        message: str | None = None,
        contact: Sequence[Contact | Cooldown] = (),
    ) -> bool:
        """pending_review -> approved | rejected, if it is still pending; False if not. An
        approval can set the message a person edited, and charges ``contact`` (the profile's
        contact and offer count, the person's cooldown) in the same step: a held offer is no
        contact until a person approves it. Raises TransitionError for a move work.TRANSITIONS
        does not allow."""
        ...

    def start_sending(self, record: WorkRecord, attempt: str, now: datetime) -> bool:
        """approved -> sending for this attempt (or this attempt holds it already)."""
        ...

    def finish(self, record: WorkRecord, attempt: str, to: WorkState, now: datetime, **fields: Any) -> bool:
        """sending -> sent | failed with the outcome's fields, if this attempt still holds it.
        Raises TransitionError for a move work.TRANSITIONS does not allow."""
        ...

    def release(self, record: WorkRecord, attempt: str) -> bool:
        """sending -> approved (a retry later), if this attempt still holds it."""
        ...

    def mark_announced(self, record: WorkRecord, now: datetime) -> None: ...


class SendLimits(Protocol):
    def mark_once(self, mark: str, owner: str) -> bool:
        """Once per mark, ever; the same owner may mark again (retries)."""
        ...

    def count_rate(self, counter: str, limit: int, expires_at: int) -> bool:
        """Count one more against the counter, if it is under the limit."""
        ...


class StateStore(PeopleStore, WorkStore, SendLimits, Protocol):
    """StateTable: people, limits, work records and send counters."""


class ClaimStore(Protocol):
    """ClaimsTable: claims (personal fields encrypted field by field), the repeat-claimer
    hashes and the code pools. Offers themselves stay in the state table."""

    def offer_for_code(self, code: str) -> WorkRecord | None:
        """The offer whose claim code this is (compared in constant time), or None."""
        ...

    def create(self, claim: ClaimRecord, now: datetime) -> bool:
        """Store a new claim and move its offer from offered to claimed, all or nothing.
        False when the offer was already claimed (one claim per offer, whatever the race)."""
        ...

    def get(self, claim_id: str, *, personal: bool = True) -> ClaimRecord | None:
        """The claim; ``personal=False``: without the claimant (nothing decrypted)."""
        ...

    def move(self, claim_id: str, from_state: ClaimState, to: ClaimState, now: datetime, **fields: Any) -> bool:
        """A checked transition, conditional on the claim still being in ``from_state``;
        the offer's ``claim_state`` follows. False when it was not."""
        ...

    def list_claims(
        self, state: ClaimState | None = None, rule_id: str | None = None, limit: int = 100, *, personal: bool = True
    ) -> list[ClaimRecord]:
        """Newest first. ``personal=False``: without the claimant (nothing to decrypt: lists
        and reports that show no name or address)."""
        ...

    def earlier_claims(self, email_hash: str | None, address_hash: str | None, *, personal: bool = False) -> list[ClaimRecord]:
        """Claims made before with the same normalized email or address (repeat claimers),
        oldest first; without their claimant unless ``personal`` (deciding needs only who)."""
        ...

    def add_codes(self, rule_id: str, codes: Sequence[str]) -> int:
        """Upload single-use codes to a rule's pool; returns how many were new."""
        ...

    def take_code(self, rule_id: str, claim_id: str) -> str | None:
        """Hand one unused code to a claim, atomically (never the same code twice; the same
        claim asking again gets the same code). None when the pool is empty."""
        ...

    def codes_left(self, rule_id: str) -> int: ...

    def count_lookup(self, client_hash: str, now: datetime) -> int:
        """Count one claim-code lookup by this client (a keyed hash of its address, never the
        address) in the current minute: how many this minute, this one included."""
        ...

    def claim_ids_for(self, people: Sequence[str]) -> list[str]:
        """The claims made by these identities (goodword people erase; a scan in DynamoDB)."""
        ...

    def erase(self, claim_id: str) -> bool:
        """Delete the claim and its repeat-claimer hashes; the offer keeps its ``claim_state``
        (counts still add up). False when there was no claim."""
        ...

    def erase_addresses(self, retention_days: int, now: datetime) -> int:
        """Erase the address fields of the claims ``claims.retention.address_due`` picks (the
        keyed address hash stays: a repeat claimer is still recognised); how many were erased."""
        ...


class DecisionLog(Protocol):
    def record_decisions(self, event: Event, decisions: Decisions, retention: timedelta) -> None: ...


class WorkQueue(Protocol):
    def send(self, messages: Sequence[dict[str, Any]]) -> None:
        """Raises if any message was not accepted."""
        ...


class Requeue(Protocol):
    def __call__(self, message: dict[str, Any], delay_seconds: int) -> None: ...


class EventBus(Protocol):
    def publish(self, detail: dict[str, Any]) -> None: ...


class RulesSource(Protocol):
    def __call__(self) -> RuleBook: ...

    def account(self, platform: str, account_id: str) -> BrandAccount | None: ...

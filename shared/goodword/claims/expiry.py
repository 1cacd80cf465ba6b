"""Expiry, run on a schedule (functions/expire_offers): what waited too long stops waiting.

- An offer sent but not claimed within its ``claim_within_days`` moves offered -> expired:
  the window the rule had when the offer was made (kept on the offer), or for offers made
  before offers kept it, the rule's window now (14 when the rule no longer exists). The move is conditional on the
  offer still being unclaimed, in the same write, so a fan claiming at that very moment either
  wins (the claim stands, the expiry does nothing) or loses (the page finds the offer
  expired): never both.
- An offer or a flag waiting for review longer than the settings' ``review_expires_after_days``
  moves pending_review -> expired (``work.TRANSITIONS``): nobody decided.
- The address fields of settled claims older than the settings' ``claim_address_retention_days``
  are erased (``claims.retention``, applied by the claim store).
- A claim left ``claimed`` and untouched for ``REQUEUE_AFTER`` is sent to the fulfilment queue
  again: the page stored it but could not queue it (SQS or the bus failed after the claim was
  written; the fan, sending again, only sees it was claimed), or its message was lost.
  Fulfilment is keyed on the claim id, so a claim queued twice is fulfilled once.

Expiry never frees the rule's once-per-person limit: the marker the offer charged stays, so
the same person's next praise is not offered a second sample. Each offer that expires is
published on the bus (``states.transition_detail``: ids only).

The window counts from when the offer was sent (``finished_at``), not when it was made: an
offer that waited two days for review still gives the fan the whole window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from goodword.claims.records import ClaimRecord
from goodword.claims.states import ClaimState, transition_detail
from goodword.ports import EventBus
from goodword.rules.engine import RuleBook
from goodword.work import REVIEWED, WorkKind, WorkRecord, WorkState

DEFAULT_CLAIM_WITHIN_DAYS = 14
SHORTEST_CLAIM_WINDOW_DAYS = 1  # rules.model.OfferSample.claim_within_days' least: no offer is due sooner
EXPIRED_BY = "goodword (expiry)"  # a review item's reviewed_by when nobody decided in time
UNCLAIMED = frozenset({None, ClaimState.OFFERED.value})  # an offer's claim_state before any claim
REQUEUE_AFTER = timedelta(minutes=15)  # a claim still `claimed` this long after its last move was never queued
MAX_REQUEUED_PER_RUN = 1000


def claim_windows(book: RuleBook) -> dict[str, int]:
    """Days each rule's offers may be claimed, by rule id (every rule, enabled or not: its
    offers still expire), for the offers that do not say themselves."""
    windows: dict[str, int] = {}
    for compiled in book.rules:
        for action in compiled.rule.actions:
            if action.offer_sample is not None:
                windows[compiled.rule.id] = action.offer_sample.claim_within_days
    return windows


def sent_at(offer: WorkRecord) -> datetime:
    """When the offer went out (its claim window starts then)."""
    return datetime.fromisoformat(offer.finished_at or offer.created_at)


def claim_deadline(offer: WorkRecord, days: int) -> datetime:
    return sent_at(offer) + timedelta(days=days)


def window_of(offer: WorkRecord, windows: dict[str, int]) -> int:
    """The offer's own window (kept when it was made), else its rule's now, else the default."""
    return offer.claim_within_days or windows.get(offer.rule_id, DEFAULT_CLAIM_WITHIN_DAYS)


def is_unclaimed(offer: WorkRecord) -> bool:
    return offer.is_offer and offer.state is WorkState.SENT and offer.claim_state in UNCLAIMED


def claim_window_closed(offer: WorkRecord, days: int, now: datetime) -> bool:
    """The offer was sent, nobody claimed it, and its window has closed. The claim page asks
    this too (``claims.page.flow.standing``): it refuses such an offer before the schedule's
    next run records the expiry."""
    return is_unclaimed(offer) and now >= claim_deadline(offer, days)


def review_waited_too_long(record: WorkRecord, after_days: int | None, now: datetime) -> bool:
    if after_days is None or record.state is not WorkState.PENDING_REVIEW or record.kind not in REVIEWED:
        return False
    return now >= datetime.fromisoformat(record.created_at) + timedelta(days=after_days)


class ExpiringOffers(Protocol):
    """The state store, as expiry needs it (StateTable; InMemoryState)."""

    def unclaimed_offers(self, made_by: datetime) -> Iterable[WorkRecord]:
        """Sent offers nobody has claimed, made at or before ``made_by`` (an offer is sent
        after it is made, so none made later can be due)."""
        ...

    def expire_offer(self, offer: WorkRecord, now: datetime) -> bool:
        """offered -> expired, conditional on the offer being sent and still unclaimed;
        False when it was not (a claim won the race, or another run expired it)."""
        ...

    def list_work(
        self, states: Iterable[WorkState] | None = None, since: datetime | None = None, kind: WorkKind = ...
    ) -> list[WorkRecord]: ...

    def decide(self, record: WorkRecord, to: WorkState, reviewer: str, reason: str | None, now: datetime) -> bool: ...


class AddressRetention(Protocol):
    """The claim store's retention (ClaimStore.erase_addresses)."""

    def erase_addresses(self, retention_days: int, now: datetime) -> int:
        """Erase the address fields of the settled claims older than the retention; how many."""
        ...


class ClaimsLeftClaimed(Protocol):
    """The claim store, as the re-queue needs it (ClaimStore.list_claims, nothing decrypted)."""

    def list_claims(
        self, state: ClaimState | None = None, rule_id: str | None = None, limit: int = 100, *, personal: bool = True
    ) -> list[ClaimRecord]: ...


def left_claimed(claim: ClaimRecord, now: datetime) -> bool:
    """Stored, never fulfilled, and untouched long enough that its queue message is gone."""
    return claim.state is ClaimState.CLAIMED and datetime.fromisoformat(claim.updated_at) <= now - REQUEUE_AFTER


@dataclass
class ExpiryResult:
    offers_expired: list[str] = field(default_factory=list)
    offers_claimed_meanwhile: int = 0  # due, but a claim (or another run) got there first
    reviews_expired: list[str] = field(default_factory=list)
    addresses_erased: int = 0
    claims_requeued: list[str] = field(default_factory=list)
    publish_failures: int = 0
    requeue_failures: int = 0

    def summary(self) -> dict[str, Any]:
        """Counts and ids only: safe to log."""
        return {
            "offers_expired": len(self.offers_expired),
            "offers_claimed_meanwhile": self.offers_claimed_meanwhile,
            "reviews_expired": len(self.reviews_expired),
            "addresses_erased": self.addresses_erased,
            "claims_requeued": len(self.claims_requeued),
            "publish_failures": self.publish_failures,
            "requeue_failures": self.requeue_failures,
            "offer_ids": self.offers_expired[:50],
        }


class PublishError(RuntimeError):
    """Some expiries could not be published on the bus (they did happen)."""


@dataclass
class Expiry:
    state: ExpiringOffers
    bus: EventBus
    clock: Callable[[], datetime]
    retention: AddressRetention | None = None
    claims: ClaimsLeftClaimed | None = None  # with fulfil: claims left claimed are queued again
    fulfil: Callable[[str], None] | None = None  # sends a claim id to the fulfilment queue

    def run(self, book: RuleBook) -> ExpiryResult:
        now = self.clock()
        result = ExpiryResult()
        self._expire_offers(claim_windows(book), now, result)
        self._expire_reviews(book.settings.review_expires_after_days, now, result)
        if self.retention is not None:
            result.addresses_erased = self.retention.erase_addresses(book.settings.claim_address_retention_days, now)
        self._requeue(now, result)
        return result

    def _requeue(self, now: datetime, result: ExpiryResult) -> None:
        if self.claims is None or self.fulfil is None:
            return
        for claim in self.claims.list_claims(ClaimState.CLAIMED, limit=MAX_REQUEUED_PER_RUN, personal=False):
            if not left_claimed(claim, now):
                continue
            try:
                self.fulfil(claim.id)
            except Exception:  # the next run tries again
                result.requeue_failures += 1
                continue
            result.claims_requeued.append(claim.id)

    def _expire_offers(self, windows: dict[str, int], now: datetime, result: ExpiryResult) -> None:
        for offer in self.state.unclaimed_offers(now - timedelta(days=SHORTEST_CLAIM_WINDOW_DAYS)):
            if not claim_window_closed(offer, window_of(offer, windows), now):
                continue
            if not self.state.expire_offer(offer, now):
                result.offers_claimed_meanwhile += 1
                continue
            result.offers_expired.append(offer.id)
            self._publish(transition_detail(offer.id, offer.rule_id, ClaimState.EXPIRED, now), result)

    def _expire_reviews(self, after_days: int | None, now: datetime, result: ExpiryResult) -> None:
        if after_days is None:
            return
        reason = f"nobody decided within {after_days} days (review_expires_after_days)"
        for kind in (WorkKind.OFFER_SAMPLE, WorkKind.FLAG):
            waiting: Sequence[WorkRecord] = self.state.list_work([WorkState.PENDING_REVIEW], kind=kind)
            for record in waiting:
                if review_waited_too_long(record, after_days, now) and self.state.decide(
                    record, WorkState.EXPIRED, EXPIRED_BY, reason, now
                ):
                    result.reviews_expired.append(record.id)

    def _publish(self, detail: dict[str, Any], result: ExpiryResult) -> None:
        try:
            self.bus.publish(detail)
        except Exception:
            result.publish_failures += 1

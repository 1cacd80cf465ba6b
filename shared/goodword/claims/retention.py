"""How long a claimant's address is kept: ``claim_address_retention_days`` (settings) after the
claim was made, once the claim is settled (the sample was sent, used, or refused). A claim
still open (claimed, held for review, failed and waiting for a retry) keeps its address while
it may still be sent to, but not forever: ``UNSETTLED_GRACE_DAYS`` more, then it goes too (a
claim nobody settled in months is not going to be shipped). The keyed address hash and its
lookup item go with the address (nothing is left to match it by). Pure; the storage adapters
and the scheduled function apply it. Name and email stay (the brand may still answer the
fan); ``people erase`` removes everything."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from goodword.claims.states import ClaimState

SETTLED = frozenset({ClaimState.FULFILLED, ClaimState.REDEEMED, ClaimState.REFUSED})
UNSETTLED_GRACE_DAYS = 30  # an open claim's address is kept this much longer than a settled one's


@dataclass(frozen=True)
class HeldAddress:
    """A claim that still holds an address: only what deciding needs, nothing personal."""

    claim_id: str
    state: ClaimState
    created_at: datetime


def cutoff(retention_days: int, now: datetime) -> datetime:
    """Claims made before this may have their address erased."""
    return now - timedelta(days=retention_days)


def address_due(held: HeldAddress, retention_days: int, now: datetime) -> bool:
    if held.state in SETTLED:
        return held.created_at < cutoff(retention_days, now)
    return held.created_at < cutoff(retention_days + UNSETTLED_GRACE_DAYS, now)


def addresses_due(held: Iterable[HeldAddress], retention_days: int, now: datetime) -> list[str]:
    """The claims whose address fields are to be erased now, oldest first."""
    due = [h for h in held if address_due(h, retention_days, now)]
    return [h.claim_id for h in sorted(due, key=lambda h: (h.created_at, h.claim_id))]

"""What `goodword claims` shows and does, apart from the command line: the rows of the list (no
personal field), and a person marking a claim fulfilled (checked, recorded, published)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from goodword.claims.records import ClaimRecord
from goodword.claims.states import CLAIM_TRANSITIONS, ClaimState, transition_detail
from goodword.ports import EventBus
from goodword.work import WorkRecord

# A claim's fields a list may show: ids, states, rule, times. Never the claimant, the hashes of
# their email and address, or the identity that claimed.
LISTED = (
    "id",
    "state",
    "rule_id",
    "rule_version",
    "platform",
    "fulfilment",
    "created_at",
    "updated_at",
    "fulfilled_at",
    "fulfilled_by",
    "redeemed_at",
    "held_because",
    "fulfilment_attempts",
    "reason",
    "refused_by",
    "similar_to",  # a repeat claimer's earlier claims (ids): for the reviewer
    "address_erased_at",
)
# Where a person may mark a claim fulfilled from (they sent the sample themselves).
BY_HAND = frozenset(s for s in ClaimState if ClaimState.FULFILLED in CLAIM_TRANSITIONS[s])
# Where a person may refuse a claim from (a held repeat claimer, a failed fulfilment).
REFUSABLE = frozenset(s for s in ClaimState if ClaimState.REFUSED in CLAIM_TRANSITIONS[s])


def listed(claim: ClaimRecord) -> dict[str, Any]:
    """A claim as `claims list` prints it: nothing personal."""
    values = claim.model_dump(mode="json")
    return {k: values[k] for k in LISTED if values.get(k) is not None}


def claim_state_of(offer: WorkRecord) -> ClaimState | None:
    """The offer's claim, as its ``claim_state`` mirrors it; None: nobody claimed it."""
    if offer.claim_state in (None, ClaimState.OFFERED.value, ClaimState.EXPIRED.value):
        return None
    return ClaimState(offer.claim_state)


class Moves(Protocol):
    def move(self, claim_id: str, from_state: ClaimState, to: ClaimState, now: datetime, **fields: Any) -> bool: ...


@dataclass(frozen=True)
class Marked:
    done: bool  # False: it was fulfilled already (nothing changed)
    message: str


class NotFulfillableError(ValueError):
    pass


def mark_fulfilled(offer: WorkRecord, claims: Moves, bus: EventBus | None, who: str, now: datetime) -> Marked:
    """held, failed or claimed -> fulfilled by a person: who and when are recorded on the claim,
    and the move is published on the bus (ids only), as the stack's own moves are."""
    state = claim_state_of(offer)
    if state is None:
        why = "it expired unclaimed" if offer.claim_state == ClaimState.EXPIRED.value else "nobody has claimed it"
        raise NotFulfillableError(f"offer {offer.id} has no claim: {why}")
    if state in (ClaimState.FULFILLED, ClaimState.REDEEMED):
        return Marked(False, f"claim {offer.id} is {state.value} already")
    if state not in BY_HAND:
        raise NotFulfillableError(f"claim {offer.id} is {state.value}: it cannot be fulfilled any more")
    if not claims.move(offer.id, state, ClaimState.FULFILLED, now, fulfilled_at=now.isoformat(), fulfilled_by=who):
        raise NotFulfillableError(
            f"claim {offer.id} changed while marking it (or was erased); look again with `goodword claims show`"
        )
    if bus is not None:
        bus.publish(transition_detail(offer.id, offer.rule_id, ClaimState.FULFILLED, now, claim_id=offer.id))
    return Marked(True, f"claim {offer.id}: {state.value} -> fulfilled, by {who}")


def refuse(offer: WorkRecord, claims: Moves, bus: EventBus | None, who: str, now: datetime) -> Marked:
    """held or failed -> refused by a person (a repeat claimer judged the same person, a claim
    that cannot be sent): who is recorded on the claim, and the move is published (ids only).
    Nothing is sent to the fan."""
    state = claim_state_of(offer)
    if state is None:
        why = "it expired unclaimed" if offer.claim_state == ClaimState.EXPIRED.value else "nobody has claimed it"
        raise NotFulfillableError(f"offer {offer.id} has no claim: {why}")
    if state is ClaimState.REFUSED:
        return Marked(False, f"claim {offer.id} is refused already")
    if state not in REFUSABLE:
        raise NotFulfillableError(f"claim {offer.id} is {state.value}: only a held or failed claim can be refused")
    if not claims.move(offer.id, state, ClaimState.REFUSED, now, refused_by=who, reason=f"refused by {who}"):
        raise NotFulfillableError(
            f"claim {offer.id} changed while refusing it (or was erased); look again with `goodword claims show`"
        )
    if bus is not None:
        bus.publish(transition_detail(offer.id, offer.rule_id, ClaimState.REFUSED, now, claim_id=offer.id))
    return Marked(True, f"claim {offer.id}: {state.value} -> refused, by {who}")

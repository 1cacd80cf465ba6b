"""An offer's claim states and the only moves between them.

    offered   -> claimed | expired          (the fan fills the form, or the window closes)
    claimed   -> fulfilled | held | failed  (fulfilment ran; held: a repeat claimer or an
                                             empty code pool, for a person to decide)
    held      -> fulfilled | failed | refused
    failed    -> fulfilled | refused        (fulfilment retried, or given up)
    fulfilled -> redeemed                   (the shop says the sample was used)

``expired``, ``refused`` and ``redeemed`` are final. Expiry never frees the rule's
once-per-person limit. Every move is published to the bus with ``id`` to dedupe on, and
carries no personal data (only ids).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any


class ClaimState(StrEnum):
    OFFERED = "offered"
    CLAIMED = "claimed"
    HELD = "held"
    FULFILLED = "fulfilled"
    FAILED = "failed"
    REFUSED = "refused"
    EXPIRED = "expired"
    REDEEMED = "redeemed"

    @property
    def final(self) -> bool:
        return not CLAIM_TRANSITIONS[self]


CLAIM_TRANSITIONS: dict[ClaimState, frozenset[ClaimState]] = {
    ClaimState.OFFERED: frozenset({ClaimState.CLAIMED, ClaimState.EXPIRED}),
    ClaimState.CLAIMED: frozenset({ClaimState.FULFILLED, ClaimState.HELD, ClaimState.FAILED}),
    ClaimState.HELD: frozenset({ClaimState.FULFILLED, ClaimState.FAILED, ClaimState.REFUSED}),
    ClaimState.FAILED: frozenset({ClaimState.FULFILLED, ClaimState.REFUSED}),
    ClaimState.FULFILLED: frozenset({ClaimState.REDEEMED}),
    ClaimState.REFUSED: frozenset(),
    ClaimState.EXPIRED: frozenset(),
    ClaimState.REDEEMED: frozenset(),
}


class ClaimTransitionError(ValueError):
    pass


def check_claim_transition(current: ClaimState, to: ClaimState) -> None:
    if to not in CLAIM_TRANSITIONS[current]:
        raise ClaimTransitionError(f"an offer's claim cannot go from {current.value} to {to.value}")


def transition_detail(offer_id: str, rule_id: str, to: ClaimState, at: datetime, claim_id: str | None = None) -> dict[str, Any]:
    """What the bus carries for one move: ids only, never a claimant's name, email or address.
    ``id`` is the same for the same move, so a consumer dedupes on it."""
    return {
        "id": f"{offer_id}:{to.value}",
        "kind": "offer_claim",
        "offer_id": offer_id,
        "claim_id": claim_id,
        "rule_id": rule_id,
        "state": to.value,
        "at": at.isoformat(),
    }


NEW_CLAIM_STATES = frozenset({ClaimState.CLAIMED, ClaimState.HELD, ClaimState.REFUSED})


def check_new_claim(state: ClaimState) -> None:
    """A claim is stored as ``claimed`` (offered -> claimed), or straight away as ``held`` (a
    repeat claimer: offered -> claimed -> held in one step), or ``refused`` (a repeat claimer
    when the settings refuse them: stored, so that sending the form again is refused too)."""
    if state not in NEW_CLAIM_STATES:
        raise ClaimTransitionError(f"a new claim is claimed, held or refused, not {state.value}")

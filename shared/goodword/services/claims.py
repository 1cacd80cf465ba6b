"""Claims fans made on the claim page, as a person decides them: the list (ids, states, rule,
times; never the claimant), and marking a claim fulfilled or refusing it, recorded with who
and published on the bus as the stack's own moves are. The command (`goodword claims
list|mark-fulfilled|refuse`) and the console's claims page both call these; nothing here
decrypts (the console's role has no kms:Decrypt: `goodword claims show` reveals the claimant
to someone with the key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from goodword.claims.records import ClaimRecord
from goodword.claims.states import CLAIM_TRANSITIONS, ClaimState, transition_detail
from goodword.services.errors import Conflict, NotFound, Refused
from goodword.services.stores import Stores
from goodword.work import WorkKind, WorkRecord

if TYPE_CHECKING:
    from goodword.aws.claims_table import ClaimsTable

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
# A claim is never in these (they are the offer's, before and instead of a claim).
LISTABLE = [s for s in ClaimState if s not in (ClaimState.OFFERED, ClaimState.EXPIRED)]
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


@dataclass(frozen=True)
class ListedClaim:
    """A claim beside its offer (the product, the person's handle on the platform): what the
    console's claims page shows, with nothing that names or locates the claimant."""

    claim: ClaimRecord
    offer: WorkRecord | None  # None: the offer is gone

    def as_json(self) -> dict[str, Any]:
        offer = self.offer
        return {
            **listed(self.claim),
            "similar_to": self.claim.similar_to or [],
            "product": offer.product if offer else None,
            "handle": offer.author_handle.lstrip("@") if offer and offer.author_handle else None,
        }


@dataclass(frozen=True)
class Moved:
    done: bool  # False: it was there already (nothing changed)
    message: str


def table(stores: Stores) -> ClaimsTable:
    if stores.claims is None:
        raise NotFound("this stack has no claims table (deployed before claims: update the stack)")
    return stores.claims


def list_claims(
    stores: Stores, state: ClaimState | None = None, rule_id: str | None = None, limit: int = 100
) -> list[ClaimRecord]:
    """Claims, newest first, never decrypted."""
    return table(stores).list_claims(state, rule_id, limit, personal=False)


def with_offers(stores: Stores, claims: list[ClaimRecord]) -> list[ListedClaim]:
    """Each claim beside its offer (one batch read of the offers)."""
    offers = {o.id: o for o in stores.state.work_for_keys(c.offer_key for c in claims)} if claims else {}
    return [ListedClaim(c, offers.get(c.id)) for c in claims]


def one(stores: Stores, claim_id: str) -> ListedClaim:
    """One claim as the list shows it (not decrypted)."""
    found = table(stores).get(claim_id, personal=False)
    if found is None:
        raise NotFound(f"no claim {claim_id}")
    return with_offers(stores, [found])[0]


def _claimed_offer(stores: Stores, claim_id: str) -> tuple[WorkRecord, ClaimState]:
    """The offer whose claim this is (a claim's id is its offer's id), and the claim's state."""
    offer = stores.state.find_work(claim_id)
    if offer is None or offer.kind is not WorkKind.OFFER_SAMPLE:
        raise NotFound(f"no claim {claim_id}")
    state = claim_state_of(offer)
    if state is None:
        why = "it expired unclaimed" if offer.claim_state == ClaimState.EXPIRED.value else "nobody has claimed it"
        raise NotFound(f"offer {offer.id} has no claim: {why}")
    return offer, state


def mark_fulfilled(stores: Stores, claim_id: str, who: str, now: datetime) -> Moved:
    """held, failed or claimed -> fulfilled by a person: who and when are recorded on the claim,
    and the move is published on the bus (ids only), as the stack's own moves are."""
    claims = table(stores)
    offer, state = _claimed_offer(stores, claim_id)
    if state in (ClaimState.FULFILLED, ClaimState.REDEEMED):
        return Moved(False, f"claim {offer.id} is {state.value} already")
    if state not in BY_HAND:
        raise Refused(f"claim {offer.id} is {state.value}: it cannot be fulfilled any more")
    if not claims.move(offer.id, state, ClaimState.FULFILLED, now, fulfilled_at=now.isoformat(), fulfilled_by=who):
        raise Conflict(f"claim {offer.id} changed while marking it (or was erased); look again with `goodword claims show`")
    if stores.bus is not None:
        stores.bus.publish(transition_detail(offer.id, offer.rule_id, ClaimState.FULFILLED, now, claim_id=offer.id))
    return Moved(True, f"claim {offer.id}: {state.value} -> fulfilled, by {who}")


def refuse(stores: Stores, claim_id: str, who: str, now: datetime) -> Moved:
    """held or failed -> refused by a person (a repeat claimer judged the same person, a claim
    that cannot be sent): who is recorded on the claim, and the move is published (ids only).
    Nothing is sent to the fan."""
    claims = table(stores)
    offer, state = _claimed_offer(stores, claim_id)
    if state is ClaimState.REFUSED:
        return Moved(False, f"claim {offer.id} is refused already")
    if state not in REFUSABLE:
        raise Refused(f"claim {offer.id} is {state.value}: only a held or failed claim can be refused")
    if not claims.move(offer.id, state, ClaimState.REFUSED, now, refused_by=who, reason=f"refused by {who}"):
        raise Conflict(f"claim {offer.id} changed while refusing it (or was erased); look again with `goodword claims show`")
    if stores.bus is not None:
        stores.bus.publish(transition_detail(offer.id, offer.rule_id, ClaimState.REFUSED, now, claim_id=offer.id))
    return Moved(True, f"claim {offer.id}: {state.value} -> refused, by {who}")

"""The typed claim: what a fan submitted for one offer, and what became of it.

The claimant's personal fields (``Claimant``) are stored encrypted field by field (the
storage adapter's job); everything else in ``ClaimRecord`` is ids, states and times, and is
safe to log or publish. One claim per offer: the claim's id is the offer's id.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from goodword.claims.states import ClaimState, check_new_claim
from goodword.work import WorkKind, work_key

ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "postal_code", "region", "country")


class FulfilmentKind(StrEnum):
    NOTIFY = "notify"  # a signed Standard Webhooks `offer.claimed` request to the brand
    CODE_POOL = "code_pool"  # a single-use code from codes the brand uploaded
    SHOPIFY = "shopify"  # a single-use discount code created through Shopify's Admin API


class Claimant(BaseModel):
    """Personal data: never in a log line, a metric or a bus event."""

    model_config = ConfigDict(frozen=True)

    name: str = ""  # empty for a reward that is a code (the page asks for the email only)
    email: str
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2

    @property
    def has_address(self) -> bool:
        return self.address_line1 is not None


class ClaimRecord(BaseModel):
    """One claim, as stored (personal fields decrypted into ``claimant``)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str  # the offer's id
    offer_key: str  # OFFER#<id> in the state table
    rule_id: str
    rule_version: int
    person: str
    platform: str
    state: ClaimState
    created_at: str
    updated_at: str
    fulfilment: FulfilmentKind = FulfilmentKind.NOTIFY
    claimant: Claimant | None = None  # None once erased
    email_hash: str | None = None  # keyed HMAC of the normalized email (repeat claimers)
    address_hash: str | None = None  # keyed HMAC of the normalized address
    consent_at: str | None = None
    held_because: str | None = None  # e.g. "repeat_claimer", "code_pool_empty"
    # a repeat claimer: the earlier claims (ids only) of other identities with the same email or
    # address, for a reviewer (`goodword people link` if they judge it the same person)
    similar_to: list[str] | None = None
    receipt_hash: str | None = None  # keyed hash of the claimer's receipt cookie (the claim page)
    reward_code: str | None = None  # a code_pool or Shopify code, shown on the confirmation page
    fulfilment_attempts: int = 0
    fulfilled_at: str | None = None
    fulfilled_by: str | None = None  # who marked it fulfilled by hand (goodword claims mark-fulfilled)
    redeemed_at: str | None = None
    reason: str | None = None  # why it failed or was refused
    refused_by: str | None = None  # who refused it by hand (goodword claims refuse)
    address_erased_at: str | None = None  # retention erased the address fields


# What a move may set besides the state (ClaimStore.move): never the claimant, the hashes or ids.
MOVE_FIELDS = frozenset(
    {"held_because", "reward_code", "fulfilment_attempts", "fulfilled_at", "fulfilled_by", "redeemed_at", "reason", "refused_by"}
)


def check_move_fields(fields: dict[str, object]) -> None:
    unknown = set(fields) - MOVE_FIELDS
    if unknown:
        raise ValueError(f"a claim's move cannot set {', '.join(sorted(unknown))}")


def offer_key_of(claim_id: str) -> str:
    """A claim's id is its offer's id: the offer's key in the state table."""
    return work_key(WorkKind.OFFER_SAMPLE, claim_id)


def check_new_record(claim: ClaimRecord) -> None:
    """What ClaimStore.create stores: claimed or held, for the offer its id names."""
    check_new_claim(claim.state)
    if claim.offer_key != offer_key_of(claim.id):
        raise ValueError("a claim's id is its offer's id")


def has_address(claim: ClaimRecord) -> bool:
    return claim.claimant is not None and any(getattr(claim.claimant, f) for f in ADDRESS_FIELDS)


MAX_CODE_LENGTH = 256  # a reward code (code pools): a discount code is far shorter


def check_codes(codes: Sequence[str]) -> None:
    """Codes for a pool: each non-empty, without surrounding spaces, at most MAX_CODE_LENGTH."""
    for code in codes:
        if not code or code != code.strip() or len(code) > MAX_CODE_LENGTH:
            raise ValueError(f"a code must be 1 to {MAX_CODE_LENGTH} characters without surrounding spaces")

"""claim_address_retention_days: a settled claim's address is erased once the claim is older
than the retention; an open claim keeps it 30 days more (the sample may still go there)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from goodword.claims.retention import HeldAddress, address_due, addresses_due
from goodword.claims.states import ClaimState
from goodword.rules.model import Settings

NOW = datetime(2026, 12, 4, tzinfo=UTC)


def held(claim_id: str, state: ClaimState, days_old: float) -> HeldAddress:
    return HeldAddress(claim_id, state, NOW - timedelta(days=days_old))


@pytest.mark.parametrize(
    ("state", "due"),
    [
        (ClaimState.FULFILLED, True),
        (ClaimState.REDEEMED, True),
        (ClaimState.REFUSED, True),
        (ClaimState.CLAIMED, False),
        (ClaimState.HELD, False),
        (ClaimState.FAILED, False),
    ],
)
def test_settled_claims_lose_their_address_first(state: ClaimState, due: bool) -> None:
    assert address_due(held("c", state, 91), 90, NOW) is due
    assert address_due(held("c", state, 121), 90, NOW) is True  # an open claim too, 30 days later
    assert address_due(held("c", state, 119), 90, NOW) is due


def test_the_retention_counts_from_the_claim() -> None:
    claims = [
        held("young", ClaimState.FULFILLED, 89.9),
        held("old", ClaimState.FULFILLED, 200),
        held("just", ClaimState.REDEEMED, 90.1),
        held("open", ClaimState.HELD, 100),
    ]
    assert addresses_due(claims, 90, NOW) == ["old", "just"]
    assert addresses_due(claims, 1, NOW) == ["old", "open", "just", "young"]


def test_the_setting_has_a_default_and_bounds() -> None:
    assert Settings().claim_address_retention_days == 90
    assert Settings.model_validate({"claim_address_retention_days": 30}).claim_address_retention_days == 30
    for wrong in (0, -1, 3651, "soon"):
        with pytest.raises(ValidationError, match="claim_address_retention_days"):
            Settings.model_validate({"claim_address_retention_days": wrong})

"""An offer's claim states: only the documented moves are allowed, and a bus event carries ids only."""

from __future__ import annotations

import string
from datetime import UTC, datetime

import pytest

from goodword.claims.states import CLAIM_TRANSITIONS, ClaimState, ClaimTransitionError, check_claim_transition, transition_detail
from goodword.work import claim_code


def test_a_claim_can_only_move_along_the_documented_paths() -> None:
    check_claim_transition(ClaimState.OFFERED, ClaimState.CLAIMED)
    check_claim_transition(ClaimState.FULFILLED, ClaimState.REDEEMED)
    with pytest.raises(ClaimTransitionError, match="from expired to claimed"):
        check_claim_transition(ClaimState.EXPIRED, ClaimState.CLAIMED)
    with pytest.raises(ClaimTransitionError):
        check_claim_transition(ClaimState.OFFERED, ClaimState.FULFILLED)  # never fulfilled unclaimed


def test_expired_refused_and_redeemed_are_final() -> None:
    assert {s for s in ClaimState if s.final} == {ClaimState.EXPIRED, ClaimState.REFUSED, ClaimState.REDEEMED}
    assert set(CLAIM_TRANSITIONS) == set(ClaimState)


def test_a_bus_event_names_the_move_once_and_holds_no_personal_field() -> None:
    at = datetime(2026, 12, 4, tzinfo=UTC)
    detail = transition_detail("o1", "first-praise", ClaimState.CLAIMED, at, claim_id="o1")
    assert detail["id"] == transition_detail("o1", "first-praise", ClaimState.CLAIMED, at, claim_id="o1")["id"]
    assert detail["id"] != transition_detail("o1", "first-praise", ClaimState.FULFILLED, at)["id"]
    assert set(detail) == {"id", "kind", "offer_id", "claim_id", "rule_id", "state", "at"}


def test_new_claim_codes_carry_128_random_bits() -> None:
    codes = {claim_code() for _ in range(200)}
    assert len(codes) == 200
    alphabet = set(string.ascii_letters + string.digits + "-_")
    assert all(len(c) == 22 and set(c) <= alphabet for c in codes)  # 22 base64url characters = 132 bits, 128 random

"""``InMemoryClaims``: ClaimsTable's behaviour in dictionaries (ports.ClaimStore), over the
offers of an ``InMemoryState``. Every check and its write happen under one lock, as DynamoDB's
conditional writes and transactions do: one claim per offer, a code to one claim, whatever
the threads. Nothing is encrypted here (the process's memory is all there is)."""

from __future__ import annotations

import hmac
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from goodword.claims.lookups import lookup_minute
from goodword.claims.records import (
    ADDRESS_FIELDS,
    ClaimRecord,
    check_codes,
    check_move_fields,
    check_new_record,
    has_address,
    offer_key_of,
)
from goodword.claims.retention import HeldAddress, addresses_due
from goodword.claims.states import ClaimState, check_claim_transition
from goodword.memory.state import InMemoryState
from goodword.work import WorkRecord, WorkState


class InMemoryClaims:
    def __init__(self, state: InMemoryState) -> None:
        self.state = state
        self._lock = threading.Lock()
        self._claims: dict[str, ClaimRecord] = {}
        self._pools: dict[str, dict[str, str | None]] = {}  # rule -> code -> the claim it went to
        self._taken: dict[tuple[str, str], str] = {}  # (rule, claim) -> its code
        self._lookups: dict[tuple[str, str], int] = {}  # (client hash, minute) -> lookups

    # --- offers and claims ---------------------------------------------------------------

    def offer_for_code(self, code: str) -> WorkRecord | None:
        wanted = code.encode()
        for offer in self.state.list_work():
            if offer.claim_code and hmac.compare_digest(offer.claim_code.encode(), wanted):
                return offer
        return None

    def create(self, claim: ClaimRecord, now: datetime) -> bool:
        check_new_record(claim)
        with self._lock:
            offer = self.state.get_work(claim.offer_key)
            if offer is None or offer.state is not WorkState.SENT or claim.id in self._claims:
                return False
            if offer.claim_state not in (None, ClaimState.OFFERED.value):
                return False
            self._claims[claim.id] = claim
            self.state.update_work(claim.offer_key, claim_state=claim.state.value, claimed_at=now.isoformat())
            self.state.count_claim(claim.person)
            return True

    def get(self, claim_id: str, *, personal: bool = True) -> ClaimRecord | None:
        found = self._claims.get(claim_id)
        return found if found is None or personal else found.model_copy(update={"claimant": None})

    def move(self, claim_id: str, from_state: ClaimState, to: ClaimState, now: datetime, **fields: Any) -> bool:
        check_claim_transition(from_state, to)
        check_move_fields(fields)
        with self._lock:
            current = self._claims.get(claim_id)
            if current is None or current.state is not from_state:
                return False
            self._claims[claim_id] = current.model_copy(update={**fields, "state": to, "updated_at": now.isoformat()})
            self.state.update_work(offer_key_of(claim_id), claim_state=to.value)
            return True

    def list_claims(
        self, state: ClaimState | None = None, rule_id: str | None = None, limit: int = 100, *, personal: bool = True
    ) -> list[ClaimRecord]:
        found = [
            c for c in self._claims.values() if (state is None or c.state is state) and (rule_id is None or c.rule_id == rule_id)
        ]
        found.sort(key=lambda c: (c.created_at, c.id), reverse=True)
        return [c if personal else c.model_copy(update={"claimant": None}) for c in found[:limit]]

    def earlier_claims(self, email_hash: str | None, address_hash: str | None, *, personal: bool = False) -> list[ClaimRecord]:
        found = [
            c
            for c in self._claims.values()
            if (email_hash is not None and c.email_hash == email_hash)
            or (address_hash is not None and c.address_hash == address_hash)
        ]
        found.sort(key=lambda c: (c.created_at, c.id))
        return [c if personal else c.model_copy(update={"claimant": None}) for c in found]

    # --- code pools ----------------------------------------------------------------------

    def add_codes(self, rule_id: str, codes: Sequence[str]) -> int:
        check_codes(codes)
        with self._lock:
            pool = self._pools.setdefault(rule_id, {})
            new = [code for code in dict.fromkeys(codes) if code not in pool]
            pool.update(dict.fromkeys(new))
            return len(new)

    def take_code(self, rule_id: str, claim_id: str) -> str | None:
        with self._lock:
            if (rule_id, claim_id) in self._taken:
                return self._taken[(rule_id, claim_id)]
            pool = self._pools.get(rule_id, {})
            code = next((c for c, owner in pool.items() if owner is None), None)
            if code is not None:
                pool[code] = claim_id
                self._taken[(rule_id, claim_id)] = code
            return code

    def codes_left(self, rule_id: str) -> int:
        return sum(1 for owner in self._pools.get(rule_id, {}).values() if owner is None)

    # --- the claim page's throttle -------------------------------------------------------

    def count_lookup(self, client_hash: str, now: datetime) -> int:
        with self._lock:
            counter = (client_hash, lookup_minute(now))
            self._lookups[counter] = self._lookups.get(counter, 0) + 1
            return self._lookups[counter]

    # --- erasure and retention -----------------------------------------------------------

    def claim_ids_for(self, people: Sequence[str]) -> list[str]:
        wanted = set(people)
        return sorted(c.id for c in self._claims.values() if c.person in wanted)

    def erase(self, claim_id: str) -> bool:
        with self._lock:
            return self._claims.pop(claim_id, None) is not None

    def erase_addresses(self, retention_days: int, now: datetime) -> int:
        with self._lock:
            held = [
                HeldAddress(c.id, c.state, datetime.fromisoformat(c.created_at)) for c in self._claims.values() if has_address(c)
            ]
            due = addresses_due(held, retention_days, now)
            for claim_id in due:
                claim = self._claims[claim_id]
                assert claim.claimant is not None  # noqa: S101 (has_address)
                claimant = claim.claimant.model_copy(update=dict.fromkeys(ADDRESS_FIELDS))
                erased = {"claimant": claimant, "address_hash": None, "address_erased_at": now.isoformat()}
                self._claims[claim_id] = claim.model_copy(update=erased)
            return len(due)

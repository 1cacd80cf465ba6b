"""The claim store's contract, run against both adapters: ClaimsTable on moto (the template's
tables and key) and InMemoryClaims. One claim per offer, the offer's claim_state following
the claim, codes handed out once, repeat claimers found by their hashes, erasure and
retention: a difference between the two fails here."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from goodword.aws.claims_table import ClaimsTable
from goodword.aws.state_table import StateTable
from goodword.claims.hashing import address_hash, client_hash, email_hash
from goodword.claims.records import Claimant, ClaimRecord, FulfilmentKind
from goodword.claims.states import ClaimState, ClaimTransitionError
from goodword.events import Author, Event, EventKind, Platform
from goodword.limits import RecordWork
from goodword.memory.claims import InMemoryClaims
from goodword.memory.state import InMemoryState
from goodword.ports import ClaimStore, StateStore
from goodword.work import WorkKind, WorkRecord, WorkState, claim_code, work_id
from tests.conftest import Aws

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
KEY = b"contract-test-hash-key"
FAN = Claimant(
    name="Ada Lovelace",
    email="Ada.Lovelace+gifts@example.org",
    address_line1="12 St James's Square",
    city="London",
    postal_code="SW1Y 4JH",
    country="GB",
)


@dataclass
class Setup:
    store: ClaimStore
    state: StateStore

    def offer(self, number: int = 1, state: WorkState = WorkState.SENT, **fields: Any) -> WorkRecord:
        """An offer as the actions function leaves it once sent, with a fresh claim code."""
        identifier = work_id(f"e{number}", "flagship", 0)
        record = WorkRecord.model_validate(
            {
                "id": identifier,
                "kind": WorkKind.OFFER_SAMPLE,
                "state": state,
                "event_id": f"e{number}",
                "event_kind": "mention",
                "event_time": NOW.isoformat(),
                "rule_id": "flagship",
                "rule_version": 3,
                "person": f"PERSON#x#brand#fan{number}",
                "platform": "x",
                "brand_account": "brand",
                "created_at": (NOW - timedelta(days=1)).isoformat(),
                "idempotency_key": identifier,
                "claim_code": claim_code(),
                "product": "espresso",
                **fields,
            }
        )
        assert self.state.claim([RecordWork(record)]).ok
        return record

    def offer_now(self, key: str) -> WorkRecord:
        found = self.state.get_work(key)
        assert found is not None
        return found


def claim_for(offer: WorkRecord, claimant: Claimant | None = FAN, at: datetime = NOW, **fields: Any) -> ClaimRecord:
    claimant = claimant or FAN
    return ClaimRecord(
        id=offer.id,
        offer_key=offer.key,
        rule_id=offer.rule_id,
        rule_version=offer.rule_version,
        person=offer.person,
        platform=offer.platform,
        state=fields.pop("state", ClaimState.CLAIMED),
        created_at=at.isoformat(),
        updated_at=at.isoformat(),
        fulfilment=fields.pop("fulfilment", FulfilmentKind.NOTIFY),
        claimant=claimant,
        email_hash=email_hash(KEY, claimant.email),
        address_hash=address_hash(KEY, claimant),
        consent_at=at.isoformat(),
        **fields,
    )


def memory_setup() -> Setup:
    state = InMemoryState()
    return Setup(InMemoryClaims(state), state)


def dynamodb_setup(request: pytest.FixtureRequest) -> Setup:
    aws: Aws = request.getfixturevalue("aws")
    tables = aws.tables
    return Setup(
        ClaimsTable(tables["ClaimsTable"], tables["StateTable"], aws.keys["ClaimsKey"]), StateTable(tables["StateTable"])
    )


SETUPS: dict[str, Callable[[pytest.FixtureRequest], Setup]] = {"memory": lambda _: memory_setup(), "dynamodb": dynamodb_setup}


@pytest.fixture(params=sorted(SETUPS))
def setup(request: pytest.FixtureRequest) -> Setup:
    return SETUPS[request.param](request)


# --- offers by code, claims -----------------------------------------------------------------


def test_an_offer_is_found_by_its_code_and_by_nothing_else(setup: Setup) -> None:
    offer = setup.offer()
    found = setup.store.offer_for_code(str(offer.claim_code))
    assert found is not None and found.id == offer.id
    assert setup.store.offer_for_code(str(offer.claim_code)[:-1]) is None
    assert setup.store.offer_for_code(str(offer.claim_code).upper()) is None
    assert setup.store.offer_for_code("") is None


def test_a_claim_is_stored_once_and_its_offer_follows(setup: Setup) -> None:
    offer = setup.offer()
    claim = claim_for(offer)
    assert setup.store.create(claim, NOW)
    assert not setup.store.create(claim_for(offer, Claimant(name="Other", email="other@example.org")), NOW)  # one per offer
    assert setup.store.get(offer.id) == claim
    after = setup.offer_now(offer.key)
    assert (after.claim_state, after.claimed_at) == ("claimed", NOW.isoformat())
    assert setup.store.get("no-such-claim") is None


def test_an_email_only_claim_for_a_code_reward_is_stored_and_read_back(setup: Setup) -> None:
    """A code pool or Shopify reward asks for the email only: the claimant has no name and no
    address, and storing it must not fail (KMS refuses an empty plaintext)."""
    from goodword.claims.page import form

    offer = setup.offer()
    claimant = form.validate({"email": "fan@example.org", "consent": "yes"}, code_reward=True).claimant
    assert claimant is not None and claimant.name == ""
    claim = claim_for(offer, claimant, fulfilment=FulfilmentKind.CODE_POOL)
    assert setup.store.create(claim, NOW)
    stored = setup.store.get(offer.id)
    assert stored is not None and stored.claimant == claimant and stored.fulfilment is FulfilmentKind.CODE_POOL
    assert [c.id for c in setup.store.earlier_claims(email_hash(KEY, "fan@example.org"), None)] == [offer.id]


def test_a_claim_counts_in_its_persons_claims_in_the_same_write(setup: Setup) -> None:
    fan = Author(id="fan1", handle="fan1")
    said = Event(
        platform=Platform.X, kind=EventKind.MENTION, natural_id="tweet:1", brand_account="brand",
        occurred_at=NOW, received_at=NOW, source="x", author=fan, text="lovely",
    )  # fmt: skip
    setup.state.record_event(said, True, NOW)  # the person's profile, as the pipeline leaves it
    first, second = setup.offer(1), setup.offer(2, person="PERSON#x#brand#fan1")
    unsent = setup.offer(3, state=WorkState.APPROVED, person="PERSON#x#brand#fan1")
    assert setup.store.create(claim_for(first), NOW)
    assert not setup.store.create(claim_for(first, Claimant(name="Other", email="other@example.org")), NOW)
    assert not setup.store.create(claim_for(unsent), NOW)  # nothing stored, nothing counted
    assert setup.store.create(claim_for(second, state=ClaimState.HELD, held_because="repeat_claimer"), NOW)
    profile = setup.state.profile("PERSON#x#brand#fan1")
    assert profile is not None and profile.claims_made == 2


def test_only_a_sent_offer_not_claimed_or_expired_can_be_claimed(setup: Setup) -> None:
    pending = setup.offer(1, state=WorkState.PENDING_REVIEW)
    expired = setup.offer(2, claim_state="expired")
    assert not setup.store.create(claim_for(pending), NOW)
    assert not setup.store.create(claim_for(expired), NOW)
    assert setup.store.get(pending.id) is None and setup.store.get(expired.id) is None
    assert setup.offer_now(expired.key).claim_state == "expired"
    nowhere = claim_for(setup.offer(3)).model_copy(update={"id": "no-offer", "offer_key": "OFFER#no-offer"})
    assert not setup.store.create(nowhere, NOW)


def test_a_new_claim_is_claimed_or_held_and_names_its_own_offer(setup: Setup) -> None:
    offer = setup.offer()
    with pytest.raises(ClaimTransitionError):
        setup.store.create(claim_for(offer, state=ClaimState.FULFILLED), NOW)
    with pytest.raises(ValueError, match="offer's id"):
        setup.store.create(claim_for(offer).model_copy(update={"offer_key": "OFFER#another"}), NOW)
    held = claim_for(offer, state=ClaimState.HELD, held_because="repeat_claimer")
    assert setup.store.create(held, NOW)
    assert setup.offer_now(offer.key).claim_state == "held"


def test_twenty_concurrent_claims_of_one_offer_store_one(setup: Setup) -> None:
    offer = setup.offer()
    claimants = [Claimant(name=f"Fan {n}", email=f"fan{n}@example.org") for n in range(20)]
    results: list[bool] = []
    start = threading.Barrier(20)

    def submit(claimant: Claimant) -> None:
        start.wait()
        results.append(setup.store.create(claim_for(offer, claimant), NOW))

    threads = [threading.Thread(target=submit, args=(c,)) for c in claimants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 19 + [True]
    stored = setup.store.get(offer.id)
    assert stored is not None and stored.claimant in claimants
    assert len(setup.store.list_claims()) == 1


# --- moves ---------------------------------------------------------------------------------


def test_a_move_is_checked_conditional_and_the_offer_follows(setup: Setup) -> None:
    offer = setup.offer()
    assert setup.store.create(claim_for(offer), NOW)
    later = NOW + timedelta(hours=1)
    assert setup.store.move(offer.id, ClaimState.CLAIMED, ClaimState.FULFILLED, later, fulfilled_at=later.isoformat())
    assert not setup.store.move(offer.id, ClaimState.CLAIMED, ClaimState.FAILED, later)  # no longer claimed
    with pytest.raises(ClaimTransitionError):
        setup.store.move(offer.id, ClaimState.FULFILLED, ClaimState.CLAIMED, later)
    with pytest.raises(ValueError, match="cannot set"):
        setup.store.move(offer.id, ClaimState.FULFILLED, ClaimState.REDEEMED, later, claimant=None)
    moved = setup.store.get(offer.id)
    assert moved is not None
    assert (moved.state, moved.fulfilled_at, moved.updated_at) == (ClaimState.FULFILLED, later.isoformat(), later.isoformat())
    assert moved.claimant == FAN  # a move never touches the personal fields
    assert setup.offer_now(offer.key).claim_state == "fulfilled"
    assert not setup.store.move("no-such-claim", ClaimState.CLAIMED, ClaimState.HELD, later)


def test_claims_are_listed_newest_first_by_state_and_rule(setup: Setup) -> None:
    first, second, third = (setup.offer(n) for n in (1, 2, 3))
    for number, offer in enumerate((first, second, third)):
        assert setup.store.create(claim_for(offer, at=NOW + timedelta(minutes=number)), NOW)
    assert setup.store.move(second.id, ClaimState.CLAIMED, ClaimState.HELD, NOW, held_because="code_pool_empty")
    assert [c.id for c in setup.store.list_claims()] == [third.id, second.id, first.id]
    assert [c.id for c in setup.store.list_claims(ClaimState.CLAIMED)] == [third.id, first.id]
    assert [c.id for c in setup.store.list_claims(ClaimState.HELD, rule_id="flagship")] == [second.id]
    assert setup.store.list_claims(rule_id="another-rule") == []
    assert [c.id for c in setup.store.list_claims(limit=2)] == [third.id, second.id]
    assert {c.claimant for c in setup.store.list_claims(personal=False)} == {None}
    assert {c.claimant for c in setup.store.list_claims()} == {FAN}


def test_earlier_claims_are_found_by_email_or_address_however_written(setup: Setup) -> None:
    first, second, third = (setup.offer(n) for n in (1, 2, 3))
    assert setup.store.create(claim_for(first), NOW)
    same_mailbox = Claimant(name="A. L.", email="  ada.lovelace@EXAMPLE.org ")
    same_door = FAN.model_copy(
        update={"email": "someone@else.example", "address_line1": "12, St. James's  square", "postal_code": "sw1y4jh"}
    )
    assert [c.id for c in setup.store.earlier_claims(email_hash(KEY, same_mailbox.email), None)] == [first.id]
    assert [c.id for c in setup.store.earlier_claims(None, address_hash(KEY, same_door))] == [first.id]
    assert setup.store.earlier_claims(email_hash(KEY, "new@example.org"), None) == []
    assert setup.store.earlier_claims(None, None) == []
    assert setup.store.create(claim_for(second, same_door), NOW)
    assert setup.store.create(claim_for(third, Claimant(name="B", email="b@example.org")), NOW)
    both = setup.store.earlier_claims(email_hash(KEY, FAN.email), address_hash(KEY, FAN))
    assert sorted(c.id for c in both) == sorted([first.id, second.id])


# --- code pools ----------------------------------------------------------------------------


def test_codes_are_uploaded_once_and_handed_out_once(setup: Setup) -> None:
    assert setup.store.add_codes("flagship", ["A1", "B2", "C3", "A1"]) == 3
    assert setup.store.add_codes("flagship", ["C3", "D4"]) == 1
    assert setup.store.codes_left("flagship") == 4
    first = setup.store.take_code("flagship", "claim-1")
    assert first is not None and setup.store.take_code("flagship", "claim-1") == first  # asking again: the same code
    assert setup.store.codes_left("flagship") == 3
    assert setup.store.add_codes("flagship", [first]) == 0  # a used code never comes back
    taken = {setup.store.take_code("flagship", f"claim-{n}") for n in (2, 3, 4)}
    assert len(taken | {first}) == 4 and None not in taken
    assert setup.store.take_code("flagship", "claim-5") is None
    assert setup.store.codes_left("flagship") == 0
    assert setup.store.take_code("another-rule", "claim-1") is None  # pools are per rule
    for wrong in ("", " E5", "F" * 257):
        with pytest.raises(ValueError, match="1 to 256 characters"):
            setup.store.add_codes("flagship", [wrong])


def test_fifty_concurrent_claims_share_ten_codes(setup: Setup) -> None:
    codes = [f"GIFT-{n:02d}" for n in range(10)]
    assert setup.store.add_codes("flagship", codes) == 10
    got: dict[str, str | None] = {}
    start = threading.Barrier(50)

    def take(claim_id: str) -> None:
        start.wait()
        got[claim_id] = setup.store.take_code("flagship", claim_id)

    threads = [threading.Thread(target=take, args=(f"claim-{n}",)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    handed = [code for code in got.values() if code is not None]
    assert sorted(handed) == codes  # ten distinct codes
    assert sum(1 for code in got.values() if code is None) == 40
    assert setup.store.codes_left("flagship") == 0


# --- the page's throttle -------------------------------------------------------------------


def test_lookups_are_counted_per_client_per_minute(setup: Setup) -> None:
    me, other = client_hash(KEY, "203.0.113.7"), client_hash(KEY, "198.51.100.2")
    assert [setup.store.count_lookup(me, NOW + timedelta(seconds=s)) for s in (0, 10, 59)] == [1, 2, 3]
    assert setup.store.count_lookup(other, NOW) == 1
    assert setup.store.count_lookup(me, NOW + timedelta(minutes=1)) == 1  # a new minute


# --- erasure and retention -----------------------------------------------------------------


def test_erasing_claims_leaves_the_offers_counts(setup: Setup) -> None:
    mine, theirs = setup.offer(1), setup.offer(2)
    assert setup.store.create(claim_for(mine), NOW)
    assert setup.store.create(claim_for(theirs, Claimant(name="Keep", email="keep@example.org")), NOW)
    assert setup.store.claim_ids_for([mine.person, "PERSON#x#brand#nobody"]) == [mine.id]
    assert setup.store.erase(mine.id)
    assert not setup.store.erase(mine.id)
    assert setup.store.get(mine.id) is None
    assert setup.store.earlier_claims(email_hash(KEY, FAN.email), address_hash(KEY, FAN)) == []  # the hashes went too
    assert setup.offer_now(mine.key).claim_state == "claimed"  # the report still counts a claim
    assert [c.id for c in setup.store.list_claims()] == [theirs.id]


def test_retention_erases_settled_claims_addresses_and_their_hash(setup: Setup) -> None:
    old_settled, old_open, recent = setup.offer(1), setup.offer(2), setup.offer(3)
    long_ago = NOW - timedelta(days=100)
    assert setup.store.create(claim_for(old_settled, at=long_ago), long_ago)
    assert setup.store.create(claim_for(old_open, at=long_ago), long_ago)
    assert setup.store.create(claim_for(recent, at=NOW - timedelta(days=10)), NOW)
    for offer in (old_settled, recent):
        assert setup.store.move(offer.id, ClaimState.CLAIMED, ClaimState.FULFILLED, NOW)
    assert setup.store.erase_addresses(90, NOW) == 1
    assert setup.store.erase_addresses(90, NOW) == 0  # nothing more
    erased = setup.store.get(old_settled.id)
    assert erased is not None and erased.claimant is not None
    assert erased.claimant == Claimant(name=FAN.name, email=FAN.email)  # name and email stay, the address went
    assert erased.address_erased_at == NOW.isoformat() and erased.address_hash is None
    # the address's keyed hash and its lookup item went with it: the erased claim is not found by it
    assert [c.id for c in setup.store.earlier_claims(None, address_hash(KEY, FAN))] == [old_open.id, recent.id]
    assert next(c.id for c in setup.store.earlier_claims(email_hash(KEY, FAN.email), None)) == old_settled.id  # the email stays
    for kept in (old_open, recent):
        still = setup.store.get(kept.id)
        assert still is not None and still.claimant == FAN and still.address_hash


def test_retention_erases_an_unsettled_claims_address_thirty_days_later(setup: Setup) -> None:
    """A claim left claimed, held or failed is not kept forever: 30 days after the retention
    its address, hash and lookup item go too."""
    from goodword.aws.claims_table import ClaimsTable

    offers = {state: setup.offer(n) for n, state in enumerate((ClaimState.CLAIMED, ClaimState.HELD, ClaimState.FAILED), 1)}
    long_ago = NOW - timedelta(days=121)
    for state, offer in offers.items():
        first = ClaimState.HELD if state is ClaimState.HELD else ClaimState.CLAIMED
        assert setup.store.create(claim_for(offer, at=long_ago, state=first), long_ago)
        if state is ClaimState.FAILED:
            assert setup.store.move(offer.id, ClaimState.CLAIMED, ClaimState.FAILED, long_ago)
    assert setup.store.erase_addresses(90, NOW - timedelta(days=2)) == 0  # within the 30 more days
    assert setup.store.erase_addresses(90, NOW) == 3
    for offer in offers.values():
        claim = setup.store.get(offer.id)
        assert claim is not None and claim.claimant == Claimant(name=FAN.name, email=FAN.email) and claim.address_hash is None
    assert setup.store.earlier_claims(None, address_hash(KEY, FAN)) == []
    if isinstance(setup.store, ClaimsTable):
        from goodword.aws import clients

        pointers = clients.dynamodb().scan(TableName=setup.store.table)["Items"]
        assert not [i for i in pointers if i["pk"]["S"].startswith("ADDRESS#")]

"""Expiry's two storage calls, on both state adapters: which sent offers are still unclaimed,
and the conditional offered -> expired move that a claim and a second run both lose to."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from goodword.aws.state_table import StateTable
from goodword.limits import RecordWork
from goodword.memory.state import InMemoryState
from goodword.work import WorkState
from tests.contract.test_state_store import NOW, record

Store = StateTable | InMemoryState


@pytest.fixture(params=["dynamodb", "memory"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "memory":
        yield InMemoryState()
    else:
        aws = request.getfixturevalue("aws")
        yield StateTable(aws.tables["StateTable"])


def _sent(number: int, **fields: Any) -> RecordWork:
    return RecordWork(record(number, state=WorkState.SENT, finished_at=NOW.isoformat(), claim_code=f"code{number}", **fields))


def test_only_sent_unclaimed_offers_made_before_the_cutoff_are_candidates(store: Store) -> None:
    assert store.claim(
        [
            _sent(1),
            _sent(2, claim_state="offered"),
            _sent(3, claim_state="claimed"),
            _sent(4, claim_state="expired"),
            RecordWork(record(5, state=WorkState.PENDING_REVIEW)),
            _sent(6),  # made after the cutoff
            _sent(7, claim_state="offered", created_at=(NOW + timedelta(seconds=5)).isoformat()),  # at the cutoff
        ]
    ).ok
    cutoff = NOW + timedelta(seconds=5)  # offer n is made at NOW + n seconds: 5 is in, 6 is not
    found = {r.event_id for r in store.unclaimed_offers(cutoff)}
    assert found == {"e1", "e2", "e7"}


def test_an_offer_expires_once_and_a_claimed_or_unsent_one_never(store: Store) -> None:
    sent, claimed, waiting = _sent(1), _sent(2, claim_state="claimed"), RecordWork(record(3, state=WorkState.PENDING_REVIEW))
    assert store.claim([sent, claimed, waiting]).ok
    assert store.expire_offer(sent.record, NOW)
    assert not store.expire_offer(sent.record, NOW), "a second run finds it expired already"
    assert not store.expire_offer(claimed.record, NOW), "a claimed offer stays claimed"
    assert not store.expire_offer(waiting.record, NOW), "an offer never sent has no claim window"
    assert (stored := store.get_work(sent.record.key)) is not None and stored.claim_state == "expired"
    assert (kept := store.get_work(claimed.record.key)) is not None and kept.claim_state == "claimed"
    assert list(store.unclaimed_offers(NOW + timedelta(days=1))) == []

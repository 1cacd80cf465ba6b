"""Expiry on the in-memory adapters: an offer sent and not claimed within its rule's window
expires (and says so on the bus, ids only); a claimed one, or one still inside its window, is
untouched; review items that waited too long expire; and expiry never gives the person a second
offer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from goodword.claims.expiry import DEFAULT_CLAIM_WITHIN_DAYS, EXPIRED_BY, Expiry, claim_window_closed, claim_windows
from goodword.claims.records import Claimant, ClaimRecord
from goodword.claims.states import ClaimState
from goodword.memory.claims import InMemoryClaims
from goodword.rules.engine import Outcome, compile_rules
from goodword.rules.model import Rule, Settings
from goodword.work import WorkKind, WorkState
from tests.unit.test_services_in_memory import FLAGSHIP, MILD, NOW, PRAISE, Stack, mention

# Once per person is the only thing between a fan and a second offer: no "first praise"
# condition, so a second praise would be offered if expiry freed the limit.
SAMPLE: dict[str, Any] = {"product": "Beans", "product_cost": 5, "message": "Thanks! {claim_link}", "review": "by_band"}
EVERY_PRAISE: dict[str, Any] = {
    "id": "every-praise-sample",
    "name": "A sample for praise",
    "triggers": {"kinds": ["mention"]},
    "conditions": {"field": "sentiment.band", "one_of": ["auto", "review"]},
    "actions": [{"offer_sample": SAMPLE}],
    "limits": {"once_per_person": "forever"},
}


def _expiry(stack: Stack) -> Expiry:
    return Expiry(stack.state, stack.bus, lambda: stack.now)


def _book(*rules: dict[str, Any], settings: Settings | None = None) -> Any:
    return compile_rules(settings or Settings(), [(Rule.model_validate(r), 1) for r in rules])


def _sent_offer(stack: Stack, author: str = "p1", post: str = "1") -> Any:
    """One praise, offered and sent (dry run); the bus's "sent" announcement cleared."""
    stack.pipeline.process(mention(author, post), PRAISE)
    message = stack.queue.messages.pop()
    assert stack.performer().perform(message, 1).done
    stack.bus.published.clear()
    offer = stack.state.get_work(f"OFFER#{message['id']}")
    assert offer is not None and offer.state is WorkState.SENT and offer.claim_state is None
    return offer


def test_an_unclaimed_offer_expires_when_its_window_closes_and_the_bus_hears_ids_only() -> None:
    stack = Stack(EVERY_PRAISE)
    offer = _sent_offer(stack)
    book = _book(EVERY_PRAISE)
    assert claim_windows(book) == {"every-praise-sample": DEFAULT_CLAIM_WITHIN_DAYS}

    stack.now = NOW + timedelta(days=13, hours=23)  # inside the window
    assert _expiry(stack).run(book).offers_expired == []

    stack.now = NOW + timedelta(days=14)
    result = _expiry(stack).run(book)
    assert result.offers_expired == [offer.id]
    expired = stack.state.get_work(offer.key)
    assert expired is not None and expired.claim_state == "expired" and expired.state is WorkState.SENT
    (published,) = stack.bus.published
    assert published == {
        "id": f"{offer.id}:expired",
        "kind": "offer_claim",
        "offer_id": offer.id,
        "claim_id": None,
        "rule_id": "every-praise-sample",
        "state": "expired",
        "at": stack.now.isoformat(),
    }
    assert "fan_p1" not in str(published) and "p1" not in str(published).replace("every-praise", "")

    stack.now += timedelta(hours=1)
    assert _expiry(stack).run(book).offers_expired == [], "expired once"
    assert len(stack.bus.published) == 1


def test_a_claimed_offer_is_never_expired() -> None:
    stack = Stack(EVERY_PRAISE)
    offer = _sent_offer(stack)
    stack.state._set(offer, claim_state="claimed")  # the claim page's move, as the claim store makes it
    stack.now = NOW + timedelta(days=30)
    assert _expiry(stack).run(_book(EVERY_PRAISE)).offers_expired == []
    kept = stack.state.get_work(offer.key)
    assert kept is not None and kept.claim_state == "claimed"
    assert stack.bus.published == []


def test_a_claim_racing_the_expiry_wins_or_loses_but_never_both() -> None:
    stack = Stack(EVERY_PRAISE)
    offer = _sent_offer(stack)
    stack.now = NOW + timedelta(days=15)
    found = list(stack.state.unclaimed_offers(stack.now))  # the expiry read it as unclaimed...
    stack.state._set(offer, claim_state="claimed")  # ...then the fan's claim landed
    assert [o.id for o in found] == [offer.id]
    assert not stack.state.expire_offer(found[0], stack.now)
    kept = stack.state.get_work(offer.key)
    assert kept is not None and kept.claim_state == "claimed"


def test_the_window_counts_from_the_send_and_follows_the_rule() -> None:
    stack = Stack(EVERY_PRAISE)
    stack.pipeline.process(mention("p1", "1"), MILD)  # waits for review two days, then is sent
    (offer,) = stack.state.made()
    stack.now = NOW + timedelta(days=2)
    stack.state.decide(offer, WorkState.APPROVED, "ana", None, stack.now)
    assert stack.performer().perform(stack.state.get_work(offer.key).queue_message(), 1).done  # type: ignore[union-attr]
    sent = stack.state.get_work(offer.key)
    assert sent is not None
    assert not claim_window_closed(sent, 14, NOW + timedelta(days=15)), "14 days after the send, not after it was made"
    assert claim_window_closed(sent, 14, NOW + timedelta(days=16))
    assert claim_window_closed(sent, 3, NOW + timedelta(days=5))


def test_an_offer_keeps_the_window_its_rule_had_when_it_was_made() -> None:
    short = {
        **EVERY_PRAISE,
        "actions": [{"offer_sample": {**SAMPLE, "claim_within_days": 3}}],
    }
    stack = Stack(short)
    offer = _sent_offer(stack)
    assert offer.claim_within_days == 3
    longer = _book({**short, "actions": [{"offer_sample": {**SAMPLE, "claim_within_days": 30}}]})
    stack.now = NOW + timedelta(days=3)
    assert _expiry(stack).run(longer).offers_expired == [offer.id], "the rule changed since: the offer's own window holds"


def test_an_offer_made_before_offers_kept_their_window_follows_its_rule() -> None:
    stack = Stack(EVERY_PRAISE)
    offer = _sent_offer(stack)
    stack.state._set(offer, claim_within_days=None)  # as offers made before the field was kept
    stack.now = NOW + timedelta(days=5)
    short = {
        **EVERY_PRAISE,
        "actions": [{"offer_sample": {**SAMPLE, "claim_within_days": 5}}],
    }
    assert _expiry(stack).run(_book(short)).offers_expired == [offer.id]


def test_offers_of_a_rule_that_no_longer_exists_expire_after_the_default_window() -> None:
    stack = Stack(EVERY_PRAISE)
    offer = _sent_offer(stack)
    stack.state._set(offer, claim_within_days=None)  # made before offers kept their window
    stack.now = NOW + timedelta(days=DEFAULT_CLAIM_WITHIN_DAYS)
    assert _expiry(stack).run(_book(FLAGSHIP)).offers_expired == [offer.id]


def test_expiry_never_frees_the_once_per_person_limit() -> None:
    stack = Stack(EVERY_PRAISE)
    offer = _sent_offer(stack, "p1", "1")
    stack.now = NOW + timedelta(days=20)
    assert _expiry(stack).run(_book(EVERY_PRAISE)).offers_expired == [offer.id]
    again = stack.pipeline.process(mention("p1", "2"), PRAISE)
    (decision,) = again.decisions
    assert decision.outcome is Outcome.LIMITED and "once per person" in str(decision.detail)
    assert len(stack.state.made()) == 1 and stack.queue.messages == [], "no second offer"
    other = stack.pipeline.process(mention("p2", "3"), PRAISE)
    assert other.decisions[0].outcome is Outcome.ACTED, "the rule itself still offers to others"


def test_review_items_that_waited_too_long_expire_and_the_limit_stays_used() -> None:
    flag_rule = {
        "id": "flag-questions",
        "name": "Questions",
        "triggers": {"kinds": ["mention"]},
        "actions": [{"flag": {"reason": "answer this"}}],
        "limits": {"once_per_person": None},
    }
    stack = Stack(EVERY_PRAISE, flag_rule)
    stack.pipeline.process(mention("p1", "1"), MILD)  # an offer waiting for review, and a flag
    stack.now = NOW + timedelta(days=1)
    stack.pipeline.process(mention("p2", "2"), MILD)  # newer: waits on
    waiting = {(r.author_id, r.kind) for r in stack.state.made() if r.state is WorkState.PENDING_REVIEW}
    assert waiting == {("p1", WorkKind.OFFER_SAMPLE), ("p1", WorkKind.FLAG), ("p2", WorkKind.OFFER_SAMPLE), ("p2", WorkKind.FLAG)}

    stack.now = NOW + timedelta(days=14)
    book = _book(EVERY_PRAISE, flag_rule, settings=Settings(review_expires_after_days=14))
    result = _expiry(stack).run(book)
    states = {(r.author_id, r.kind): r for r in stack.state.made()}
    assert {k for k, r in states.items() if r.state is WorkState.EXPIRED} == {
        ("p1", WorkKind.OFFER_SAMPLE),
        ("p1", WorkKind.FLAG),
    }
    assert sorted(result.reviews_expired) == sorted(r.id for k, r in states.items() if k[0] == "p1")
    expired = states[("p1", WorkKind.OFFER_SAMPLE)]
    assert expired.reviewed_by == EXPIRED_BY and "14 days" in str(expired.reason)
    assert stack.bus.published == [], "a review item that expires was never offered: nothing for the bus"

    later = stack.pipeline.process(mention("p1", "3"), PRAISE)
    assert later.decisions[0].outcome is Outcome.LIMITED, "the expired review still used the once-per-person limit"


def test_review_expiry_can_be_turned_off() -> None:
    stack = Stack(EVERY_PRAISE)
    stack.pipeline.process(mention("p1", "1"), MILD)
    stack.now = NOW + timedelta(days=400)
    book = _book(EVERY_PRAISE, settings=Settings(review_expires_after_days=None))
    assert _expiry(stack).run(book).reviews_expired == []
    assert stack.state.made()[0].state is WorkState.PENDING_REVIEW


def test_retention_erases_settled_claims_addresses_after_the_settings_days() -> None:
    stack = Stack(EVERY_PRAISE)
    claims = InMemoryClaims(stack.state)
    offer = _sent_offer(stack)
    claimant = Claimant(name="Ana Fan", email="ana@example.com", address_line1="1 Bean St", city="Lyon", country="FR")
    claim = ClaimRecord(
        id=offer.id,
        offer_key=offer.key,
        rule_id=offer.rule_id,
        rule_version=1,
        person=offer.person,
        platform="x",
        state=ClaimState.CLAIMED,
        created_at=stack.now.isoformat(),
        updated_at=stack.now.isoformat(),
        claimant=claimant,
    )
    assert claims.create(claim, stack.now)
    assert claims.move(offer.id, ClaimState.CLAIMED, ClaimState.FULFILLED, stack.now, fulfilled_at=stack.now.isoformat())
    book = _book(EVERY_PRAISE, settings=Settings(claim_address_retention_days=30))
    expiry = Expiry(stack.state, stack.bus, lambda: stack.now, claims)

    stack.now = NOW + timedelta(days=29)
    assert expiry.run(book).addresses_erased == 0
    stack.now = NOW + timedelta(days=31)
    assert expiry.run(book).addresses_erased == 1
    kept = claims.get(offer.id)
    assert kept is not None and kept.claimant is not None
    assert (kept.claimant.name, kept.claimant.address_line1, kept.claimant.city) == ("Ana Fan", None, None)
    assert stack.bus.published == [], "retention is no claim move: nothing on the bus"

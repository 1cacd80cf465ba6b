"""The state store's contract, run against both adapters: StateTable on moto (the template's
table) and InMemoryState (what backtests and `rules test` decide with). A limit, a cap, a
transition or a conflict that behaves differently in one of them fails here, so a backtest
cannot silently disagree with the live pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from goodword.aws.state_table import StateTable
from goodword.enrichment.enricher import FetchCache
from goodword.events import Author, Event, EventKind, EventRefs, Platform
from goodword.limits import Cap, Claim, Contact, Cooldown, OncePerPerson, RecordWork
from goodword.memory.state import InMemoryState
from goodword.people import person_key
from goodword.ports import StateStore
from goodword.work import TransitionError, WorkKind, WorkRecord, WorkState, work_id

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
PERSON = "PERSON#x#brand#p1"


@pytest.fixture(params=["dynamodb", "memory"])
def store(request: pytest.FixtureRequest) -> Iterator[StateStore]:
    if request.param == "memory":
        yield InMemoryState()
    else:
        aws = request.getfixturevalue("aws")
        yield StateTable(aws.tables["StateTable"])


def event(number: int = 1, author: str = "p1", kind: EventKind = EventKind.MENTION) -> Event:
    return Event(
        platform=Platform.X,
        kind=kind,
        natural_id=f"n{number}",
        brand_account="brand",
        occurred_at=NOW,
        received_at=NOW,
        source="x",
        author=Author(id=author, handle=f"h{author}", followers_count=10 * number),
        text="love it",
        refs=EventRefs(post_id=str(number)),
    )


def record(
    number: int = 1, kind: WorkKind = WorkKind.OFFER_SAMPLE, state: WorkState = WorkState.APPROVED, **fields: Any
) -> WorkRecord:
    identifier = work_id(f"e{number}", "rule", 0)
    values: dict[str, Any] = {
        "id": identifier,
        "kind": kind,
        "state": state,
        "event_id": f"e{number}",
        "event_kind": "mention",
        "event_time": NOW.isoformat(),
        "rule_id": "rule",
        "rule_version": 1,
        "person": PERSON,
        "platform": "x",
        "brand_account": "brand",
        "created_at": (NOW + timedelta(seconds=number)).isoformat(),
        "idempotency_key": identifier,
        "channel": "reply",
        "message": "thanks!",
        **fields,
    }
    return WorkRecord.model_validate(values)


# --- people -----------------------------------------------------------------------------


def test_an_event_is_counted_once_and_the_first_mention_is_remembered(store: StateStore) -> None:
    first = store.record_event(event(1), True, NOW)
    again = store.record_event(event(1), True, NOW + timedelta(minutes=1))  # a retry
    second = store.record_event(event(2), False, NOW + timedelta(minutes=2))
    assert first is not None and again is not None and second is not None
    assert (first.mention_count, first.positive_mention_count) == (1, 1)
    assert (again.mention_count, again.positive_mention_count) == (1, 1)
    assert (second.mention_count, second.positive_mention_count) == (2, 1)
    assert second.first_mention_event_id == first.first_event_id == event(1).event_id
    assert second.followers_count == 20
    assert store.has_seen(PERSON, event(2).event_id) and not store.has_seen(PERSON, "nope")
    assert store.profile(PERSON) == second


def test_a_follow_is_not_a_mention(store: StateStore) -> None:
    followed = store.record_event(event(1, kind=EventKind.FOLLOW), True, NOW)
    assert followed is not None
    assert (followed.mention_count, followed.first_mention_event_id) == (0, None)


def test_recent_mentions_are_counted_once_each_within_the_window(store: StateStore) -> None:
    store.record_event(event(1), True, NOW - timedelta(hours=30))  # outside the last 24 hours
    store.record_event(event(2), True, NOW - timedelta(hours=2))
    store.record_event(event(2), True, NOW - timedelta(hours=1))  # a retry counts nothing
    store.record_event(event(3, kind=EventKind.FOLLOW), True, NOW)  # not a mention
    store.record_event(event(4), False, NOW)
    assert store.mentions_since(PERSON, NOW - timedelta(hours=24)) == 2
    assert store.mentions_since("PERSON#x#brand#nobody", NOW - timedelta(hours=24)) == 0


def test_a_fetched_answer_is_reused_until_it_expires(store: StateStore) -> None:
    cache: FetchCache = store  # type: ignore[assignment]
    assert cache.cached("FETCH#x.user#brand#1", NOW) is None
    cache.remember("FETCH#x.user#brand#1", b'{"data": {"id": "1"}}', int((NOW + timedelta(hours=1)).timestamp()))
    assert cache.cached("FETCH#x.user#brand#1", NOW) == b'{"data": {"id": "1"}}'
    assert cache.cached("FETCH#x.user#brand#1", NOW + timedelta(hours=2)) is None  # expired, whatever TTL has done


def test_an_event_without_an_author_has_no_profile(store: StateStore) -> None:
    anonymous = event(1).model_copy(update={"author": None})
    assert store.record_event(anonymous, True, NOW) is None
    assert person_key(anonymous) is None


def test_tags_and_contacts_land_on_the_profile(store: StateStore) -> None:
    store.record_event(event(1), True, NOW)
    store.tag(PERSON, "fan")
    store.tag(PERSON, "fan")
    store.tag(PERSON, "vip")
    assert store.claim([Contact(PERSON, NOW, offer=True)]).ok
    assert store.claim([Contact(PERSON, NOW + timedelta(hours=1), offer=False)]).ok
    profile = store.profile(PERSON)
    assert profile is not None
    assert profile.tags == frozenset({"fan", "vip"})
    assert (profile.offers_received, profile.last_contact_at) == (1, (NOW + timedelta(hours=1)).isoformat())


# --- limits -----------------------------------------------------------------------------


def test_once_per_person_forever_holds_once(store: StateStore) -> None:
    assert store.claim([OncePerPerson(PERSON, "rule", None, NOW)]).ok
    blocked = store.claim([OncePerPerson(PERSON, "rule", None, NOW + timedelta(days=3000))])
    assert blocked.blocked_by == "once per person: rule already acted for this person"
    assert store.claim([OncePerPerson(PERSON, "other-rule", None, NOW)]).ok
    assert store.once_marker(PERSON, "rule") == (True, None)


def test_once_per_person_per_days_opens_again_after_them(store: StateStore) -> None:
    assert store.claim([OncePerPerson(PERSON, "rule", 30, NOW)]).ok
    assert store.claim([OncePerPerson(PERSON, "rule", 30, NOW + timedelta(days=29))]).blocked_by == (
        "once per person per 30 days: rule already acted for this person"
    )
    assert store.claim([OncePerPerson(PERSON, "rule", 30, NOW + timedelta(days=31))]).ok
    assert store.once_marker(PERSON, "rule") == (True, int((NOW + timedelta(days=61)).timestamp()))


def test_a_forever_marker_is_not_reopened_by_a_rule_that_now_says_days(store: StateStore) -> None:
    assert store.claim([OncePerPerson(PERSON, "rule", None, NOW)]).ok
    assert not store.claim([OncePerPerson(PERSON, "rule", 30, NOW + timedelta(days=400))]).ok


def test_the_cooldown_blocks_contact_until_it_ends(store: StateStore) -> None:
    assert store.claim([Cooldown(PERSON, 7, NOW)]).ok
    assert store.claim([Cooldown(PERSON, 7, NOW + timedelta(days=6))]).blocked_by == (
        "cooldown: this person had automated contact within 7 days"
    )
    assert store.claim([Cooldown(PERSON, 7, NOW + timedelta(days=7))]).ok  # ends on the second
    assert store.cooldown_until(PERSON) == int((NOW + timedelta(days=14)).timestamp())


def test_a_cap_counts_to_its_limit_and_no_further(store: StateStore) -> None:
    results = [store.claim([Cap("rule", "DAY#2026-11-30", 3, "daily")]) for _ in range(5)]
    assert [r.ok for r in results] == [True, True, True, False, False]
    assert results[-1].blocked_by == "daily cap of 3 reached"
    assert store.cap_count("rule", "DAY#2026-11-30") == 3
    assert store.claim([Cap("rule", "DAY#2026-12-01", 3, "daily")]).ok  # another period
    assert store.cap_count("other", "TOTAL") == 0


def test_a_claim_is_all_or_nothing(store: StateStore) -> None:
    assert store.claim([Cap("rule", "TOTAL", 1, "total")]).ok
    offer = record(1)
    blocked = store.claim([OncePerPerson(PERSON, "rule", None, NOW), RecordWork(offer), Cap("rule", "TOTAL", 1, "total")])
    assert blocked.blocked_by == "total cap of 1 reached"
    assert store.get_work(offer.key) is None  # nothing else was written
    assert store.once_marker(PERSON, "rule") == (False, None)
    assert store.cap_count("rule", "TOTAL") == 1


def test_the_first_failed_limit_is_the_one_reported(store: StateStore) -> None:
    assert store.claim([OncePerPerson(PERSON, "rule", None, NOW), Cooldown(PERSON, 7, NOW)]).ok
    blocked = store.claim([OncePerPerson(PERSON, "rule", None, NOW), Cooldown(PERSON, 7, NOW)])
    assert blocked.blocked_by == "once per person: rule already acted for this person"


def test_recording_the_same_work_again_is_a_retry_not_a_limit(store: StateStore) -> None:
    offer = record(1)
    claims: list[Claim] = [OncePerPerson(PERSON, "rule", None, NOW), RecordWork(offer), Cap("rule", "TOTAL", 5, "total")]
    assert store.claim(claims).ok
    retried = store.claim(claims)
    assert (retried.ok, retried.already_done, retried.blocked_by) == (False, True, None)
    assert store.cap_count("rule", "TOTAL") == 1  # charged once
    assert store.get_work(offer.key) == offer


def test_an_empty_claim_holds(store: StateStore) -> None:
    assert store.claim([]).ok


# --- work records -----------------------------------------------------------------------


def test_offers_are_listed_by_state_newest_first_and_actions_are_not(store: StateStore) -> None:
    pending, approved = record(1, state=WorkState.PENDING_REVIEW), record(2)
    reply = record(3, kind=WorkKind.REPLY)
    assert store.claim([RecordWork(pending), RecordWork(approved), RecordWork(reply)]).ok
    assert [r.id for r in store.list_work()] == [approved.id, pending.id]
    assert [r.id for r in store.list_work([WorkState.PENDING_REVIEW])] == [pending.id]
    assert store.get_work(reply.key) == reply  # actions are read by key (their event's decisions)
    assert [r.id for r in store.list_work(since=NOW + timedelta(seconds=2))] == [approved.id]


def test_a_review_decides_a_pending_offer_once(store: StateStore) -> None:
    offer = record(1, state=WorkState.PENDING_REVIEW)
    assert store.claim([RecordWork(offer)]).ok
    assert store.decide(offer, WorkState.REJECTED, "ana", "off brand", NOW)
    assert not store.decide(offer, WorkState.APPROVED, "bo", None, NOW)  # no longer pending
    decided = store.get_work(offer.key)
    assert decided is not None
    assert (decided.state, decided.reviewed_by, decided.reason) == (WorkState.REJECTED, "ana", "off brand")
    assert [r.id for r in store.list_work([WorkState.REJECTED])] == [offer.id]
    assert store.list_work([WorkState.PENDING_REVIEW]) == []


def test_queueing_is_remembered(store: StateStore) -> None:
    offer = record(1)
    assert store.claim([RecordWork(offer)]).ok
    assert offer.waiting_to_queue
    store.mark_queued(offer, NOW)
    queued = store.get_work(offer.key)
    assert queued is not None and not queued.waiting_to_queue and queued.queued_at == NOW.isoformat()


def test_one_attempt_holds_a_record_while_sending(store: StateStore) -> None:
    offer = record(1)
    assert store.claim([RecordWork(offer)]).ok
    assert store.start_sending(offer, "a1", NOW)
    assert store.start_sending(offer, "a1", NOW)  # botocore retried a claim that had landed
    assert not store.start_sending(offer, "a2", NOW)  # another copy of the message
    assert not store.finish(offer, "a2", WorkState.SENT, NOW)
    assert store.finish(offer, "a1", WorkState.SENT, NOW, platform_message_id="m1", dry_run=True)
    sent = store.get_work(offer.key)
    assert sent is not None
    assert (sent.state, sent.platform_message_id, sent.dry_run, sent.state_label) == (
        WorkState.SENT,
        "m1",
        True,
        "sent (dry run)",
    )
    assert [r.id for r in store.list_work([WorkState.SENT])] == [offer.id]
    assert not store.start_sending(offer, "a3", NOW)  # sent is final


def test_a_released_record_can_be_sent_by_a_later_attempt(store: StateStore) -> None:
    offer = record(1)
    assert store.claim([RecordWork(offer)]).ok
    assert store.start_sending(offer, "a1", NOW)
    assert not store.release(offer, "a2")
    assert store.release(offer, "a1")
    released = store.get_work(offer.key)
    assert released is not None and (released.state, released.attempt_id) == (WorkState.APPROVED, None)
    assert store.start_sending(offer, "a2", NOW)
    store.mark_announced(offer, NOW)
    announced = store.get_work(offer.key)
    assert announced is not None and announced.announced_at == NOW.isoformat() and announced.state is WorkState.SENDING


def test_a_missing_record_is_none(store: StateStore) -> None:
    assert store.get_work("OFFER#nope") is None
    assert not store.decide(record(9, state=WorkState.PENDING_REVIEW), WorkState.APPROVED, "ana", None, NOW)


# --- send limits ------------------------------------------------------------------------


def test_a_mark_belongs_to_its_first_owner(store: StateStore) -> None:
    assert store.mark_once("PRIVATE_REPLY#instagram#c1", "w1")
    assert store.mark_once("PRIVATE_REPLY#instagram#c1", "w1")  # a retry of the same work
    assert not store.mark_once("PRIVATE_REPLY#instagram#c1", "w2")
    assert store.mark_once("PRIVATE_REPLY#instagram#c2", "w2")


def test_a_rate_counter_stops_at_its_limit(store: StateStore) -> None:
    counted = [store.count_rate("x#brand#reply#900#1", 2, 2000) for _ in range(3)]
    assert counted == [True, True, False]
    assert store.count_rate("x#brand#reply#900#2", 2, 2000)


# --- reading through (rules test: "what would happen now") ------------------------------


def test_the_in_memory_state_reads_through_to_the_live_one_without_writing(aws: Any) -> None:
    live = StateTable(aws.tables["StateTable"])
    live.record_event(event(1), True, NOW)
    assert live.claim([OncePerPerson(PERSON, "rule", None, NOW), Cap("rule", "TOTAL", 2, "total"), RecordWork(record(1))]).ok
    before = aws.dynamodb.scan(TableName=aws.tables["StateTable"])["Items"]

    what_if = InMemoryState(live=live)
    assert what_if.claim([OncePerPerson(PERSON, "rule", None, NOW)]).blocked_by is not None  # the live marker
    assert what_if.claim([Cap("rule", "TOTAL", 2, "total")]).ok  # 1 live + 1 here
    assert not what_if.claim([Cap("rule", "TOTAL", 2, "total")]).ok
    assert what_if.claim([RecordWork(record(1))]).already_done  # the live record
    again = what_if.record_event(event(1), True, NOW)  # seen live: counted nothing
    assert again is not None and again.mention_count == 1
    later = what_if.record_event(event(2), True, NOW)
    assert later is not None and later.mention_count == 2

    assert aws.dynamodb.scan(TableName=aws.tables["StateTable"])["Items"] == before
    assert live.cap_count("rule", "TOTAL") == 1


def test_an_opt_out_is_kept_until_the_person_opts_in(store: StateStore) -> None:
    store.record_event(event(1), True, NOW)
    first = store.opt_out(PERSON, NOW, "said 'stop' in e1")
    again = store.opt_out(PERSON, NOW + timedelta(days=1), "said 'baja' in e2")  # the first request stands
    assert (first.opted_out, first.opted_out_at, first.opted_out_by) == (True, NOW.isoformat(), "said 'stop' in e1")
    assert (again.opted_out_at, again.opted_out_by) == (NOW.isoformat(), "said 'stop' in e1")
    later = store.record_event(event(2), True, NOW + timedelta(days=2))
    assert later is not None and later.opted_out  # every later event sees it
    assert store.opt_in(PERSON)
    assert not store.opt_in(PERSON)  # nothing left to undo
    profile = store.profile(PERSON)
    assert profile is not None and not profile.opted_out and profile.mention_count == 2


def test_linked_identities_share_the_persons_markers(store: StateStore) -> None:
    other = "PERSON#instagram#brand#ig1"
    store.record_event(event(1), True, NOW)
    store.record_event(event(2, author="ig1").model_copy(update={"platform": Platform.INSTAGRAM}), True, NOW)
    assert store.claim([OncePerPerson(PERSON, "sample", None, NOW)]).ok  # a sample on X, before any link
    store.link(PERSON, "HUMAN#1")
    store.link(other, "HUMAN#1")
    assert store.identities("HUMAN#1") == [other, PERSON]
    linked = store.profile(other)
    assert linked is not None and linked.person_id == "HUMAN#1"
    assert store.once_marker("HUMAN#1", "sample")[0]  # the X sample counts for the person
    assert not store.claim([OncePerPerson("HUMAN#1", "sample", None, NOW)]).ok
    assert store.unlink(other) and not store.unlink(other)
    assert store.identities("HUMAN#1") == [PERSON]
    alone = store.profile(other)
    assert alone is not None and alone.person_id is None


def test_a_move_the_transitions_do_not_allow_is_refused_before_anything_is_written(store: StateStore) -> None:
    offer = record(1, state=WorkState.PENDING_REVIEW)
    assert store.claim([RecordWork(offer)]).ok
    with pytest.raises(TransitionError, match="from pending_review to sent"):
        store.decide(offer, WorkState.SENT, "ana", None, NOW)
    with pytest.raises(TransitionError, match="from sending to rejected"):
        store.finish(offer, "a1", WorkState.REJECTED, NOW)
    unchanged = store.get_work(offer.key)
    assert unchanged is not None and unchanged.state is WorkState.PENDING_REVIEW


# --- review: first praise, contacts a person approves, flags ----------------------------------


def test_the_first_praise_is_remembered_once_and_a_reviewer_can_take_it_back(store: StateStore) -> None:
    store.record_event(event(1), False, NOW)  # a question: a mention, not praise
    praised = store.record_event(event(2), True, NOW)
    store.record_event(event(3), True, NOW)
    assert praised is not None and praised.first_praise_event_id == event(2).event_id
    assert not store.overturn_praise(PERSON, event(3).event_id)  # not the first: nothing moves
    assert store.overturn_praise(PERSON, event(2).event_id)
    profile = store.profile(PERSON)
    assert profile is not None and profile.first_praise_event_id is None
    store.record_event(event(4), True, NOW)
    profile = store.profile(PERSON)
    assert profile is not None and profile.first_praise_event_id == event(4).event_id


def test_a_checked_cooldown_blocks_but_charges_nothing(store: StateStore) -> None:
    assert store.claim([Cooldown(PERSON, 7, NOW, charge=False)]).ok
    assert store.cooldown_until(PERSON) is None
    assert store.claim([Cooldown(PERSON, 7, NOW)]).ok
    assert store.claim([Cooldown(PERSON, 7, NOW + timedelta(days=1), charge=False)]).blocked_by == (
        "cooldown: this person had automated contact within 7 days"
    )


def test_an_approval_charges_the_contact_with_the_move_and_only_once(store: StateStore) -> None:
    store.record_event(event(1), True, NOW)
    offer = record(1, state=WorkState.PENDING_REVIEW)
    assert store.claim([RecordWork(offer)]).ok
    contact: list[Contact | Cooldown] = [Contact(PERSON, NOW, offer=True), Cooldown(PERSON, 7, NOW)]
    assert store.decide(offer, WorkState.APPROVED, "ana", None, NOW, message="edited", contact=contact)
    assert not store.decide(offer, WorkState.APPROVED, "ana", None, NOW, contact=contact)  # no longer pending
    profile = store.profile(PERSON)
    assert profile is not None and (profile.offers_received, profile.last_contact_at) == (1, NOW.isoformat())
    assert store.cooldown_until(PERSON) == int((NOW + timedelta(days=7)).timestamp())
    decided = store.get_work(offer.key)
    assert decided is not None and (decided.state, decided.message) == (WorkState.APPROVED, "edited")


def test_flags_are_listed_apart_from_offers_and_never_wait_to_be_queued(store: StateStore) -> None:
    offer, flag = record(1, state=WorkState.PENDING_REVIEW), record(2, kind=WorkKind.FLAG, state=WorkState.PENDING_REVIEW)
    assert store.claim([RecordWork(offer), RecordWork(flag)]).ok
    assert [r.id for r in store.list_work([WorkState.PENDING_REVIEW])] == [offer.id]
    assert [r.id for r in store.list_work([WorkState.PENDING_REVIEW], kind=WorkKind.FLAG)] == [flag.id]
    assert store.decide(flag, WorkState.APPROVED, "ana", None, NOW)
    done = store.get_work(flag.key)
    assert done is not None and (done.state_label, done.waiting_to_queue) == ("done", False)
    assert [r.id for r in store.list_work([WorkState.APPROVED], kind=WorkKind.FLAG)] == [flag.id]


def test_a_handle_belongs_to_the_first_identity_that_showed_it_on_that_account(store: StateStore) -> None:
    first = store.handle_owner("instagram", "brand", "Ana_Brews", "PERSON#instagram#brand#178")
    assert first == "PERSON#instagram#brand#178"
    assert store.handle_owner("instagram", "brand", "@ana_brews", "PERSON#instagram#brand#ana_brews") == first
    assert store.handle_owner("instagram", "other", "ana_brews", "PERSON#instagram#other#9") == "PERSON#instagram#other#9"

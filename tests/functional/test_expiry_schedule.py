"""The expiry schedule's function on moto, with the template's environment: it expires what is
due (unclaimed offers past their rule's window, review items past the setting) and nothing
else, announces each expired offer on the bus with ids only, and logs no personal field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest

from dev_support.template import function_environment
from goodword.aws import clients
from goodword.aws.claims_table import ClaimsTable
from goodword.aws.codec import plain
from goodword.aws.event_bus import EventBus
from goodword.aws.rules_table import RulesLoader
from goodword.aws.state_table import StateTable
from goodword.claims.expiry import Expiry
from goodword.claims.records import Claimant, ClaimRecord
from goodword.claims.states import ClaimState
from goodword.limits import RecordWork
from goodword.work import WorkKind, WorkRecord, WorkState, work_id
from tests.conftest import Aws
from tests.functional.test_perform_actions import actions, perform, queued_records
from tests.functional.test_pipeline import POSITIVE, decisions, event, put_rules, work
from tests.functional.test_pipeline import run as run_pipeline

__all__ = ["actions"]  # a fixture used here

NOW = datetime.now(UTC)
OFFER: dict[str, Any] = {"product": "Beans", "message": "Thanks! {claim_link}", "review": "by_band"}
RULE: dict[str, Any] = {
    "id": "short-window-sample",
    "name": "A sample",
    "triggers": {"kinds": ["mention"]},
    "actions": [{"offer_sample": OFFER}],
}
HANDLE = "fan_handle_9"
FAN = Claimant(name="Ana Fan", email="ana@example.com", address_line1="1 Bean St", city="Lyon", postal_code="69001", country="FR")


@pytest.fixture
def expiry(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    refs = {**aws.tables, **aws.secrets, **aws.queues, "GoodwordEventBus": "GoodwordEventBus-test"}
    for key, value in function_environment("ExpireOffersFunction", refs).items():
        if not key.startswith("POWERTOOLS_"):
            monkeypatch.setenv(key, value)
    from expire_offers import handler

    from goodword.settings import expiry_settings

    expiry_settings.cache_clear()
    handler.reset()
    clients.use_budget(clients.WORKER)  # as the handler does first, so tests patch the clients it uses
    yield handler
    handler.reset()
    expiry_settings.cache_clear()


def offer(number: int, state: WorkState, age: timedelta, kind: WorkKind = WorkKind.OFFER_SAMPLE, **fields: Any) -> WorkRecord:
    identifier = work_id(f"e{number}", str(fields.get("rule_id", RULE["id"])), 0)
    made = (NOW - age).isoformat()
    values: dict[str, Any] = {
        "id": identifier,
        "kind": kind,
        "state": state,
        "event_id": f"e{number}",
        "event_kind": "mention",
        "event_time": made,
        "rule_id": RULE["id"],
        "rule_version": 1,
        "person": f"PERSON#x#brand#p{number}",
        "platform": "x",
        "brand_account": "brand",
        "author_id": f"p{number}",
        "author_handle": HANDLE,
        "created_at": made,
        "idempotency_key": identifier,
        "message": "Thanks!",
        **({"finished_at": made, "claim_code": f"code{number}"} if state is WorkState.SENT else {}),
        **fields,
    }
    return WorkRecord.model_validate(values)


def store(aws: Aws, *records: WorkRecord) -> StateTable:
    state = StateTable(aws.tables["StateTable"])
    assert state.claim([RecordWork(r) for r in records]).ok
    return state


def claims_table(aws: Aws) -> ClaimsTable:
    return ClaimsTable(aws.tables["ClaimsTable"], aws.tables["StateTable"], aws.keys["ClaimsKey"])


def claim_for(record: WorkRecord, at: datetime) -> ClaimRecord:
    return ClaimRecord(
        id=record.id,
        offer_key=record.key,
        rule_id=record.rule_id,
        rule_version=1,
        person=record.person,
        platform="x",
        state=ClaimState.CLAIMED,
        created_at=at.isoformat(),
        updated_at=at.isoformat(),
        claimant=FAN,
        address_hash=f"address-of-{record.id}",  # its ADDRESS# lookup item goes with the address
    )


def settled_claim(aws: Aws, record: WorkRecord, days_ago: int) -> ClaimRecord:
    """The fan claimed the offer ``days_ago`` days ago, and the sample was sent."""
    at = NOW - timedelta(days=days_ago)
    claims = claims_table(aws)
    assert claims.create(claim_for(record, at), at)
    assert claims.move(record.id, ClaimState.CLAIMED, ClaimState.FULFILLED, at, fulfilled_at=at.isoformat())
    found = claims.get(record.id)
    assert found is not None
    return found


def run(expiry: Any, context: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with mock.patch.object(clients.events(), "put_events", wraps=clients.events().put_events) as put_events:
        result: dict[str, Any] = expiry.lambda_handler({"detail-type": "Scheduled Event"}, context)
    return result, [entry for call in put_events.call_args_list for entry in call.kwargs["Entries"]]


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every log record with its extra fields, as text."""
    return json.dumps([record.__dict__ for record in caplog.records], default=str)


def test_the_schedule_expires_what_is_due_and_announces_ids_only(
    aws: Aws, expiry: Any, lambda_context: Any, caplog: pytest.LogCaptureFixture
) -> None:
    put_rules(aws, {**RULE, "actions": [{"offer_sample": {**OFFER, "claim_within_days": 3}}]})
    due = offer(1, WorkState.SENT, timedelta(days=3, minutes=1))
    fresh = offer(2, WorkState.SENT, timedelta(days=2))
    claimed = offer(3, WorkState.SENT, timedelta(days=30), claim_state="claimed")
    waiting = offer(4, WorkState.PENDING_REVIEW, timedelta(days=15))
    flag = offer(5, WorkState.PENDING_REVIEW, timedelta(days=15), kind=WorkKind.FLAG, flag_reason="look")
    recent = offer(6, WorkState.PENDING_REVIEW, timedelta(days=1))
    state = store(aws, due, fresh, claimed, waiting, flag, recent)

    result, entries = run(expiry, lambda_context)

    assert result["offer_ids"] == [due.id]
    assert result["reviews_expired"] == 2
    assert {r.id: r.state for r in (state.get_work(x.key) for x in (waiting, flag, recent)) if r} == {
        waiting.id: WorkState.EXPIRED,
        flag.id: WorkState.EXPIRED,
        recent.id: WorkState.PENDING_REVIEW,
    }
    assert (kept := state.get_work(claimed.key)) is not None and kept.claim_state == "claimed"
    assert (untouched := state.get_work(fresh.key)) is not None and untouched.claim_state is None
    (entry,) = entries
    assert entry["DetailType"] == "Offer claim" and entry["Source"] == "goodword"
    detail = json.loads(entry["Detail"])
    assert (detail["id"], detail["offer_id"], detail["state"]) == (f"{due.id}:expired", due.id, "expired")
    assert set(detail) == {"id", "kind", "offer_id", "claim_id", "rule_id", "state", "at"}, "ids only"
    assert "expiry ran" in (logs := logged(caplog))
    assert HANDLE not in logs and "PERSON#" not in logs, "no person in the logs"


def test_without_a_rule_window_offers_expire_after_fourteen_days(
    aws: Aws, expiry: Any, lambda_context: Any, caplog: pytest.LogCaptureFixture
) -> None:
    put_rules(aws, RULE)
    old, young = offer(1, WorkState.SENT, timedelta(days=14, minutes=1)), offer(2, WorkState.SENT, timedelta(days=13))
    state = store(aws, old, young)
    result, entries = run(expiry, lambda_context)
    assert result["offer_ids"] == [old.id] and len(entries) == 1
    assert (expired := state.get_work(old.key)) is not None and expired.claim_state == "expired"
    assert run(expiry, lambda_context)[0]["offers_expired"] == 0, "a second run finds nothing left to do"
    assert HANDLE not in logged(caplog) and "PERSON#" not in logged(caplog)


def test_the_schedule_erases_the_address_of_settled_claims_past_the_retention(
    aws: Aws, expiry: Any, lambda_context: Any, caplog: pytest.LogCaptureFixture
) -> None:
    put_rules(aws, RULE, settings={"claim_address_retention_days": 30})
    old, recent = offer(1, WorkState.SENT, timedelta(days=40)), offer(2, WorkState.SENT, timedelta(days=10))
    open_claim = offer(3, WorkState.SENT, timedelta(days=40))
    store(aws, old, recent, open_claim)
    settled_claim(aws, old, days_ago=31)
    settled_claim(aws, recent, days_ago=9)
    at = NOW - timedelta(days=35)
    assert claims_table(aws).create(claim_for(open_claim, at), at)  # still being fulfilled: keeps its address

    result, entries = run(expiry, lambda_context)

    assert result["addresses_erased"] == 1 and entries == []
    erased, kept, waiting = (claims_table(aws).get(o.id) for o in (old, recent, open_claim))
    assert erased is not None and erased.claimant is not None and erased.address_erased_at is not None
    assert (erased.claimant.name, erased.claimant.email, erased.claimant.address_line1, erased.claimant.city) == (
        "Ana Fan",
        "ana@example.com",
        None,
        None,
    )
    assert kept is not None and kept.claimant == FAN
    assert waiting is not None and waiting.claimant == FAN
    assert FAN.name not in logged(caplog) and FAN.address_line1 not in logged(caplog)  # type: ignore[operator]


@pytest.mark.usefixtures("atomic_moto")
def test_a_claim_racing_the_expiry_exactly_one_wins(aws: Aws) -> None:
    state, claims = StateTable(aws.tables["StateTable"]), claims_table(aws)
    offers = [offer(n, WorkState.SENT, timedelta(days=20)) for n in range(8)]
    store(aws, *offers)
    for record in offers:
        with ThreadPoolExecutor(max_workers=2) as pool:
            claimed = pool.submit(claims.create, claim_for(record, NOW), NOW)
            expired = pool.submit(state.expire_offer, record, NOW)
            outcomes = (claimed.result(), expired.result())
        assert outcomes in ((True, False), (False, True)), outcomes
        stored = state.get_work(record.key)
        assert stored is not None
        if outcomes[0]:
            assert stored.claim_state == "claimed" and claims.get(record.id) is not None
        else:
            assert stored.claim_state == "expired" and claims.get(record.id) is None


def test_an_expired_offer_cannot_be_claimed_and_a_claimed_one_cannot_expire(aws: Aws) -> None:
    state, claims = StateTable(aws.tables["StateTable"]), claims_table(aws)
    first, second = offer(1, WorkState.SENT, timedelta(days=20)), offer(2, WorkState.SENT, timedelta(days=20))
    store(aws, first, second)
    assert state.expire_offer(first, NOW)
    assert not claims.create(claim_for(first, NOW), NOW), "the page finds it expired"
    assert claims.create(claim_for(second, NOW), NOW)
    assert not state.expire_offer(second, NOW), "the claim stands"


EVERY_PRAISE: dict[str, Any] = {
    "id": "every-praise-sample",
    "name": "A sample for praise, once per person",
    "triggers": {"kinds": ["mention"]},
    "conditions": {"field": "sentiment.band", "one_of": ["auto", "review"]},
    "actions": [{"offer_sample": {**OFFER, "review": "automatic"}}],
    "limits": {"once_per_person": "forever"},
}


def test_on_dynamodb_an_expired_offer_never_opens_a_second_one(
    aws: Aws, pipeline: Any, actions: Any, lambda_context: Any
) -> None:
    """Only once-per-person stands between the fan and a second offer (no "first praise"
    condition): after their offer expires, their next praise is limited, not offered."""
    put_rules(aws, EVERY_PRAISE)
    run_pipeline(pipeline, lambda_context, event(POSITIVE, post="1"))
    (message,) = queued_records(aws)
    perform(actions, lambda_context, [message])
    (sent,) = [WorkRecord.model_validate(plain(i)) for i in work(aws, "offer_sample")]
    assert sent.state is WorkState.SENT
    later = NOW + timedelta(days=20)
    expiry = Expiry(StateTable(aws.tables["StateTable"]), EventBus("GoodwordEventBus-test"), lambda: later)
    assert expiry.run(RulesLoader(aws.tables["RulesTable"], 0)()).offers_expired == [sent.id]

    again = event(POSITIVE, post="2")
    run_pipeline(pipeline, lambda_context, again, start=2)
    (decision,) = [d for d in decisions(aws, again)["decisions"] if d["rule_id"] == EVERY_PRAISE["id"]]
    assert decision["outcome"] == "limited" and "once per person" in decision["detail"]
    assert len(work(aws, "offer_sample")) == 1 and queued_records(aws) == [], "no second offer"


def test_a_claim_stored_but_never_queued_is_queued_again(aws: Aws, expiry: Any, lambda_context: Any) -> None:
    """The page stored the claim, then SQS (or the bus) failed: the fan was answered 503, and
    sending again only finds the gift claimed. The schedule queues it again once it has sat
    `claimed` for 15 minutes; a claim just made, or fulfilled, is left alone."""
    put_rules(aws, RULE)
    stuck, fresh, done = (offer(n, WorkState.SENT, timedelta(days=1)) for n in (1, 2, 3))
    store(aws, stuck, fresh, done)
    claims = claims_table(aws)
    assert claims.create(claim_for(stuck, NOW - timedelta(minutes=20)), NOW - timedelta(minutes=20))
    assert claims.create(claim_for(fresh, NOW - timedelta(minutes=2)), NOW - timedelta(minutes=2))
    settled_claim(aws, done, days_ago=1)
    result, _ = run(expiry, lambda_context)
    assert result["claims_requeued"] == 1 and result["requeue_failures"] == 0
    found = clients.sqs().receive_message(QueueUrl=aws.queues["FulfilmentQueue"], MaxNumberOfMessages=10)
    assert [json.loads(m["Body"]) for m in found.get("Messages", [])] == [{"claim_id": stuck.id}]

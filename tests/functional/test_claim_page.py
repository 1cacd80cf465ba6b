"""The claim page's handler on moto, with the template's tables, key, secret, queue and bus:
a claim made as a browser makes it, twenty at once, three handles at one address (held, not
linked), and the
logs of it all with no claimant's name, email or address."""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock
from urllib.parse import urlencode

import pytest

from dev_support.platforms import CLAIM_HASH_KEY
from dev_support.template import function_environment
from goodword.aws import clients
from goodword.aws.state_table import StateTable
from goodword.claims.page import csrf
from goodword.events import Author, Event, EventKind, EventRefs, Platform
from goodword.limits import RecordWork
from goodword.settings import claim_page_settings
from goodword.work import WorkKind, WorkRecord, WorkState, claim_code, work_id
from tests.conftest import Aws

KEYS = csrf.Keys.derive(CLAIM_HASH_KEY["key"].encode())
FAN = {
    "name": "Ada Lovelace",
    "email": "ada@example.org",
    "address_line1": "12 St James's Square",
    "address_line2": "Flat 3",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "region": "Westminster",
    "country": "GB",
    "consent": "yes",
}
PERSONAL = ["Ada", "Lovelace", "ada@example.org", "James", "SW1Y", "Flat 3", "London", "Westminster"]


@pytest.fixture
def page(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The handler module with the function's environment exactly as the template sets it."""
    from claim_page import handler

    (bus,) = [b["Name"] for b in clients.events().list_event_buses()["EventBuses"] if b["Name"] != "default"]
    refs = {**aws.tables, **aws.secrets, **aws.queues, **aws.keys, "GoodwordEventBus": bus}
    for name, value in function_environment("ClaimPageFunction", refs).items():
        if not name.startswith("POWERTOOLS_"):
            monkeypatch.setenv(name, value)
    claim_page_settings.cache_clear()
    handler.reset()
    yield handler
    handler.reset()
    claim_page_settings.cache_clear()


def sent_offer(aws: Aws, number: int = 1, **fields: Any) -> WorkRecord:
    """An offer as the actions function leaves it once sent."""
    now = datetime.now(UTC)
    identifier = work_id(f"x:{number}", "first-praise", 0)
    record = WorkRecord.model_validate(
        {
            "id": identifier,
            "kind": WorkKind.OFFER_SAMPLE,
            "state": WorkState.SENT,
            "event_id": f"x:{number}",
            "event_kind": "mention",
            "event_time": now.isoformat(),
            "rule_id": "first-praise",
            "rule_version": 1,
            "person": f"PERSON#x#brand#fan{number}",
            "platform": "x",
            "brand_account": "brand",
            "author_id": f"fan{number}",
            "author_handle": f"fan{number}",
            "created_at": (now - timedelta(hours=2)).isoformat(),
            "finished_at": (now - timedelta(hours=1)).isoformat(),
            "idempotency_key": identifier,
            "claim_code": claim_code(),
            "product": "Ethiopia Guji, 250 g",
            **fields,
        }
    )
    state = StateTable(aws.tables["StateTable"])
    author = Author(id=f"fan{number}", handle=f"fan{number}")
    mention = Event(
        platform=Platform.X,
        kind=EventKind.MENTION,
        natural_id=f"tweet:{number}",
        brand_account="brand",
        occurred_at=now - timedelta(hours=3),
        received_at=now - timedelta(hours=3),
        source="x",
        author=author,
        text="Honestly the best cold brew in town!",
        refs=EventRefs(post_id=str(number)),
    )
    state.record_event(mention, positive=True, now=now - timedelta(hours=3))  # the fan's profile
    assert state.claim([RecordWork(record)]).ok
    return record


def event(
    code: str, method: str = "GET", body: str | None = None, cookies: list[str] | None = None, ip: str = "203.0.113.7"
) -> dict[str, Any]:
    headers = {"host": "abc123.execute-api.us-east-1.amazonaws.com", "x-forwarded-proto": "https"}
    if body is not None:
        headers["content-type"] = "application/x-www-form-urlencoded"
    found: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method} /claim/{{code}}",
        "rawPath": f"/claim/{code}",
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "http": {"method": method, "path": f"/claim/{code}", "protocol": "HTTP/1.1", "sourceIp": ip},
            "requestId": "req-1",
            "routeKey": f"{method} /claim/{{code}}",
            "stage": "$default",
        },
        "pathParameters": {"code": code},
        "isBase64Encoded": False,
    }
    if body is not None:
        found["body"] = body
    if cookies:
        found["cookies"] = cookies
    return found


def form(code: str, fields: dict[str, str], seconds_ago: float = 20) -> str:
    token = csrf.form_token(KEYS, code, datetime.now(UTC) - timedelta(seconds=seconds_ago))
    return urlencode({"csrf": token, "website": "", **fields})


def cookies_of(answer: dict[str, Any]) -> list[str]:
    return [c.split(";", 1)[0] for c in answer.get("cookies", [])]


@contextmanager
def logged_to_capture() -> Iterator[None]:
    """The shared logger writes to the stream pytest captures (it kept the one it started with)."""
    from goodword.observability import logger

    previous = logger.registered_handler.setStream(sys.stdout)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        logger.registered_handler.setStream(previous)  # type: ignore[attr-defined]


def fulfilment_messages(aws: Aws) -> list[dict[str, Any]]:
    found = clients.sqs().receive_message(QueueUrl=aws.queues["FulfilmentQueue"], MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in found.get("Messages", [])]


def test_a_fan_claims_through_the_page_as_a_browser_would(aws: Aws, page: Any, lambda_context: Any) -> None:
    offer = sent_offer(aws)
    code = offer.claim_code or ""
    shown = page.lambda_handler(event(code), lambda_context)
    assert shown["statusCode"] == 200
    assert shown["headers"]["content-security-policy"].startswith("default-src 'none'")
    token = re.search(r'name="csrf" value="([^"]+)"', shown["body"])
    assert token is not None and "Ethiopia Guji, 250 g" in shown["body"]
    sent = page.lambda_handler(event(code, "POST", form(code, FAN)), lambda_context)
    assert (sent["statusCode"], sent["headers"]["location"]) == (303, code)
    assert "Secure" in sent["cookies"][0]
    confirmation = page.lambda_handler(event(code, cookies=cookies_of(sent)), lambda_context)
    assert "Your gift is on its way" in confirmation["body"]
    assert fulfilment_messages(aws) == [{"claim_id": offer.id}]
    stored = StateTable(aws.tables["StateTable"]).get_work(offer.key)
    assert stored is not None and stored.claim_state == "claimed"
    again = page.lambda_handler(event(code), lambda_context)  # another browser
    assert "already been claimed" in again["body"]


def test_a_fan_claims_a_code_reward_with_the_email_only(aws: Aws, page: Any, lambda_context: Any) -> None:
    """A code pool reward: the form asks for the email only, and the claim is stored (sealed
    with the template's key) and queued, not answered with a 503."""
    offer = sent_offer(aws, fulfilment={"kind": "code_pool"})
    code = offer.claim_code or ""
    shown = page.lambda_handler(event(code), lambda_context)
    assert shown["statusCode"] == 200 and 'name="address_line1"' not in shown["body"]
    sent = page.lambda_handler(event(code, "POST", form(code, {"email": "ada@example.org", "consent": "yes"})), lambda_context)
    assert sent["statusCode"] == 303
    confirmation = page.lambda_handler(event(code, cookies=cookies_of(sent)), lambda_context)
    assert "Your code is on its way" in confirmation["body"]
    assert fulfilment_messages(aws) == [{"claim_id": offer.id}]
    stored = StateTable(aws.tables["StateTable"]).get_work(offer.key)
    assert stored is not None and stored.claim_state == "claimed"


def test_twenty_concurrent_claims_of_one_code_store_one(aws: Aws, page: Any, lambda_context: Any, atomic_moto: None) -> None:
    offer = sent_offer(aws)
    code = offer.claim_code or ""
    page.lambda_handler(event(code), lambda_context)  # the container is warm (as after the GET)
    answers: list[dict[str, Any]] = []
    start = threading.Barrier(20)

    def claim(n: int) -> None:
        body = form(code, {**FAN, "email": f"fan{n}@example.org", "name": f"Fan {n}"})
        start.wait()
        answers.append(page.lambda_handler(event(code, "POST", body, ip=f"198.51.100.{n}"), lambda_context))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a["statusCode"] for a in answers] == [303] * 20
    assert sum(1 for a in answers if a.get("cookies")) == 1  # one claimer gets the confirmation
    assert fulfilment_messages(aws) == [{"claim_id": offer.id}]
    items = clients.dynamodb().scan(TableName=aws.tables["ClaimsTable"])["Items"]
    assert sum(1 for i in items if i["sk"]["S"] == "CLAIM") == 1


def test_the_same_address_under_three_handles_holds_two_unlinked(aws: Aws, page: Any, lambda_context: Any) -> None:
    offers = [sent_offer(aws, n) for n in (1, 2, 3)]
    clients.use_budget(clients.RECEIVER)  # the page's clients (its handler chooses them)
    with mock.patch.object(clients.events(), "put_events", wraps=clients.events().put_events) as put_events:
        for n, offer in enumerate(offers, start=1):
            code = offer.claim_code or ""
            body = form(code, {**FAN, "email": f"ada{n}@example.org"})
            assert page.lambda_handler(event(code, "POST", body), lambda_context)["statusCode"] == 303
    # every move of a claim is one detail type on the bus, the move in its state (ids only)
    entries = [entry for call in put_events.call_args_list for entry in call.kwargs["Entries"]]
    assert {(e["Source"], e["DetailType"]) for e in entries} == {("goodword", "Offer claim")}
    assert [json.loads(e["Detail"])["state"] for e in entries] == ["claimed", "claimed", "held", "claimed", "held"]
    state = StateTable(aws.tables["StateTable"])
    claim_states = [(state.get_work(o.key) or o).claim_state for o in offers]
    assert claim_states == ["claimed", "held", "held"]
    for offer in offers:  # anyone can type anyone's address: a reviewer links them, never the page
        profile = state.profile(offer.person)
        assert profile is not None and profile.person_id is None
    from goodword.aws.claims_table import ClaimsTable

    store = ClaimsTable(aws.tables["ClaimsTable"], aws.tables["StateTable"], aws.keys["ClaimsKey"])
    third = store.get(offers[2].id)
    assert third is not None and third.similar_to == [offers[0].id, offers[1].id]
    assert fulfilment_messages(aws) == [{"claim_id": offers[0].id}]  # held claims wait for a person


def test_the_logs_of_a_run_hold_no_claimants_name_email_or_address(
    aws: Aws, page: Any, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = sent_offer(aws, 1), sent_offer(aws, 2)
    code, other = first.claim_code or "", second.claim_code or ""
    capsys.readouterr()
    with logged_to_capture():
        page.lambda_handler(event(code), lambda_context)
        page.lambda_handler(event(code, "POST", form(code, {**FAN, "email": "ada@"})), lambda_context)  # invalid
        page.lambda_handler(event(code, "POST", form(code, {**FAN, "website": "bot"})), lambda_context)  # honeypot
        page.lambda_handler(event(code, "POST", form(code, FAN)), lambda_context)
        page.lambda_handler(event(code, "POST", form(code, FAN)), lambda_context)  # again
        page.lambda_handler(event(other, "POST", form(other, FAN)), lambda_context)  # a repeat claimer
        page.lambda_handler(event(code, "POST", "csrf=forged&" + urlencode(FAN)), lambda_context)
    logged = capsys.readouterr()
    lines = (logged.out + logged.err).splitlines()
    assert len([line for line in lines if "claim page answered" in line]) == 7
    assert not [p for p in PERSONAL if p in logged.out + logged.err]
    results = [json.loads(line)["result"] for line in lines if "claim page answered" in line]
    assert results == ["form", "invalid", "bot", "claimed", "claimed", "held_repeat_claimer", "csrf"]


def test_a_failing_store_answers_503_and_logs_no_personal_data(
    aws: Aws, page: Any, lambda_context: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    offer = sent_offer(aws)
    code = offer.claim_code or ""
    page.lambda_handler(event(code), lambda_context)
    from goodword.aws.claims_table import ClaimsTable

    def broken(self: Any, claim: Any, now: Any) -> bool:
        raise RuntimeError(f"storage failed for {claim.claimant.email}")

    monkeypatch.setattr(ClaimsTable, "create", broken)
    capsys.readouterr()
    with logged_to_capture():
        answer = page.lambda_handler(event(code, "POST", form(code, FAN)), lambda_context)
    assert answer["statusCode"] == 503
    assert answer["headers"]["x-content-type-options"] == "nosniff"
    logged = capsys.readouterr().out
    assert "RuntimeError" in logged
    assert "ada@example.org" not in logged

"""The console's review and people pages through their API (/api/review, /api/offers,
/api/people, /api/person...): the real handler with HTTP API events carrying the JWT
authorizer's claims, against moto tables the real pipeline filled. An editor decides and the
decision is recorded as theirs; a viewer reads and changes nothing; a decision made twice
counts once; the judge learns from the console as from the command."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from dev_support.lambda_events import console_api_event
from goodword.aws.state_table import StateTable
from goodword.services import review
from goodword.services.errors import Conflict
from tests.conftest import Aws
from tests.functional.test_cli import SETTINGS, goodword_json, target
from tests.functional.test_pipeline import BRAND, put_rules, queued
from tests.functional.test_review_decisions import fans, manual_flagship

EDITOR = {"cognito:username": "ed@example.org", "cognito:groups": "[editors]"}
VIEWER = {"cognito:username": "vi@example.org", "cognito:groups": "[viewers]"}


@pytest.fixture
def api(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The console API's handler, with the environment the template gives it."""
    from console_api import handler

    env = {
        "EVENTS_TABLE_NAME": aws.tables["EventsTable"],
        "STATE_TABLE_NAME": aws.tables["StateTable"],
        "RULES_TABLE_NAME": aws.tables["RulesTable"],
        "ACTIONS_QUEUE_URL": aws.queues["ActionsQueue"],
        "CLAIMS_TABLE_NAME": aws.tables["ClaimsTable"],
        "CLAIMS_KEY_ARN": aws.keys["ClaimsKey"],
        "EVENT_BUS_NAME": "GoodwordEventBus-test",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    handler.reset()
    yield handler
    handler.reset()


def call(
    api: Any,
    context: Any,
    method: str,
    path: str,
    body: Any = None,
    query: dict[str, str] | None = None,
    claims: dict[str, str] = EDITOR,
) -> tuple[int, Any]:
    """One request as API Gateway's HTTP API (payload 2.0) delivers it after the JWT authorizer
    (``claims`` empty: no token)."""
    event = console_api_event(method, path, body, query, claims or None)
    answer = api.lambda_handler(event, context)
    text = answer.get("body") or "null"
    return answer["statusCode"], json.loads(text)


@pytest.fixture
def waiting(aws: Aws, pipeline: Any, lambda_context: Any) -> dict[str, str]:
    """Offers held for review for amy, bo and cy (the flagship with review: manual): by author."""
    put_rules(aws, manual_flagship(), settings=SETTINGS)
    fans(aws, pipeline, lambda_context, "amy", "bo", "cy")
    return {o["author_id"]: o["id"] for o in goodword_json(aws, "review", "list")["offers"]}


# --- review ---------------------------------------------------------------------------------------


def test_the_queue_shows_what_a_reviewer_needs(aws: Aws, api: Any, lambda_context: Any, waiting: dict[str, str]) -> None:
    status, found = call(api, lambda_context, "GET", "/api/review", claims=VIEWER)  # reads: anyone signed in
    assert status == 200 and found["flags"] == []
    item = next(o for o in found["offers"] if o["id"] == waiting["amy"])
    assert item["state"] == "pending_review" and item["event_text"].startswith("@roaster")
    assert item["post_url"] and item["post_url"].startswith("https://x.com/")
    assert "manual" in item["why_held"]
    assert item["judgement"]["band"] and item["judgement"]["words"]
    person = item["person"]
    assert (person["handle"], person["account_created_at"][:4], person["mention_count"]) == ("fan_amy", "2015", 1)
    assert person["opted_out"] is None and person["linked_identities"] == [] and person["claims_total"] == 0
    assert item["edit"]["max_length"] == 280 and "claim_link" in item["edit"]["placeholders"]
    assert item["edit"]["must_keep"] == ["claim_link"]


def test_an_editor_approves_once_and_it_is_recorded_as_theirs(
    aws: Aws, api: Any, lambda_context: Any, waiting: dict[str, str]
) -> None:
    amy = waiting["amy"]
    status, answer = call(api, lambda_context, "POST", f"/api/review/{amy}/approve", {"message": None})
    assert (status, answer) == (200, {"id": amy, "state": "approved", "queued": True})
    (message,) = queued(aws)
    assert message["id"] == amy
    shown = goodword_json(aws, "offers", "show", amy)
    assert (shown["state"], shown["reviewed_by"]) == ("approved", "console:ed@example.org")

    status, answer = call(api, lambda_context, "POST", f"/api/review/{amy}/approve", {"message": None})
    assert status == 409 and "not waiting for review" in answer["message"]
    assert queued(aws) == []  # nothing queued twice
    examples = StateTable(aws.tables["StateTable"]).examples()
    assert [(e.praise, e.by) for e in examples] == [(True, "console:ed@example.org")]  # an approval is praise

    status, listed = call(api, lambda_context, "GET", "/api/offers", query={"state": "approved", "since": "1d"})
    assert status == 200 and [o["id"] for o in listed["offers"]] == [amy]


def test_two_approvals_at_once_approve_once(
    aws: Aws, atomic_moto: None, api: Any, lambda_context: Any, waiting: dict[str, str]
) -> None:
    """The console and Slack (two functions) approve the same offer at the same moment."""
    stores = target(aws).stores()
    start = threading.Barrier(2)
    answers: list[str] = []

    def approve(who: str) -> None:
        start.wait()
        try:
            decided = review.decide(stores, waiting["amy"], "approve", who)
            answers.append(f"approved queued={decided.queued}")
        except Conflict:
            answers.append("conflict")

    threads = [threading.Thread(target=approve, args=(who,)) for who in ("console:ed@example.org", "slack:U123")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["approved queued=True", "conflict"]
    assert len(queued(aws)) == 1
    profile = StateTable(aws.tables["StateTable"]).profile(f"PERSON#x#{BRAND}#amy")
    assert profile is not None and profile.offers_received == 1  # one contact
    assert len(StateTable(aws.tables["StateTable"]).examples()) == 1


def test_a_viewer_cannot_decide_and_nothing_changes(aws: Aws, api: Any, lambda_context: Any, waiting: dict[str, str]) -> None:
    for path, body in (("approve", {"message": None}), ("reject", {"because": "not-praise"})):
        status, _ = call(api, lambda_context, "POST", f"/api/review/{waiting['bo']}/{path}", body, claims=VIEWER)
        assert status == 403
    assert goodword_json(aws, "offers", "show", waiting["bo"])["state"] == "pending_review"
    assert queued(aws) == []
    assert StateTable(aws.tables["StateTable"]).examples() == []


def test_rejecting_as_not_praise_teaches_the_judge(aws: Aws, api: Any, lambda_context: Any, waiting: dict[str, str]) -> None:
    status, answer = call(api, lambda_context, "POST", f"/api/review/{waiting['cy']}/reject", {"because": None})
    assert status == 422 and answer["problems"][0]["path"] == "because"  # an offer's rejection says why

    status, answer = call(api, lambda_context, "POST", f"/api/review/{waiting['bo']}/reject", {"because": "duplicate"})
    assert (status, answer) == (200, {"id": waiting["bo"], "state": "rejected"})
    status, answer = call(
        api, lambda_context, "POST", f"/api/review/{waiting['cy']}/reject", {"because": "not-praise", "reason": "sarcasm"}
    )
    assert (status, answer["state"]) == (200, "rejected")
    examples = StateTable(aws.tables["StateTable"]).examples()
    assert [(e.praise, e.source.value, e.by) for e in examples] == [(False, "review", "console:ed@example.org")]  # cy's only
    shown = goodword_json(aws, "offers", "show", waiting["cy"])
    assert (shown["rejected_as"], shown["reason"]) == ("not-praise", "sarcasm")
    assert queued(aws) == []


def test_an_edit_that_does_not_fit_is_refused_where_it_is_wrong(
    aws: Aws, api: Any, lambda_context: Any, waiting: dict[str, str]
) -> None:
    amy = waiting["amy"]
    too_long = {"message": "Thank you! " * 30 + "{claim_link}"}
    status, answer = call(api, lambda_context, "POST", f"/api/review/{amy}/approve", too_long)
    assert status == 422
    (problem,) = answer["problems"]
    assert problem["path"] == "message" and "x reply allows 280" in problem["message"]
    status, answer = call(api, lambda_context, "POST", f"/api/review/{amy}/approve", {"message": "Hi {nickname}"})
    assert status == 422 and "unknown placeholder {nickname}" in answer["problems"][0]["message"]
    assert goodword_json(aws, "offers", "show", amy)["state"] == "pending_review"  # nothing changed

    edited = "Hi {author_handle}, a bag is yours: {claim_link}"
    status, answer = call(api, lambda_context, "POST", f"/api/review/{amy}/approve", {"message": edited})
    assert (status, answer["queued"]) == (200, True)
    (message,) = queued(aws)
    assert message["message"].startswith("Hi @fan_amy, a bag is yours: https://")


def test_an_unknown_offer_is_404(api: Any, lambda_context: Any, aws: Aws) -> None:
    status, answer = call(api, lambda_context, "POST", "/api/review/0123456789abcdef0123456789abcdef/approve", {"message": None})
    assert status == 404 and "no offer or flag" in answer["message"]
    status, _ = call(api, lambda_context, "GET", "/api/offers", query={"state": "nonsense"})
    assert status == 422


# --- people ---------------------------------------------------------------------------------------


def test_a_person_is_found_and_shown_with_their_timeline(
    aws: Aws, api: Any, lambda_context: Any, waiting: dict[str, str]
) -> None:
    status, found = call(api, lambda_context, "GET", "/api/people", query={"q": "fan_am"})
    assert status == 200
    assert [(p["person"], p["handle"], p["mention_count"]) for p in found["people"]] == [(f"PERSON#x#{BRAND}#amy", "fan_amy", 1)]
    status, found = call(api, lambda_context, "GET", "/api/people", query={"q": "love"})  # by words they wrote
    assert status == 200 and {p["handle"] for p in found["people"]} == {"fan_amy", "fan_bo", "fan_cy"}

    status, shown = call(api, lambda_context, "GET", "/api/person", query={"id": "x:@fan_amy"}, claims=VIEWER)
    assert status == 200
    assert shown["person"]["person"] == f"PERSON#x#{BRAND}#amy" and shown["identities"] == [f"PERSON#x#{BRAND}#amy"]
    assert shown["person"]["handle"] == "fan_amy" and shown["handles"] == {f"PERSON#x#{BRAND}#amy": "fan_amy"}
    assert [e["kind"] for e in shown["timeline"]] == ["mention", "offer"]
    post, offer = shown["timeline"]
    assert post["band"] and post["text"].startswith("@roaster")
    assert (offer["id"], offer["state"]) == (waiting["amy"], "pending_review")

    status, answer = call(api, lambda_context, "GET", "/api/person", query={"id": "x:@nobody"})
    assert status == 404 and "nobody" in answer["message"]


def test_linking_and_unlinking_need_an_editor(aws: Aws, api: Any, lambda_context: Any, waiting: dict[str, str]) -> None:
    both = {"person": f"x:{BRAND}:amy", "other": f"x:{BRAND}:bo"}
    assert call(api, lambda_context, "POST", "/api/person/link", both, claims=VIEWER)[0] == 403
    status, linked = call(api, lambda_context, "POST", "/api/person/link", both)
    assert status == 200 and linked["person_id"].startswith("HUMAN#") and linked["unseen"] == []
    shown = call(api, lambda_context, "GET", "/api/person", query={"id": f"x:{BRAND}:amy"})[1]
    assert len(shown["identities"]) == 2
    assert call(api, lambda_context, "POST", "/api/person/unlink", {"person": f"x:{BRAND}:bo"})[0] == 200
    status, answer = call(api, lambda_context, "POST", "/api/person/unlink", {"person": f"x:{BRAND}:bo"})
    assert status == 409 and "not linked" in answer["message"]
    status, answer = call(api, lambda_context, "POST", "/api/person/opt-in", {"person": f"x:{BRAND}:amy"})
    assert status == 409 and "had not opted out" in answer["message"]


def test_an_erasure_is_previewed_and_needs_its_confirmation(
    aws: Aws, api: Any, lambda_context: Any, waiting: dict[str, str]
) -> None:
    amy = f"x:{BRAND}:amy"
    status, preview = call(api, lambda_context, "GET", "/api/person/erase-preview", query={"id": amy})
    assert status == 200 and any("1 event(s)" in line for line in preview["will_remove"])
    assert any("1 offer(s)" in line for line in preview["will_remove"])
    assert any("1 offer(s) waiting for review: rejected" in line for line in preview["will_remove"])

    assert call(api, lambda_context, "POST", "/api/person/erase", {"person": amy, "confirm": amy}, claims=VIEWER)[0] == 403
    status, answer = call(api, lambda_context, "POST", "/api/person/erase", {"person": amy})
    assert status == 422 and answer["problems"][0]["path"] == "confirm"
    status, answer = call(api, lambda_context, "POST", "/api/person/erase", {"person": amy, "confirm": "x:@fan_bo"})
    assert status == 422
    assert goodword_json(aws, "people", "show", amy)["mentions"] == 1  # nothing erased yet

    status, answer = call(api, lambda_context, "POST", "/api/person/erase", {"person": amy, "confirm": amy})
    assert status == 200 and (answer["removed"]["events"], answer["removed"]["work"]) == (1, 1)
    assert call(api, lambda_context, "GET", "/api/person", query={"id": amy})[0] == 404
    status, queue = call(api, lambda_context, "GET", "/api/review")  # nobody left to send amy's offer to
    assert status == 200 and {o["id"] for o in queue["offers"]} == {waiting["bo"], waiting["cy"]}


def test_the_openapi_document_describes_these_routes_and_their_bodies(api: Any, lambda_context: Any, aws: Aws) -> None:
    status, document = call(api, lambda_context, "GET", "/api/openapi.json", claims=VIEWER)
    assert status == 200
    paths = document["paths"]
    for path in ("/api/review", "/api/review/{offer_id}/approve", "/api/offers", "/api/people", "/api/person/erase"):
        assert path in paths
    assert {"ApproveBody", "RejectBody", "EraseBody", "LinkBody"} <= set(document["components"]["schemas"])

"""The console's claims page through its API (/api/claims...): the real handler with HTTP API
events carrying the JWT authorizer's claims, against moto tables holding claims made as the
claim page makes them (the claimant's fields sealed with ClaimsKey). The list never carries a
name, email or address; an editor refuses or fulfils a held claim and is recorded; a viewer
changes nothing."""

from __future__ import annotations

import json
from typing import Any

from goodword.aws.state_table import StateTable
from goodword.claims.states import ClaimState
from tests.conftest import Aws
from tests.functional.test_cli_claims import PERSONAL, claimed
from tests.functional.test_console_api_review_people import VIEWER, api, call
from tests.functional.test_expiry_schedule import HANDLE, claims_table

__all__ = ["api"]  # the fixture


def test_the_list_shows_held_claims_first_and_nothing_personal(aws: Aws, api: Any, lambda_context: Any) -> None:
    first, held = claimed(aws, 1, sent_days_ago=6), claimed(aws, 2, ClaimState.HELD)
    status, answer = call(api, lambda_context, "GET", "/api/claims", claims=VIEWER)  # reads: anyone signed in
    assert status == 200
    assert [c["id"] for c in answer["claims"]] == [held, first]  # newest first
    shown = answer["claims"][0]
    assert (shown["state"], shown["held_because"], shown["handle"]) == ("held", "repeat_claimer", HANDLE)
    assert shown["rule_id"] == "short-window-sample" and shown["platform"] == "x" and shown["fulfilment"] == "notify"
    assert shown["created_at"] and shown["similar_to"] == []
    status, only_held = call(api, lambda_context, "GET", "/api/claims", query={"state": "held"}, claims=VIEWER)
    assert [c["id"] for c in only_held["claims"]] == [held]
    assert call(api, lambda_context, "GET", "/api/claims", query={"rule": "another-rule"})[1] == {"claims": []}
    assert call(api, lambda_context, "GET", "/api/claims", query={"state": "offered"})[0] == 422  # never a claim's
    text = json.dumps(answer)
    assert not any(value in text for value in PERSONAL), "no name, email or address in the console's list"
    assert "email_hash" not in text and "address_hash" not in text and "claimant" not in text


def test_an_editor_refuses_a_held_claim_and_is_recorded(aws: Aws, api: Any, lambda_context: Any) -> None:
    held = claimed(aws, 1, ClaimState.HELD)
    status, answer = call(api, lambda_context, "POST", f"/api/claims/{held}/refuse", {})
    assert status == 200, answer
    assert answer["changed"] is True and answer["message"] == f"claim {held}: held -> refused, by console:ed@example.org"
    assert (answer["claim"]["state"], answer["claim"]["refused_by"]) == ("refused", "console:ed@example.org")
    assert not any(value in json.dumps(answer) for value in PERSONAL)
    stored = claims_table(aws).get(held, personal=False)
    assert stored is not None and stored.state is ClaimState.REFUSED and stored.refused_by == "console:ed@example.org"
    offer = StateTable(aws.tables["StateTable"]).get_work(f"OFFER#{held}")
    assert offer is not None and offer.claim_state == "refused"

    again = call(api, lambda_context, "POST", f"/api/claims/{held}/refuse", {})
    assert again[0] == 200 and again[1]["changed"] is False  # a second click changes nothing
    status, refused = call(api, lambda_context, "POST", f"/api/claims/{held}/mark-fulfilled", {})
    assert status == 409 and "cannot be fulfilled any more" in refused["message"]


def test_an_editor_marks_a_held_claim_fulfilled(aws: Aws, api: Any, lambda_context: Any) -> None:
    held = claimed(aws, 1, ClaimState.HELD)
    status, answer = call(api, lambda_context, "POST", f"/api/claims/{held}/mark-fulfilled", {})
    assert status == 200, answer
    assert (answer["claim"]["state"], answer["claim"]["fulfilled_by"]) == ("fulfilled", "console:ed@example.org")
    fulfilled = claimed(aws, 2, ClaimState.FULFILLED)
    status, refused = call(api, lambda_context, "POST", f"/api/claims/{fulfilled}/refuse", {})
    assert status == 409 and "only a held or failed claim can be refused" in refused["message"]


def test_a_viewer_may_not_decide_a_claim(aws: Aws, api: Any, lambda_context: Any) -> None:
    held = claimed(aws, 1, ClaimState.HELD)
    before = claims_table(aws).list_claims(personal=False)
    for action in ("refuse", "mark-fulfilled"):
        status, answer = call(api, lambda_context, "POST", f"/api/claims/{held}/{action}", {}, claims=VIEWER)
        assert status == 403 and "viewers can read but not change anything" in answer["message"]
    assert claims_table(aws).list_claims(personal=False) == before


def test_an_unknown_claim_is_404(aws: Aws, api: Any, lambda_context: Any) -> None:
    status, answer = call(api, lambda_context, "POST", f"/api/claims/{'0' * 32}/refuse", {})
    assert status == 404 and answer["message"] == f"no claim {'0' * 32}"

"""Approve from Slack on the local stack: a mild praise waits for review, StateTable's stream
posts its notice to the fake Slack's channel once, and a click on Approve, signed as Slack
signs it and sent over HTTP to ``POST /slack/interactions``, approves it; the message then
says who approved it."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from tests.e2e.conftest import RunningStack, get_json
from tests.e2e.test_pipeline_over_http import deliver, work_for

pytestmark = pytest.mark.e2e


def messages(stack: RunningStack) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = get_json(f"{stack.status['fake_platforms_url']}/slack/__messages")["messages"]
    return found


def post_json(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


def test_a_mild_praise_is_posted_to_slack_once_and_approved_there(goodword_stack: RunningStack) -> None:
    deliver(goodword_stack, "9100000000000000071", "e2e-slack", "@XDevelopers the house blend is pretty decent for the price")
    goodword_stack.wait_idle()
    (offer,) = [w for w in work_for(goodword_stack, "e2e-slack") if w["kind"]["S"] == "offer_sample"]
    assert offer["state"]["S"] == "pending_review"
    offer_id = offer["id"]["S"]
    (notice,) = [m for m in messages(goodword_stack) if offer_id in json.dumps(m["blocks"])]
    assert "house blend" in json.dumps(notice["blocks"])

    pytest.importorskip("goodword.services.review", reason="the review service decides the click (merged from its branch)")
    asked = json.dumps({"channel": notice["channel"], "ts": notice["ts"], "action_id": f"approve:{offer_id}", "user": "ana"})
    status, clicked = post_json(f"{goodword_stack.status['fake_platforms_url']}/slack/__click", asked.encode(), {})
    assert status == 200
    click = json.loads(clicked)
    status, body = post_json(f"{goodword_stack.base_url}/slack/interactions", click["body"].encode(), click["headers"])
    assert (status, body) == (200, b"")
    goodword_stack.wait_idle()
    (decided,) = [w for w in work_for(goodword_stack, "e2e-slack") if w["kind"]["S"] == "offer_sample"]
    assert decided["reviewed_by"]["S"] == "slack:ana"
    assert decided["state"]["S"] in ("approved", "sending", "sent")  # then sent, in dry run
    (updated,) = [m for m in messages(goodword_stack) if m["ts"] == notice["ts"]]
    assert updated["edits"] == 1
    assert "Approved by slack:ana" in json.dumps(updated["blocks"])
    assert not [b for b in updated["blocks"] if b["type"] == "actions"]

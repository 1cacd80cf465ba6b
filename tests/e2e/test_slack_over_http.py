"""Approve from Slack on the local stack: a mention waits for review (a manual-review rule of
this test's own brand account, so neither the judge's score nor the flagship's caps, which
other tests use up, decide it), StateTable's stream posts its notice to the fake Slack's
channel once, and a click on Approve, signed as Slack
signs it and sent over HTTP to ``POST /slack/interactions``, approves it; the message then
says who approved it."""

from __future__ import annotations

import json
import secrets
import urllib.request
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import RunningStack, get_json
from tests.e2e.test_cli_over_http import deliver, goodword
from tests.e2e.test_pipeline_over_http import work_for

pytestmark = pytest.mark.e2e

BRAND = "5550071"  # an X account only this test delivers to
RULE = {
    "id": "slack-e2e-review",
    "name": "Every mention of the Slack test's brand account waits for a person",
    "priority": 1,
    "stop_after": True,
    "triggers": {"kinds": ["mention"], "platforms": ["x"], "brand_accounts": [BRAND]},
    "conditions": {"field": "event.text", "contains_any": ["house blend"]},
    "actions": [
        {
            "offer_sample": {
                "product": "House blend",
                "product_cost": 4.0,
                "review": "manual",
                "message": "Thank you {author_handle}! A bag of {product}, on us: {claim_link}",
            }
        }
    ],
}


@pytest.fixture(scope="module")
def review_rule(goodword_stack: RunningStack, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("slack-rules") / "slack-e2e-review.yaml"
    path.write_text(yaml.safe_dump(RULE))
    pushed = goodword(goodword_stack, "rules", "push", str(path))
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr


def messages(stack: RunningStack) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = get_json(f"{stack.status['fake_platforms_url']}/slack/__messages")["messages"]
    return found


def post_json(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


@pytest.mark.usefixtures("review_rule")
def test_an_offer_waiting_for_review_is_posted_to_slack_once_and_approved_there(goodword_stack: RunningStack) -> None:
    author = f"e2e-slack-{secrets.token_hex(5)}"  # a new person every run (a reused stack keeps the last)
    post = str(9100000000000000000 + secrets.randbelow(10**17))
    deliver(goodword_stack, post, author, "@shop the house blend is pretty decent for the price", brand=BRAND)
    goodword_stack.wait_idle()
    (offer,) = [w for w in work_for(goodword_stack, author) if w["kind"]["S"] == "offer_sample"]
    assert offer["state"]["S"] == "pending_review"
    offer_id = offer["id"]["S"]
    (notice,) = [m for m in messages(goodword_stack) if offer_id in json.dumps(m["blocks"])]
    assert "house blend" in json.dumps(notice["blocks"])

    asked = json.dumps({"channel": notice["channel"], "ts": notice["ts"], "action_id": f"approve:{offer_id}", "user": "ana"})
    status, clicked = post_json(f"{goodword_stack.status['fake_platforms_url']}/slack/__click", asked.encode(), {})
    assert status == 200
    click = json.loads(clicked)
    status, body = post_json(f"{goodword_stack.base_url}/slack/interactions", click["body"].encode(), click["headers"])
    assert (status, body) == (200, b"")
    goodword_stack.wait_idle()
    (decided,) = [w for w in work_for(goodword_stack, author) if w["kind"]["S"] == "offer_sample"]
    assert decided["reviewed_by"]["S"] == "slack:ana"
    assert decided["state"]["S"] in ("approved", "sending", "sent")  # then sent, in dry run
    (updated,) = [m for m in messages(goodword_stack) if m["ts"] == notice["ts"]]
    assert updated["edits"] == 1
    assert "Approved by slack:ana" in json.dumps(updated["blocks"])
    assert not [b for b in updated["blocks"] if b["type"] == "actions"]

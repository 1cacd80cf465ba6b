"""A person's STOP holds on every path that can lead to contact (product invariant 9): an offer
held for review cannot be approved once they asked to stop, the review list says so, and the
actions function checks again right before the platform call, for offers and replies alike."""

from __future__ import annotations

from typing import Any

import pytest

from goodword.events import EventKind
from tests.conftest import Aws
from tests.functional.test_cli import goodword, goodword_json, store
from tests.functional.test_perform_actions import actions, perform, queued_records  # noqa: F401 (a fixture)
from tests.functional.test_pipeline import BRAND, FLAGSHIP, POSITIVE, event, put_rules, queued, run, work

HELD = {"time_zone": "Europe/Berlin", "cooldown_days": 0, "eligibility": {"min_followers": 50}}  # the fans have 10
THANK_MENTIONS = {
    "id": "thank-every-mention",
    "name": "Thank every mention",
    "priority": 50,
    "triggers": {"kinds": ["mention"]},
    "limits": {"once_per_person": None},
    "actions": [{"reply": {"message": "Thanks {author_handle}!"}}],
}


def test_a_held_offer_is_not_approved_once_the_person_said_stop(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, FLAGSHIP, settings=HELD)
    praise = event(POSITIVE, author="h1", post="h1-1")
    stop = event("STOP", author="h1", post="h1-2", kind=EventKind.REPLY)
    store(aws, praise, stop)
    run(pipeline, lambda_context, praise)
    (pending,) = goodword_json(aws, "review", "list")["offers"]
    assert pending["opted_out"] is None

    run(pipeline, lambda_context, stop, start=2)
    (pending,) = goodword_json(aws, "review", "list")["offers"]
    assert pending["opted_out"].startswith("opted_out: the person asked not to be contacted")
    assert "STOP:    opted_out:" in goodword(aws, "review", "list")[1]

    code, output = goodword(aws, "review", "approve", pending["id"])
    assert code == 1 and f"{pending['id']} not approved: opted_out" in output
    assert queued(aws) == []
    assert [w["state"] for w in work(aws, "offer_sample")] == ["pending_review"]
    assert goodword(aws, "review", "reject", pending["id"])[0] == 0  # what the marketer can do


@pytest.mark.parametrize(("rule", "kind"), [(FLAGSHIP, "offer_sample"), (THANK_MENTIONS, "reply")])
def test_a_stop_between_approval_and_send_stops_the_send(
    aws: Aws,
    pipeline: Any,
    actions: Any,  # noqa: F811 (the fixture imported above)
    lambda_context: Any,
    rule: dict[str, Any],
    kind: str,
) -> None:
    put_rules(aws, rule)
    run(pipeline, lambda_context, event(POSITIVE, author="s1", post="s1-1"))
    records = queued_records(aws)
    assert records  # approved and queued before the person wrote STOP
    run(pipeline, lambda_context, event("stop messaging me", author="s1", post="s1-2", kind=EventKind.REPLY), start=2)

    assert perform(actions, lambda_context, records) == {"batchItemFailures": []}
    (done,) = work(aws, kind)
    assert done["state"] == "failed" and done["reason"].startswith("opted_out: the person asked not to be contacted")
    assert "platform_message_id" not in done  # not even a dry-run send


def test_work_still_queued_when_its_person_is_erased_is_never_sent(
    aws: Aws,
    pipeline: Any,
    actions: Any,  # noqa: F811 (the fixture imported above)
    lambda_context: Any,
) -> None:
    put_rules(aws, FLAGSHIP)
    run(pipeline, lambda_context, event(POSITIVE, author="gone1", post="g1"))
    records = queued_records(aws)
    assert goodword(aws, "people", "erase", f"x:{BRAND}:gone1", "--yes")[0] == 0

    assert perform(actions, lambda_context, records) == {"batchItemFailures": []}
    (done,) = work(aws, "offer_sample")
    assert (done["state"], done["reason"]) == ("failed", "the person was erased: nobody to send to")

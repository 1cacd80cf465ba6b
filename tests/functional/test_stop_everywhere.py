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
    assert goodword(aws, "review", "reject", pending["id"], "--because", "other")[0] == 0  # what the marketer can do


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


ANY_MENTION_SAMPLE = {
    **FLAGSHIP,
    "id": "sample-for-any-mention",
    "conditions": None,
    "limits": {"once_per_person": None},
}


def test_unsure_wording_holds_contact_for_review_and_a_look_alike_stop_opts_out(
    aws: Aws, pipeline: Any, lambda_context: Any
) -> None:
    put_rules(aws, ANY_MENTION_SAMPLE, THANK_MENTIONS)
    unsure = event("@roaster stop this", author="u1", post="u1-1")
    disguised = event("@roaster \u0405\u0422\u041e\u0420", author="u2", post="u2-1")  # STOP in Cyrillic letters
    store(aws, unsure, disguised)
    run(pipeline, lambda_context, unsure, disguised)

    (offer,) = work(aws, "offer_sample")
    assert (offer["author_id"], offer["state"]) == ("u1", "pending_review")
    assert offer["held_because"] == "the post may ask to stop ('stop'): a person reads it first (opt_out)"
    assert work(aws, "reply") == []  # the thank-you is not made while held
    assert queued(aws) == []
    shown = goodword_json(aws, "people", "show", f"x:{BRAND}:u2")
    assert shown["opted_out"] and "said 'stop'" in shown["opted_out_by"]
    assert not goodword_json(aws, "people", "show", f"x:{BRAND}:u1")["opted_out"]  # unsure: nobody opted out


def test_settings_set_refuses_an_opt_out_that_would_match_everything_or_nothing(aws: Aws) -> None:
    code, output = goodword(aws, "settings", "set", "opt_out.keywords=[stop, 🛑]")
    assert code == 1 and "'🛑' is nothing once normalized" in output
    code, output = goodword(aws, "settings", "set", "opt_out.keywords=[]")
    assert code == 1 and "an empty keyword list would turn opt-out off" in output

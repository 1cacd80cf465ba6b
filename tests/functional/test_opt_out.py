"""A person who asks to stop is never contacted again, whatever rule would: through the
apply_rules handler on moto, in three phrasings and two languages, visible in the decisions
and the report, and undone by `goodword people opt-in`. And the eligibility policy: who may
be offered a sample at all, and who waits for review."""

from __future__ import annotations

from typing import Any

import pytest

from goodword.events import EventKind
from tests.conftest import Aws
from tests.functional.test_cli import goodword, goodword_json, store
from tests.functional.test_pipeline import FLAGSHIP, POSITIVE, decisions, event, put_rules, queued, run, work

THANKS = {
    "id": "thank-every-reply",
    "name": "Thank every reply",
    "priority": 50,
    "triggers": {"kinds": ["reply", "direct_message"]},
    "limits": {"once_per_person": None},
    "actions": [{"reply": {"message": "Thanks {author_handle}!"}}],
}
# Any praise, first mention or not: what decides is the opt-out alone.
SAMPLE = {
    **FLAGSHIP,
    "id": "sample-for-any-praise",
    "conditions": {"field": "sentiment.band", "one_of": ["auto", "review"]},
    "limits": {"once_per_person": None},
}
TAGGER = {
    "id": "tag-everyone",
    "name": "Tag everyone who writes",
    "priority": 90,
    "triggers": {"kinds": ["mention", "reply"]},
    "limits": {"once_per_person": None},
    "actions": [{"tag": {"label": "wrote"}}],
}


@pytest.mark.parametrize(
    ("author", "said", "kind"),
    [
        ("a1", "STOP", EventKind.REPLY),
        ("a2", "@roaster please stop messaging me", EventKind.REPLY),
        ("a3", "unsubscribe", EventKind.DIRECT_MESSAGE),
        ("a4", "Por favor, deja de escribirme", EventKind.REPLY),
        ("a5", "Hör auf, mir zu schreiben!", EventKind.REPLY),
    ],
)
def test_asking_to_stop_refuses_every_later_contact(
    aws: Aws, pipeline: Any, lambda_context: Any, author: str, said: str, kind: EventKind
) -> None:
    put_rules(aws, SAMPLE, THANKS, TAGGER)
    stop = event(said, author=author, post=f"{author}-1", kind=kind)
    run(pipeline, lambda_context, stop)
    stopped = decisions(aws, stop)
    assert stopped["opted_out"]
    assert [d["outcome"] for d in stopped["decisions"] if d["rule_id"] == THANKS["id"]] in ([], ["refused"])

    praise = event(POSITIVE, author=author, post=f"{author}-2")  # later, glowing praise: still no contact
    run(pipeline, lambda_context, praise, start=2)
    outcomes = {d["rule_id"]: (d["outcome"], d["detail"]) for d in decisions(aws, praise)["decisions"]}
    assert outcomes[SAMPLE["id"]][0] == "refused" and outcomes[SAMPLE["id"]][1].startswith("opted_out: ")
    assert outcomes[TAGGER["id"]][0] == "acted"  # tagging contacts nobody
    assert not [w for w in work(aws) if w["author_id"] == author] and queued(aws) == []


def test_opting_in_again_lets_rules_contact_the_person(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, SAMPLE)
    stop = event("stop", author="b1", post="b1-1", kind=EventKind.REPLY)
    store(aws, stop)
    run(pipeline, lambda_context, stop)
    person = "PERSON#x#2244994945#b1"
    shown = goodword_json(aws, "people", "show", person)
    assert shown["opted_out"] and "said 'stop'" in shown["opted_out_by"]
    assert goodword_json(aws, "report", "--since", "1d")["totals"]["opt_outs"] == 1

    assert goodword(aws, "people", "opt-in", "x:2244994945:b1")[0] == 0
    assert goodword(aws, "people", "opt-in", person) == (1, f"goodword: {person} had not opted out\n")
    assert goodword(aws, "people", "show", "nobody")[0] == 1
    praise = event(POSITIVE, author="b1", post="b1-2")
    run(pipeline, lambda_context, praise, start=2)
    outcome = {d["rule_id"]: d["outcome"] for d in decisions(aws, praise)["decisions"]}[SAMPLE["id"]]
    assert outcome == "acted"
    assert not goodword_json(aws, "people", "show", person)["opted_out"]


def test_the_eligibility_policy_holds_a_small_account_for_review_and_says_why(
    aws: Aws, pipeline: Any, lambda_context: Any
) -> None:
    settings = {
        "time_zone": "Europe/Berlin",
        "cooldown_days": 0,
        "eligibility": {"min_followers": 50, "excluded_accounts": ["@fan_staff1"]},
    }
    put_rules(aws, SAMPLE, settings=settings)
    small, staff = event(POSITIVE, author="small1", post="s1"), event(POSITIVE, author="staff1", post="s2")  # 10 followers each
    store(aws, small, staff)
    run(pipeline, lambda_context, small, staff)
    assert queued(aws) == []
    (pending,) = goodword_json(aws, "review", "list")["offers"]
    assert (pending["author_id"], pending["held_because"]) == (
        "small1",
        "10 followers, under the minimum of 50 (eligibility.min_followers)",
    )
    assert "held:    10 followers, under the minimum of 50" in goodword(aws, "review", "list")[1]
    refused = {d["rule_id"]: (d["outcome"], d["detail"]) for d in decisions(aws, staff)["decisions"]}[SAMPLE["id"]]
    assert refused == ("refused", "eligibility: @fan_staff1 is an excluded account")

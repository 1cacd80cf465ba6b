"""The flagship rewards the first time a person praises the brand, not their first mention:
a fan who first asked a question, or first wrote STOP and later opted in, is offered the
sample for their later praise. "First praise" is decided once, race-free, like the first
mention, and a reviewer's "not praise" gives it back."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from goodword.aws.state_table import StateTable
from tests.conftest import Aws
from tests.functional.test_pipeline import BRAND, POSITIVE, decisions, event, put_rules, run, work

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = yaml.safe_load((ROOT / "rules" / "first-positive-mention-sample.yaml").read_text())
QUESTION = "@roaster do you ship to Canada?"
STOP = "@roaster STOP"


def flagship_outcome(aws: Aws, mention: Any) -> str:
    return str(next(d["outcome"] for d in decisions(aws, mention)["decisions"] if d["rule_id"] == EXAMPLE["id"]))


def test_a_fan_who_first_asked_a_question_is_offered_for_their_first_praise(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, EXAMPLE)
    question, praise, again = event(QUESTION, post="1"), event(POSITIVE, post="2"), event(POSITIVE, post="3")
    run(pipeline, lambda_context, question)
    assert decisions(aws, question)["sentiment"]["band"] == "none"  # a question is not praise
    run(pipeline, lambda_context, praise, start=2)
    assert flagship_outcome(aws, praise) == "acted"
    assert decisions(aws, praise)["profile"]["profile.is_first_praise"] is True
    assert len(work(aws, "offer_sample")) == 1
    run(pipeline, lambda_context, again, start=3)
    assert flagship_outcome(aws, again) == "condition_failed"  # praised before: once is the first time
    assert len(work(aws, "offer_sample")) == 1


def test_a_fan_who_first_wrote_stop_and_opted_in_is_offered_for_their_later_praise(
    aws: Aws, pipeline: Any, lambda_context: Any
) -> None:
    put_rules(aws, EXAMPLE)
    stop, praise = event(STOP, post="1"), event(POSITIVE, post="2")
    run(pipeline, lambda_context, stop)
    assert StateTable(aws.tables["StateTable"]).opt_in(f"PERSON#x#{BRAND}#p1")
    run(pipeline, lambda_context, praise, start=2)
    assert flagship_outcome(aws, praise) == "acted"
    assert len(work(aws, "offer_sample")) == 1


@pytest.mark.usefixtures("atomic_moto")
def test_concurrent_praises_of_one_person_make_exactly_one_first_praise(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, EXAMPLE)
    praises = [event(POSITIVE, author="same", post=str(n)) for n in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda pair: run(pipeline, lambda_context, pair[1], start=pair[0] + 1), enumerate(praises)))
    firsts = [decisions(aws, p)["profile"]["profile.is_first_praise"] for p in praises]
    assert firsts.count(True) == 1
    assert len(work(aws, "offer_sample")) == 1


def test_a_praise_a_reviewer_overturns_is_no_longer_the_first(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, EXAMPLE)
    praise = event(POSITIVE, post="1")
    run(pipeline, lambda_context, praise)
    state = StateTable(aws.tables["StateTable"])
    person = f"PERSON#x#{BRAND}#p1"
    assert state.overturn_praise(person, "not-this-event") is False
    assert state.overturn_praise(person, praise.event_id) is True
    profile = state.profile(person)
    assert profile is not None and profile.first_praise_event_id is None
    assert profile.positive_mention_count == 1  # the count is history; only "first praise" moves

"""Any rule that validates evaluates through the real pipeline without error, and one rule can
never stop the others: fuzzed rule shapes, against moto tables created from template.yaml."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from goodword.events import EventKind
from goodword.rules.model import Rule
from goodword.rules.policy_check import policy_problems
from tests.conftest import Aws
from tests.functional.test_pipeline import FLAGSHIP, POSITIVE, decisions, event, put_rules, run, work

TAG_ONLY_NO_LIMITS = {
    "id": "tag-everyone",
    "name": "Tag every mention",
    "priority": 1,
    "triggers": {"kinds": ["mention"]},
    "actions": [{"tag": {"label": "mentioned"}}],
    "limits": {"once_per_person": None},
}


def test_a_tag_only_rule_without_limits_acts_and_the_flagship_still_runs(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, TAG_ONLY_NO_LIMITS, FLAGSHIP)
    mention = event(POSITIVE)
    assert run(pipeline, lambda_context, mention) == {"batchItemFailures": []}
    outcomes = {d["rule_id"]: d["outcome"] for d in decisions(aws, mention)["decisions"]}
    assert outcomes == {"tag-everyone": "acted", "first-positive-mention-sample": "acted"}
    assert len(work(aws, "offer_sample")) == 1


LEAVES = st.sampled_from(
    [
        {"field": "sentiment.label", "equals": "positive"},
        {"field": "sentiment.score", "at_least": 0.2},
        {"field": "author.followers_count", "at_least": 5},
        {"field": "author.followers_count", "exists": False},
        {"field": "event.text", "contains_any": ["love", "coffee"]},
        {"field": "event.text", "matches": r"(a|a)*c"},
        {"field": "event.kind", "one_of": ["mention", "reply"]},
        {"field": "profile.is_first_mention", "equals": True},
        {"field": "profile.tags", "not_one_of": ["vip"]},
    ]
)
CONDITIONS = st.one_of(
    st.none(),
    LEAVES,
    st.builds(lambda c: {"all": c}, st.lists(LEAVES, min_size=1, max_size=3)),
    st.builds(lambda c: {"any": c}, st.lists(LEAVES, min_size=1, max_size=3)),
    st.builds(lambda c: {"not": c}, LEAVES),
)
ACTIONS = st.sampled_from(
    [
        {"tag": {"label": "fuzzed"}},
        {"offer_sample": {"product": "Beans", "message": "Hi {author_handle}: {claim_link}", "review": "automatic"}},
        {"offer_sample": {"product": "Beans", "message": "{claim_link}", "review": {"automatic_above_confidence": 0.5}}},
        {"offer_sample": {"product": "Beans", "message": "{claim_link}", "review": "manual", "delivery": "reply"}},
        {"reply": {"message": "Thanks {author_handle}!"}},
        {"direct_message": {"message": "Hello"}},
        {"notify": {"url": "https://hooks.example/goodword"}},
    ]
)
LIMITS = st.fixed_dictionaries(
    {},
    optional={
        "once_per_person": st.sampled_from(["forever", None, {"days": 3}]),
        "per_day": st.integers(1, 3),
        "per_week": st.integers(1, 3),
        "total": st.integers(1, 3),
    },
)
RULES = st.fixed_dictionaries(
    {
        "name": st.just("fuzzed"),
        "triggers": st.fixed_dictionaries(
            {"kinds": st.lists(st.sampled_from(["mention", "reply", "follow"]), min_size=1, max_size=3, unique=True)},
            optional={"platforms": st.just(["x"])},
        ),
        "actions": st.lists(ACTIONS, min_size=1, max_size=5),
        "limits": LIMITS,
        "stop_after": st.booleans(),
        "priority": st.integers(0, 200),
    },
    optional={"conditions": CONDITIONS},
)
_ids = itertools.count()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(shape=RULES, text=st.sampled_from([POSITIVE, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "", "meh"]))
def test_every_rule_that_validates_evaluates_without_error(
    shape: dict[str, Any], text: str, aws: Aws, pipeline: Any, lambda_context: Any
) -> None:
    n = next(_ids)
    rule = {"id": f"fuzzed-{n}", **shape}
    try:  # exactly what `goodword rules validate` and the pipeline's loader accept
        if policy_problems(Rule.model_validate(rule)):
            return  # e.g. an offer to an X follower: refused at save time, never reaches the pipeline
    except ValidationError:
        return  # e.g. two offers in one rule
    pipeline._pipeline.cache_clear()
    for stale in aws.dynamodb.scan(TableName=aws.tables["RulesTable"])["Items"]:
        if stale["pk"]["S"] == "RULE":
            aws.dynamodb.delete_item(TableName=aws.tables["RulesTable"], Key={"pk": stale["pk"], "sk": stale["sk"]})
    put_rules(aws, rule, {**FLAGSHIP, "priority": 300})
    kind = EventKind(shape["triggers"]["kinds"][0])
    mention = event(text if kind is not EventKind.FOLLOW else "", author=f"p{n}", post=str(n), kind=kind)
    assert run(pipeline, lambda_context, mention, start=n + 1) == {"batchItemFailures": []}
    outcomes = {d["rule_id"]: d["outcome"] for d in decisions(aws, mention)["decisions"]}
    expected = {rule["id"]} | ({FLAGSHIP["id"]} if kind is not EventKind.FOLLOW else set())
    assert set(outcomes) == expected, "every rule that applies is decided, the flagship included"

"""Bad rule data never stops the pipeline, end to end (moto tables from template.yaml): a rule
stored before its mistake was refused is skipped alone, and a post as long as the receiver
accepts is decided and its decisions recorded."""

from __future__ import annotations

from typing import Any

from goodword.events import MAX_TEXT_BYTES
from goodword.rules.engine import MAX_FACT_CHARS
from tests.conftest import Aws
from tests.functional.test_pipeline import FLAGSHIP, POSITIVE, decisions, event, put_rules, run, work

SPACE_RULE: dict[str, Any] = {  # passed `rules validate` and `push` before phrases were checked
    "id": "tag-any-space",
    "name": "Tag posts with a space in them",
    "enabled": False,  # disabling it did not help: disabled rules were compiled too
    "triggers": {"kinds": ["mention"]},
    "conditions": {"field": "event.text", "contains_any": [" "]},
    "actions": [{"tag": {"label": "spaced"}}],
}


def test_a_stored_rule_with_an_empty_phrase_is_skipped_and_every_event_is_still_decided(
    aws: Aws, pipeline: Any, lambda_context: Any
) -> None:
    put_rules(aws, SPACE_RULE, {**SPACE_RULE, "id": "tag-any-space-enabled", "enabled": True}, FLAGSHIP)
    mention = event(POSITIVE)
    assert run(pipeline, lambda_context, mention) == {"batchItemFailures": []}
    outcomes = {d["rule_id"]: d["outcome"] for d in decisions(aws, mention)["decisions"]}
    assert outcomes == {FLAGSHIP["id"]: "acted"}
    assert len(work(aws, "offer_sample")) == 1
    from apply_rules.handler import _pipeline

    invalid = dict(_pipeline().rules().invalid)
    assert set(invalid) == {"tag-any-space", "tag-any-space-enabled"}
    assert "' ' has no word in it" in invalid["tag-any-space"]


def _texting(rule_id: str, priority: int, words: list[str]) -> dict[str, Any]:
    return {
        "id": rule_id,
        "name": rule_id,
        "priority": priority,
        "triggers": {"kinds": ["mention"]},
        "conditions": {"not": {"field": "event.text", "contains_any": words}},
        "actions": [{"tag": {"label": rule_id}}],
        "limits": {"once_per_person": None},
    }


def test_a_post_as_long_as_the_receiver_accepts_is_decided_and_recorded(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    keywords = [f"never-said-{i}" for i in range(1000)]  # the most a list holds: long explanations
    rules = [_texting("long-a", 1, ["love"]), _texting("long-b", 2, keywords), _texting("long-c", 3, ["coffee", *keywords[1:]])]
    support = {  # a notify carries the whole post to support: it goes on the actions queue too
        **_texting("long-support", 4, ["refund"]),
        "actions": [{"notify": {"url": "https://support.example/hooks/goodword"}}],
    }
    put_rules(aws, *rules, support, FLAGSHIP)
    long_post = event(POSITIVE + " " + "☕" * ((MAX_TEXT_BYTES - len(POSITIVE) - 1) // 3))  # 3 bytes each
    assert len((long_post.text or "").encode()) > 199_000
    assert run(pipeline, lambda_context, long_post) == {"batchItemFailures": []}
    recorded = decisions(aws, long_post)
    outcomes = {d["rule_id"]: d["outcome"] for d in recorded["decisions"]}
    assert outcomes == {
        "long-a": "condition_failed",
        "long-b": "acted",
        "long-c": "condition_failed",
        "long-support": "acted",
        FLAGSHIP["id"]: "acted",
    }
    [notify] = work(aws, "notify")
    assert notify["text"] == long_post.text  # support reads the whole post, from the work record
    bodies = [m["Body"] for m in aws.sqs.receive_message(QueueUrl=aws.queues["ActionsQueue"], MaxNumberOfMessages=10)["Messages"]]
    assert len(bodies) == 2 and sum(len(b.encode()) for b in bodies) <= 256 * 1024  # what SQS takes in one batch
    for decision in recorded["decisions"]:
        text = decision["facts"].get("event.text", "")
        assert len(text) <= MAX_FACT_CHARS and (long_post.text or "").startswith(text.rstrip("…"))

"""The optional LLM second opinion on the review band, against botocore's Stubber: a good
answer moves the post, anything else (malformed, timeout, throttling) leaves it in review
and never sends it alone."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import ANY, Stubber

from goodword.aws.bedrock import BedrockConverse
from goodword.sentiment.model import Band, SecondOpinion, Sentiment, SentimentLabel, Veto
from goodword.sentiment.second_opinion import SecondOpinionJudge, estimated_cost_usd, parse

MODEL = "amazon.nova-micro-v1:0"


def review(praise: float = 0.6, vetoes: tuple[Veto, ...] = ()) -> Sentiment:
    return Sentiment(
        label=SentimentLabel.POSITIVE,
        score=praise,
        confidence=praise,
        provider="classifier",
        band=Band.REVIEW,
        vetoes=vetoes,
        praise=praise,
        complaint=0.1,
        sarcasm=0.1,
    )


def answer(text: str) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 180, "outputTokens": 30, "totalTokens": 210},
        "metrics": {"latencyMs": 350},
    }


@pytest.fixture
def client() -> Any:
    return boto3.client("bedrock-runtime", region_name="us-east-1")


def ask(client: Any, stub_response: dict[str, Any] | None, error: str | None = None, **settings: Any) -> Sentiment:
    judge = SecondOpinionJudge(SecondOpinion(model_id=MODEL, **settings), ["North Roast"], BedrockConverse(lambda: client))
    with Stubber(client) as stub:
        expected = {
            "modelId": MODEL,
            "system": ANY,
            "messages": ANY,
            "inferenceConfig": {"maxTokens": 200, "temperature": 0},
        }
        if error:
            stub.add_client_error("converse", service_error_code=error, http_status_code=429, expected_params=expected)
        elif stub_response is not None:
            stub.add_response("converse", stub_response, expected)
        result = judge.review(["@northroast pretty good latte"], [review()])[0]
        stub.assert_no_pending_responses()
    return result


def test_praise_moves_the_post_to_auto_with_the_reason(client: Any) -> None:
    result = ask(client, answer(json.dumps({"verdict": "praise", "reason": "Sincere praise of the latte."})))
    assert result.band is Band.AUTO and result.reason == "Sincere praise of the latte."


def test_praise_without_promotion_stays_in_review_with_the_reason(client: Any) -> None:
    result = ask(client, answer('{"verdict": "praise", "reason": "Sincere."}'), promote=False)
    assert result.band is Band.REVIEW and result.reason == "Sincere."


def test_sarcasm_moves_the_post_to_none(client: Any) -> None:
    result = ask(client, answer('Here you go: {"verdict": "sarcasm", "reason": "Praise words about a long wait."}'))
    assert result.band is Band.NONE and Veto.SECOND_OPINION in result.vetoes
    assert result.label is SentimentLabel.NEGATIVE and result.reason == "Praise words about a long wait."


@pytest.mark.parametrize("text", ["I think it is praise.", '{"verdict": "love", "reason": "x"}', '{"verdict": "praise"}', "{"])
def test_a_malformed_answer_leaves_the_post_in_review(client: Any, text: str) -> None:
    assert ask(client, answer(text)) == review()


def test_throttling_leaves_the_post_in_review(client: Any) -> None:
    assert ask(client, None, error="ThrottlingException") == review()


def test_a_timeout_leaves_the_post_in_review() -> None:
    class TimesOut:
        def converse(self, **_: Any) -> Any:
            raise ReadTimeoutError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com")

    judge = SecondOpinionJudge(SecondOpinion(model_id=MODEL), [], BedrockConverse(TimesOut))
    assert judge.review(["pretty good"], [review()]) == [review()]


def test_only_the_review_band_is_asked_and_at_most_the_batch_limit(client: Any) -> None:
    judge = SecondOpinionJudge(SecondOpinion(model_id=MODEL, max_calls_per_batch=1), [], BedrockConverse(lambda: client))
    auto = review(0.99).model_copy(update={"band": Band.AUTO})
    with Stubber(client) as stub:
        stub.add_response("converse", answer('{"verdict": "other", "reason": "Not about the brand."}'))
        results = judge.review(["a", "b", "c"], [auto, review(), review()])
        stub.assert_no_pending_responses()
    assert [r.band for r in results] == [Band.AUTO, Band.NONE, Band.REVIEW]


def test_non_english_praise_is_never_promoted(client: Any) -> None:
    judge = SecondOpinionJudge(SecondOpinion(model_id=MODEL), [], BedrockConverse(lambda: client))
    waiting = review(0.95, (Veto.LANGUAGE,))
    with Stubber(client) as stub:
        stub.add_response("converse", answer('{"verdict": "praise", "reason": "Sincere."}'))
        assert judge.review(["el mejor café"], [waiting])[0].band is Band.REVIEW


def test_parse_and_cost() -> None:
    assert parse('{"verdict": "question", "reason": "Asks the hours."}') == ("question", "Asks the hours.")
    assert parse("nothing") is None
    assert estimated_cost_usd(MODEL, 1_000_000, 0) == pytest.approx(0.035)
    assert estimated_cost_usd("some.unknown-model", 10, 10) is None

"""An optional second opinion on posts in the judge's ``review`` band: an LLM on Amazon
Bedrock (Converse API) is asked whether the post praises the brand, with the brand's names
and the post, and answers a fixed JSON shape:

    {"verdict": "praise" | "complaint" | "sarcasm" | "question" | "other", "reason": "..."}

* ``praise`` moves the post to ``auto`` when the setting ``promote`` is on (the default);
* any other verdict moves it to ``none`` (veto ``second_opinion``), with the reason shown to
  reviewers;
* a timeout, throttling, any error or a malformed answer leaves it in ``review``: never
  ``auto``. Off by default; its accuracy cannot be measured here (no Bedrock offline).

Each call's estimated cost (tokens x the model's list price, when the model is known) is
counted in the ``SecondOpinionCostMicroUSD`` metric; calls, errors and verdicts too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from aws_lambda_powertools.metrics import MetricUnit

from goodword.observability import logger, metrics
from goodword.ports import Converse, ServiceUnavailable
from goodword.sentiment.model import Band, SecondOpinion, Sentiment, SentimentLabel, Veto

VERDICTS = ("praise", "complaint", "sarcasm", "question", "other")
MAX_POST = 2000
SYSTEM = (
    "You check social-media posts for a brand's marketing team. The team sends a free sample to people "
    "whose post sincerely praises the brand. Sarcasm (praise words that mean a complaint), complaints, "
    "questions, praise of something other than the brand, and anything unclear are not praise. "
    'Answer with one JSON object and nothing else: {"verdict": one of "praise", "complaint", "sarcasm", '
    '"question", "other", "reason": one short sentence for the reviewer}.'
)
# USD per million input / output tokens, list prices (us-east-1, on-demand), for the metric only.
PRICES = {
    "anthropic.claude-3-haiku": (0.25, 1.25),
    "anthropic.claude-3-5-haiku": (0.80, 4.00),
    "anthropic.claude-haiku-4-5": (1.00, 5.00),
    "amazon.nova-micro": (0.035, 0.14),
    "amazon.nova-lite": (0.06, 0.24),
    "amazon.nova-pro": (0.80, 3.20),
}
_JSON = re.compile(r"\{.*\}", re.DOTALL)


def estimated_cost_usd(model_id: str, input_tokens: int, output_tokens: int) -> float | None:
    for prefix, (per_in, per_out) in PRICES.items():
        if prefix in model_id:
            return (input_tokens * per_in + output_tokens * per_out) / 1_000_000
    return None


def prompt(brand_names: Sequence[str], text: str) -> str:
    names = ", ".join(brand_names) or "(the brand's name was not configured)"
    return f"Brand: {names}\nPost:\n<<<\n{text[:MAX_POST]}\n>>>\nDoes this post sincerely praise the brand?"


def parse(answer: str) -> tuple[str, str] | None:
    """The verdict and reason, or None when the answer is not the fixed shape."""
    found = _JSON.search(answer)
    if not found:
        return None
    try:
        value = json.loads(found.group(0))
    except json.JSONDecodeError:
        return None
    if not isinstance(value, dict) or value.get("verdict") not in VERDICTS or not isinstance(value.get("reason"), str):
        return None
    return str(value["verdict"]), " ".join(str(value["reason"]).split())[:200]


class SecondOpinionJudge:
    def __init__(self, settings: SecondOpinion, brand_names: Sequence[str], converse: Converse) -> None:
        self.settings = settings
        self.brand_names = list(brand_names)
        self.converse = converse

    def review(self, texts: Sequence[str], results: Sequence[Sentiment]) -> list[Sentiment]:
        """The results, with posts in the review band re-judged (at most max_calls_per_batch)."""
        out = list(results)
        asked = 0
        for i, (text, result) in enumerate(zip(texts, results, strict=True)):
            if result.band is not Band.REVIEW or asked >= self.settings.max_calls_per_batch:
                continue
            asked += 1
            out[i] = self._ask(text, result)
        return out

    def _ask(self, text: str, result: Sentiment) -> Sentiment:
        metrics.add_metric("SecondOpinionCalls", MetricUnit.Count, 1)
        try:
            answer = self.converse(self.settings.model_id, SYSTEM, prompt(self.brand_names, text), 200)
        except ServiceUnavailable as exc:
            metrics.add_metric("SecondOpinionErrors", MetricUnit.Count, 1)
            logger.warning("second opinion failed; the post stays in review", extra={"error": str(exc)})
            return result
        cost = estimated_cost_usd(self.settings.model_id, answer.input_tokens, answer.output_tokens)
        if cost is not None:
            metrics.add_metric("SecondOpinionCostMicroUSD", MetricUnit.Count, round(cost * 1_000_000, 3))
        parsed = parse(answer.text)
        if parsed is None:
            metrics.add_metric("SecondOpinionMalformed", MetricUnit.Count, 1)
            return result
        verdict, reason = parsed
        metrics.add_metric(f"SecondOpinion{verdict.title()}", MetricUnit.Count, 1)
        if verdict == "praise":
            if self.settings.promote and Veto.LANGUAGE not in result.vetoes:
                return result.model_copy(update={"band": Band.AUTO, "reason": reason})
            return result.model_copy(update={"reason": reason})
        label = SentimentLabel.NEGATIVE if verdict in ("complaint", "sarcasm") else SentimentLabel.NEUTRAL
        return result.model_copy(
            update={"band": Band.NONE, "label": label, "vetoes": (*result.vetoes, Veto.SECOND_OPINION), "reason": reason}
        )

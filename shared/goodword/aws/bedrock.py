"""The Bedrock adapter of ``ports.Converse``: one Converse call, its answer's text and token
counts; any SDK error becomes ``ServiceUnavailable`` (the caller falls back)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from goodword.aws import clients
from goodword.ports import ConverseAnswer, ServiceUnavailable


class BedrockConverse:
    def __init__(self, client: Callable[[], Any]) -> None:
        self.client = client

    def __call__(self, model_id: str, system: str, user: str, max_tokens: int) -> ConverseAnswer:
        try:
            response = self.client().converse(
                modelId=model_id,
                system=[{"text": system}],
                messages=[{"role": "user", "content": [{"text": user}]}],
                inferenceConfig={"maxTokens": max_tokens, "temperature": 0},
            )
        except (ClientError, BotoCoreError) as exc:
            raise ServiceUnavailable(type(exc).__name__) from None
        usage = response.get("usage") or {}
        content = ((response.get("output") or {}).get("message") or {}).get("content") or []
        text = "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
        return ConverseAnswer(text, int(usage.get("inputTokens", 0)), int(usage.get("outputTokens", 0)))


def bedrock_within(timeout_seconds: float) -> BedrockConverse:
    """Converse with one attempt inside ``timeout_seconds`` (a slow answer falls back)."""
    return BedrockConverse(lambda: clients.bedrock_runtime(timeout_seconds))

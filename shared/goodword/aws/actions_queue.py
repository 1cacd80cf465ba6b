"""ActionsQueue: approved work for the actions function (next issue), one message per
offer or action, carrying its idempotency key."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from goodword.aws import clients


class ActionsQueue:
    def __init__(self, queue_url: str) -> None:
        self.queue_url = queue_url

    def send(self, messages: Sequence[dict[str, Any]]) -> None:
        """Raises if any message was not accepted (the stream then retries the event)."""
        for start in range(0, len(messages), 10):
            chunk = messages[start : start + 10]
            response = clients.sqs().send_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "MessageBody": json.dumps(m, separators=(",", ":"), default=str)} for i, m in enumerate(chunk)
                ],
            )
            if response.get("Failed"):
                raise RuntimeError(
                    f"ActionsQueue refused {len(response['Failed'])} message(s): {response['Failed'][0].get('Code')}"
                )

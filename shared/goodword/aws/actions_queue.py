"""ActionsQueue, the SQS adapter of ``ports.WorkQueue``: approved work for the actions
function, one message per offer or action, carrying its idempotency key."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from goodword.aws import clients

MAX_DELAY_SECONDS = 900  # SQS's longest message delay


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

    def __call__(self, message: dict[str, Any], delay_seconds: int) -> None:
        """Send the message again after a delay (ports.Requeue: pacing, a platform's Retry-After)."""
        clients.sqs().send_message(
            QueueUrl=self.queue_url, MessageBody=json.dumps(message), DelaySeconds=min(MAX_DELAY_SECONDS, delay_seconds)
        )

    def retry_later(self, receipt_handle: str, seconds: int) -> None:
        """Keep a received message hidden for this long before its next delivery."""
        clients.sqs().change_message_visibility(
            QueueUrl=self.queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=min(MAX_DELAY_SECONDS, seconds)
        )

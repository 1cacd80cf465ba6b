"""SQS event source mapping: batch size, the queue's visibility timeout, partial batch
responses; moto's own redrive moves a message to the dead-letter queue after maxReceiveCount."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from local_stack.aws import REGION, client
from local_stack.functions import FunctionPool
from local_stack.sources.base import Poller


def to_lambda_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    attributes = message.get("Attributes", {})
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": {
            k: attributes[k]
            for k in (
                "ApproximateReceiveCount",
                "SentTimestamp",
                "SenderId",
                "ApproximateFirstReceiveTimestamp",
                "MessageGroupId",
                "MessageDeduplicationId",
                "SequenceNumber",
            )
            if k in attributes
        },
        "messageAttributes": {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value.get("DataType"),
            }
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


class QueuePoller(Poller):
    def __init__(self, name: str, pool: FunctionPool, log: Callable[[str], None], queue_arn: str, props: dict[str, Any]) -> None:
        super().__init__(name, pool, log)
        self.queue_arn = queue_arn
        self.sqs = client("sqs")
        self.queue_url = self.sqs.get_queue_url(QueueName=queue_arn.rsplit(":", 1)[1])["QueueUrl"]
        self.batch_size = int(props.get("BatchSize", 10))
        self.report_failures = "ReportBatchItemFailures" in props.get("FunctionResponseTypes", [])

    def poll(self) -> bool:
        messages: list[dict[str, Any]] = []
        while len(messages) < self.batch_size:
            received = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(10, self.batch_size - len(messages)),
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if not received:
                break
            messages.extend(received)
        if not messages:
            return False
        records = [to_lambda_record(m, self.queue_arn) for m in messages]
        result = self.pool.invoke({"Records": records}, source=f"queue {self.queue_arn.rsplit(':', 1)[1]}")
        if not result.ok:
            return True  # nothing deleted: the messages come back after the visibility timeout
        failed = self._failed_ids(records, result.result)
        if failed is None:
            return True
        done = [r for r in records if r["messageId"] not in failed]
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(chunk)],
            )
        return True

    def _failed_ids(self, records: list[dict[str, Any]], response: Any) -> set[str] | None:
        """Ids to leave on the queue; None means the whole batch failed."""
        if not self.report_failures or not isinstance(response, dict) or not response.get("batchItemFailures"):
            return set()
        ids = {r["messageId"] for r in records}
        failed = set()
        for failure in response["batchItemFailures"]:
            identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
            if identifier not in ids:
                return None
            failed.add(str(identifier))
        return failed

    def idle(self, last_activity: float) -> bool:
        if not super().idle(last_activity):
            return False
        counts = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        return bool(
            counts.get("ApproximateNumberOfMessages") == "0" and counts.get("ApproximateNumberOfMessagesNotVisible") == "0"
        )

"""The records Lambda hands a function for its event sources, as the tests, the soak and the
benchmarks build them: one place for each shape."""

from __future__ import annotations

from typing import Any

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x"
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:ActionsQueue-test"


def stream_record(new_image: dict[str, Any], sequence: int) -> dict[str, Any]:
    """A DynamoDB stream INSERT record of an item (DynamoDB JSON) with its sequence number."""
    return {
        "eventID": str(sequence),
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "eventSourceARN": STREAM_ARN,
        "dynamodb": {
            "Keys": {"pk": new_image["pk"], "sk": new_image["sk"]},
            "NewImage": new_image,
            "SequenceNumber": f"{sequence:021d}",
            "SizeBytes": 100,
            "StreamViewType": "NEW_IMAGE",
        },
    }


def sqs_record(message: dict[str, Any], receive_count: int | None = None) -> dict[str, Any]:
    """An SQS event record of a received message (its real receipt handle); the receive count is
    the message's own unless given."""
    count = receive_count if receive_count is not None else message["Attributes"]["ApproximateReceiveCount"]
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {
            "ApproximateReceiveCount": str(count),
            "SentTimestamp": "0",
            "SenderId": "x",
            "ApproximateFirstReceiveTimestamp": "0",
        },
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": QUEUE_ARN,
        "awsRegion": "us-east-1",
    }

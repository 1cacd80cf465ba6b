"""The records Lambda hands a function for its event sources, as the tests, the soak and the
benchmarks build them: one place for each shape."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

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


def console_api_event(
    method: str, path: str, body: Any = None, query: dict[str, str] | None = None, claims: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A request to the console's API as API Gateway's HTTP API (payload 2.0) passes it after
    the JWT authorizer: the token's ``claims`` in requestContext.authorizer (none: no authorizer ran)."""
    context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "api",
        "domainName": "api.example.org",
        "domainPrefix": "api",
        "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "test"},
        "requestId": "request",
        "routeKey": "ANY /api/{proxy+}",
        "stage": "$default",
        "time": "04/Dec/2026:10:00:00 +0000",
        "timeEpoch": 1796378400000,
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return {
        "version": "2.0",
        "routeKey": "ANY /api/{proxy+}",
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "queryStringParameters": query,
        "headers": {"content-type": "application/json", "host": "api.example.org"},
        "requestContext": context,
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }

"""On-failure destinations of event source mappings: an SQS queue or an SNS topic."""

from __future__ import annotations

import json
from typing import Any

from local_stack.aws import client


def send_to_destination(arn: str, message: dict[str, Any]) -> None:
    body = json.dumps(message)
    if arn.startswith("arn:aws:sqs:"):
        queue_url = client("sqs").get_queue_url(QueueName=arn.rsplit(":", 1)[1])["QueueUrl"]
        client("sqs").send_message(QueueUrl=queue_url, MessageBody=body)
    elif arn.startswith("arn:aws:sns:"):
        client("sns").publish(TopicArn=arn, Message=body)
    else:
        raise ValueError(f"unsupported on-failure destination {arn}")

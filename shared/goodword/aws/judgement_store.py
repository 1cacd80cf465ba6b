"""Where the judge's lessons from the brand live: labelled examples in StateTable, the
brand's adapter in RulesTable (read by the pipeline with the rules).

    StateTable  pk = EXAMPLE#<event id>, sk = JUDGEMENT     {"text", "praise", "source", "by", "at"}
                gsi1pk = JUDGEMENT#EXAMPLES, gsi1sk = <at>#<event id>   (ByState: every example)
    RulesTable  pk = SETTINGS, sk = JUDGEMENT#ADAPTER         {"adapter": <Adapter as JSON text>}

An event has one example: a later decision about it replaces the earlier one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from goodword.aws import clients
from goodword.aws.codec import from_dynamodb, items, to_dynamodb
from goodword.aws.rules_table import ADAPTER_SK
from goodword.sentiment.judge.adapter import Adapter

EXAMPLES_INDEX = "JUDGEMENT#EXAMPLES"


class ExampleSource(StrEnum):
    REVIEW = "review"  # a reviewer approved (praise) or rejected (not praise) an offer
    FEEDBACK = "feedback"  # goodword judgement feedback EVENT --praise / --not-praise


class Example(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str = Field(min_length=1)
    text: str
    praise: bool
    source: ExampleSource
    by: str
    at: datetime


def put_example(table: str, example: Example) -> None:
    item = {
        "pk": f"EXAMPLE#{example.event_id}",
        "sk": "JUDGEMENT",
        "gsi1pk": EXAMPLES_INDEX,
        "gsi1sk": f"{example.at.isoformat()}#{example.event_id}",
        **example.model_dump(mode="json"),
    }
    clients.dynamodb().put_item(TableName=table, Item=to_dynamodb(item))


def examples(table: str) -> Iterator[Example]:
    for record in items(
        "query",
        TableName=table,
        IndexName="ByState",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues=to_dynamodb({":pk": EXAMPLES_INDEX}),
    ):
        yield Example.model_validate({k: record[k] for k in Example.model_fields if k in record})


def delete_example(table: str, event_id: str) -> None:
    """Forget the labelled example of an event (erasure): its text is the person's."""
    clients.dynamodb().delete_item(TableName=table, Key=to_dynamodb({"pk": f"EXAMPLE#{event_id}", "sk": "JUDGEMENT"}))


def save_adapter(table: str, adapter: Adapter) -> None:
    item = {"pk": "SETTINGS", "sk": ADAPTER_SK, "adapter": adapter.model_dump_json()}
    clients.dynamodb().put_item(TableName=table, Item=to_dynamodb(item))


def remove_adapter(table: str) -> None:
    clients.dynamodb().delete_item(TableName=table, Key=to_dynamodb({"pk": "SETTINGS", "sk": ADAPTER_SK}))


def live_adapter(table: str) -> Adapter | None:
    answer = clients.dynamodb().get_item(
        TableName=table, Key=to_dynamodb({"pk": "SETTINGS", "sk": ADAPTER_SK}), ConsistentRead=True
    )
    item = answer.get("Item")
    return Adapter.model_validate_json(str(from_dynamodb(item)["adapter"])) if item else None

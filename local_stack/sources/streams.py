"""DynamoDB stream event source mapping: batch size, starting position, filter criteria,
partial batch responses, retry attempts, bisect on error, on-failure destination."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from local_stack.aws import REGION, client
from local_stack.functions import FunctionPool
from local_stack.sources.base import Poller
from local_stack.sources.destinations import send_to_destination
from local_stack.sources.filters import compile_filters, passes


@dataclass
class _Shard:
    iterator: str | None
    pending: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    limit: int | None = None  # set while bisecting a failing batch


def to_lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.get("awsRegion", REGION),
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


class StreamPoller(Poller):
    def __init__(self, name: str, pool: FunctionPool, log: Callable[[str], None], stream_arn: str, props: dict[str, Any]) -> None:
        super().__init__(name, pool, log)
        self.stream_arn = stream_arn
        self.batch_size = int(props.get("BatchSize", 100))
        self.starting_position = str(props.get("StartingPosition", "LATEST"))
        self.patterns = compile_filters(props.get("FilterCriteria"))
        self.report_failures = "ReportBatchItemFailures" in props.get("FunctionResponseTypes", [])
        self.max_retries = int(props.get("MaximumRetryAttempts", -1))
        self.bisect = bool(props.get("BisectBatchOnFunctionError", False))
        self.destination = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        self.shards: dict[str, _Shard] = {}
        self.streams = client("dynamodbstreams")

    def start(self) -> None:
        self._discover_shards()  # before any write, so LATEST means "from the stack's start"
        super().start()

    def _discover_shards(self) -> None:
        description = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            if shard["ShardId"] not in self.shards:
                iterator = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn,
                    ShardId=shard["ShardId"],
                    ShardIteratorType=self.starting_position if not self.shards else "TRIM_HORIZON",
                )["ShardIterator"]
                self.shards[shard["ShardId"]] = _Shard(iterator)

    def poll(self) -> bool:
        found = False
        for shard_id, shard in self.shards.items():
            if not shard.pending and shard.iterator:
                response = self.streams.get_records(ShardIterator=shard.iterator, Limit=1000)
                shard.iterator = response.get("NextShardIterator")
                records = [to_lambda_record(r, self.stream_arn) for r in response.get("Records", [])]
                shard.pending = [r for r in records if passes(r, self.patterns)]
                found = found or bool(records)
            if shard.pending:
                self._process(shard_id, shard)
                found = True
        return found

    def _process(self, shard_id: str, shard: _Shard) -> None:
        batch = shard.pending[: shard.limit or self.batch_size]
        result = self.pool.invoke({"Records": batch}, source=f"stream {self.stream_arn.split('/')[1]}")
        failed_from = self._first_failure(batch, result.result) if result.ok else 0
        if failed_from is None:  # the whole batch succeeded
            shard.pending = shard.pending[len(batch) :]
            shard.attempts, shard.limit = 0, None
            return
        if not result.ok and self.bisect and len(batch) > 1:
            shard.limit = max(1, len(batch) // 2)  # splitting does not count as a retry
            return
        # Records before the first failure are done; retry from it.
        shard.pending = shard.pending[failed_from:]
        retried = batch[failed_from:]
        shard.attempts += 1
        if 0 <= self.max_retries < shard.attempts:
            self.log(f"{self.name}: {len(retried)} record(s) failed {shard.attempts} times; sent to the on-failure destination")
            self._give_up(shard_id, retried, result.ok, shard.attempts)
            shard.pending = shard.pending[len(retried) :]
            shard.attempts, shard.limit = 0, None

    def _first_failure(self, batch: list[dict[str, Any]], response: Any) -> int | None:
        """Index of the first failed record, or None when all succeeded."""
        if not self.report_failures or not isinstance(response, dict) or not response.get("batchItemFailures"):
            return None
        sequence = [r["dynamodb"]["SequenceNumber"] for r in batch]
        indexes = []
        for failure in response["batchItemFailures"]:
            identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
            if identifier not in sequence:
                return 0  # an unknown or empty identifier fails the whole batch, as in AWS
            indexes.append(sequence.index(identifier))
        return min(indexes)

    def _give_up(self, shard_id: str, records: list[dict[str, Any]], function_ok: bool, attempts: int) -> None:
        if not self.destination:
            return
        now = datetime.now(UTC).isoformat()
        send_to_destination(
            self.destination,
            {
                "requestContext": {
                    "requestId": str(uuid.uuid4()),
                    "functionArn": self.pool.spec.arn,
                    "condition": "RetryAttemptsExhausted",
                    "approximateInvokeCount": attempts,
                },
                "responseContext": {
                    "statusCode": 200,
                    "executedVersion": "$LATEST",
                    **({} if function_ok else {"functionError": "Unhandled"}),
                },
                "version": "1.0",
                "timestamp": now,
                "DDBStreamBatchInfo": {
                    "shardId": shard_id,
                    "streamArn": self.stream_arn,
                    "batchSize": len(records),
                    "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                    "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                    "approximateArrivalOfFirstRecord": now,
                    "approximateArrivalOfLastRecord": now,
                },
            },
        )

    def idle(self, last_activity: float) -> bool:
        return super().idle(last_activity) and not any(s.pending for s in self.shards.values())

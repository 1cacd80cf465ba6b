"""The local AWS (the moto server `make serve` and `make demo` start) holds up over a long run:
transactions neither keep copies of the tables they touch nor lose their all-or-nothing result."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from dev_support.paths import ROOT
from local_stack.stack import free_port

pytestmark = pytest.mark.e2e
TABLE = "holds-up"


@pytest.fixture
def local_aws(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Any]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "local_stack.moto_server", "127.0.0.1", str(port)],
        cwd=ROOT,
        stdout=(tmp_path / "moto.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name="us-east-1")
    ddb = session.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    while True:
        try:
            ddb.list_tables()
            break
        except Exception:
            if process.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    ddb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    try:
        yield process, ddb
    finally:
        process.terminate()
        process.wait(timeout=30)


def _rss_mb(process: subprocess.Popen[bytes]) -> float:
    status = Path(f"/proc/{process.pid}/status").read_text()
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(kilobytes) / 1024


def _key(n: int) -> dict[str, Any]:
    return {"pk": {"S": f"PERSON#{n}"}, "sk": {"S": "PROFILE"}}


def _stream_records(ddb: Any) -> int:
    streams = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name="us-east-1").client(
        "dynamodbstreams", endpoint_url=ddb.meta.endpoint_url
    )
    arn = ddb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return len(streams.get_records(ShardIterator=iterator, Limit=1000)["Records"])


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's memory from /proc")
def test_transactions_do_not_grow_the_local_aws(local_aws: tuple[subprocess.Popen[bytes], Any]) -> None:
    """moto kept a copy of every table each transaction touched, forever: about 2 MB per
    transaction on this 300-item table, 23.8 GB after 2,300 events in the local stack."""
    process, ddb = local_aws
    for n in range(300):
        ddb.put_item(TableName=TABLE, Item={**_key(n), "mentions": {"N": "1"}, "bio": {"S": "x" * 2000}})
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": TABLE, "Item": {**_key(999), "mentions": {"N": "0"}}}}])
    before = _rss_mb(process)
    for n in range(100):
        counted = {
            "Update": {
                "TableName": TABLE,
                "Key": _key(n),
                "UpdateExpression": "ADD mentions :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        }
        claimed = {"Put": {"TableName": TABLE, "Item": _key(n), "ConditionExpression": "attribute_not_exists(pk)"}}
        if n % 2:  # half of them fail on their condition, as rule claims that lose a race do
            with pytest.raises(ClientError, match="TransactionCanceled"):
                ddb.transact_write_items(TransactItems=[counted, {**claimed, "Put": {**claimed["Put"], "Item": _key(n + 1)}}])
        else:
            ddb.transact_write_items(TransactItems=[counted])
    grown = _rss_mb(process) - before
    assert grown < 40, f"the local AWS grew {grown:.0f} MB over 100 transactions"


def test_a_failed_transaction_leaves_items_and_stream_as_they_were(local_aws: tuple[subprocess.Popen[bytes], Any]) -> None:
    _, ddb = local_aws
    ddb.put_item(TableName=TABLE, Item={**_key(1), "mentions": {"N": "1"}})
    ddb.put_item(TableName=TABLE, Item={**_key(2), "mentions": {"N": "5"}})
    records = _stream_records(ddb)
    counted = {
        "Update": {
            "TableName": TABLE,
            "Key": _key(1),
            "UpdateExpression": "ADD mentions :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }
    new = {"Put": {"TableName": TABLE, "Item": {**_key(3), "mentions": {"N": "1"}}}}
    losing = {"ConditionCheck": {"TableName": TABLE, "Key": _key(2), "ConditionExpression": "attribute_not_exists(pk)"}}
    with pytest.raises(ClientError, match="TransactionCanceled"):
        ddb.transact_write_items(TransactItems=[counted, new, losing])
    assert ddb.get_item(TableName=TABLE, Key=_key(1), ConsistentRead=True)["Item"]["mentions"] == {"N": "1"}
    assert "Item" not in ddb.get_item(TableName=TABLE, Key=_key(3), ConsistentRead=True)
    assert _stream_records(ddb) == records, "a cancelled transaction leaves nothing in the stream"

    ddb.transact_write_items(TransactItems=[counted, new])
    assert ddb.get_item(TableName=TABLE, Key=_key(1), ConsistentRead=True)["Item"]["mentions"] == {"N": "2"}
    assert ddb.get_item(TableName=TABLE, Key=_key(3), ConsistentRead=True)["Item"]["mentions"] == {"N": "1"}
    assert _stream_records(ddb) == records + 2


_QUERY_ONE_PARTITION = """
import json
import boto3
from moto import mock_aws
from moto.dynamodb.models.table import Table
from dev_support import moto_dynamodb

with mock_aws():
    moto_dynamodb.install()
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    ddb.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for n in range(30):
        for m in range(4):
            ddb.put_item(TableName="t", Item={"pk": {"S": f"P{n}"}, "sk": {"S": f"SEEN#{m}"}, "n": {"N": str(m)}})

    def whole_table(self):
        raise AssertionError("a Query on the table's key read the whole table")

    Table.all_items = whole_table
    asked = {"TableName": "t", "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)", "Limit": 3}
    asked.update(ExpressionAttributeValues={":p": {"S": "P7"}, ":s": {"S": "SEEN#"}}, ScanIndexForward=False)
    first = ddb.query(**asked)
    rest = ddb.query(**asked, ExclusiveStartKey=first["LastEvaluatedKey"])
    none = ddb.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "nobody"}})
    print(json.dumps([[i["sk"]["S"] for i in page["Items"]] for page in (first, rest, none)]))
"""


def test_a_query_on_the_tables_key_reads_only_its_partition() -> None:
    """moto sorted every item of a table in each Query: the pipeline's per-event queries cost
    more the more events were stored (the local stack's throughput fell as its tables grew)."""
    result = subprocess.run(
        [sys.executable, "-c", _QUERY_ONE_PARTITION], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == '[["SEEN#3", "SEEN#2", "SEEN#1"], ["SEEN#0"], []]'

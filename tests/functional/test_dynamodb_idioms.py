"""The data layer's DynamoDB idioms (aws/writes.py, aws/codec.py), each written once and used
by every adapter and tool: what each answers, on moto's DynamoDB."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from goodword.aws.codec import partition, scan, scan_count, scan_stored, to_dynamodb
from goodword.aws.writes import cancellation_codes, conditional, put_new, versioned_write
from tests.conftest import Aws


def _table(aws: Aws) -> str:
    return aws.tables["StateTable"]


def _get(aws: Aws, pk: str, sk: str) -> dict[str, object] | None:
    answer = aws.dynamodb.get_item(TableName=_table(aws), Key=to_dynamodb({"pk": pk, "sk": sk}), ConsistentRead=True)
    item: dict[str, object] | None = answer.get("Item")
    return item


def test_put_new_says_already_there_on_a_duplicate(aws: Aws) -> None:
    assert put_new(_table(aws), {"pk": "MARK#1", "sk": "MARK", "owner": "first"})
    assert not put_new(_table(aws), {"pk": "MARK#1", "sk": "MARK", "owner": "second"})
    assert _get(aws, "MARK#1", "MARK") == {"pk": {"S": "MARK#1"}, "sk": {"S": "MARK"}, "owner": {"S": "first"}}


def test_a_conditional_update_or_delete_whose_condition_is_false_is_not_an_error(aws: Aws) -> None:
    put_new(_table(aws), {"pk": "RATE#x", "sk": "RATE", "count": 1})

    def count_to(limit: int) -> bool:
        return conditional(
            "update_item",
            TableName=_table(aws),
            Key=to_dynamodb({"pk": "RATE#x", "sk": "RATE"}),
            UpdateExpression="ADD #n :one",
            ConditionExpression="#n < :limit",
            ExpressionAttributeNames={"#n": "count"},
            ExpressionAttributeValues=to_dynamodb({":one": 1, ":limit": limit}),
        )

    assert count_to(2)
    assert not count_to(2)
    delete = {"TableName": _table(aws), "Key": to_dynamodb({"pk": "RATE#x", "sk": "RATE"}), "ConditionExpression": "#n = :n"}
    assert not conditional(
        "delete_item", **delete, ExpressionAttributeNames={"#n": "count"}, ExpressionAttributeValues={":n": {"N": "9"}}
    )
    assert conditional(
        "delete_item", **delete, ExpressionAttributeNames={"#n": "count"}, ExpressionAttributeValues={":n": {"N": "2"}}
    )
    assert _get(aws, "RATE#x", "RATE") is None


def test_any_other_error_of_a_conditional_write_is_raised(aws: Aws) -> None:
    with pytest.raises(ClientError):
        put_new("no-such-table", {"pk": "a", "sk": "b"})


def test_a_versioned_write_wins_only_against_the_version_it_read(aws: Aws) -> None:
    table = aws.tables["RulesTable"]

    def write(version: int, expected: int | None, **options: bool) -> bool:
        live = {"pk": "RULE", "sk": "r1", "version": version, "definition": {"n": version}}
        history = {"pk": "HISTORY#r1", "sk": f"V#{version:08d}", "version": version}
        return versioned_write(table, live, history, expected, **options)

    assert write(1, None)
    assert not write(1, None)  # created meanwhile
    assert write(2, 1)
    assert not write(2, 1)  # another writer already wrote version 2: neither item changes
    assert not write(3, 1)
    assert [i["version"] for i in partition(table, "HISTORY#r1")] == [1, 2]
    assert write(3, 2, delete=True)
    assert [i["sk"] for i in partition(table, "RULE")] == []
    assert len(list(partition(table, "HISTORY#r1"))) == 3


def test_a_versioned_write_may_replace_an_item_written_before_versions(aws: Aws) -> None:
    table = aws.tables["RulesTable"]
    aws.dynamodb.put_item(TableName=table, Item=to_dynamodb({"pk": "SETTINGS", "sk": "GLOBAL", "definition": {}}))
    live = {"pk": "SETTINGS", "sk": "GLOBAL", "version": 1, "definition": {"a": 1}}
    history = {"pk": "SETTINGS_HISTORY", "sk": "GLOBAL#V#00000001", "version": 1}
    assert not versioned_write(table, live, history, None)
    assert versioned_write(table, live, history, None, unversioned_ok=True)


def test_partition_reads_one_key_and_a_sort_key_prefix(aws: Aws) -> None:
    for sk in ("RULE#a", "RULE#b", "PROFILE"):
        put_new(_table(aws), {"pk": "PERSON#x", "sk": sk})
    put_new(_table(aws), {"pk": "PERSON#y", "sk": "RULE#a"})
    assert sorted(i["sk"] for i in partition(_table(aws), "PERSON#x")) == ["PROFILE", "RULE#a", "RULE#b"]
    assert sorted(i["sk"] for i in partition(_table(aws), "PERSON#x", "RULE#")) == ["RULE#a", "RULE#b"]


def test_scan_reads_past_dynamodb_s_one_megabyte_pages(aws: Aws) -> None:
    table = _table(aws)
    body = "x" * 100_000
    for n in range(25):  # 2.5 MB: three pages at least
        put_new(table, {"pk": f"FETCH#{n:02d}", "sk": "FETCH", "body": body, "expires_at": n})
    put_new(table, {"pk": "PERSON#z", "sk": "PROFILE"})
    first = aws.dynamodb.scan(TableName=table)
    assert "LastEvaluatedKey" in first and len(first["Items"]) < 26  # one request stops at 1 MB

    found = list(scan(table, ProjectionExpression="pk, expires_at"))
    assert sorted(i["pk"] for i in found) == sorted([f"FETCH#{n:02d}" for n in range(25)] + ["PERSON#z"])
    assert {i["expires_at"] for i in found if "expires_at" in i} == set(range(25))  # plain ints
    stored = list(
        scan_stored(table, client=aws.dynamodb, FilterExpression="sk = :f", ExpressionAttributeValues={":f": {"S": "FETCH"}})
    )
    assert len(stored) == 25 and stored[0]["sk"] == {"S": "FETCH"}  # as stored: attribute values
    assert scan_count(table, FilterExpression="sk = :f", ExpressionAttributeValues={":f": {"S": "FETCH"}}) == 25


def test_cancellation_codes_name_the_write_that_stopped_a_transaction() -> None:
    def cancelled(response: dict[str, object]) -> ClientError:
        return ClientError(response, "TransactWriteItems")  # type: ignore[arg-type]

    listed = cancelled(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": [{"Code": "None"}, {"Code": "ConditionalCheckFailed"}],
        }
    )
    assert cancellation_codes(listed) == ["None", "ConditionalCheckFailed"]
    in_message = cancelled(
        {"Error": {"Code": "TransactionCanceledException", "Message": "reasons [ConditionalCheckFailed, None]"}}
    )
    assert cancellation_codes(in_message) == ["ConditionalCheckFailed", "None"]
    assert cancellation_codes(cancelled({"Error": {"Code": "ThrottlingException", "Message": "slow down"}})) == []

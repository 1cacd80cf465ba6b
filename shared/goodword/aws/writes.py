"""DynamoDB's write idioms, each written once for every adapter and tool:

- ``conditional``: one put, update or delete on a condition; False when the condition was
  false (the item is already there, or not as the writer expected), never an error;
- ``versioned_write``: a live item replaced only if its version is still the one the writer
  read (optimistic concurrency), with the history item of the new version, in one
  transaction;
- ``cancellation_codes``: why a transaction was cancelled, one code per write.

The reads (queries and scans page after page, batch reads) are in codec.py."""

from __future__ import annotations

from typing import Any, Literal

from botocore.exceptions import ClientError

from goodword.aws import clients
from goodword.aws.codec import to_dynamodb

CONDITION_FAILED = "ConditionalCheckFailedException"
_CANCELLED = "TransactionCanceledException"


def error_code(exc: ClientError) -> str | None:
    code: str | None = exc.response.get("Error", {}).get("Code")
    return code


def conditional(operation: Literal["put_item", "update_item", "delete_item"], *, client: Any = None, **request: Any) -> bool:
    """Make one conditional write: True when it was written, False when its condition was
    false. Any other error is raised."""
    try:
        getattr(client or clients.dynamodb(), operation)(**request)
        return True
    except ClientError as exc:
        if error_code(exc) == CONDITION_FAILED:
            return False
        raise


def put_new(table: str, item: dict[str, Any], *, client: Any = None) -> bool:
    """Put an item unless one with its key exists: False when it was already there."""
    return conditional(
        "put_item", client=client, TableName=table, Item=to_dynamodb(item), ConditionExpression="attribute_not_exists(pk)"
    )


def versioned_write(
    table: str,
    live: dict[str, Any],
    history: dict[str, Any],
    expected_version: int | None,
    *,
    delete: bool = False,
    unversioned_ok: bool = False,
) -> bool:
    """Write the live item (``delete``: delete the item with its key) on the condition that
    its ``version`` is ``expected_version`` (None: that it does not exist, or with
    ``unversioned_ok`` that it carries no version yet), and put ``history``, the new
    version's entry, which must not exist: both or neither. False when either condition
    was false (another writer came first); any other error is raised."""
    condition: dict[str, Any]
    if expected_version is None and not unversioned_ok:
        condition = {"ConditionExpression": "attribute_not_exists(pk)"}
    elif expected_version is None:
        condition = {
            "ConditionExpression": "attribute_not_exists(pk) OR attribute_not_exists(#v)",
            "ExpressionAttributeNames": {"#v": "version"},
        }
    else:
        condition = {
            "ConditionExpression": "#v = :expected",
            "ExpressionAttributeNames": {"#v": "version"},
            "ExpressionAttributeValues": to_dynamodb({":expected": expected_version}),
        }
    live_write: dict[str, Any]
    if delete:
        live_write = {"Delete": {"TableName": table, "Key": to_dynamodb({"pk": live["pk"], "sk": live["sk"]}), **condition}}
    else:
        live_write = {"Put": {"TableName": table, "Item": to_dynamodb(live), **condition}}
    history_write = {"Put": {"TableName": table, "Item": to_dynamodb(history), "ConditionExpression": "attribute_not_exists(pk)"}}
    try:
        clients.dynamodb().transact_write_items(TransactItems=[live_write, history_write])  # type: ignore[list-item]
        return True
    except ClientError as exc:
        if error_code(exc) == _CANCELLED:
            return False
        raise


def cancellation_codes(exc: ClientError) -> list[str]:
    """Why a transaction was cancelled, one code per write in order ("None" for a write that
    was not the reason); empty when the error is not a cancelled transaction."""
    if error_code(exc) != _CANCELLED:
        return []
    reasons = exc.response.get("CancellationReasons") or []
    if not reasons:  # some SDKs only put them in the message: "[ConditionalCheckFailed, None]"
        message = exc.response.get("Error", {}).get("Message", "")
        if "[" in message:
            return [part.strip() for part in message[message.index("[") + 1 : message.rindex("]")].split(",")]
    return [r.get("Code", "None") for r in reasons]

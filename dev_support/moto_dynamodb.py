"""moto's DynamoDB, made to hold up under a long run: the local stack's moto server and the soak
both install this (``install()``), so they run the same backend.

Two things in moto 5 make every write cost more memory and time the longer a run lasts:

- every DynamoDB model object moto ever makes (each item, each replaced copy of an item, each
  stream record, each table) is appended to a class-level ``instances_tracked`` list, for moto's
  dashboard, and so is never freed;
- ``TransactWriteItems`` deep-copies every table it touches before it starts, to restore the
  copy if it fails. With the tracking above the copies are never freed either: memory grows by
  a whole table per transaction (the local stack's moto server reached 23.8 GB after about
  2,300 events), and each transaction costs time in proportion to the table (throughput fell
  from seconds per stream batch to timeouts as the tables grew);
- a ``Query`` on a table's own key sorts every item of the table, then keeps the partition's.

``install()`` stops the tracking for DynamoDB's models, replaces the whole-table copy by an
undo of exactly the items the transaction wrote (and of the stream records it added): the same
all-or-nothing result, at a cost in proportion to the transaction; and lets a Query on the
table's key read only its partition. Call it after ``mock_aws`` starts (starting a mock resets
moto's tracking lists).
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.core.model_instances import model_data
from moto.dynamodb import models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

_ORIGINAL = "_goodword_original_transact_write_items"


class _Forgetful(list[Any]):
    """A tracking list that keeps nothing."""

    def append(self, _instance: Any) -> None:
        pass


class _NoTableCopies:
    """The ``copy`` module as moto's DynamoDB backend sees it: a table is not copied (the
    transaction is undone item by item instead); anything else is, as before."""

    @staticmethod
    def deepcopy(value: Any, *args: Any) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


_WRITES = threading.RLock()
_ATOMIC = "_goodword_atomic"


def atomic_writes() -> None:
    """Each write to moto's DynamoDB happens whole before the next starts, as in DynamoDB: moto
    checks a condition, then writes, in Python, so two threads can both pass
    ``attribute_not_exists`` and both write (twenty concurrent copies of a delivery "stored"
    twice). Idempotent."""
    if hasattr(DynamoDBBackend, _ATOMIC):
        return
    setattr(DynamoDBBackend, _ATOMIC, True)
    for name in ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item"):
        setattr(DynamoDBBackend, name, _one_at_a_time(getattr(DynamoDBBackend, name)))


def _one_at_a_time(write: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(write)
    def serialized(*args: Any, **kwargs: Any) -> Any:
        with _WRITES:
            return write(*args, **kwargs)

    return serialized


def install() -> None:
    """Idempotent; see the module's docstring."""
    atomic_writes()
    for model in model_data["dynamodb"].values():
        if not isinstance(getattr(model, "instances_tracked", None), _Forgetful):
            model.instances_tracked = _Forgetful()  # type: ignore[attr-defined]
    if hasattr(DynamoDBBackend, _ORIGINAL):
        return
    original = DynamoDBBackend.transact_write_items
    setattr(DynamoDBBackend, _ORIGINAL, original)
    vars(models)["copy"] = _NoTableCopies()
    DynamoDBBackend.transact_write_items = _undone_item_by_item(original)  # type: ignore[method-assign]
    Table.query = _partition_only(Table.query)  # type: ignore[method-assign]


def _partition_only(query: Callable[..., Any]) -> Callable[..., Any]:
    """moto's Table.query, shown only the queried partition when it queries the table's own key
    (moto filters the same items out of the whole table, sorted, in every query)."""

    def partition_query(table: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)  # index_name: its position
        if index_name or hash_key is None or "all_items" in vars(table):
            return query(table, hash_key, *args, **kwargs)
        found = table.items.get(hash_key)  # not table.items[...]: a defaultdict would add the key
        partition = [] if found is None else list(found.values()) if table.range_key_attr else [found]
        table.all_items = lambda: partition
        try:
            return query(table, hash_key, *args, **kwargs)
        finally:
            del table.all_items

    return partition_query


def _undone_item_by_item(transact: Callable[..., Any]) -> Callable[..., Any]:
    put_item, delete_item = DynamoDBBackend.put_item, DynamoDBBackend.delete_item

    def transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> Any:
        before = [_snapshot(backend, entry) for entry in transact_items]
        streams = {name: len(shard.items) for name, shard in _stream_shards(backend, transact_items).items()}
        try:
            return transact(backend, transact_items)
        except Exception:
            for snapshot in reversed(before):
                if snapshot is None:
                    continue
                table_name, key, item = snapshot
                if item is None:
                    if backend.get_item(table_name, key) is not None:
                        delete_item(backend, table_name, key)
                else:
                    put_item(backend, table_name, item)
            for name, shard in _stream_shards(backend, transact_items).items():
                del shard.items[streams.get(name, len(shard.items)) :]  # the undo left no trace either
            raise

    return transact_write_items


def _snapshot(backend: Any, entry: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any] | None] | None:
    """(table, key, the item as it is now or None) for one operation of a transaction; None for
    an operation moto will refuse anyway (unknown table, a key missing...)."""
    try:
        ((kind, op),) = entry.items()
        table = backend.get_table(op["TableName"])
        if kind == "Put":
            key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
            if table.range_key_attr:
                key[table.range_key_attr] = op["Item"][table.range_key_attr]
        else:
            key = op["Key"]
        current = backend.get_item(op["TableName"], key)
    except Exception:  # the transaction itself reports what is wrong
        return None
    return op["TableName"], key, copy.deepcopy(current.to_json()["Attributes"]) if current else None


def _stream_shards(backend: Any, transact_items: list[dict[str, Any]]) -> dict[str, Any]:
    shards: dict[str, Any] = {}
    for entry in transact_items:
        for op in entry.values():
            table = backend.tables.get(op.get("TableName")) if isinstance(op, dict) else None
            if table is not None and table.stream_shard is not None:
                shards[table.name] = table.stream_shard
    return shards

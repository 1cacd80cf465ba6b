"""ClaimsTable, the DynamoDB and KMS adapter of ``ports.ClaimStore``. The offers stay in
StateTable: a claim and its offer's ``claim_state`` are written in one transaction across
both tables, so an offer is claimed once, whatever the race.

    pk = CLAIM#<id>,             sk = CLAIM          the claim (its id is the offer's id):
                                                     ids, states, times, hashes, and
                                                     ``sealed``: the claimant's fields, each
                                                     KMS-encrypted (sealing.py);
                                                     gsi1pk = CLAIMS#<state>, gsi1sk =
                                                     <created_at>#<id> (ByState); while it
                                                     holds an address gsi2pk = ADDRESSES,
                                                     gsi2sk = <created_at>#<id> (WithAddress)
    pk = EMAIL#<hmac>,           sk = CLAIM#<id>     a claim made with this email (repeat
    pk = ADDRESS#<hmac>,         sk = CLAIM#<id>     claimers: goodword.claims.hashing)
    pk = POOL#<rule>,            sk = CODE#<code>    a code not handed out yet
                                 sk = USED#<code>    a code handed out (claim_id, at): never again
                                 sk = TAKEN#<claim>  the code a claim got (asking again: the same)
    pk = LOOKUP#<client hmac>,   sk = MINUTE#<minute>  the claim page's lookups (expire)

In that transaction this class writes the claim's items and ``state_table.offer_claim_write``
the offer's part (StateTable's layout stays in its module); an offer is found by its code
through ``StateTable.offer_for_code``. This class is ClaimsTable's one writer.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from botocore.exceptions import ClientError

from goodword.aws import clients
from goodword.aws.codec import batch_get, from_dynamodb, items, key, partition, plain, scan, to_dynamodb
from goodword.aws.sealing import seal, unseal
from goodword.aws.state_table import StateTable, offer_claim_write, person_claim_write
from goodword.aws.writes import cancellation_codes, put_new
from goodword.claims.lookups import counter_expires_at, lookup_minute
from goodword.claims.records import ADDRESS_FIELDS, ClaimRecord, check_codes, check_move_fields, check_new_record, offer_key_of
from goodword.claims.retention import HeldAddress, addresses_due, cutoff
from goodword.claims.states import ClaimState, check_claim_transition
from goodword.ports import StorageUnavailable
from goodword.work import WorkRecord, WorkState

CLAIM_SK = "CLAIM"
ADDRESSES = "ADDRESSES"
_CONFLICT_TRIES = 3
_FREE_CODES_READ = 25
_TAKE_ROUNDS = 50


def claim_pk(claim_id: str) -> str:
    return f"CLAIM#{claim_id}"


def state_index_key(state: ClaimState) -> str:
    return f"CLAIMS#{state.value}"


def _claim_sort(claim: ClaimRecord) -> str:
    return f"{claim.created_at}#{claim.id}"


def _hash_keys(email_hash: str | None, address_hash: str | None) -> list[str]:
    return [
        pk for pk in (f"EMAIL#{email_hash}" if email_hash else None, f"ADDRESS#{address_hash}" if address_hash else None) if pk
    ]


class ClaimsTable:
    def __init__(self, table_name: str, state_table_name: str, key_id: str) -> None:
        self.table = table_name
        self.state_table = state_table_name
        self.key_id = key_id  # ClaimsKey's ARN (or id, or alias)
        self.offers = StateTable(state_table_name)  # the offers: StateTable's layout is its own

    # --- reads ---------------------------------------------------------------------------

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item = clients.dynamodb().get_item(TableName=self.table, Key=key(pk, sk), ConsistentRead=True).get("Item")
        return from_dynamodb(item) if item else None

    def _record(self, item: dict[str, Any], personal: bool = True) -> ClaimRecord:
        sealed = {field: _bytes(blob) for field, blob in dict(item.get("sealed") or {}).items()}
        fields = {k: v for k, v in item.items() if k not in ("pk", "sk", "sealed") and not k.startswith("gsi")}
        claimant = unseal(self.key_id, str(item["id"]), sealed) if personal and sealed else None
        return ClaimRecord.model_validate({**plain(fields), "claimant": claimant})

    def offer_for_code(self, code: str) -> WorkRecord | None:
        return self.offers.offer_for_code(code)

    def get(self, claim_id: str, *, personal: bool = True) -> ClaimRecord | None:
        item = self._get(claim_pk(claim_id), CLAIM_SK)
        return self._record(item, personal) if item else None

    def list_claims(
        self, state: ClaimState | None = None, rule_id: str | None = None, limit: int = 100, *, personal: bool = True
    ) -> list[ClaimRecord]:
        found: list[dict[str, Any]] = []
        for each in [state] if state is not None else list(ClaimState):
            found.extend(islice(self._by_state(each, rule_id), limit))
        found.sort(key=lambda i: str(i["gsi1sk"]), reverse=True)
        return [self._record(item, personal) for item in found[:limit]]

    def _by_state(self, state: ClaimState, rule_id: str | None) -> Iterator[dict[str, Any]]:
        request: dict[str, Any] = {}
        values: dict[str, Any] = {":pk": state_index_key(state)}
        if rule_id is not None:
            request["FilterExpression"] = "rule_id = :r"
            values[":r"] = rule_id
        return items(
            "query",
            TableName=self.table,
            IndexName="ByState",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues=to_dynamodb(values),
            ScanIndexForward=False,
            **request,
        )

    def earlier_claims(self, email_hash: str | None, address_hash: str | None, *, personal: bool = False) -> list[ClaimRecord]:
        ids = {str(i["claim_id"]) for pk in _hash_keys(email_hash, address_hash) for i in partition(self.table, pk, "CLAIM#")}
        found = batch_get(self.table, ((claim_pk(i), CLAIM_SK) for i in sorted(ids)))
        records = [self._record(item, personal) for item in found.values()]
        return sorted(records, key=lambda c: (c.created_at, c.id))

    # --- claims --------------------------------------------------------------------------

    def _claimable(self, offer_key: str) -> bool:
        """A first look, so a claim that cannot be stored costs no encryption; the transaction
        decides."""
        offer = self.offers.get_work(offer_key)
        return offer is not None and offer.state is WorkState.SENT and offer.claim_state in (None, ClaimState.OFFERED.value)

    def create(self, claim: ClaimRecord, now: datetime) -> bool:
        check_new_record(claim)
        if not self._claimable(claim.offer_key) or self._get(claim_pk(claim.id), CLAIM_SK) is not None:
            return False
        item = {
            "pk": claim_pk(claim.id),
            "sk": CLAIM_SK,
            **claim.model_dump(mode="json", exclude_none=True, exclude={"claimant"}),
            "gsi1pk": state_index_key(claim.state),
            "gsi1sk": _claim_sort(claim),
        }
        if claim.claimant is not None:
            item["sealed"] = seal(self.key_id, claim.id, claim.claimant)
            if any(getattr(claim.claimant, f) for f in ADDRESS_FIELDS):
                item["gsi2pk"], item["gsi2sk"] = ADDRESSES, _claim_sort(claim)
        writes: list[dict[str, Any]] = [
            {"Put": {"TableName": self.table, "Item": to_dynamodb(item), "ConditionExpression": "attribute_not_exists(pk)"}},
            offer_claim_write(self.state_table, claim.offer_key, claim.state.value, claimed_at=now.isoformat()),
            person_claim_write(self.state_table, claim.person),
        ]
        for pk in _hash_keys(claim.email_hash, claim.address_hash):
            pointer = {"pk": pk, "sk": claim_pk(claim.id), "claim_id": claim.id, "created_at": claim.created_at}
            writes.append({"Put": {"TableName": self.table, "Item": to_dynamodb(pointer)}})
        return self._transact(writes)

    def move(self, claim_id: str, from_state: ClaimState, to: ClaimState, now: datetime, **fields: Any) -> bool:
        check_claim_transition(from_state, to)
        check_move_fields(fields)
        values = {"state": to.value, "updated_at": now.isoformat(), "gsi1pk": state_index_key(to), **fields}
        names = {f"#{i}": name for i, name in enumerate(values)}
        writes: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": key(claim_pk(claim_id), CLAIM_SK),
                    "UpdateExpression": "SET " + ", ".join(f"#{i} = :{i}" for i in range(len(values))),
                    "ConditionExpression": "#0 = :from",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": to_dynamodb(
                        {**{f":{i}": v for i, v in enumerate(values.values())}, ":from": from_state.value}
                    ),
                }
            },
            offer_claim_write(self.state_table, offer_key_of(claim_id), to.value),
        ]
        return self._transact(writes)

    def _transact(self, writes: list[dict[str, Any]]) -> bool:
        """All or nothing: False when a condition was false; a conflict with another
        transaction on the same items is tried again (it then finds the condition false, or
        goes through)."""
        for _ in range(_CONFLICT_TRIES):
            try:
                clients.dynamodb().transact_write_items(TransactItems=writes)  # type: ignore[arg-type]
                return True
            except ClientError as exc:
                codes = cancellation_codes(exc)
                if "ConditionalCheckFailed" in codes:
                    return False
                if "TransactionConflict" not in codes:
                    raise
        raise StorageUnavailable("the claim's transaction kept conflicting with others")

    # --- code pools ----------------------------------------------------------------------

    def add_codes(self, rule_id: str, codes: Sequence[str]) -> int:
        check_codes(codes)
        pool, wanted = f"POOL#{rule_id}", list(dict.fromkeys(codes))
        added = 0
        for start in range(0, len(wanted), 50):
            chunk = wanted[start : start + 50]
            known = batch_get(self.table, [(pool, f"{kind}#{c}") for c in chunk for kind in ("CODE", "USED")], keys_only=True)
            for code in chunk:
                if (pool, f"CODE#{code}") in known or (pool, f"USED#{code}") in known:
                    continue
                added += put_new(self.table, {"pk": pool, "sk": f"CODE#{code}", "code": code})
        return added

    def take_code(self, rule_id: str, claim_id: str) -> str | None:
        pool, mine = f"POOL#{rule_id}", f"TAKEN#{claim_id}"
        for _ in range(_TAKE_ROUNDS):  # each round, other claims took the codes this one tried
            taken = self._get(pool, mine)
            if taken is not None:
                return str(taken["code"])
            free = self._free_codes(pool)
            if not free:
                taken = self._get(pool, mine)  # the same claim, asking at the same time, may have one
                return str(taken["code"]) if taken else None
            secrets.SystemRandom().shuffle(free)  # concurrent takers spread over the pool
            for code in free:
                outcome = self._hand_out(pool, code, claim_id)
                if outcome == "mine":
                    return code
                if outcome == "claim has one":
                    break  # read it above
        raise StorageUnavailable("too many claims at once took the codes this claim tried: try again")

    def _free_codes(self, pool: str) -> list[str]:
        answer = clients.dynamodb().query(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :free)",
            ExpressionAttributeValues=to_dynamodb({":pk": pool, ":free": "CODE#"}),
            ProjectionExpression="code",
            ConsistentRead=True,
            Limit=_FREE_CODES_READ,
        )
        return [str(from_dynamodb(i)["code"]) for i in answer.get("Items", [])]

    def _hand_out(self, pool: str, code: str, claim_id: str) -> str:
        """One code to one claim, in one transaction: "mine", "claim has one" (the claim got
        another code meanwhile) or "gone" (another claim took this one)."""
        at = datetime.now(UTC).isoformat()
        writes: list[Any] = [
            {
                "Delete": {
                    "TableName": self.table,
                    "Key": key(pool, f"CODE#{code}"),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": self.table,
                    "Item": to_dynamodb({"pk": pool, "sk": f"USED#{code}", "claim_id": claim_id, "at": at}),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": self.table,
                    "Item": to_dynamodb({"pk": pool, "sk": f"TAKEN#{claim_id}", "code": code, "at": at}),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        try:
            clients.dynamodb().transact_write_items(TransactItems=writes)
            return "mine"
        except ClientError as exc:
            codes = cancellation_codes(exc)
            if not codes:
                raise
            if codes[2:3] == ["ConditionalCheckFailed"]:
                return "claim has one"
            if {"ConditionalCheckFailed", "TransactionConflict"} & set(codes):
                return "gone"
            raise

    def codes_left(self, rule_id: str) -> int:
        pages = (
            clients.dynamodb()
            .get_paginator("query")
            .paginate(
                TableName=self.table,
                KeyConditionExpression="pk = :pk AND begins_with(sk, :free)",
                ExpressionAttributeValues=to_dynamodb({":pk": f"POOL#{rule_id}", ":free": "CODE#"}),
                Select="COUNT",
                ConsistentRead=True,
            )
        )
        return sum(int(page.get("Count", 0)) for page in pages)

    # --- the claim page's throttle -------------------------------------------------------

    def count_lookup(self, client_hash: str, now: datetime) -> int:
        answer = clients.dynamodb().update_item(
            TableName=self.table,
            Key=key(f"LOOKUP#{client_hash}", f"MINUTE#{lookup_minute(now)}"),
            UpdateExpression="ADD #n :one SET expires_at = :e",
            ExpressionAttributeNames={"#n": "count"},
            ExpressionAttributeValues=to_dynamodb({":one": 1, ":e": counter_expires_at(now)}),
            ReturnValues="UPDATED_NEW",
        )
        return int(from_dynamodb(answer["Attributes"])["count"])

    # --- erasure and retention -----------------------------------------------------------

    def claim_ids_for(self, people: Sequence[str]) -> list[str]:
        """A scan of the claims (for a person's request, never for the page)."""
        if not people:
            return []
        names = {f":p{i}": person for i, person in enumerate(people)}
        found = scan(
            self.table,
            FilterExpression=f"sk = :claim AND person IN ({', '.join(names)})",
            ExpressionAttributeValues=to_dynamodb({":claim": CLAIM_SK, **names}),
            ProjectionExpression="id",
            ConsistentRead=True,
        )
        return sorted(str(i["id"]) for i in found)

    def erase(self, claim_id: str) -> bool:
        item = self._get(claim_pk(claim_id), CLAIM_SK)
        if item is None:
            return False
        for pk in _hash_keys(item.get("email_hash"), item.get("address_hash")):  # the pointers first: a rerun finds the claim
            clients.dynamodb().delete_item(TableName=self.table, Key=key(pk, claim_pk(claim_id)))
        clients.dynamodb().delete_item(TableName=self.table, Key=key(claim_pk(claim_id), CLAIM_SK))
        return True

    def erase_addresses(self, retention_days: int, now: datetime) -> int:
        before = cutoff(retention_days, now).astimezone(UTC).isoformat()
        held = [
            HeldAddress(
                str(i["pk"]).removeprefix("CLAIM#"),
                ClaimState(i["state"]),
                datetime.fromisoformat(str(i["gsi2sk"]).split("#")[0]),
            )
            for i in items(
                "query",
                TableName=self.table,
                IndexName="WithAddress",
                KeyConditionExpression="gsi2pk = :a AND gsi2sk < :before",
                ExpressionAttributeValues=to_dynamodb({":a": ADDRESSES, ":before": before}),
            )
        ]
        states = {h.claim_id: h.state for h in held}
        erased = 0
        for claim_id in addresses_due(held, retention_days, now):
            erased += self._erase_address(claim_id, states[claim_id], now)
        return erased

    def _erase_address(self, claim_id: str, state: ClaimState, now: datetime) -> bool:
        """The address fields, the keyed address hash and its ADDRESS# lookup item, in one
        transaction, if the claim is still in the state it was judged in."""
        item = self._get(claim_pk(claim_id), CLAIM_SK)
        if item is None:
            return False
        fields = {f"#f{i}": name for i, name in enumerate(ADDRESS_FIELDS)}  # "region" is a reserved word
        writes: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": key(claim_pk(claim_id), CLAIM_SK),
                    "UpdateExpression": "REMOVE "
                    + ", ".join(f"sealed.{f}" for f in fields)
                    + ", gsi2pk, gsi2sk, address_hash SET address_erased_at = :t",
                    "ConditionExpression": "attribute_exists(gsi2pk) AND #s = :state",
                    "ExpressionAttributeNames": {"#s": "state", **fields},
                    "ExpressionAttributeValues": to_dynamodb({":t": now.isoformat(), ":state": state.value}),
                }
            }
        ]
        for pk in _hash_keys(None, item.get("address_hash")):
            writes.append({"Delete": {"TableName": self.table, "Key": key(pk, claim_pk(claim_id))}})
        return self._transact(writes)


def _bytes(blob: Any) -> bytes:
    return bytes(blob)  # bytes, or boto3's Binary (bytes() gives its value)

"""ClaimsTable against moto's DynamoDB and KMS, as the template makes them: what is stored is
ciphertext bound to its claim and field, a moved ciphertext is refused, old 96-bit claim codes
are still found, and nothing personal reaches a queue or a counter. (The behaviour both
adapters share is in tests/contract/test_claim_store.py.)"""

from __future__ import annotations

import hmac
import json
from datetime import timedelta
from typing import Any

import boto3
import pytest

from dev_support.platforms import CLAIM_HASH_KEY
from goodword.aws import claims_table as claims_module
from goodword.aws.claim_hash_key import claim_hash_key
from goodword.aws.claims_table import ClaimsTable
from goodword.aws.fulfilment_queue import FulfilmentQueue
from goodword.aws.sealing import SealRefused
from goodword.aws.state_table import StateTable
from goodword.claims.hashing import client_hash
from goodword.claims.records import Claimant
from goodword.ports import SecretsUnavailable
from tests.conftest import Aws
from tests.contract.test_claim_store import FAN, KEY, NOW, Setup, claim_for

OTHER = Claimant(
    name="Grace Hopper",
    email="grace@example.net",
    address_line1="1 Navy Way",
    city="Arlington",
    postal_code="22202",
    country="US",
)


@pytest.fixture
def setup(aws: Aws) -> Setup:
    tables = aws.tables
    return Setup(
        ClaimsTable(tables["ClaimsTable"], tables["StateTable"], aws.keys["ClaimsKey"]), StateTable(tables["StateTable"])
    )


def raw(aws: Aws, claim_id: str) -> dict[str, Any]:
    """The claim item as stored, read with a plain client."""
    item: dict[str, Any] = boto3.client("dynamodb").get_item(
        TableName=aws.tables["ClaimsTable"], Key={"pk": {"S": f"CLAIM#{claim_id}"}, "sk": {"S": "CLAIM"}}
    )["Item"]
    return item


def everything(aws: Aws) -> str:
    client = boto3.client("dynamodb")
    return json.dumps({name: client.scan(TableName=table)["Items"] for name, table in aws.tables.items()}, default=repr)


def test_no_table_holds_a_claimants_name_email_or_address(aws: Aws, setup: Setup) -> None:
    offer = setup.offer()
    assert setup.store.create(claim_for(offer), NOW)
    item = raw(aws, offer.id)
    assert set(item["sealed"]["M"]) == {"name", "email", "address_line1", "city", "postal_code", "country"}
    assert all(set(value) == {"B"} for value in item["sealed"]["M"].values())  # ciphertext, each field apart
    stored = everything(aws).lower()
    for value in ("Ada", "Lovelace", "ada.lovelace", "example.org", "James", "London", "SW1Y", "4JH"):
        assert value.lower() not in stored, value
    back = setup.store.get(offer.id)
    assert back is not None and back.claimant == FAN  # and the store reads it back


def test_a_ciphertext_moved_to_another_claim_or_field_is_refused(aws: Aws, setup: Setup) -> None:
    mine, theirs = setup.offer(1), setup.offer(2)
    assert setup.store.create(claim_for(mine), NOW)
    assert setup.store.create(claim_for(theirs, OTHER), NOW)
    client, table = boto3.client("dynamodb"), aws.tables["ClaimsTable"]
    my_item, their_item = raw(aws, mine.id), raw(aws, theirs.id)

    # Their email put into my claim (someone with write access to the table, not to the key).
    my_item["sealed"]["M"]["email"] = their_item["sealed"]["M"]["email"]
    client.put_item(TableName=table, Item=my_item)
    with pytest.raises(SealRefused, match="email"):
        setup.store.get(mine.id)

    # My own name and email swapped within my claim.
    swapped = raw(aws, theirs.id)
    swapped["sealed"]["M"]["name"], swapped["sealed"]["M"]["email"] = (
        swapped["sealed"]["M"]["email"],
        swapped["sealed"]["M"]["name"],
    )
    client.put_item(TableName=table, Item=swapped)
    with pytest.raises(SealRefused) as refused:
        setup.store.get(theirs.id)
    assert "Grace" not in str(refused.value) and "grace@" not in str(refused.value)  # the error names the field only


def test_another_key_cannot_read_a_claim(aws: Aws, setup: Setup) -> None:
    offer = setup.offer()
    assert setup.store.create(claim_for(offer), NOW)
    another = boto3.client("kms").create_key(Description="not the claims key")["KeyMetadata"]["Arn"]
    elsewhere = ClaimsTable(aws.tables["ClaimsTable"], aws.tables["StateTable"], another)
    with pytest.raises(SealRefused):
        elsewhere.get(offer.id)
    listed = elsewhere.list_claims(personal=False)  # ids and states need no key
    assert [c.id for c in listed] == [offer.id]


def test_an_old_sixteen_character_code_is_found_and_compared_in_constant_time(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = setup.offer(1, claim_code="Zx3_k9Qm2LpR7tYw")  # 96 bits, as offers were made before
    new = setup.offer(2)
    compared: list[tuple[bytes, bytes]] = []
    constant_time = hmac.compare_digest

    def compare_digest(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return constant_time(a, b)

    monkeypatch.setattr(hmac, "compare_digest", compare_digest)  # the module the adapter calls
    found = setup.store.offer_for_code("Zx3_k9Qm2LpR7tYw")
    assert found is not None and found.id == old.id
    assert compared == [(b"Zx3_k9Qm2LpR7tYw", b"Zx3_k9Qm2LpR7tYw")]
    assert len(str(new.claim_code)) == 22  # 128 bits
    found_new = setup.store.offer_for_code(str(new.claim_code))
    assert found_new is not None and found_new.id == new.id
    for wrong in ("zx3_k9Qm2LpR7tYw", "Zx3_k9Qm2LpR7tY", "x" * 65, ""):
        assert setup.store.offer_for_code(wrong) is None


def test_a_claim_that_cannot_be_stored_costs_no_encryption(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    offer = setup.offer()
    assert setup.store.create(claim_for(offer), NOW)
    sealed: list[str] = []

    def seal(*args: Any) -> dict[str, bytes]:
        sealed.append("called")
        return {}

    monkeypatch.setattr(claims_module, "seal", seal)
    assert not setup.store.create(claim_for(offer, OTHER), NOW)
    assert sealed == []


def test_lookup_counters_expire_and_name_no_address(aws: Aws, setup: Setup) -> None:
    client = client_hash(KEY, "203.0.113.7")
    assert setup.store.count_lookup(client, NOW) == 1
    (counter,) = [
        i
        for i in boto3.client("dynamodb").scan(TableName=aws.tables["ClaimsTable"])["Items"]
        if i["pk"]["S"].startswith("LOOKUP#")
    ]
    assert (
        int(counter["expires_at"]["N"]) > NOW.timestamp()
        and int(counter["expires_at"]["N"]) <= (NOW + timedelta(hours=1)).timestamp()
    )
    assert "203.0.113.7" not in json.dumps(counter)


def test_the_fulfilment_queue_carries_the_claim_id_only(aws: Aws) -> None:
    FulfilmentQueue(aws.queues["FulfilmentQueue"]).send_claim("c0ffee")
    (message,) = aws.sqs.receive_message(QueueUrl=aws.queues["FulfilmentQueue"])["Messages"]
    assert json.loads(message["Body"]) == {"claim_id": "c0ffee"}


def test_the_hash_key_is_read_from_its_secret(aws: Aws) -> None:
    assert claim_hash_key(aws.secrets["ClaimHashKey"])() == CLAIM_HASH_KEY["key"].encode()
    aws.secretsmanager.put_secret_value(SecretId=aws.secrets["ClaimHashKey"], SecretString=json.dumps({"key": "short"}))
    with pytest.raises(SecretsUnavailable, match="not valid"):
        claim_hash_key(aws.secrets["ClaimHashKey"])()

"""Repeat claimers are matched on keyed hashes of a normalized email and address: two
spellings of one mailbox or one door give the same hash, different ones and different keys
do not, and nothing of the value can be read back from the hash."""

from __future__ import annotations

import pytest

from goodword.claims.hashing import address_hash, client_hash, email_hash, normalize_address, normalize_email
from goodword.claims.records import Claimant

KEY = b"unit-test-key"


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("  Ada@Example.ORG ", "ada@example.org"),
        ("ada+samples@example.org", "ada@example.org"),
        ("a.d.a@gmail.com", "ada@gmail.com"),
        ("A.D.A+x@googlemail.com", "ada@gmail.com"),
        ("a.d.a@example.org", "a.d.a@example.org"),  # dots matter outside Gmail
        ("José@exämple.org", "jose@example.org"),
    ],
)
def test_an_email_is_normalized_as_mailboxes_work(written: str, normalized: str) -> None:
    assert normalize_email(written) == normalized


def door(**fields: str | None) -> Claimant:
    values: dict[str, str | None] = {
        "address_line1": "12 Main Street",
        "address_line2": "Apartment 4",
        "city": "Springfield",
        "postal_code": "AB1 2CD",
        "country": "gb",
        **fields,
    }
    return Claimant(name="x", email="x@example.org", **values)


def test_one_door_written_differently_is_one_address() -> None:
    same = door(address_line1="12, MAIN st.", address_line2="apt 4", postal_code="ab12cd", country="GB", city=" springfield ")
    assert normalize_address(same) == normalize_address(door()) == "12 main st|apt 4|ab12cd|springfield|GB"
    assert address_hash(KEY, same) == address_hash(KEY, door())
    assert address_hash(KEY, door(address_line2="Apartment 5")) != address_hash(KEY, door())
    assert normalize_address(door(address_line1="Hauptstraße 5")) == normalize_address(door(address_line1="hauptstrasse 5"))
    assert address_hash(KEY, Claimant(name="x", email="x@example.org")) is None  # a code reward: no address


def test_hashes_are_keyed_and_apart_per_kind() -> None:
    assert email_hash(KEY, "Ada@example.org") == email_hash(KEY, "ada@example.org")
    assert email_hash(b"another key", "ada@example.org") != email_hash(KEY, "ada@example.org")
    assert email_hash(KEY, "203.0.113.7") != client_hash(KEY, "203.0.113.7")
    digest = email_hash(KEY, "ada@example.org")
    assert len(digest) == 64 and "ada" not in digest

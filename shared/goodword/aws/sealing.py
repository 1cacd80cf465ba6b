"""A claimant's personal fields, each encrypted on its own with KMS (the template's ClaimsKey):
``Encrypt`` with the encryption context ``{"claim_id": <id>, "field": <name>}``, ``Decrypt``
with the same context and the same key. The context is authenticated: a ciphertext moved to
another claim, or to another field of the same claim, does not decrypt (``SealRefused``), and
CloudTrail logs which claim and field each decryption was for. No plaintext is kept beyond
the call, and none is ever logged: errors name the field, never its value.

KMS Encrypt takes up to 4 KiB: a claimant's fields are far shorter (the page validates them)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from goodword.aws import clients
from goodword.aws.writes import error_code
from goodword.claims.records import Claimant

_REFUSED = frozenset({"InvalidCiphertextException", "IncorrectKeyException", "AccessDeniedException"})


class SealRefused(Exception):
    """KMS would not decrypt a field for this claim: the ciphertext is not this claim's (moved
    from another claim or field, altered, or made with another key)."""


def context(claim_id: str, field: str) -> dict[str, str]:
    return {"claim_id": claim_id, "field": field}


def seal(key_id: str, claim_id: str, claimant: Claimant) -> dict[str, bytes]:
    """Each field that has a value, encrypted on its own. An empty or absent field is not
    stored (KMS refuses an empty plaintext; an email-only claim has no name or address), and
    reads back as the Claimant's default."""
    kms: Any = clients.kms()
    values: dict[str, str] = {field: value for field, value in claimant.model_dump(exclude_none=True).items() if value}
    return {
        field: bytes(
            kms.encrypt(KeyId=key_id, Plaintext=value.encode(), EncryptionContext=context(claim_id, field))["CiphertextBlob"]
        )
        for field, value in values.items()
    }


def unseal(key_id: str, claim_id: str, sealed: dict[str, bytes]) -> Claimant:
    """The claimant back from its sealed fields; raises SealRefused for a field KMS refuses."""
    kms: Any = clients.kms()
    values: dict[str, str] = {}
    for field, blob in sealed.items():
        try:
            answer = kms.decrypt(KeyId=key_id, CiphertextBlob=blob, EncryptionContext=context(claim_id, field))
        except ClientError as exc:
            if error_code(exc) in _REFUSED:
                raise SealRefused(f"claim {claim_id}: KMS refused its {field} field ({error_code(exc)})") from None
            raise
        values[field] = bytes(answer["Plaintext"]).decode()
    return Claimant.model_validate(values)

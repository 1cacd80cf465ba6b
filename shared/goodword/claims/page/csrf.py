"""Signed form tokens: an HMAC over the claim code and the time the form was served, so a
POST proves it comes from a form this stack served for this code, and when (which also gives
the form's fill time: a bot that posts at once is caught without trusting the client's
clock). Checked in constant time. The receipt is the claimer's cookie: random for each claim,
given only with the answer that stored the claim (the claim keeps its hash), it lets the
browser that made the claim see the confirmation (and the reward code) while anyone else
holding the link, or typing the claimer's email, sees "already claimed"."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

# Keys derived from the one secret (ClaimHashKey), one per use, so a token of one kind can
# never stand for another, nor for a repeat claimer's hash (claims.hashing keys those apart).
_FORM = b"goodword claim page: form token v1"
_RECEIPT = b"goodword claim page: receipt v1"


@dataclass(frozen=True)
class Keys:
    form: bytes
    receipt: bytes

    @classmethod
    def derive(cls, secret: bytes) -> Keys:
        def sub(label: bytes) -> bytes:
            return hmac.new(secret, label, hashlib.sha256).digest()

        return cls(sub(_FORM), sub(_RECEIPT))


def _mac(key: bytes, *parts: str) -> str:
    digest = hmac.new(key, "|".join(parts).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def form_token(keys: Keys, code: str, now: datetime) -> str:
    """``<unix seconds>.<mac>``: bound to the code and the time the form was served."""
    issued = str(int(now.timestamp()))
    return f"{issued}.{_mac(keys.form, 'form', code, issued)}"


@dataclass(frozen=True)
class TokenCheck:
    valid: bool  # signed by this stack for this code
    age_seconds: float = 0.0  # since the form was served (only when valid)


def check_form_token(keys: Keys, code: str, token: str | None, now: datetime) -> TokenCheck:
    """Whether the token was issued for this code (constant-time), and how long ago."""
    if not token or len(token) > 100 or token.count(".") != 1:
        return TokenCheck(False)
    issued, mac = token.split(".")
    expected = _mac(keys.form, "form", code, issued)
    if not (issued.isdigit() and hmac.compare_digest(mac.encode(), expected.encode())):
        return TokenCheck(False)
    return TokenCheck(True, now.timestamp() - int(issued))


def new_receipt() -> str:
    """A fresh receipt for one claim (256 random bits): only the browser that made the claim is
    given it, once, and only its hash is stored (``receipt_hash``)."""
    return secrets.token_urlsafe(32)


def receipt_hash(keys: Keys, receipt: str) -> str:
    """What the claim keeps of its receipt: a keyed hash, so the stored claim cannot be turned
    back into a cookie."""
    return _mac(keys.receipt, "receipt", receipt)


def receipt_cookie_name(keys: Keys, code: str) -> str:
    """One cookie per claim (a fan with two gifts keeps both receipts); the name shows no code."""
    return f"goodword_claim_{_mac(keys.receipt, 'name', code)[:12]}"


def has_receipt(keys: Keys, stored_hash: str | None, presented: str | None) -> bool:
    """Whether the presented cookie is the claim's receipt (constant time)."""
    if not stored_hash or not presented or len(presented) > 100:
        return False
    return hmac.compare_digest(receipt_hash(keys, str(presented)).encode(), stored_hash.encode())

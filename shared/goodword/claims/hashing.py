"""Repeat claimers: the same email or address under another handle. A claim stores its
normalized email and address only as keyed hashes (HMAC-SHA256 with the stack's
ClaimHashKey), so claims are matched without keeping the values side by side, and without the
key nobody can test a guessed address against them. Pure: the key is given.

Normalizing is deliberately modest, so two spellings of one mailbox or one door match and two
different ones do not:

- email: trimmed, case-folded; ``+tag`` dropped from the local part; Gmail's dots dropped
  (``googlemail.com`` is ``gmail.com``);
- address: accents, case, punctuation and runs of spaces folded, a few street words
  abbreviated the way the post does (``street`` -> ``st``), spaces dropped from the postal
  code, the country as its code.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from goodword.claims.records import Claimant

_GMAIL = frozenset({"gmail.com", "googlemail.com"})
_WORDS = {
    "street": "st",
    "str": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "place": "pl",
    "court": "ct",
    "square": "sq",
    "apartment": "apt",
    "suite": "ste",
    "floor": "fl",
    "number": "no",
    "strasse": "st",
}
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def _folded(text: str) -> str:
    """Case and accents folded (``ß`` -> ``ss``, ``é`` -> ``e``), compatibility forms unified."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize_email(email: str) -> str:
    address = _folded(email.strip())
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    local = local.split("+", 1)[0]
    if domain in _GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def _words(text: str | None) -> str:
    words = _NOT_WORD.split(_folded(text or ""))
    return " ".join(_WORDS.get(w, w) for w in words if w)


def normalize_address(claimant: Claimant) -> str | None:
    """One line per door: None when the claim has no address (an email-only reward)."""
    if not claimant.has_address:
        return None
    postal = _NOT_WORD.sub("", _folded(claimant.postal_code or ""))
    parts = (
        _words(claimant.address_line1),
        _words(claimant.address_line2),
        postal,
        _words(claimant.city),
        (claimant.country or "").strip().upper(),
    )
    return "|".join(parts)


def keyed_hash(key: bytes, kind: str, value: str) -> str:
    """HMAC-SHA256 of ``value``, apart per kind (an email never matches an address)."""
    return hmac.new(key, f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()


def email_hash(key: bytes, email: str) -> str:
    return keyed_hash(key, "email", normalize_email(email))


def address_hash(key: bytes, claimant: Claimant) -> str | None:
    normalized = normalize_address(claimant)
    return keyed_hash(key, "address", normalized) if normalized is not None else None


def client_hash(key: bytes, client_address: str) -> str:
    """The claim page's lookup throttle counts per client address, stored only as this hash."""
    return keyed_hash(key, "client", client_address.strip().lower())

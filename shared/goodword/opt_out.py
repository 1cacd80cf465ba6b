"""A person asking Goodword to stop: STOP, unsubscribe, "stop messaging me", in several
languages. A whole message that is one of the ``keywords``, or any message that contains one
of the ``phrases``, opts its author out; no rule contacts them again until a marketer opts
them back in (``goodword people opt-in``). Compared after lowercasing and dropping @handles,
links, apostrophes and punctuation, so "STOP!!", "Stop." and "@brand stop" all match, and
"I can't stop drinking your coffee" does not."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from pydantic import BaseModel, ConfigDict, Field

from goodword.events import EventKind
from goodword.people import Profile

# What a person writes to or about the brand (not a follow, a like).
ADDRESSED = frozenset({EventKind.MENTION, EventKind.REPLY, EventKind.QUOTE, EventKind.COMMENT, EventKind.DIRECT_MESSAGE})

KEYWORDS = [
    # English
    "stop",
    "stop please",
    "please stop",
    "unsubscribe",
    "opt out",
    "optout",
    # Spanish
    "baja",
    "darme de baja",
    "alto",
    # German
    "stopp",
    "abmelden",
    # French
    "arret",
    "arrete",
    "arretez",
    "desabonner",
    # Portuguese, Italian
    "parar",
    "basta",
]
PHRASES = [
    "stop messaging me",
    "stop sending me",
    "stop contacting me",
    "stop dming me",
    "stop tagging me",
    "unsubscribe me",
    "dont message me",
    "do not message me",
    "dont contact me",
    "do not contact me",
    "leave me alone",
    "no more messages",
    "deja de escribirme",
    "dejen de escribirme",
    "no me escribas",
    "no me escriban",
    "no mas mensajes",
    "hor auf mir zu schreiben",
    "horen sie auf mir zu schreiben",
    "keine nachrichten mehr",
    "arretez de mecrire",
    "ne mecrivez plus",
    "plus de messages",
    "pare de me mandar mensagens",
    "smettete di scrivermi",
]


class OptOutSettings(BaseModel):
    """Settings `opt_out`: what counts as asking to stop."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    keywords: list[str] = Field(default_factory=lambda: list(KEYWORDS), description="a whole message that is one of these")
    phrases: list[str] = Field(default_factory=lambda: list(PHRASES), description="a message that contains one of these")


_HANDLES = re.compile(r"@\w+")
_LINKS = re.compile(r"https?://\S+")
_NOT_LETTERS = re.compile(r"[^a-z0-9 ]+")


def normalize(text: str) -> str:
    """Lowercase letters and digits only, accents and apostrophes dropped, one space apart."""
    text = _LINKS.sub(" ", _HANDLES.sub(" ", text.lower())).replace("'", "").replace("’", "")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(_NOT_LETTERS.sub(" ", text).split())


def asks_to_stop(text: str | None, settings: OptOutSettings) -> str | None:
    """The keyword or phrase by which the message asks to stop, or None."""
    if not text:
        return None
    said = normalize(text)
    for keyword in settings.keywords:
        if said == normalize(keyword):
            return keyword
    padded = f" {said} "
    return next((p for p in settings.phrases if f" {normalize(p)} " in padded), None)


def contact_refusal(profile: Profile | None) -> str | None:
    """Why no one may contact this person (they asked to stop), or None. Checked when rules
    run, when a person approves held work, and right before every platform call."""
    if profile is None or not profile.opted_out:
        return None
    return f"opted_out: the person asked not to be contacted ({profile.opted_out_by}, {profile.opted_out_at})"


def suppression_digest(key: bytes, identity: str) -> str:
    """The name of an erased person's opt-out: HMAC-SHA256 of the identity key under the
    stack's suppression key. Without the key nobody can tell whose it is, nor test a guess."""
    return hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()

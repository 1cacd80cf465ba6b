"""A person asking Goodword to stop: STOP, unsubscribe, "stop messaging me", in six
languages. A whole message that is one of the ``keywords`` (give or take polite words), or a
message that contains one of the ``phrases`` with no negation just before it, opts its
author out; no rule contacts them again until a marketer opts them back in (``goodword
people opt-in``). Wording that may be a request but is unsure ("no, stop messaging me",
"stop this") holds contact for a person's review instead of guessing either way. Compared
after NFKD, folding look-alike letters, lowercasing and dropping @handles, links,
apostrophes and punctuation, so "STOP!!", "S T O P" and "@brand stop" all match, and "I
can't stop drinking your coffee" does not. Figures: docs/rules.md#opt-out."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
    "descadastrar",
    "basta",
    "disiscrivimi",
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
    "stop spamming",
    "quit messaging me",
    "remove me from",
    "take me off",
    "deja de enviarme",
    "deja de mandarme",
    "dejad de mandarme",
    "dejen de enviarme",
    "schreibt mir nicht mehr",
    "schreib mir nicht mehr",
    "lass mich in ruhe",
    "lasst mich in ruhe",
    "arretez de menvoyer",
    "laissez moi tranquille",
    "desabonnez moi",
    "nao me mande mais",
    "chega de mensagens",
    "me deixe em paz",
    "me deixem em paz",
    "pare de me enviar",
    "smettila di scrivermi",
    "non scrivetemi piu",
    "non scrivermi piu",
    "basta messaggi",
    "lasciami in pace",
    "lasciatemi in pace",
]


class OptOutSettings(BaseModel):
    """Settings `opt_out`: what counts as asking to stop."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    keywords: list[str] = Field(default_factory=lambda: list(KEYWORDS), description="a whole message that is one of these")
    phrases: list[str] = Field(default_factory=lambda: list(PHRASES), description="a message that contains one of these")

    @field_validator("keywords", "phrases")
    @classmethod
    def _says_something(cls, words: list[str]) -> list[str]:
        empty = [w for w in words if not normalize(w)]
        if empty:
            raise ValueError(
                f"{empty[0]!r} is nothing once normalized (only letters and digits are compared): "
                "it would match every post made of emoji or punctuation; write the words people use"
            )
        return words

    @field_validator("keywords")
    @classmethod
    def _not_off(cls, words: list[str]) -> list[str]:
        if not words:
            raise ValueError("an empty keyword list would turn opt-out off: keep at least one (stop), or unset it (defaults)")
        return words


class StopVerdict(StrEnum):
    STOP = "stop"  # the person asks to stop: opt them out
    UNSURE = "unsure"  # it may be a request to stop: contact waits for a person's review
    NONE = "none"


@dataclass(frozen=True)
class Heard:
    verdict: StopVerdict
    said: str | None = None  # the keyword, phrase or word heard


NOTHING = Heard(StopVerdict.NONE)

# Letters from other scripts that look like Latin ones (the common Unicode confusables):
# "STOP" typed in Cyrillic letters (U+0405 U+0422 U+041E U+0420) reads STOP. Applied after
# NFKD, which already turns mathematical bold and full-width letters into plain ones.
_LOOK_ALIKES = {
    "latin": "ABEHIJKMOPCTXYaeijopcxysdgSvan",
    "cyrillic": "\u0410\u0412\u0415\u041d\u0406\u0408\u041a\u041c\u041e\u0420\u0421\u0422\u0425\u0423"
    "\u0430\u0435\u0456\u0458\u043e\u0440\u0441\u0445\u0443\u0455\u0501\u0261\u0405\u03bd\u0251\u03b7",
}
_CONFUSABLES = str.maketrans(_LOOK_ALIKES["cyrillic"], _LOOK_ALIKES["latin"])
# Words that say nothing about stopping, around a keyword: "stop it", "unsubscribe please".
FILLERS = frozenset(
    [
        *("please", "pls", "plz", "now", "it", "already", "thanks", "thank", "you", "ok", "okay", "just", "right"),
        *("seriously", "por", "favor", "ya", "bitte", "jetzt", "sofort", "danke", "svp", "merci", "stp", "grazie"),
        *("obrigado", "obrigada", "ora", "subito"),
    ]
)
# Words that turn "stop messaging me" into praise: "never stop messaging me", "don't stop".
NEGATORS = frozenset(
    [
        *("dont", "never", "not", "cant", "cannot", "wont", "shouldnt", "nunca", "jamas", "nie", "nicht", "niemals"),
        *("jamais", "pas", "nao", "non", "mai"),
    ]
)
AMBIGUOUS_NEGATORS = frozenset({"no"})  # "no, stop" asks to stop; "no pares" (Spanish) does not
# One word that asks to stop when it opens a short message, unless negated.
TRIGGERS = frozenset(
    [
        *("stop", "stopp", "unsubscribe", "abmelden", "desabonner", "arrete", "arretez", "basta", "parar"),
        *("spam", "spamming", "enough", "chega", "genug", "assez", "suffit"),
    ]
)
_SHORT = 3  # core words: a trigger inside a message this short may be a request

_HANDLES = re.compile(r"@\w+")
_LINKS = re.compile(r"https?://\S+")
_NOT_LETTERS = re.compile(r"[^a-z0-9 ]+")


def normalize(text: str) -> str:
    """Lowercase letters and digits only, one space apart: NFKD first (math bold, full-width,
    accents apart), look-alike letters folded, accents and apostrophes dropped, letters spelled
    out one by one joined ("s t o p"), a word said twice in a row said once."""
    text = unicodedata.normalize("NFKD", text).translate(_CONFUSABLES)
    text = _LINKS.sub(" ", _HANDLES.sub(" ", text)).lower().replace("'", "").replace("\u2019", "")
    text = text.encode("ascii", "ignore").decode()
    words = _join_spelled(_NOT_LETTERS.sub(" ", text).split())
    return " ".join(w for i, w in enumerate(words) if i == 0 or w != words[i - 1])


def _join_spelled(words: list[str]) -> list[str]:
    """Three or more single letters in a row are one word: "s t o p" -> "stop"."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        out.extend(["".join(run)] if len(run) >= 3 else run)
        run = []
        if word:
            out.append(word)
    return out


def _core(words: list[str]) -> str:
    return " ".join(w for w in words if w not in FILLERS)


def _negated(words: list[str], at: int) -> bool | None:
    """True when a word just before position ``at`` negates what follows; None when unsure."""
    before = set(words[max(0, at - 2) : at])
    if before & NEGATORS:
        return True
    return None if before & AMBIGUOUS_NEGATORS else False


def hear(text: str | None, settings: OptOutSettings) -> Heard:
    """Whether the message asks to stop: STOP (a keyword is the whole message, give or take
    polite words, or it contains a phrase not negated), UNSURE (a negation that may not be
    one, a stop word opening a short message, or one spelled in look-alike letters), or NONE."""
    said = normalize(text or "")
    if not said:
        return NOTHING
    words = said.split()
    return _by_keyword(said, words, settings) or _by_phrase(words, settings) or _by_word(text or "", words) or NOTHING


def _by_keyword(said: str, words: list[str], settings: OptOutSettings) -> Heard | None:
    core = _core(words)
    for keyword in settings.keywords:
        wanted = normalize(keyword)
        if said == wanted or (core and core == _core(wanted.split())):
            return Heard(StopVerdict.STOP, keyword)
    return None


def _by_phrase(words: list[str], settings: OptOutSettings) -> Heard | None:
    unsure: Heard | None = None
    for phrase in settings.phrases:
        found = _find(words, normalize(phrase).split())
        if found is None:
            continue
        negated = _negated(words, found)
        if negated is False:
            return Heard(StopVerdict.STOP, phrase)
        if negated is None:
            unsure = unsure or Heard(StopVerdict.UNSURE, phrase)
    return unsure


def _by_word(text: str, words: list[str]) -> Heard | None:
    short = _core(words).split()
    if short and short[0] in TRIGGERS and len(short) <= _SHORT and _negated(words, words.index(short[0])) is not True:
        return Heard(StopVerdict.UNSURE, short[0])
    if _disguised(text) and (word := next((w for w in words if w in TRIGGERS), None)):
        return Heard(StopVerdict.UNSURE, word)  # look-alike letters spelling a stop word: a person reads it
    return None


def _disguised(text: str) -> bool:
    """Whether the text uses letters of another script that look like Latin ones."""
    plain = unicodedata.normalize("NFKD", text)
    return plain != plain.translate(_CONFUSABLES)


def _find(words: list[str], phrase: list[str]) -> int | None:
    """Where ``phrase`` starts in ``words`` (whole words), or None."""
    size = len(phrase)
    return next((i for i in range(len(words) - size + 1) if words[i : i + size] == phrase), None)


def asks_to_stop(text: str | None, settings: OptOutSettings) -> str | None:
    """The keyword or phrase by which the message surely asks to stop, or None."""
    heard = hear(text, settings)
    return heard.said if heard.verdict is StopVerdict.STOP else None


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

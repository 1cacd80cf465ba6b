"""Whole words, the way a reader sees them: what `contains_any` and `contains_all` compare.

Text and keywords are both normalized first, so that "free samples", "free-sample",
"fr<zero-width space>ee sample" and "FREE SAMPLE" in full-width letters all contain the keyword "free sample":

- compatibility forms folded (NFKC: full-width and styled letters become plain ones),
- invisible characters removed (zero-width spaces and joiners, soft hyphens, direction marks),
- hyphens and dashes read as spaces,
- any case, any spacing between the words of a phrase,
- each word also matches its plural: `sample` finds "samples", `box` finds "boxes",
  `candy` finds "candies" (write keywords in the singular).

Pure; linear in the text (the patterns are escaped words, no user regex)."""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
        "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u3164\ufeff\uffa0",
    )
)
_HYPHENS = dict.fromkeys(map(ord, "-\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d"), " ")
_VOWELS = frozenset("aeiou")


def normalize(text: str) -> str:
    """Lower-case, folded, without invisible characters, hyphens as spaces."""
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_HYPHENS).lower()


def words_of(phrase: str) -> list[str]:
    """The words of a keyword or phrase as it is compared (none: it cannot match anything)."""
    return normalize(phrase).split()


def _word(word: str) -> str:
    if len(word) > 1 and word[-1] == "y" and word[-2] not in _VOWELS:
        return re.escape(word[:-1]) + "(?:y|ies)"
    return re.escape(word) + ("(?:e?s)?" if word[-1].isalpha() else "")


def phrase_pattern(phrase: str) -> str:
    """A regular expression for the phrase's words, whole, any spacing between them, plurals
    allowed; to search normalized text."""
    return r"(?<!\w)" + r"\s+".join(_word(w) for w in words_of(phrase)) + r"(?!\w)"


def first_stem(phrase: str) -> str:
    """A substring every normalized text containing the phrase contains: a cheap pre-test."""
    first = words_of(phrase)[0]
    return first[:-1] if len(first) > 1 and first[-1] == "y" and first[-2] not in _VOWELS else first

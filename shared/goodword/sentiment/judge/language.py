"""Is this post in English, the only language the judge was trained and measured on?

The platform's own language code wins when it sends one. Otherwise a small function-word
count decides: a post is English unless another language's function words outnumber the
English ones, or it has none and is written with another language's letters. A post with
no letters at all (emoji only) has no language. Anything but English is never rewarded
automatically: at most it waits for review.
"""

from __future__ import annotations

import re
from pathlib import Path

ENGLISH = "en"
NO_LANGUAGE = "und"
_WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
# Function words per language, in data files beside this module (words/<code>.txt), loaded
# once at import. English first; a tie between other languages goes to the earlier one here.
_LANGUAGES = ("en", "es", "pt", "de", "fr")
_WORD_FILES = Path(__file__).resolve().parent / "words"


def _function_words(code: str) -> frozenset[str]:
    lines = (_WORD_FILES / f"{code}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


_FUNCTION_WORDS = {code: _function_words(code) for code in _LANGUAGES}


def _non_english_letters(word: str) -> bool:
    return any(ch.isalpha() and not ch.isascii() for ch in word)


def detect(text: str, platform_code: str | None = None) -> str:
    """A language code: 'en', another code, or 'und' (no letters, or the platform's 'und')."""
    code = (platform_code or "").lower().split("-")[0]
    if code and code not in ("und", "zxx", "qme", "qht", "qam"):
        return code
    words = [w.lower() for w in _WORDS.findall(text.replace("’", "'"))]
    if not words:
        return NO_LANGUAGE
    counts = {lang: sum(w in vocabulary for w in words) for lang, vocabulary in _FUNCTION_WORDS.items()}
    other, most = max(((lang, n) for lang, n in counts.items() if lang != ENGLISH), key=lambda item: item[1])
    if most > counts[ENGLISH]:
        return other
    if counts[ENGLISH] == 0 and sum(_non_english_letters(w) for w in words) >= 2:
        return NO_LANGUAGE
    return ENGLISH

"""One preparation of a post's text, shared by training and scoring (a model scores well
only text prepared the way it learned from).

* The brand's names become ``brandname`` and every @handle ``@user`` (``BrandMasker``).
* URLs become ``http``: the address says nothing about praise.
* Each emoji becomes its Unicode name ("🔥" -> " fire "): the model's vocabulary has no
  emoji, and without this "🔥🔥🔥" and "🤮" would both read as unknown tokens.
* The text is cut to ``MAX_CHARACTERS``; the tokenizer cuts it again to the model's length.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from goodword.sentiment.masking import BrandMasker

MAX_CHARACTERS = 2000
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_SKIN_AND_JOINERS = re.compile("[\U0001f3fb-\U0001f3ff\u200d\ufe0f\ufe0e]")


@lru_cache(maxsize=4096)
def _emoji_words(character: str) -> str:
    name = unicodedata.name(character, "")
    return f" {name.lower()} " if name else " "


def _is_emoji(character: str) -> bool:
    return unicodedata.category(character) == "So" and ord(character) >= 0x2190


def spell_emoji(text: str) -> str:
    text = _SKIN_AND_JOINERS.sub("", text)
    if not any(_is_emoji(c) for c in text):
        return text
    return "".join(_emoji_words(c) if _is_emoji(c) else c for c in text)


def prepare(text: str, masker: BrandMasker) -> str:
    text = masker.mask(text[: MAX_CHARACTERS * 2])
    text = _URL.sub("http", text)
    return " ".join(spell_emoji(text).split())[:MAX_CHARACTERS]

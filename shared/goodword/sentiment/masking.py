"""Mask the brand's own names and every @handle before scoring: VADER reads "@united" as
the word "united" (+1.8) and "best", "joy", "fresh"... are brand names too, so an unmasked
brand pushes every mention of it towards positive (sentiment.md, finding 4)."""

from __future__ import annotations

import re
from collections.abc import Iterable

HANDLE_TOKEN = "@user"
BRAND_TOKEN = "brandname"  # in no lexicon
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_][A-Za-z0-9_.@-]*")


class BrandMasker:
    def __init__(self, brand_terms: Iterable[str]) -> None:
        names = sorted({t.strip().lstrip("@#") for t in brand_terms if t.strip().lstrip("@#")}, key=len, reverse=True)
        # Whole words only, any case, spaced any way, with or without a leading # (hashtags).
        alternatives = [r"\s+".join(re.escape(part) for part in name.split()) for name in names]
        self._names = re.compile(rf"(?<!\w)#?(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE) if alternatives else None

    def mask(self, text: str) -> str:
        text = _HANDLE.sub(HANDLE_TOKEN, text)
        if self._names is not None:
            text = self._names.sub(BRAND_TOKEN, text)
        return text

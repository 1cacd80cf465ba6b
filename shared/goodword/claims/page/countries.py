"""ISO 3166-1 alpha-2 countries for the address form, read from the ``iso3166.tab`` the tzdata
package ships (the layer has it already: no list of our own to keep current)."""

from __future__ import annotations

from functools import cache
from importlib import resources

# The file names a few countries the time-zone way; a fan looks for these names.
_NAMES = {"GB": "United Kingdom", "TC": "Turks & Caicos Islands"}


@cache
def countries() -> tuple[tuple[str, str], ...]:
    """(code, English name) pairs, sorted by name."""
    text = resources.files("tzdata").joinpath("zoneinfo/iso3166.tab").read_text(encoding="utf-8")
    pairs = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _, name = line.partition("\t")
            pairs.append((code.strip(), _NAMES.get(code.strip(), name.strip())))
    return tuple(sorted(pairs, key=lambda pair: pair[1].casefold()))


@cache
def country_codes() -> frozenset[str]:
    return frozenset(code for code, _ in countries())

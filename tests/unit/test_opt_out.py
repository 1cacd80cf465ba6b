"""Asking to stop, in the words people use: whole-message keywords and phrases, several
languages, and the praise that merely contains "stop" is not an opt-out."""

from __future__ import annotations

import pytest

from goodword.opt_out import OptOutSettings, asks_to_stop

DEFAULT = OptOutSettings()


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("STOP", "stop"),
        ("@roaster stop!!", "stop"),
        ("Stop.", "stop"),
        ("unsubscribe", "unsubscribe"),
        ("please stop messaging me, thanks", "stop messaging me"),
        ("Don't message me again", "dont message me"),
        ("just leave me alone @roaster", "leave me alone"),
        ("BAJA", "baja"),
        ("por favor deja de escribirme", "deja de escribirme"),
        ("Hör auf, mir zu schreiben!", "hor auf mir zu schreiben"),
        ("arrête", "arrete"),
    ],
)
def test_asking_to_stop_is_heard(text: str, matched: str) -> None:
    assert asks_to_stop(text, DEFAULT) == matched


@pytest.mark.parametrize(
    "text",
    [
        "I can't stop drinking your coffee",
        "best stop on my commute, @roaster!",
        "don't stop making this blend",
        "",
        None,
        "alto nivel, me encanta",
    ],
)
def test_praise_that_says_stop_is_not_an_opt_out(text: str | None) -> None:
    assert asks_to_stop(text, DEFAULT) is None


def test_the_brand_sets_its_own_words() -> None:
    own = OptOutSettings(keywords=["halt"], phrases=["no more samples"])
    assert asks_to_stop("HALT", own) == "halt"
    assert asks_to_stop("no more samples please", own) == "no more samples"
    assert asks_to_stop("stop", own) is None

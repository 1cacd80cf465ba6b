"""Asking to stop, in the words people use: whole-message keywords and phrases, several
languages, and the praise that merely contains "stop" is not an opt-out."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from goodword.opt_out import NOTHING, Heard, OptOutSettings, StopVerdict, asks_to_stop, hear
from scripts.opt_out_figures import load, measure

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


@pytest.mark.parametrize(
    "text",
    [
        "STOP STOP",
        "stop it",
        "Stop spamming me",
        "unsubscribe please",
        "𝐒𝐓𝐎𝐏",
        "ЅТОР",
        "s t o p",
        "ＳＴＯＰ",
    ],
)
def test_plain_and_disguised_requests_are_heard(text: str) -> None:
    assert hear(text, DEFAULT).verdict is StopVerdict.STOP


@pytest.mark.parametrize(
    "text",
    [
        "Don't stop sending me these amazing beans!",
        "Never stop messaging me about new roasts",
        "Please don't stop contacting me with deals",
        "🛑",
        "😍😍",
    ],
)
def test_a_negated_request_or_an_emoji_is_no_opt_out(text: str) -> None:
    assert hear(text, DEFAULT) == NOTHING


@pytest.mark.parametrize("text", ["no, stop messaging me", "stop this", "enough", "I say \u0405\u0422\u041e\u0420, you say go"])
def test_unsure_wording_is_held_for_review_not_guessed(text: str) -> None:
    assert hear(text, DEFAULT).verdict is StopVerdict.UNSURE


def test_a_stop_word_in_look_alike_letters_is_held_where_plain_letters_are_not() -> None:
    assert hear("I say stop, you say go", DEFAULT) == NOTHING
    assert hear("I say \u0405\u0422\u041e\u0420, you say go", DEFAULT) == Heard(StopVerdict.UNSURE, "stop")


def test_a_keyword_that_normalizes_to_nothing_or_no_keywords_is_refused() -> None:
    with pytest.raises(ValidationError, match="'🛑' is nothing once normalized"):
        OptOutSettings(keywords=["stop", "🛑"])
    with pytest.raises(ValidationError, match="an empty keyword list would turn opt-out off"):
        OptOutSettings(keywords=[])
    with pytest.raises(ValidationError, match="is nothing once normalized"):
        OptOutSettings(phrases=["!!!"])


def test_precision_and_recall_on_the_labelled_phrasings() -> None:
    rows = load()
    figures = measure(rows)
    assert figures.cases >= 100 and figures.languages >= 6
    assert {row["label"] for row in rows} == {"stop", "not", "unsure"}
    assert figures.precision >= 0.95, figures.mistakes
    assert figures.recall >= 0.95, figures.mistakes
    assert figures.unsure_held >= 0.9, figures.mistakes  # unsure wording is held (or opted out), never contacted freely

"""The judge: bands from calibrated probabilities, vetoes, the old label, the provider's
behaviour on awkward text, determinism, and a fixed set of sentences a marketer would judge
the same way (tests/fixtures/judgement/expected_bands.yaml)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
import yaml

from dev_support.paths import ROOT
from goodword.sentiment.explain import describe, short_judgement
from goodword.sentiment.judge import calibration, encoder, praise_head
from goodword.sentiment.judge.adapter import fit, predict
from goodword.sentiment.judge.bands import reported_praise, verdict
from goodword.sentiment.judge.calibration import Cuts, Probabilities
from goodword.sentiment.judge.encoder import MODEL_DIR
from goodword.sentiment.judge.language import detect
from goodword.sentiment.judge.provider import ClassifierProvider
from goodword.sentiment.judge.text import prepare, spell_emoji
from goodword.sentiment.masking import BrandMasker
from goodword.sentiment.model import Band, Sentiment, SentimentLabel, SentimentSettings, Veto
from scripts.judgement.head import model_version

CUTS = Cuts(auto=0.8, review=0.4, sarcasm_veto=0.6, complaint_veto=0.7, brand_praise=0.5, brand_positive=0.6)
EXPECTED = yaml.safe_load((ROOT / "tests" / "fixtures" / "judgement" / "expected_bands.yaml").read_text())


def p(
    praise: float,
    complaint: float = 0.0,
    sarcasm: float = 0.0,
    positive: float | None = None,
    brand_praise: float = 0.9,
    brand_positive: float = 0.0,
) -> Probabilities:
    """Probabilities whose brand-post praise head agrees unless told otherwise."""
    return Probabilities(
        praise=praise,
        complaint=complaint,
        sarcasm=sarcasm,
        positive=praise if positive is None else positive,
        brand_praise=brand_praise,
        brand_positive=brand_positive,
    )


def judge(*brands: str) -> ClassifierProvider:
    return ClassifierProvider(SentimentSettings(brand_terms=brands))


# --- bands, vetoes, label (pure) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("praise", "band"), [(0.95, Band.AUTO), (0.8, Band.AUTO), (0.79, Band.REVIEW), (0.4, Band.REVIEW), (0.39, Band.NONE)]
)
def test_bands_follow_the_cut_points(praise: float, band: Band) -> None:
    assert verdict(p(praise), CUTS, "en").band is band


def test_mild_praise_is_for_review_even_when_praise_alone_is_low() -> None:
    """Review is for sincere positives, mild ones too ("does the job"): a person decides."""
    assert verdict(p(0.2, positive=0.6), CUTS, "en").band is Band.REVIEW
    assert verdict(p(0.2, positive=0.3), CUTS, "en").band is Band.NONE


def test_auto_needs_the_brand_post_praise_head_to_agree() -> None:
    """Praise words the brand-post praise head does not read as praise of the brand wait for a person."""
    disagree = p(0.95, complaint=0.1, sarcasm=0.1, brand_praise=0.3)
    v = verdict(disagree, CUTS, "en")
    assert (v.band, v.vetoes) == (Band.REVIEW, (Veto.NOT_PRAISE,))
    assert verdict(disagree.model_copy(update={"brand_praise": 0.5}), CUTS, "en").band is Band.AUTO


def test_the_brand_post_praise_or_mild_head_also_opens_review() -> None:
    """Slang and indirect praise the tweet reading scores low can still reach a person."""
    assert verdict(p(0.1, positive=0.2, brand_positive=0.6), CUTS, "en").band is Band.REVIEW
    assert verdict(p(0.1, positive=0.2, brand_positive=0.59), CUTS, "en").band is Band.NONE
    vetoed = verdict(p(0.1, positive=0.2, sarcasm=0.7, brand_positive=0.95), CUTS, "en")
    assert (vetoed.band, vetoed.vetoes) == (Band.NONE, (Veto.SARCASM,))


@pytest.mark.parametrize(
    ("probabilities", "band", "most"),
    [
        (p(0.95), Band.AUTO, 0.95),  # nothing held it back: the praise probability itself
        (p(0.95, sarcasm=0.76), Band.NONE, 0.24),  # sarcasm: at most 1 - sarcasm
        (p(0.95, complaint=0.81), Band.NONE, 0.19),  # a complaint: at most 1 - complaint
        (p(0.95, brand_praise=0.3), Band.REVIEW, 0.3),  # the brand-post praise head kept it from auto
        (p(0.7, brand_praise=0.1), Band.REVIEW, 0.7),  # below the auto cut anyway: the head held nothing back
        (p(0.95, sarcasm=0.5, complaint=0.6), Band.AUTO, 0.95),  # below both vetoes
    ],
)
def test_praise_reports_what_the_judge_concluded(probabilities: Probabilities, band: Band, most: float) -> None:
    """`praise` is the judge's last word on sincere praise: a sarcastic complaint that ends in
    `none` no longer reads 0.95, and only a post in `auto` reports praise at the auto cut or above."""
    v = verdict(probabilities, CUTS, "en")
    assert (v.band, v.praise) == (band, most)
    assert (v.praise >= CUTS.auto) is (band is Band.AUTO)
    assert reported_praise(probabilities, CUTS) == v.praise


def test_a_post_is_judged_by_the_more_cautious_of_its_two_readings() -> None:
    head = p(0.95, complaint=0.1, sarcasm=0.2, brand_praise=0.9, brand_positive=0.8)
    tail = p(0.3, complaint=0.8, sarcasm=0.1, positive=0.4, brand_praise=0.2, brand_positive=0.3)
    both = head.worse(tail)
    fields = ("praise", "complaint", "sarcasm", "positive", "brand_praise", "brand_positive")
    assert tuple(getattr(both, f) for f in fields) == (0.3, 0.8, 0.2, 0.4, 0.2, 0.3)
    assert verdict(both, CUTS, "en").band is Band.NONE


class _EndsInAComplaint:
    """The shipped encoder, but every post reads as praise from its start and as a complaint
    at its end (what a long crafted complaint does past the tokens the model reads)."""

    def __init__(self) -> None:
        self.real = encoder.load()

    def run(self, texts: Any) -> Any:
        return self.real.run(["best flat white in the city, hands down. thank you!"] * len(texts))

    def tails(self, texts: Any) -> Any:
        longer, _ = self.real.tails(texts)
        return longer, self.real.run(["my order arrived cold and late again. awful, I want a refund."] * len(longer))


def test_a_long_post_that_ends_in_a_complaint_is_not_rewarded() -> None:
    """The model reads 128 tokens: a longer post is also read from its end, and the worse
    reading counts (a crafted complaint hides its complaint after a long run of praise)."""
    provider = ClassifierProvider(SentimentSettings(), model=_EndsInAComplaint())  # type: ignore[arg-type]
    short, long = provider.analyze(["great coffee", "great coffee " * 200])
    assert short.band is not Band.NONE, describe(short)
    assert long.band is Band.NONE and Veto.COMPLAINT in long.vetoes, describe(long)


def test_only_a_post_longer_than_the_model_reads_is_read_twice() -> None:
    longer, tails = encoder.load().tails(["a short post", "word " * 300, "another short one"])
    assert longer == [1] and tails.brand.shape == (1, 8)


def test_a_sarcasm_veto_wins_over_any_praise() -> None:
    v = verdict(p(0.99, sarcasm=0.6), CUTS, "en")
    assert (v.band, v.vetoes, v.label) == (Band.NONE, (Veto.SARCASM,), SentimentLabel.MIXED)


def test_a_sarcastic_complaint_is_negative_and_sarcasm_alone_is_not() -> None:
    """Support rules read `negative`: a complaint goes there; praise words that only sound
    ironic (often plain exaggerated praise) are not rewarded, and not sent to support."""
    assert verdict(p(0.95, complaint=0.8, sarcasm=0.7), CUTS, "en").label is SentimentLabel.NEGATIVE
    assert verdict(p(0.95, complaint=0.2, sarcasm=0.7), CUTS, "en").label is SentimentLabel.MIXED


def test_a_complaint_veto_wins_over_any_praise() -> None:
    v = verdict(p(0.99, complaint=0.9), CUTS, "en")
    assert (v.band, v.vetoes) == (Band.NONE, (Veto.COMPLAINT,))


def test_praise_in_another_language_waits_for_review_at_most() -> None:
    for language in ("es", "und", "de"):
        v = verdict(p(0.99), CUTS, language)
        assert (v.band, v.vetoes) == (Band.REVIEW, (Veto.LANGUAGE,))
    assert verdict(p(0.5), CUTS, "es").band is Band.REVIEW


def test_the_old_label_comes_from_the_band() -> None:
    assert verdict(p(0.9), CUTS, "en").label is SentimentLabel.POSITIVE
    assert verdict(p(0.5), CUTS, "en").label is SentimentLabel.POSITIVE  # review is likely praise
    assert verdict(p(0.1, complaint=0.65), CUTS, "en").label is SentimentLabel.NEGATIVE
    assert verdict(p(0.3, complaint=0.3), CUTS, "en").label is SentimentLabel.MIXED
    assert verdict(p(0.1, complaint=0.1), CUTS, "en").label is SentimentLabel.NEUTRAL


def test_explanations_name_the_veto_in_words() -> None:
    s = Sentiment(
        label=SentimentLabel.NEGATIVE,
        score=-0.5,
        confidence=0.83,
        provider="classifier",
        band=Band.NONE,
        vetoes=(Veto.SARCASM,),
        praise=0.71,
        complaint=0.2,
        sarcasm=0.83,
    )
    assert "sounds sarcastic: 0.83" in describe(s)
    assert describe(s).startswith("none: not for a reward")


def test_every_number_beside_a_band_or_label_says_what_it_is() -> None:
    judged = {"band": "auto", "praise": 0.97, "vetoes": []}
    assert short_judgement(judged) == "auto, praise 0.97"
    assert short_judgement({**judged, "band": "none", "vetoes": ["sarcasm"]}) == "none, praise 0.97 (sarcasm)"
    older = {"label": "positive", "score": 0.8, "confidence": 0.9, "provider": "vader"}
    assert short_judgement(older) == "positive, score +0.80"
    assert describe(older).startswith("positive, score +0.80 (confidence 0.90")


# --- text preparation and language -----------------------------------------------------------


def test_the_brand_and_handles_are_masked_before_scoring() -> None:
    text = prepare("@NorthRoast north roast is great, says @someone #NorthRoast", BrandMasker(["North Roast", "NorthRoast"]))
    assert "north" not in text.lower() and "someone" not in text
    assert text == "@user brandname is great, says @user brandname"


def test_masked_brands_score_alike() -> None:
    """Two brands' names are invisible to the model: the same praise scores the same."""
    a = judge("Fizzwell").analyze(["Fizzwell is the best soda ever"])[0]
    b = judge("Crunchbird").analyze(["Crunchbird is the best soda ever"])[0]
    assert (a.praise, a.complaint, a.sarcasm) == (b.praise, b.complaint, b.sarcasm)


def test_emoji_become_words_the_model_knows() -> None:
    assert spell_emoji("🔥🔥 👍🏽") == " fire  fire   thumbs up sign "


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("this is the best coffee in town", "en"),
        ("W fizzwell", "en"),
        ("las alitas de @Crunchbird son lo mejor que he probado", "es"),
        ("Die Schuhe sind einfach der Wahnsinn, danke", "de"),
        ("🔥🔥🔥", "und"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert detect(text) == language


def test_the_platforms_language_code_wins() -> None:
    assert detect("great coffee", "pt-BR") == "pt"
    assert detect("great coffee", "und") == "en"


# --- the provider on awkward text ------------------------------------------------------------


def test_empty_text_is_never_rewarded() -> None:
    for text in ("", "   "):
        result = judge().analyze([text])[0]
        assert result.band is Band.NONE and Veto.NO_TEXT in result.vetoes


def test_emoji_only_praise_waits_for_a_person_at_most() -> None:
    result = judge().analyze(["🔥🔥🔥😍"])[0]
    assert result.band is not Band.AUTO
    assert result.language == "und"


def test_a_5000_character_post_is_scored() -> None:
    long = ("@northroast the beans are lovely and the staff are kind. " * 90)[:5000]
    result = judge("North Roast").analyze([long])[0]
    assert result.praise is not None and 0 <= result.praise <= 1


def test_non_english_praise_is_never_auto() -> None:
    texts = [
        "@northroast el mejor café que he probado en mi vida, gracias!",
        "Der Kaffee von North Roast ist einfach der beste, vielen Dank!",
        "le meilleur café de la ville, merci @northroast !",
    ]
    for result in judge("North Roast").analyze(texts):
        assert result.band is not Band.AUTO
        assert result.language != "en"


def test_scores_are_deterministic_and_do_not_depend_on_the_batch() -> None:
    texts = ["the best latte in town @northroast", "my order is late again", "is it open today?"]
    first = judge().analyze(texts)
    again = judge().analyze(texts)
    alone = [judge().analyze([t])[0] for t in texts]
    assert first == again
    assert first == alone  # int8 activations are scaled per input: each post runs alone


def test_calibration_and_praise_heads_match_the_shipped_model() -> None:
    """The cut points and the praise heads were fitted on this very model file (its hash names the version)."""
    shipped = calibration.load()
    assert shipped.version == model_version(MODEL_DIR) == praise_head.load().model_version
    assert 0 < shipped.cuts.review <= shipped.cuts.auto < 1
    assert 0 < shipped.cuts.brand_positive < 1 and 0 < shipped.cuts.brand_praise < 1
    heads = praise_head.load()
    assert (heads.praise.labels, heads.positive.labels) == (("praise",), ("praise", "mild_praise"))
    assert heads.praise.slope > 0 and heads.positive.slope > 0, "Platt-scaled (calibrate), the more praise the higher"


def test_the_praise_heads_read_the_encoders_embedding() -> None:
    """Praise ranks above a complaint and a question on both heads (orderings only, never scores)."""
    texts = ["best flat white in the city, hands down. thank you!", "my order never arrived and nobody answers", "is it open?"]
    scores = judge().probabilities(encoder.load().run(texts))
    assert scores[0].brand_praise > max(s.brand_praise for s in scores[1:])
    assert scores[0].brand_positive > max(s.brand_positive for s in scores[1:])


# --- sentences a marketer would judge the same way --------------------------------------------


# int8 numerics differ between CPUs (instruction sets): a probability printed 0.59 here is 0.5972
# on another machine. A sentence this close to a cut may get either band; no test pins more.
TOLERANCE = 0.02


def _expected() -> list[Any]:
    cases = [(text, "auto", "clear praise") for text in EXPECTED["auto"]]
    cases += [(text, "review", "mild praise") for text in EXPECTED["review"]]
    cases += [(text, "none", kind) for kind, texts in EXPECTED["none"].items() for text in texts]
    return [pytest.param(*case, id=f"{case[2]}: {case[0][:40]}") for case in cases]


def _bands_within_tolerance(provider: ClassifierProvider, text: str) -> set[str]:
    """Every band the sentence gets when each of its probabilities moves by up to TOLERANCE."""
    _, outputs = provider.outputs([text])
    return _bands_near(provider.probabilities(outputs)[0], provider.calibration.cuts, detect(text))


def _bands_near(probabilities: Probabilities, cuts: Cuts, language: str) -> set[str]:
    fields = ("praise", "complaint", "sarcasm", "positive", "brand_praise", "brand_positive")
    bands = set()
    for deltas in itertools.product((-TOLERANCE, 0.0, TOLERANCE), repeat=len(fields)):
        moved = probabilities.model_copy(
            update={f: min(1.0, max(0.0, getattr(probabilities, f) + d)) for f, d in zip(fields, deltas, strict=True)}
        )
        bands.add(verdict(moved, cuts, language).band.value)
    return bands


def test_no_known_miss_rewards_sarcasm_a_complaint_or_a_question() -> None:
    """Misses may keep a fan waiting; a sentence that must get nothing may never be one."""
    known = set(EXPECTED["known_misses"])
    assert known <= set(EXPECTED["auto"]) | set(EXPECTED["review"])


@pytest.mark.parametrize(("text", "band", "kind"), _expected())
def test_sentences_get_the_band_a_marketer_expects(text: str, band: str, kind: str) -> None:
    provider = judge(*EXPECTED["brand"])
    result = provider.analyze([text])[0]
    near = _bands_within_tolerance(provider, text)
    if text in EXPECTED["known_misses"]:
        if near == {band}:
            pytest.fail(f"a known miss no longer misses (update expected_bands.yaml, docs/judgement.md): {describe(result)}")
        pytest.xfail(f"a known miss of the shipped model (docs/judgement.md){' at a cut' if band in near else ''}")
    assert band in near, f"{kind}: {describe(result)}"


def test_a_sentence_at_a_cut_may_get_either_band_and_no_other() -> None:
    """What the tolerance allows: praise 0.81 against an auto cut of 0.8 may be either band,
    a brand-post praise head 0.51 against its cut of 0.5 too; a plain complaint only `none`."""
    assert _bands_near(p(0.81), CUTS, "en") == {"auto", "review"}
    assert _bands_near(p(0.95, brand_praise=0.51), CUTS, "en") == {"auto", "review"}
    provider = judge(*EXPECTED["brand"])
    assert _bands_within_tolerance(provider, "@northroast my order never arrived and nobody answers") == {"none"}


# --- the adapter's fit -------------------------------------------------------------------------


def test_the_adapters_fit_is_deterministic_and_learns_a_separable_rule() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(80, 5))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.float64)
    first, again = fit(x, y, penalty=0.1), fit(x, y, penalty=0.1)
    assert np.array_equal(first[0], again[0]) and first[1] == again[1]
    accuracy = float(np.mean((predict(x, *first) >= 0.5) == (y > 0.5)))
    assert accuracy >= 0.95


def test_weights_count_like_repeated_rows() -> None:
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    weighted = fit(x, y, penalty=0.5, weights=np.array([1.0, 2.0, 1.0, 1.0]))
    repeated = fit(np.array([[0.0], [1.0], [1.0], [2.0], [3.0]]), np.array([0.0, 0.0, 0.0, 1.0, 1.0]), penalty=0.5)
    assert np.allclose(weighted[0], repeated[0]) and np.isclose(weighted[1], repeated[1])

"""Sentiment: the brand is masked, guards keep praise-shaped complaints and questions from
'positive', thresholds do what the settings say, and Comprehend is called in batches."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from pydantic import ValidationError

from goodword.sentiment.comprehend import ComprehendProvider
from goodword.sentiment.masking import BrandMasker
from goodword.sentiment.model import Band, Guard, SentimentLabel, SentimentSettings
from goodword.sentiment.providers import provider_for
from goodword.sentiment.vader import VaderProvider


def vader(**settings: Any) -> VaderProvider:
    return VaderProvider(SentimentSettings(**settings))


def test_masking_the_brand_removes_the_push_its_name_gives() -> None:
    text = "Just tried Best Coffee for the first time"
    assert vader(positive_threshold=0.3).analyze_one(text).label is SentimentLabel.POSITIVE  # "best" +3.2
    masked = vader(positive_threshold=0.3, brand_terms=("Best Coffee",)).analyze_one(text)
    assert masked.label is SentimentLabel.NEUTRAL
    assert masked.score == 0


def test_masker_handles_hashtags_case_spacing_and_every_handle() -> None:
    masker = BrandMasker(["Joy Roasters", "@joyroasters"])
    assert masker.mask("#JoyRoasters and joy   roasters, @JoyRoasters @someone!") == "brandname and brandname, @user @user!"
    assert masker.mask("enjoyroasters") == "enjoyroasters", "whole words only"
    assert BrandMasker([]).mask("no brand here @x") == "no brand here @user"


@pytest.mark.parametrize(
    ("text", "guard"),
    [
        ("Is this the best coffee in the world? Amazing, wonderful, love it if so!", Guard.QUESTION),
        ("Real nice of you! Just love your awesome service, great job losing my bag", Guard.NEGATIVE_WORDS),  # sarcasm
        ("Never had such a great, wonderful, amazing, happy morning coffee!!", Guard.NEGATION),
    ],
)
def test_guards_keep_high_scoring_texts_from_positive(text: str, guard: Guard) -> None:
    unguarded = vader(guards=False).analyze_one(text)
    guarded = vader().analyze_one(text)
    assert unguarded.score >= 0.9 and unguarded.label is SentimentLabel.POSITIVE
    assert guarded.label is not SentimentLabel.POSITIVE
    assert guard in guarded.guards


def test_clear_praise_is_positive_with_its_confidence() -> None:
    result = vader().analyze_one(
        "@roaster your Ethiopian roast is wonderful and amazing, the best coffee I have had, thank you! Love it!"
    )
    assert result.label is SentimentLabel.POSITIVE
    assert result.guards == ()
    assert result.confidence == pytest.approx(result.score, abs=1e-4) and result.score >= 0.9


def test_thresholds_move_the_line() -> None:
    text = "Nice coffee, good service"
    score = vader().analyze_one(text).score
    assert 0.5 < score < 0.9
    assert vader().analyze_one(text).label is SentimentLabel.NEUTRAL
    assert vader(positive_threshold=0.5).analyze_one(text).label is SentimentLabel.POSITIVE
    assert vader().analyze_one("This coffee is awful").label is SentimentLabel.NEGATIVE
    assert vader(negative_threshold=-0.9).analyze_one("This coffee is awful").label is not SentimentLabel.NEGATIVE


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "@brand", "x" * 5000, "ünïcödé ☕ 很好"])
def test_odd_texts_are_scored_without_errors(text: str) -> None:
    result = vader().analyze_one(text)
    assert -1 <= result.score <= 1 and 0 <= result.confidence <= 1


def test_settings_refuse_crossed_thresholds() -> None:
    with pytest.raises(ValidationError, match="negative_threshold must be below positive_threshold"):
        SentimentSettings(positive_threshold=0.0, negative_threshold=0.0)


def test_the_provider_is_a_setting_and_the_judge_is_the_default() -> None:
    assert provider_for(SentimentSettings()).name == "classifier"
    assert provider_for(SentimentSettings(provider="vader")).name == "vader"
    assert provider_for(SentimentSettings(provider="comprehend"), comprehend=lambda: None).name == "comprehend"


def test_uncalibrated_providers_never_advise_auto() -> None:
    """VADER's and Comprehend's scores mean no precision: their praise waits for a person."""
    praise = vader().analyze_one("Absolutely wonderful, the best coffee ever, thank you so much!")
    assert praise.label is SentimentLabel.POSITIVE and praise.band is Band.REVIEW
    assert vader().analyze_one("Terrible, cold and late.").band is Band.NONE


def scores(positive: float, negative: float = 0.0, neutral: float = 0.0, mixed: float = 0.0) -> dict[str, float]:
    return {"Positive": positive, "Negative": negative, "Neutral": neutral, "Mixed": mixed}


def test_comprehend_batches_language_detection_and_sentiment_per_language() -> None:
    client = boto3.client("comprehend", region_name="us-east-1")
    texts = [f"great coffee {n} from @roaster" for n in range(26)] + ["Que café tan rico", "?", "Ein Kaffee?"]
    languages: list[str | None] = [None] * 26 + ["es", "xx", "de"]
    with Stubber(client) as stub:
        masked = [f"great coffee {n} from @user" for n in range(26)]
        stub.add_response(
            "batch_detect_dominant_language",
            {
                "ResultList": [{"Index": i, "Languages": [{"LanguageCode": "en", "Score": 0.99}]} for i in range(25)],
                "ErrorList": [],
            },
            {"TextList": masked[:25]},
        )
        stub.add_response(
            "batch_detect_dominant_language",
            {"ResultList": [{"Index": 0, "Languages": [{"LanguageCode": "en", "Score": 0.98}]}], "ErrorList": []},
            {"TextList": masked[25:]},
        )
        stub.add_response(
            "batch_detect_sentiment",
            {
                "ResultList": [
                    {"Index": i, "Sentiment": "POSITIVE", "SentimentScore": scores(0.97 if i else 0.6)} for i in range(24)
                ],
                "ErrorList": [{"Index": 24, "ErrorCode": "INTERNAL_SERVER_ERROR", "ErrorMessage": "x"}],
            },
            {"TextList": masked[:25], "LanguageCode": "en"},
        )
        stub.add_response(
            "batch_detect_sentiment",
            {"ResultList": [{"Index": 0, "Sentiment": "NEGATIVE", "SentimentScore": scores(0.01, 0.95)}], "ErrorList": []},
            {"TextList": masked[25:], "LanguageCode": "en"},
        )
        stub.add_response(
            "batch_detect_sentiment",
            {"ResultList": [{"Index": 0, "Sentiment": "POSITIVE", "SentimentScore": scores(0.99)}], "ErrorList": []},
            {"TextList": ["Que café tan rico"], "LanguageCode": "es"},
        )
        stub.add_response(
            "batch_detect_sentiment",
            {"ResultList": [{"Index": 0, "Sentiment": "POSITIVE", "SentimentScore": scores(0.99)}], "ErrorList": []},
            {"TextList": ["Ein Kaffee?"], "LanguageCode": "de"},
        )
        results = ComprehendProvider(SentimentSettings(provider="comprehend"), lambda: client).analyze(texts, languages)
        stub.assert_no_pending_responses()
    assert results[0].label is SentimentLabel.NEUTRAL, "POSITIVE below the threshold is not positive"
    assert results[1].label is SentimentLabel.POSITIVE and results[1].confidence == 0.97 and results[1].language == "en"
    assert results[24].guards == (Guard.PROVIDER_ERROR,) and results[24].label is SentimentLabel.NEUTRAL
    assert results[25].label is SentimentLabel.NEGATIVE and results[25].score == pytest.approx(-0.94)
    assert results[26].label is SentimentLabel.POSITIVE and results[26].language == "es"
    assert results[27].guards == (Guard.UNSUPPORTED_LANGUAGE,)
    assert results[28].label is SentimentLabel.NEUTRAL and results[28].guards == (Guard.QUESTION,)


def test_comprehend_outage_raises_so_the_batch_is_retried() -> None:
    client = boto3.client("comprehend", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error("batch_detect_sentiment", "ThrottlingException", http_status_code=400)
        provider = ComprehendProvider(SentimentSettings(provider="comprehend"), lambda: client)
        with pytest.raises(client.exceptions.ClientError):
            provider.analyze(["great"], ["en"])

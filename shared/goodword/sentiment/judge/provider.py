"""The default sentiment provider (``sentiment.provider: classifier``): the trained judge.

One encoder call per batch of posts; each post is brand-masked and prepared exactly as in
training, scored, calibrated (the brand-post praise heads read the same call's embedding)
and banded. A post longer than the model reads is read from both ends and judged by the
more cautious reading. A brand adapter, when one is live, replaces the shared praise
probability (auto's first key) with the brand's own (``goodword judgement retrain``); the
second key, the vetoes and the cut points stay."""

from __future__ import annotations

from collections.abc import Sequence

from goodword.sentiment.judge import calibration, encoder, praise_head
from goodword.sentiment.judge.adapter import Adapter
from goodword.sentiment.judge.bands import verdict
from goodword.sentiment.judge.calibration import Calibration, Probabilities
from goodword.sentiment.judge.encoder import Encoder, Outputs
from goodword.sentiment.judge.language import detect
from goodword.sentiment.judge.praise_head import PraiseHeads
from goodword.sentiment.judge.text import prepare
from goodword.sentiment.masking import BrandMasker
from goodword.sentiment.model import Sentiment, SentimentSettings


class ClassifierProvider:
    name = "classifier"

    def __init__(
        self,
        settings: SentimentSettings,
        adapter: Adapter | None = None,
        model: Encoder | None = None,
        cuts_from: Calibration | None = None,
        heads: PraiseHeads | None = None,
    ) -> None:
        self.settings = settings
        self.masker = BrandMasker(settings.brand_terms)
        self.adapter = adapter
        self._model = model
        self._calibration = cuts_from
        self._heads = heads

    @property
    def _adapted(self) -> bool:
        return self.adapter is not None and self.adapter.model_version == self.calibration.version

    @property
    def model(self) -> Encoder:
        return self._model or encoder.load()

    @property
    def calibration(self) -> Calibration:
        return self._calibration or calibration.load()

    @property
    def heads(self) -> PraiseHeads:
        return self._heads or praise_head.load()

    def probabilities(self, outputs: Outputs) -> list[Probabilities]:
        return calibration.probabilities(self.calibration, self.heads, outputs)

    def outputs(self, texts: Sequence[str]) -> tuple[list[str], Outputs]:
        prepared = [prepare(t, self.masker) for t in texts]
        return prepared, self.model.run(prepared)

    def analyze(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> list[Sentiment]:
        if not texts:
            return []
        prepared, outputs = self.outputs(texts)
        scores = self.probabilities(outputs)
        if self.adapter is not None and self._adapted:
            own = self.adapter.praise(outputs, [s.praise for s in scores])
            scores = [s.model_copy(update={"praise": p}) for s, p in zip(scores, own, strict=True)]
        longer, tails = self.model.tails(prepared)
        for i, tail in zip(longer, self.probabilities(tails), strict=True):
            scores[i] = scores[i].worse(tail)  # a post longer than the model reads: its end counts too
        langs = list(languages or [None] * len(texts))
        return [
            self._sentiment(score, detect(original, lang), bool(text.strip()))
            for score, original, text, lang in zip(scores, texts, prepared, langs, strict=True)
        ]

    def _sentiment(self, p: Probabilities, language: str, has_text: bool) -> Sentiment:
        v = verdict(p, self.calibration.cuts, language, has_text)
        return Sentiment(
            label=v.label,
            score=round(max(-1.0, min(1.0, v.praise - p.complaint)), 4),
            confidence=v.confidence,
            provider=self.name if not self._adapted else f"{self.name}+adapter",
            language=language,
            band=v.band,
            vetoes=v.vetoes,
            praise=v.praise,  # after everything the judge knows (bands.reported_praise)
            complaint=p.complaint,
            sarcasm=p.sarcasm,
        )

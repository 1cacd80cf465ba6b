"""The shipped model: a fine-tuned all-MiniLM-L6-v2 with three heads, int8 ONNX, run by
ONNX Runtime on one thread. Loaded once per container (``load``).

Each text runs on its own: dynamic int8 quantization scales a layer's activations by the
largest value in the whole input, so in a padded batch one post's score would depend on
its neighbours. Alone, a post always gets the same score, and it is no slower (no padding).

The model reads ``MAX_TOKENS`` tokens. A longer post is also read from its end (``tails``):
a complaint written after a long run of praise is past the first window, and the provider
judges such a post by the worse of its two readings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

MODEL_DIR = Path(__file__).resolve().parent / "model"
MAX_TOKENS = 128
BRAND_LABELS = (
    "praise",
    "mild_praise",
    "sarcastic_complaint",
    "complaint",
    "mixed",
    "question",
    "neutral",
    "praise_other",
)

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Outputs:
    """Per text: the sentence embedding and each head's probabilities."""

    embedding: Floats  # (n, 384), unit length
    sentiment: Floats  # (n, 3): negative, neutral, positive
    irony: Floats  # (n,)
    brand: Floats  # (n, 8): BRAND_LABELS


class Encoder:
    def __init__(self, directory: Path = MODEL_DIR) -> None:
        import onnxruntime  # noqa: PLC0415 (heavy: loaded with the model, not with the package)
        from tokenizers import Tokenizer  # noqa: PLC0415

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = onnxruntime.InferenceSession(str(directory / "judge.onnx"), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tail_tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self._tail_tokenizer.no_padding()
        self._tail_tokenizer.enable_truncation(MAX_TOKENS, direction="left")

    def tails(self, texts: Sequence[str]) -> tuple[list[int], Outputs]:
        """Which texts are longer than the model reads, and each one's last window."""
        longer = [i for i, e in enumerate(self._tokenizer.encode_batch(list(texts))) if e.overflowing]
        if not longer:
            return [], self.run([])
        encodings = self._tail_tokenizer.encode_batch([texts[i] for i in longer])
        return longer, _joined([self._one(e.ids) for e in encodings])

    def run(self, texts: Sequence[str]) -> Outputs:
        """Texts already prepared (``text.prepare``); any number, each run alone."""
        if not texts:
            empty = np.zeros((0,), dtype=np.float32)
            return Outputs(empty.reshape(0, 384), empty.reshape(0, 3), empty, empty.reshape(0, len(BRAND_LABELS)))
        return _joined([self._one(encoding.ids) for encoding in self._tokenizer.encode_batch(list(texts))])

    def _one(self, token_ids: Sequence[int]) -> Outputs:
        ids = np.asarray([token_ids], dtype=np.int64)
        embedding, sentiment, irony, brand = self._session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        return Outputs(embedding, sentiment, irony, brand)


def _joined(parts: Sequence[Outputs]) -> Outputs:
    return Outputs(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("embedding", "sentiment", "irony", "brand")))


@cache
def load() -> Encoder:
    """The container's one encoder (about 0.2 s to load)."""
    return Encoder()

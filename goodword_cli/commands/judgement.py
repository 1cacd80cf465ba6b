"""goodword score, and goodword judgement feedback|retrain|status: the judge, by hand, and
what it learns from the brand's marketers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from goodword.sentiment.examples import ExampleSource
from goodword.sentiment.explain import BAND_WORDS, veto_words
from goodword.sentiment.judge import calibration
from goodword.sentiment.judge.adapter import Adapter
from goodword.sentiment.judge.provider import ClassifierProvider
from goodword.sentiment.judge.retrain import NotEnoughExamples, compare
from goodword.sentiment.model import Sentiment, SentimentSettings
from goodword.sentiment.providers import providers
from goodword.services.judgement import record_example
from goodword_cli.app import App, pass_app
from goodword_cli.output import EXIT_PROBLEMS, CliError, console, emit_json, json_option, short, table
from goodword_cli.service_errors import refusals


def _settings(app: App, brands: tuple[str, ...]) -> tuple[SentimentSettings, Adapter | None, str]:
    """The target's sentiment settings and adapter when a target is given, else the defaults."""
    if not app.has_target:
        return SentimentSettings(brand_terms=brands), None, "default settings"
    target = app.target()
    book = target.rules_loader()()
    settings = book.settings.sentiment
    settings = settings.model_copy(update={"brand_terms": tuple(dict.fromkeys([*settings.brand_terms, *brands]))})
    return settings, book.adapter, f"the settings of {target.description}"


@click.command()
@click.argument("texts", nargs=-1)
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="One text per line.")
@click.option("--brand", "brands", multiple=True, metavar="NAME", help="A brand name to mask (repeatable).")
@json_option
@pass_app
def score(app: App, texts: tuple[str, ...], path: Path | None, brands: tuple[str, ...], as_json: bool) -> None:
    """Judge texts as the pipeline would: praise, complaint, band and veto for each.

    Needs no AWS access: with no --stack/--local it uses the default settings (the trained
    judge) and masks the --brand names; with a target, that brand's settings and adapter.
    """
    lines = list(texts)
    if path is not None:
        lines.extend(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    if not lines:
        raise CliError("give texts to score, or --file FILE with one text per line", EXIT_PROBLEMS)
    settings, adapter, source = _settings(app, brands)
    provider_for = app.target().scorer().providers if app.has_target else providers()  # a target's AWS clients
    results = provider_for(settings, adapter).analyze(lines)
    if as_json:
        emit_json([_as_json(text, s) for text, s in zip(lines, results, strict=True)])
        return
    rows = [
        (
            short(text, 60),
            _number(s.praise),
            _number(s.complaint),
            s.band.value,
            "; ".join(veto_words(s)) or ("" if s.praise is not None else f"{s.label.value} {s.score:+.2f}"),
        )
        for text, s in zip(lines, results, strict=True)
    ]
    table(None, ["text", "praise", "complaint", "band", "veto"], rows)
    console.print(f"{len(lines)} text(s) judged with {source}. Bands: " + "; ".join(BAND_WORDS[b] for b in BAND_WORDS))


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _as_json(text: str, s: Sentiment) -> dict[str, Any]:
    return {
        "text": text,
        "praise": s.praise,
        "complaint": s.complaint,
        "sarcasm": s.sarcasm,
        "band": s.band.value,
        "vetoes": [v.value for v in s.vetoes],
        "label": s.label.value,
        "language": s.language,
        "provider": s.provider,
    }


@click.group()
def judgement() -> None:
    """What the judge learns from the brand: labelled examples, a brand adapter, which is live.

    Every review decision (approve = praise, reject = not praise) and every `judgement
    feedback` is kept as a labelled example; `judgement retrain` fits an adapter from them
    and makes it live only if it beats the shared model on the same examples."""


@judgement.command()
@click.argument("event_id")
@click.option("--praise/--not-praise", default=None, help="Whether the post genuinely praises the brand.")
@pass_app
def feedback(app: App, event_id: str, praise: bool | None) -> None:
    """Label one event's post: --praise or --not-praise (replaces an earlier label)."""
    if praise is None:
        raise CliError("say --praise or --not-praise", EXIT_PROBLEMS)
    target = app.target()
    with refusals():
        record_example(target.stores(), event_id, praise, ExampleSource.FEEDBACK, target.who())
    console.print(f"{event_id}: kept as {'praise' if praise else 'not praise'} for `goodword judgement retrain`")


def _figures_rows(adapter: Adapter) -> list[tuple[str, str, str, str]]:
    return [
        (name, f"{f.precision:.3f}", f"{f.recall:.3f}", f"{f.average_precision:.3f}")
        for name, f in (("shared model", adapter.shared), ("brand adapter (cross-validated)", adapter.adapter))
    ]


@judgement.command()
@click.option("--dry-run", is_flag=True, help="Measure only; change nothing.")
@json_option
@pass_app
def retrain(app: App, dry_run: bool, as_json: bool) -> None:
    """Fit a brand adapter from the labelled examples and compare it with the shared model
    on the same examples (5-fold cross-validation); make it live only if it is better."""
    target = app.target()
    examples = target.state().examples()
    book = target.rules_loader()()
    provider = ClassifierProvider(book.settings.sentiment)
    try:
        result = compare(provider, [e.text for e in examples], [e.praise for e in examples])
    except NotEnoughExamples as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from None
    applied = result.better and not dry_run
    if applied:
        target.settings().save_adapter(result.adapter)
    if as_json:
        emit_json(
            {
                "examples": len(examples),
                "shared": result.adapter.shared.model_dump(),
                "adapter": result.adapter.adapter.model_dump(),
                "better": result.better,
                "why": result.why,
                "applied": applied,
                "auto_cut": provider.calibration.cuts.auto,
            }
        )
        return
    console.print(f"{len(examples)} labelled example(s); precision and recall at the auto cut {provider.calibration.cuts.auto}:")
    table(None, ["model", "precision", "recall", "average precision"], _figures_rows(result.adapter))
    if applied:
        console.print(f"The brand adapter is live ({result.why}); the pipeline uses it within a few minutes.")
    elif result.better:
        console.print(f"The adapter would be better ({result.why}); --dry-run: nothing changed.")
    else:
        console.print(f"Kept the shared model: the adapter is not better ({result.why}).")


@judgement.command()
@json_option
@pass_app
def status(app: App, as_json: bool) -> None:
    """Which praise model is live (shared, or the brand's adapter) and how many examples exist."""
    target = app.target()
    adapter = target.settings().live_adapter()
    examples = target.state().examples()
    version = calibration.load().version
    stale = adapter is not None and adapter.model_version != version
    live = "brand adapter" if adapter is not None and not stale else "shared model"
    if as_json:
        emit_json(
            {
                "live": live,
                "model_version": version,
                "examples": len(examples),
                "praise_examples": sum(e.praise for e in examples),
                "adapter": adapter.model_dump(exclude={"weights"}) if adapter else None,
                "adapter_stale": stale,
            }
        )
        return
    console.print(f"Live praise model: {live} (shared model {version}).")
    console.print(f"Labelled examples: {len(examples)} ({sum(e.praise for e in examples)} praise).")
    if adapter is not None:
        console.print(f"Adapter: fitted {adapter.trained_at} on {adapter.examples} example(s).")
        if stale:
            console.print("It was fitted on another shared model and is not used: run `goodword judgement retrain`.")
        table(None, ["model", "precision", "recall", "average precision"], _figures_rows(adapter))

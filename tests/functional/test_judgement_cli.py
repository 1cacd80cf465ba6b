"""What the judge learns from the marketers: review decisions and feedback become labelled
examples; `goodword judgement retrain` fits a brand adapter, reports it beside the shared
model on the same examples, and makes it live only when it is better; the pipeline then
scores with it. `goodword score` needs no AWS at all."""

from __future__ import annotations

import json
from typing import Any

import yaml
from click.testing import CliRunner

from dev_support.paths import ROOT
from goodword.aws.rules_store import SettingsStore
from goodword.aws.state_table import StateTable
from goodword.events import Event
from goodword_cli.app import App
from goodword_cli.main import cli
from tests.conftest import Aws
from tests.functional.test_cli import SETTINGS, goodword, goodword_json, store
from tests.functional.test_pipeline import NEGATIVE, POSITIVE, decisions, event, put_rules, run

ESPRESSO = [
    f"the {adjective} espresso at @roaster is {praise}, thank you!"
    for adjective in ("double", "morning", "new", "house", "dark", "single-origin", "iced", "seasonal")
    for praise in ("wonderful", "the best in town")
]
# This brand's marketers decided posts about its decaf are not for samples (it is sold out):
# glowing, but not what they reward. The shared model cannot know that; the adapter can learn it.
DECAF = [
    f"the {adjective} decaf at @roaster is {praise}, thank you!"
    for adjective in ("swiss water", "evening", "new", "house", "mild", "mountain", "late-night", "seasonal")
    for praise in ("wonderful", "the best in town")
]


def labelled(aws: Aws, pipeline: Any, lambda_context: Any, texts: list[str], start: int) -> list[Event]:
    events = [event(text, author=f"fan{start + i}", post=str(start + i)) for i, text in enumerate(texts)]
    store(aws, *events)
    run(pipeline, lambda_context, *events, start=start)
    return events


def test_review_decisions_and_feedback_become_examples(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    flagship = yaml.safe_load((ROOT / "rules" / "first-positive-mention-sample.yaml").read_text())
    flagship["actions"][0]["offer_sample"]["review"] = "manual"
    put_rules(aws, flagship, settings=SETTINGS)
    fans = labelled(aws, pipeline, lambda_context, [POSITIVE, POSITIVE + " Really."], 500)
    pending = goodword_json(aws, "review", "list")["offers"]
    assert len(pending) == 2
    by_event = {o["event_id"]: o["id"] for o in pending}
    assert goodword(aws, "review", "approve", by_event[fans[0].event_id])[0] == 0
    assert goodword(aws, "review", "reject", by_event[fans[1].event_id], "--because", "not-praise")[0] == 0
    complaint = labelled(aws, pipeline, lambda_context, [NEGATIVE], 600)[0]
    assert goodword(aws, "judgement", "feedback", complaint.event_id, "--not-praise")[0] == 0

    examples = {e.event_id: e for e in StateTable(aws.tables["StateTable"]).examples()}
    assert {k: (v.praise, v.source.value) for k, v in examples.items()} == {
        fans[0].event_id: (True, "review"),
        fans[1].event_id: (False, "review"),
        complaint.event_id: (False, "feedback"),
    }
    assert examples[fans[0].event_id].text == POSITIVE
    status = goodword_json(aws, "judgement", "status")
    assert (status["live"], status["examples"], status["praise_examples"]) == ("shared model", 3, 1)

    code, output = goodword(aws, "judgement", "retrain")
    assert code == 1 and "3 examples (1 praise, 2 not): retraining needs at least 20" in output
    code, output = goodword(aws, "judgement", "feedback", "no-such-event", "--praise")
    assert code == 1 and "no event no-such-event" in output


def test_retrain_keeps_the_shared_model_when_the_adapter_is_not_better(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, settings=SETTINGS)
    praise = labelled(aws, pipeline, lambda_context, ESPRESSO[:12], 700)
    complaints = [f"@roaster my order {n} arrived late and the beans were stale. Terrible." for n in range(12)]
    not_praise = labelled(aws, pipeline, lambda_context, complaints, 800)
    for e in praise:
        goodword(aws, "judgement", "feedback", e.event_id, "--praise")
    for e in not_praise:
        goodword(aws, "judgement", "feedback", e.event_id, "--not-praise")
    report = goodword_json(aws, "judgement", "retrain")
    assert report["examples"] == 24
    assert set(report["shared"]) == set(report["adapter"]) == {"precision", "recall", "average_precision"}
    assert report["shared"]["average_precision"] == 1.0  # the shared model already ranks these perfectly
    assert (report["better"], report["applied"]) == (False, False)
    assert SettingsStore(aws.tables["RulesTable"]).live_adapter() is None
    assert "Kept the shared model" in goodword(aws, "judgement", "retrain")[1]


def test_a_better_adapter_goes_live_and_the_pipeline_scores_with_it(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, settings=SETTINGS)
    praise = labelled(aws, pipeline, lambda_context, ESPRESSO, 900)
    not_praise = labelled(aws, pipeline, lambda_context, DECAF, 1000)
    for e in praise:
        goodword(aws, "judgement", "feedback", e.event_id, "--praise")
    for e in not_praise:
        goodword(aws, "judgement", "feedback", e.event_id, "--not-praise")

    dry = goodword_json(aws, "judgement", "retrain", "--dry-run")
    assert (dry["better"], dry["applied"]) == (True, False)
    assert dry["adapter"]["average_precision"] > dry["shared"]["average_precision"]
    assert SettingsStore(aws.tables["RulesTable"]).live_adapter() is None

    report = goodword_json(aws, "judgement", "retrain")
    assert (report["better"], report["applied"]) == (True, True)
    assert goodword_json(aws, "judgement", "status")["live"] == "brand adapter"

    new_decaf = "the oat milk decaf at @roaster is wonderful, thank you!"
    before = _score(None, new_decaf)
    after = _score(aws, new_decaf)
    assert after["praise"] < before["praise"], (after, before)
    assert after["provider"] == "classifier+adapter" and before["provider"] == "classifier"
    # the adapter replaces auto's first key: the decaf post leaves auto; the review band still
    # opens on the other readings (the positive probability, the brand-post praise-or-mild head)
    assert (before["band"], after["band"]) == ("auto", "review"), (before, after)

    # and the pipeline reads the adapter with the rules (a new container, or the cache expired)
    pipeline._pipeline.cache_clear()
    late = labelled(aws, pipeline, lambda_context, [new_decaf], 1100)[0]
    recorded = decisions(aws, late)["sentiment"]
    assert recorded["provider"] == "classifier+adapter" and float(recorded["praise"]) == after["praise"]


def _score(aws: Aws | None, text: str) -> dict[str, Any]:
    if aws is None:  # no target: the default settings, no AWS at all
        result = CliRunner(mix_stderr=False).invoke(cli, ["score", "--json", text], obj=App(), catch_exceptions=False)
        assert result.exit_code == 0, result.stdout + result.stderr
        return dict(json.loads(result.stdout)[0])
    return dict(goodword_json(aws, "score", text)[0])


def test_score_prints_one_object_per_text_in_input_order(tmp_path: Any) -> None:
    texts = ["Best latte in town, thank you @roaster!", "is @roaster open on sundays?", "wow, love a 40 minute wait. great job"]
    path = tmp_path / "posts.txt"
    path.write_text("\n".join(texts[1:]) + "\n\n")
    result = CliRunner(mix_stderr=False).invoke(
        cli, ["score", texts[0], "--file", str(path), "--brand", "Roaster", "--json"], obj=App(), catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["text"] for r in rows] == texts
    for row in rows:
        assert {"text", "praise", "complaint", "band"} <= set(row) and row["band"] in ("auto", "review", "none")
    human = CliRunner(mix_stderr=False).invoke(cli, ["score", *texts], obj=App(), catch_exceptions=False)
    assert human.exit_code == 0 and "3 text(s) judged with default settings" in human.stdout
    empty = CliRunner(mix_stderr=False).invoke(cli, ["score"], obj=App(), catch_exceptions=False)
    assert empty.exit_code != 0 and "give texts to score" in empty.stderr

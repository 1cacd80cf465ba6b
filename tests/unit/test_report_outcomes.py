"""The report's outcome of the offers, on a small set built by hand so every figure is known:
claims, claim rate, median time from the send to the claim, fulfilled and redeemed, held as
repeat claimers, expired, what the fulfilled samples cost, and the fans who said more."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from goodword.claims.records import ClaimRecord
from goodword.claims.states import ClaimState
from goodword.work import WorkKind, WorkRecord, WorkState
from goodword_cli.report import Report, build, chart, outcome_note

SENT_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def offer(
    n: int, rule: str, state: WorkState = WorkState.SENT, claim: str | None = None, hours: float | None = None
) -> WorkRecord:
    made = SENT_AT - timedelta(minutes=5)
    return WorkRecord.model_validate(
        {
            "id": f"offer{n}",
            "kind": WorkKind.OFFER_SAMPLE,
            "state": state,
            "event_id": f"e{n}",
            "event_kind": "mention",
            "event_time": made.isoformat(),
            "rule_id": rule,
            "rule_version": 1,
            "person": f"PERSON#x#brand#p{n}",
            "platform": "x",
            "brand_account": "brand",
            "created_at": made.isoformat(),
            "idempotency_key": f"offer{n}",
            "product_cost": 6.5 if rule == "sample" else 3,
            **({"finished_at": SENT_AT.isoformat()} if state is WorkState.SENT else {}),
            **({"claim_state": claim} if claim else {}),
            **({"claimed_at": (SENT_AT + timedelta(hours=hours)).isoformat()} if hours is not None else {}),
        }
    )


def claim_of(record: WorkRecord, state: ClaimState, held_because: str | None = None) -> ClaimRecord:
    return ClaimRecord(
        id=record.id,
        offer_key=record.key,
        rule_id=record.rule_id,
        rule_version=1,
        person=record.person,
        platform="x",
        state=state,
        created_at=str(record.claimed_at),
        updated_at=str(record.claimed_at),
        held_because=held_because,
    )


@pytest.fixture
def report() -> Report:
    fulfilled = offer(1, "sample", claim="fulfilled", hours=2)
    redeemed = offer(2, "sample", claim="redeemed", hours=10)
    held = offer(3, "sample", claim="held", hours=4)
    expired = offer(4, "sample", claim="expired")
    waiting = offer(5, "sample")  # sent, not claimed yet
    in_review = offer(6, "sample", state=WorkState.PENDING_REVIEW)
    other_claimed = offer(7, "small-sample", claim="claimed", hours=1)
    other_open = offer(8, "small-sample", claim="offered")
    claims = {
        fulfilled.id: claim_of(fulfilled, ClaimState.FULFILLED),
        redeemed.id: claim_of(redeemed, ClaimState.REDEEMED),
        held.id: claim_of(held, ClaimState.HELD, "repeat_claimer"),
        other_claimed.id: claim_of(other_claimed, ClaimState.CLAIMED),
    }
    later = {"offer1": 2, "offer2": 0, "offer3": 1, "offer4": 0, "offer5": 3, "offer7": 0, "offer8": 1}
    work = [fulfilled, redeemed, held, expired, waiting, in_review, other_claimed, other_open]
    return build("2026-11-01T00:00:00+00:00", [], {}, work, claims=claims, later_mentions=later)


def test_each_rule_says_what_became_of_its_offers(report: Report) -> None:
    sample = report.as_json()["rules"]["sample"]
    assert {k: sample[k] for k in ("offers", "sent", "pending_review")} == {"offers": 6, "sent": 5, "pending_review": 1}
    assert sample["claims"] == 3
    assert sample["claim_rate"] == 0.6
    assert sample["median_hours_to_claim"] == 4.0  # of 2, 4 and 10 hours
    assert (sample["fulfilled"], sample["redeemed"]) == (2, 1)
    assert sample["held_repeat_claimers"] == 1
    assert sample["expired"] == 1
    assert sample["product_cost"] == 13.0  # two fulfilled samples at 6.50
    assert (sample["fans_said_more"], sample["later_mentions"]) == (3, 6)
    assert sample["claim_states"] == {"expired": 1, "fulfilled": 1, "held": 1, "offered": 1, "redeemed": 1}

    small = report.as_json()["rules"]["small-sample"]
    assert (small["sent"], small["claims"], small["claim_rate"], small["median_hours_to_claim"]) == (2, 1, 0.5, 1.0)
    assert (small["fulfilled"], small["product_cost"], small["fans_said_more"]) == (0, 0.0, 1)

    totals = report.as_json()["totals"]
    assert (totals["sent"], totals["claims"], totals["fulfilled"], totals["product_cost"]) == (7, 4, 2, 13.0)
    assert totals["median_hours_to_claim"] == 3.0  # of 1, 2, 4 and 10 hours


def test_the_console_gets_the_same_numbers_as_lists_and_per_day_and_rule_as_csv(report: Report) -> None:
    from goodword.services.report import as_csv

    lists = report.as_lists()
    assert [r["rule_id"] for r in lists["per_rule"]] == ["sample", "small-sample"]
    assert lists["per_rule"][0] == {"rule_id": "sample", **report.as_json()["rules"]["sample"]}
    outcome = {o["rule_id"]: o for o in lists["outcome"]}
    assert (outcome["sample"]["claims"], outcome["sample"]["claim_rate"], outcome["small-sample"]["sent"]) == (3, 0.6, 2)
    assert lists["totals"] == report.as_json()["totals"]

    header, *rows = as_csv(report).splitlines()
    assert header == "day,rule_id,offers,sent,claims,budget_used"
    offers: dict[str, int] = {}
    for row in rows:
        _day, rule_id, made, *_ = row.split(",")
        offers[rule_id] = offers.get(rule_id, 0) + int(made)
    assert offers == {"sample": 6, "small-sample": 2}


def test_a_rule_that_sent_nothing_has_no_rate_and_says_so() -> None:
    empty = build("2026-11-01T00:00:00+00:00", [], {}, [offer(1, "sample", state=WorkState.PENDING_REVIEW)])
    row = empty.rules["sample"]
    assert (row.claim_rate, row.median_hours_to_claim) == (None, None)
    assert empty.as_json()["rules"]["sample"]["claim_rate"] is None
    assert outcome_note(row) == "  no offer sent"


def test_the_note_beside_a_rules_claims_bar(report: Report) -> None:
    note = outcome_note(report.rules["sample"])
    assert note == "  3 of 5 claimed (60%), median 4.0 h to claim; 2 fulfilled, cost 13.00; 3 fan(s) said more"


def test_the_chart_draws_the_claims_beside_the_offers(report: Report, tmp_path: Path, monkeypatch: Any) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    drawn: list[Any] = []
    real_close = plt.close

    def close(figure: Any) -> None:
        drawn.append(figure)
        real_close(figure)

    monkeypatch.setattr(plt, "close", close)
    path = tmp_path / "report.png"
    chart(report, path, until=date(2026, 11, 21))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (figure,) = drawn
    by_rule = figure.axes[1]
    texts = [t.get_text() for t in by_rule.texts]
    assert any("3 of 5 claimed (60%)" in t for t in texts)
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert {"claim fulfilled (or redeemed)", "claim held for review", "expired unclaimed", "not claimed yet"} <= set(legend)
    assert "3 claimed" not in figure.texts[0].get_text() and "4 claimed" in figure.texts[0].get_text()

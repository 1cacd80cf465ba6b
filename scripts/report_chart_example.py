"""Draw docs/report-chart.png, the report's chart shown in docs/cli.md, from a fixed example:
two rules over three weeks, offers in every state, and what became of the sent ones (claims
fulfilled, redeemed, held as a repeat claimer, expired, still open). The same input always
gives the same picture.

    .venv/bin/python -m scripts.report_chart_example
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "shared"))
sys.path.insert(0, str(ROOT))

from goodword.claims.records import ClaimRecord  # noqa: E402
from goodword.claims.states import ClaimState  # noqa: E402
from goodword.work import WorkKind, WorkRecord, WorkState  # noqa: E402
from goodword_cli.report import Report, build, chart  # noqa: E402

OUT = ROOT / "docs" / "report-chart.png"
START = datetime(2026, 11, 5, tzinfo=UTC)
FLAGSHIP, VIP = "first-positive-mention-sample", "vip-sample"
# (rule, day, state, claim state, hours from the send to the claim, later mentions)
OFFERS: list[tuple[str, int, WorkState, str | None, float | None, int]] = [
    (FLAGSHIP, 6, WorkState.SENT, "redeemed", 3, 2),
    (FLAGSHIP, 6, WorkState.FAILED, None, None, 0),
    (FLAGSHIP, 7, WorkState.REJECTED, None, None, 0),
    (FLAGSHIP, 7, WorkState.SENT, "fulfilled", 20, 1),
    (FLAGSHIP, 8, WorkState.SENT, "expired", None, 0),
    (FLAGSHIP, 9, WorkState.SENT, "fulfilled", 5, 0),
    (FLAGSHIP, 10, WorkState.APPROVED, None, None, 0),
    (FLAGSHIP, 10, WorkState.SENT, "held", 9, 0),
    (FLAGSHIP, 11, WorkState.SENT, "fulfilled", 30, 3),
    (FLAGSHIP, 11, WorkState.PENDING_REVIEW, None, None, 0),
    (FLAGSHIP, 12, WorkState.FAILED, None, None, 0),
    (FLAGSHIP, 12, WorkState.SENT, "claimed", 2, 0),
    (FLAGSHIP, 13, WorkState.REJECTED, None, None, 0),
    (FLAGSHIP, 14, WorkState.SENT, "expired", None, 1),
    (FLAGSHIP, 15, WorkState.SENT, "offered", None, 0),
    (FLAGSHIP, 16, WorkState.PENDING_REVIEW, None, None, 0),
    (VIP, 9, WorkState.SENT, "redeemed", 1, 4),
    (VIP, 10, WorkState.SENT, "fulfilled", 6, 1),
    (VIP, 13, WorkState.SENT, "fulfilled", 12, 0),
]
EVENTS_PER_DAY = {day: 4 if day < 10 else 3 for day in range(5, 17)}


def example() -> Report:
    work: list[WorkRecord] = []
    claims: dict[str, ClaimRecord] = {}
    later: dict[str, int] = {}
    for n, (rule, day, state, claim_state, hours, mentions) in enumerate(OFFERS):
        made = START + timedelta(days=day, hours=10)
        sent = made + timedelta(hours=1)
        values: dict[str, Any] = {
            "id": f"{n:032x}",
            "kind": WorkKind.OFFER_SAMPLE,
            "state": state,
            "event_id": f"x#brand#tweet:{n}",
            "event_kind": "mention",
            "event_time": made.isoformat(),
            "rule_id": rule,
            "rule_version": 1,
            "person": f"PERSON#x#brand#fan{n}",
            "platform": "x",
            "brand_account": "brand",
            "created_at": made.isoformat(),
            "idempotency_key": f"{n:032x}",
            "product_cost": 6.5 if rule == FLAGSHIP else 12.0,
            "dry_run": n < 2,
        }
        if state is WorkState.SENT:
            values |= {"finished_at": sent.isoformat(), "claim_state": claim_state}
            later[values["id"]] = mentions
        if hours is not None:
            values["claimed_at"] = (sent + timedelta(hours=hours)).isoformat()
        record = WorkRecord.model_validate(values)
        work.append(record)
        if hours is not None and claim_state:
            at = str(record.claimed_at)
            claims[record.id] = ClaimRecord(
                id=record.id,
                offer_key=record.key,
                rule_id=rule,
                rule_version=1,
                person=record.person,
                platform="x",
                state=ClaimState(claim_state),
                created_at=at,
                updated_at=at,
                held_because="repeat_claimer" if claim_state == "held" else None,
            )
    events = [
        {"event_id": f"e{day}-{k}", "received_at": (START + timedelta(days=day)).isoformat(), "platform": "x"}
        for day, count in EVENTS_PER_DAY.items()
        for k in range(count)
    ]
    caps = {FLAGSHIP: {"used": sum(1 for o in OFFERS if o[0] == FLAGSHIP), "total": 500}}
    return build(START.isoformat(), events, {}, work, caps, claims, later)


def main() -> None:
    chart(example(), OUT, until=date(2026, 11, 30))
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

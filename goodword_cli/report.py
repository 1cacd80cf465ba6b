"""`goodword report`: counts per rule, per platform and per day from stored events, their
decisions and the offers (pure), and the chart of them (matplotlib, imported only then)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MATCHED = {"acted", "limited", "refused", "stopped"}  # the conditions held
COMMITTED = {"approved", "sending", "sent"}  # offers that will be or were sent


@dataclass
class Row:
    events: int = 0
    matches: int = 0
    offers: int = 0
    pending_review: int = 0
    sent: int = 0
    failed: int = 0
    rejected: int = 0
    cost_sent: float = 0.0  # product_cost of sent offers: the budget used
    cost_committed: float = 0.0  # the same for offers approved or sent

    def add_offer(self, offer: dict[str, Any]) -> None:
        self.offers += 1
        state = offer.get("state")
        cost = float(offer.get("product_cost") or 0)
        self.pending_review += state == "pending_review"
        self.sent += state == "sent"
        self.failed += state == "failed"
        self.rejected += state == "rejected"
        self.cost_sent += cost if state == "sent" else 0
        self.cost_committed += cost if state in COMMITTED else 0

    def as_json(self) -> dict[str, Any]:
        values = dict(self.__dict__)
        values["cost_sent"], values["cost_committed"] = round(self.cost_sent, 2), round(self.cost_committed, 2)
        return values


@dataclass
class Report:
    since: str
    rules: dict[str, Row] = field(default_factory=lambda: defaultdict(Row))
    platforms: dict[str, Row] = field(default_factory=lambda: defaultdict(Row))
    days: dict[str, Row] = field(default_factory=lambda: defaultdict(Row))
    caps: dict[str, dict[str, int]] = field(default_factory=dict)  # rule -> {"used", "total"}
    totals: Row = field(default_factory=Row)

    def as_json(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "totals": self.totals.as_json(),
            "rules": {
                k: {**v.as_json(), **({"total_cap": self.caps[k]} if k in self.caps else {})}
                for k, v in sorted(self.rules.items())
            },
            "platforms": {k: v.as_json() for k, v in sorted(self.platforms.items())},
            "days": {k: v.as_json() for k, v in sorted(self.days.items())},
        }


def build(
    since: str,
    events: Iterable[dict[str, Any]],
    decisions: dict[str, dict[str, Any]],
    offers: Iterable[dict[str, Any]],
    caps: dict[str, dict[str, int]] | None = None,
) -> Report:
    report = Report(since, caps=dict(caps or {}))
    for event in events:
        day, platform = event["received_at"][:10], event["platform"]
        outcomes = {d["rule_id"]: d["outcome"] for d in (decisions.get(event["event_id"]) or {}).get("decisions", [])}
        matched = any(o in MATCHED for o in outcomes.values())
        for row in (report.totals, report.platforms[platform], report.days[day]):
            row.events += 1
            row.matches += matched
        for rule_id, outcome in outcomes.items():
            report.rules[rule_id].events += 1
            report.rules[rule_id].matches += outcome in MATCHED
    for offer in offers:
        for row in (
            report.totals,
            report.rules[offer["rule_id"]],
            report.platforms[offer["platform"]],
            report.days[offer["created_at"][:10]],
        ):
            row.add_offer(offer)
    return report


def chart(report: Report, path: Path) -> None:
    """Two panels: per day events, offers and sent; per rule offers by outcome."""
    import matplotlib  # noqa: PLC0415 (heavy: only when a chart is asked for)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    days = sorted(report.days)
    rules = sorted(report.rules)
    figure, (by_day, by_rule) = plt.subplots(2, 1, figsize=(10, 8), constrained_layout=True)
    width = 0.27
    positions = range(len(days))
    for offset, (label, values) in enumerate(
        [
            ("events", [report.days[d].events for d in days]),
            ("offers", [report.days[d].offers for d in days]),
            ("sent", [report.days[d].sent for d in days]),
        ]
    ):
        by_day.bar([p + (offset - 1) * width for p in positions], values, width, label=label)
    by_day.set_xticks(list(positions), [d[5:] for d in days], rotation=45 if len(days) > 10 else 0)
    by_day.set_title(f"Per day since {report.since[:10]} (UTC)")
    by_day.legend()
    bottom = [0] * len(rules)
    counts: list[tuple[str, Callable[[Row], int]]] = [
        ("sent", lambda row: row.sent),
        ("approved, not sent yet", lambda row: row.offers - row.sent - row.pending_review - row.failed - row.rejected),
        ("waiting for review", lambda row: row.pending_review),
        ("failed", lambda row: row.failed),
        ("rejected", lambda row: row.rejected),
    ]
    for label, count in counts:
        values = [count(report.rules[r]) for r in rules]
        by_rule.barh(rules, values, left=bottom, label=label)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    by_rule.set_title("Offers per rule, by state")
    by_rule.legend()
    figure.suptitle("Goodword report")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)

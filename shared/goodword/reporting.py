"""The report's numbers, pure: per rule, per platform, per day and per day and rule, counted
from stored events, their decisions and the work (offers and actions); the command prints and
draws them, the console's report page shows them and offers them as CSV.

The outcome of the offers made in the window (issue 23): how many were claimed, how fast
(from the send to the claim), fulfilled and redeemed, held as repeat claimers, expired
unclaimed, what the fulfilled samples cost (the offer's ``product_cost``, the rule's unit cost
when the offer was made), and whether the fan said more afterwards (their mentions of the
brand after the offer was sent). Read from the offers themselves (``claim_state``,
``claimed_at``: they outlive an erased claim) and the claims without their claimants."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from goodword.claims.records import ClaimRecord
from goodword.claims.states import ClaimState
from goodword.decisions import Decisions
from goodword.work import WorkRecord, WorkState

MATCHED = {"acted", "limited", "refused", "stopped"}  # the conditions held
COMMITTED = {WorkState.APPROVED, WorkState.SENDING, WorkState.SENT}  # offers that will be or were sent
UNCLAIMED = {None, ClaimState.OFFERED.value, ClaimState.EXPIRED.value}  # an offer's claim_state without a claim
FULFILLED = {ClaimState.FULFILLED.value, ClaimState.REDEEMED.value}  # the sample went out (redeemed: and was used)
REPEAT_CLAIMER = "repeat_claimer"  # ClaimRecord.held_because


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
    dry_run: int = 0  # offers "sent" in dry-run mode (nothing reached the platform)
    actions: int = 0  # replies, direct messages (welcomes) and notifications
    actions_sent: int = 0
    actions_failed: int = 0
    actions_dry_run: int = 0
    opt_outs: int = 0  # people who asked to stop (their event opted them out)
    # the outcome of the offers sent (issue 23)
    claims: int = 0  # offers a fan claimed (whatever became of the claim)
    fulfilled: int = 0  # claims whose sample went out (fulfilled or redeemed)
    redeemed: int = 0  # ... and the shop says it was used
    held_repeat_claimers: int = 0  # claims held because their email or address was used before by another identity
    expired: int = 0  # offers nobody claimed within the rule's claim_within_days
    product_cost: float = 0.0  # product_cost of the fulfilled samples: what the gifts cost
    fans_said_more: int = 0  # sent offers whose person mentioned the brand again after the send
    later_mentions: int = 0  # those mentions, counted
    claim_hours: list[float] = field(default_factory=list)  # from the send to the claim, per claim
    claim_states: dict[str, int] = field(default_factory=dict)  # sent offers by claim state ("offered": no claim yet)

    @property
    def claim_rate(self) -> float | None:
        """Claims per offer sent; None when none was sent."""
        return self.claims / self.sent if self.sent else None

    @property
    def median_hours_to_claim(self) -> float | None:
        return statistics.median(self.claim_hours) if self.claim_hours else None

    def add_outcome(self, work: WorkRecord, claim: ClaimRecord | None, later_mentions: int | None) -> None:
        """What became of a sent offer: its claim (from the offer; ``claim`` for why it was
        held), and the person's mentions after it was sent (None: not counted)."""
        if not work.is_offer or work.state is not WorkState.SENT:
            return
        state = work.claim_state or ClaimState.OFFERED.value
        self.claim_states[state] = self.claim_states.get(state, 0) + 1
        self.expired += work.claim_state == ClaimState.EXPIRED.value
        if later_mentions is not None:
            self.fans_said_more += later_mentions > 0
            self.later_mentions += later_mentions
        if work.claim_state in UNCLAIMED:
            return
        self.claims += 1
        if work.claimed_at:
            sent = datetime.fromisoformat(work.finished_at or work.created_at)
            self.claim_hours.append(max(0.0, (datetime.fromisoformat(work.claimed_at) - sent).total_seconds() / 3600))
        if work.claim_state in FULFILLED:
            self.fulfilled += 1
            self.product_cost += float(work.product_cost or 0)
        self.redeemed += work.claim_state == ClaimState.REDEEMED.value
        self.held_repeat_claimers += claim is not None and claim.held_because == REPEAT_CLAIMER

    def add(self, work: WorkRecord) -> None:
        dry_run = work.dry_run and work.state is WorkState.SENT
        if not work.is_offer:
            self.actions += 1
            self.actions_sent += work.state is WorkState.SENT
            self.actions_failed += work.state is WorkState.FAILED
            self.actions_dry_run += dry_run
            return
        self.dry_run += dry_run
        self.offers += 1
        cost = float(work.product_cost or 0)
        self.pending_review += work.state is WorkState.PENDING_REVIEW
        self.sent += work.state is WorkState.SENT
        self.failed += work.state is WorkState.FAILED
        self.rejected += work.state is WorkState.REJECTED
        self.cost_sent += cost if work.state is WorkState.SENT else 0
        self.cost_committed += cost if work.state in COMMITTED else 0

    def as_json(self) -> dict[str, Any]:
        values = {k: v for k, v in self.__dict__.items() if k != "claim_hours"}
        values["claim_states"] = dict(sorted(self.claim_states.items()))
        values["cost_sent"], values["cost_committed"] = round(self.cost_sent, 2), round(self.cost_committed, 2)
        values["product_cost"] = round(self.product_cost, 2)
        values["claim_rate"] = None if self.claim_rate is None else round(self.claim_rate, 4)
        median = self.median_hours_to_claim
        values["median_hours_to_claim"] = None if median is None else round(median, 2)
        return values


@dataclass
class Report:
    since: str
    rules: dict[str, Row] = field(default_factory=lambda: defaultdict(Row))
    platforms: dict[str, Row] = field(default_factory=lambda: defaultdict(Row))
    days: dict[str, Row] = field(default_factory=lambda: defaultdict(Row))
    day_rules: dict[tuple[str, str], Row] = field(default_factory=lambda: defaultdict(Row))  # (day, rule): the work only
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

    def as_lists(self) -> dict[str, Any]:
        """The same numbers as lists of rows, each naming its rule, platform or day (the
        console's report page): per_rule, per_platform, per_day, outcome (what became of each
        rule's sent offers) and totals."""
        rules = self.as_json()["rules"]
        return {
            "since": self.since,
            "per_rule": [{"rule_id": k, **v} for k, v in rules.items()],
            "per_platform": [{"platform": k, **v.as_json()} for k, v in sorted(self.platforms.items())],
            "per_day": [{"day": k, **v.as_json()} for k, v in sorted(self.days.items())],
            "outcome": [{"rule_id": k, **{name: v[name] for name in OUTCOME}} for k, v in rules.items() if v["sent"]],
            "totals": self.totals.as_json(),
        }

    def day_rule_rows(self) -> list[tuple[str, str, Row]]:
        """(day, rule, its row) for every day and rule with work, in day then rule order."""
        return [(day, rule_id, row) for (day, rule_id), row in sorted(self.day_rules.items())]


# What became of a rule's sent offers, as the report's outcome table shows it.
OUTCOME = (
    "sent",
    "claims",
    "claim_rate",
    "median_hours_to_claim",
    "expired",
    "fulfilled",
    "redeemed",
    "held_repeat_claimers",
    "product_cost",
    "fans_said_more",
    "later_mentions",
)


def build(
    since: str,
    events: Iterable[dict[str, Any]],
    decisions: Mapping[str, Decisions],
    work: Iterable[WorkRecord],
    caps: dict[str, dict[str, int]] | None = None,
    claims: Mapping[str, ClaimRecord] | None = None,
    later_mentions: Mapping[str, int] | None = None,
) -> Report:
    """``claims``: by id (= the offer's id), without claimants; ``later_mentions``: by offer id,
    the person's mentions after the offer was sent (offers left out are not counted)."""
    report = Report(since, caps=dict(caps or {}))
    claims, later_mentions = claims or {}, later_mentions or {}
    for event in events:
        day, platform = event["received_at"][:10], event["platform"]
        decided = decisions.get(event["event_id"])
        outcomes = decided.outcomes() if decided else {}
        matched = any(o in MATCHED for o in outcomes.values())
        for row in (report.totals, report.platforms[platform], report.days[day]):
            row.events += 1
            row.matches += matched
            row.opt_outs += bool(decided and decided.opted_out)
        for rule_id, outcome in outcomes.items():
            report.rules[rule_id].events += 1
            report.rules[rule_id].matches += outcome in MATCHED
    for record in work:
        for row in (
            report.totals,
            report.rules[record.rule_id],
            report.platforms[record.platform],
            report.days[record.created_at[:10]],
            report.day_rules[(record.created_at[:10], record.rule_id)],
        ):
            row.add(record)
            row.add_outcome(record, claims.get(record.id), later_mentions.get(record.id))
    return report

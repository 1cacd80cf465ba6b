"""The report: what happened since a time, per rule, per platform and per day (events,
matches, offers, sent, the budget used, each rule's total cap used) and what became of the
offers sent (claims, fulfilment, later mentions), read from the stores and counted by
goodword.reporting; and the same per day and rule as CSV. The command draws and prints it,
the console shows it."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from goodword.claims.expiry import sent_at
from goodword.decisions import each_acted
from goodword.reporting import UNCLAIMED, Report, build
from goodword.services.stores import Stores
from goodword.work import ERASED_PERSON, WorkState, possible_keys

CLAIMS_READ = 100_000  # newest first: more than a small shop's claims in any window


def read(stores: Stores, since: datetime, outcomes: bool = True) -> Report:
    """The report since ``since``. ``outcomes`` False leaves out what became of the sent
    offers (claims, later mentions): the counts alone, read faster."""
    events = list(stores.events.since(since))
    decisions = stores.events.decisions_for(e["event_id"] for e in events)
    offers = stores.state.list_work(since=since)
    acted = list(each_acted({e["event_id"]: d for e in events if (d := decisions.get(e["event_id"]))}))  # in event order
    actions = stores.state.work_for_keys(
        key for event_id, rule_id in acted for key in possible_keys(event_id, rule_id, offers=False)
    )
    work = [*offers, *actions]
    capped = {r.rule_id: int(total) for r in stores.rules.all() if (total := (r.definition.get("limits") or {}).get("total"))}
    used = stores.state.cap_counts(capped, "TOTAL")
    caps = {rule_id: {"used": used[rule_id], "total": total} for rule_id, total in capped.items()}
    if not outcomes:
        return build(since.isoformat(), events, decisions, work, caps)
    sent = [o for o in offers if o.state is WorkState.SENT]
    # did the fan say more after the gift: their mentions of the brand after the offer was sent
    later = {o.id: stores.state.mentions_since(o.person, sent_at(o)) for o in sent if o.person != ERASED_PERSON}
    claimed = {o.id for o in sent if o.claim_state not in UNCLAIMED}
    store = stores.claims
    # without claimants: only why a claim was held is read (a claim erased since counts from its offer)
    claims = (
        {c.id: c for c in store.list_claims(limit=CLAIMS_READ, personal=False) if c.id in claimed} if store and claimed else {}
    )
    return build(since.isoformat(), events, decisions, work, caps, claims, later)


CSV_COLUMNS = ("day", "rule_id", "offers", "sent", "claims", "budget_used")


def as_csv(report: Report) -> str:
    """Per day (UTC) and rule: offers made, sent, claimed, and the budget used (product_cost
    of the sent offers); a header row first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for day, rule_id, row in report.day_rule_rows():
        writer.writerow((day, rule_id, row.offers, row.sent, row.claims, f"{row.cost_sent:.2f}"))
    return out.getvalue()

"""The pipeline and the performer on the in-memory adapters: no AWS, no moto, milliseconds a
test. The same services run on DynamoDB in tests/functional (and the contract suite holds
the two adapters to one behaviour), so these check the services' own logic: who acts, what
is recorded and queued, retries, and each offer sent once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml

from dev_support.paths import ROOT
from goodword.actions.perform import LEASE, Performer
from goodword.events import Author, Event, EventKind, EventRefs, Platform
from goodword.memory.messaging import CollectingBus, CollectingQueue, DecisionList
from goodword.memory.rules import FixedRules
from goodword.memory.state import InMemoryState
from goodword.outbound.platform_requests import HttpRequest
from goodword.outbound.transport import HttpResponse
from goodword.pipeline.process import Pipeline
from goodword.rules.engine import Outcome, compile_rules
from goodword.rules.model import Rule, Settings
from goodword.sentiment.model import Band, Sentiment, SentimentLabel, Veto
from goodword.work import WorkKind, WorkState

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
FLAGSHIP = yaml.safe_load((ROOT / "rules" / "first-positive-mention-sample.yaml").read_text())
PRAISE = Sentiment(label=SentimentLabel.POSITIVE, score=0.9, confidence=0.95, provider="classifier", band=Band.AUTO, praise=0.97)
MILD = PRAISE.model_copy(update={"band": Band.REVIEW, "praise": 0.6})
SARCASM = Sentiment(
    label=SentimentLabel.MIXED,
    score=0.1,
    confidence=0.8,
    provider="classifier",
    band=Band.NONE,
    vetoes=(Veto.SARCASM,),
    praise=0.8,
    sarcasm=0.9,
)


def mention(author: str = "p1", post: str = "1", kind: EventKind = EventKind.MENTION) -> Event:
    return Event(
        platform=Platform.X,
        kind=kind,
        natural_id=f"tweet:{post}",
        brand_account="2244994945",
        occurred_at=NOW,
        received_at=NOW,
        source="x",
        author=Author(id=author, handle=f"fan_{author}"),
        text="@roaster I love your coffee!",
        refs=EventRefs(post_id=post),
    )


class Stack:
    """The pipeline's and the performer's ports, in memory, and a clock to move."""

    def __init__(self, *rules: dict[str, Any], settings: Settings | None = None) -> None:
        self.now = NOW
        self.state, self.queue, self.bus, self.decisions = InMemoryState(), CollectingQueue(), CollectingBus(), DecisionList()
        book = compile_rules(settings or Settings(cooldown_days=7), [(Rule.model_validate(r), 1) for r in rules or (FLAGSHIP,)])
        self.pipeline = Pipeline(FixedRules(book), self.state, self.decisions, self.queue, timedelta(days=1), lambda: self.now)
        self.sent: list[HttpRequest] = []

    def performer(self, mode: str = "dry_run", answer: HttpResponse | None = None) -> Performer:
        def http(request: HttpRequest) -> HttpResponse:
            self.sent.append(request)
            return answer or HttpResponse(201, {}, b'{"data": {"id": "1"}}')

        credentials = {"x": {"user_access_token": "t"}}
        return Performer(self.state, lambda: credentials, self.bus, self.queue, http, lambda: self.now, mode, 5)


def test_a_fan_gets_one_offer_queued_and_a_retry_makes_no_second() -> None:
    stack = Stack()
    first = stack.pipeline.process(mention(), PRAISE)
    assert [d.outcome for d in first.decisions] == [Outcome.ACTED]
    (offer,) = stack.state.made()
    assert (offer.kind, offer.state, offer.rule_id) == (WorkKind.OFFER_SAMPLE, WorkState.APPROVED, FLAGSHIP["id"])
    assert [m["id"] for m in stack.queue.messages] == [offer.id]

    again = stack.pipeline.process(mention(), PRAISE)  # the stream delivers the record again
    assert [d.outcome for d in again.decisions] == [Outcome.ACTED]  # found its own work
    assert len(stack.state.made()) == 1 and len(stack.queue.messages) == 1  # queued once
    assert stack.decisions.decisions[mention().event_id]["decisions"][0]["outcome"] == "acted"


def test_mild_praise_waits_for_review_and_sarcasm_gets_nothing() -> None:
    stack = Stack()
    stack.pipeline.process(mention("mild", "2"), MILD)
    stack.pipeline.process(mention("ironic", "3"), SARCASM)
    assert [(o.author_id, o.state) for o in stack.state.made()] == [("mild", WorkState.PENDING_REVIEW)]
    assert stack.queue.messages == []


def test_the_second_mention_of_a_person_is_not_a_first_mention() -> None:
    stack = Stack()
    stack.pipeline.process(mention("p1", "1"), PRAISE)
    later = stack.pipeline.process(mention("p1", "2"), PRAISE)
    assert [d.outcome for d in later.decisions] == [Outcome.CONDITION_FAILED]
    assert later.profile is not None and later.profile.mention_count == 2


def test_a_daily_cap_stops_the_rule_and_says_so() -> None:
    capped = {**FLAGSHIP, "limits": {**FLAGSHIP["limits"], "per_day": 2}}
    stack = Stack(capped)
    outcomes = [stack.pipeline.process(mention(f"p{n}", str(n)), PRAISE).decisions[0] for n in range(4)]
    assert [d.outcome for d in outcomes] == [Outcome.ACTED, Outcome.ACTED, Outcome.LIMITED, Outcome.LIMITED]
    assert outcomes[-1].detail == "daily cap of 2 reached"
    stack.now = NOW + timedelta(days=1)
    assert stack.pipeline.process(mention("p9", "9"), PRAISE).decisions[0].outcome is Outcome.ACTED


def test_an_approved_offer_is_sent_once_in_dry_run_and_announced() -> None:
    stack = Stack()
    stack.pipeline.process(mention(), PRAISE)
    (message,) = stack.queue.messages
    performer = stack.performer()
    assert performer.perform(message, 1).detail == "sent (dry run)"
    assert performer.perform(message, 2).detail == "already sent"  # a redelivered message
    (offer,) = stack.state.made()
    assert (offer.state, offer.dry_run, offer.announced_at is not None) == (WorkState.SENT, True, True)
    assert [e["announcement_id"] for e in stack.bus.published] == [f"{offer.id}:sent"]
    assert stack.sent == []  # dry run: nothing reached a platform


def test_a_live_send_reaches_the_platform_once() -> None:
    stack = Stack()
    stack.pipeline.process(mention(), PRAISE)
    (message,) = stack.queue.messages
    assert stack.performer("live").perform(message, 1).detail == "sent"
    assert stack.performer("live").perform(message, 1).detail == "already sent"
    assert len(stack.sent) == 1 and stack.sent[0].url.endswith("/2/tweets")
    assert stack.state.made()[0].platform_message_id == "1"


@pytest.mark.parametrize(("status", "done", "state"), [(500, False, WorkState.APPROVED), (403, True, WorkState.FAILED)])
def test_a_failed_send_is_retried_or_failed(status: int, done: bool, state: WorkState) -> None:
    stack = Stack()
    stack.pipeline.process(mention(), PRAISE)
    (message,) = stack.queue.messages
    result = stack.performer("live", HttpResponse(status, {}, b'{"detail": "no"}')).perform(message, 1)
    assert (result.done, stack.state.made()[0].state) == (done, state)


def test_an_attempt_that_died_after_sending_is_never_sent_again() -> None:
    stack = Stack()
    stack.pipeline.process(mention(), PRAISE)
    (message,) = stack.queue.messages
    offer = stack.state.made()[0]
    assert stack.state.start_sending(offer, "died", NOW)  # an attempt took it and vanished
    assert stack.performer("live").perform(message, 2).detail == "another attempt is in progress"
    stack.now = NOW + LEASE + timedelta(seconds=1)
    assert stack.performer("live").perform(message, 3).detail == "outcome unknown"
    failed = stack.state.made()[0]
    assert (failed.state, failed.reason.startswith("outcome unknown") if failed.reason else False) == (WorkState.FAILED, True)
    assert stack.sent == []


def test_an_excluded_account_is_never_offered_and_a_small_one_waits_for_review() -> None:
    policy = Settings(cooldown_days=7, eligibility={"excluded_accounts": ["@fan_staff", "competitor-1"], "min_followers": 50})
    stack = Stack(settings=policy)
    staff = stack.pipeline.process(mention("staff", "1"), PRAISE).decisions[0]
    rival = stack.pipeline.process(mention("competitor-1", "2"), PRAISE).decisions[0]
    assert (staff.outcome, staff.detail) == (Outcome.REFUSED, "eligibility: @fan_staff is an excluded account")
    assert (rival.outcome, rival.detail) == (Outcome.REFUSED, "eligibility: competitor-1 is an excluded account")

    small = mention("small", "3").model_copy(update={"author": Author(id="small", handle="fan_small", followers_count=12)})
    big = mention("big", "4").model_copy(update={"author": Author(id="big", handle="fan_big", followers_count=900)})
    unknown = mention("unknown", "5")  # the platform sent no follower count: nothing to hold on
    for post in (small, big, unknown):
        assert stack.pipeline.process(post, PRAISE).decisions[0].outcome is Outcome.ACTED
    made = {o.author_id: o for o in stack.state.made()}
    assert (made["small"].state, made["small"].held_because) == (
        WorkState.PENDING_REVIEW,
        "12 followers, under the minimum of 50 (eligibility.min_followers)",
    )
    assert (made["big"].state, made["unknown"].state) == (WorkState.APPROVED, WorkState.APPROVED)
    assert [m["author_id"] for m in stack.queue.messages] == ["big", "unknown"]

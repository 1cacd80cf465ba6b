"""An offer's fields for what happens after it is sent: where its claim link goes
(``deliver_link``), how long it may be claimed (``claim_within_days``), and how a claim is
fulfilled (``fulfilment``). Validated with clear reasons; ``deliver_link`` changes what the
pipeline builds (in memory here; the same pipeline runs on DynamoDB in tests/functional)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from goodword.events import Author, Event, EventKind, EventRefs, Platform
from goodword.rules.engine import compile_rules
from goodword.rules.model import Rule, Settings
from goodword.rules.policy_check import policy_problems
from goodword.validation import describe_validation_error
from goodword.work import WorkKind, WorkRecord
from tests.unit.test_services_in_memory import NOW, PRAISE, Stack

OFFER = {
    "product": "Beans",
    "message": "Thank you {author_handle}! A bag of {product} is yours: {claim_link}",
    "review": "automatic",
}


def rule(platforms: list[str] | None = None, kinds: list[str] | None = None, **offer: Any) -> dict[str, Any]:
    triggers: dict[str, Any] = {"kinds": kinds or ["mention", "comment", "direct_message"]}
    if platforms:
        triggers["platforms"] = platforms
    return {"id": "thanks", "name": "Thanks", "triggers": triggers, "actions": [{"offer_sample": {**OFFER, **offer}}]}


def refusal(**offer: Any) -> str:
    with pytest.raises(ValidationError) as refused:
        Rule.model_validate(rule(**offer))
    return describe_validation_error(refused.value)


# --- validation ---------------------------------------------------------------------------


def test_the_defaults_are_fourteen_days_and_a_notify_with_no_url() -> None:
    offer = Rule.model_validate(rule()).actions[0].offer_sample
    assert offer is not None
    assert (offer.claim_within_days, offer.fulfilment.kind, offer.deliver_link) == (14, "notify", None)
    assert offer.fulfilment.model_dump() == {"kind": "notify", "url": None}


def test_claim_within_days_is_one_to_ninety() -> None:
    assert refusal(claim_within_days=0) == "actions[0].offer_sample.claim_within_days: should be greater than or equal to 1"
    assert refusal(claim_within_days=91) == "actions[0].offer_sample.claim_within_days: should be less than or equal to 90"
    assert Rule.model_validate(rule(claim_within_days=90))


@pytest.mark.parametrize(
    ("fulfilment", "reason"),
    [
        ({"kind": "mail"}, "unknown fulfilment kind; use notify, code_pool or shopify"),
        ({"url": "http://shop.example/claims"}, "must be https: it receives the claimant's name, email and address"),
        ({"url": "https://169.254.169.254/latest"}, "link-local or metadata address"),
        ({"kind": "shopify", "shop": "roaster.com", "percentage": 100}, "shop is the store's myshopify.com domain"),
        ({"kind": "shopify", "shop": "roaster.myshopify.com"}, "either percentage (e.g. 100 for free) or amount"),
        ({"kind": "shopify", "shop": "roaster.myshopify.com", "percentage": 10, "amount": 5}, "not both or neither"),
        ({"kind": "shopify", "shop": "roaster.myshopify.com", "percentage": 120}, "percentage"),
        ({"kind": "code_pool", "url": "https://shop.example/"}, "url"),
    ],
)
def test_a_fulfilment_that_cannot_work_is_refused_with_the_reason(fulfilment: dict[str, Any], reason: str) -> None:
    assert reason in refusal(fulfilment=fulfilment)


def test_the_three_fulfilments_validate() -> None:
    def fulfilment(given: dict[str, Any]) -> dict[str, Any]:
        offer = Rule.model_validate(rule(fulfilment=given)).actions[0].offer_sample
        assert offer is not None
        return offer.fulfilment.model_dump(mode="json", exclude_none=True)

    assert fulfilment({"url": "https://shop.example/goodword"}) == {"kind": "notify", "url": "https://shop.example/goodword"}
    assert fulfilment({"url": "http://127.0.0.1:8080/claims"})["url"] == "http://127.0.0.1:8080/claims"  # the local stack
    assert fulfilment({"kind": "code_pool"}) == {"kind": "code_pool"}
    shopify = fulfilment({"kind": "shopify", "shop": "Roaster.myshopify.com", "percentage": 100, "title": "Free bag"})
    assert shopify == {"kind": "shopify", "shop": "roaster.myshopify.com", "percentage": 100.0, "title": "Free bag"}


def test_the_ask_message_never_carries_the_link_and_delivery_must_agree() -> None:
    assert "{claim_link} would put the claim in it" in refusal(ask_message="DM us! {claim_link}")
    assert "delivery: direct_message and deliver_link: reply disagree" in refusal(delivery="direct_message", deliver_link="reply")
    assert "deliver_link: dm" in refusal(delivery="reply", deliver_link="dm")


@pytest.mark.parametrize(
    ("platforms", "kinds", "deliver_link", "reason"),
    [
        (["x"], ["mention"], "dm", "deliver_link dm: no private message may answer a mention on x"),
        (["linkedin"], ["mention"], "dm", "deliver_link dm: no private message may answer a mention on linkedin"),
        (["facebook"], ["comment"], "ask_to_dm", "deliver_link ask_to_dm: Goodword cannot answer a direct message on facebook"),
        (["twitch"], ["follow"], "ask_to_dm", "Goodword cannot answer a direct message on twitch"),
        (["x"], ["direct_message"], "reply", "deliver_link reply: no public reply may answer a direct_message on x"),
        (["instagram"], ["mention"], "dm", "no private message may answer a mention on instagram"),
    ],
)
def test_the_policy_guard_refuses_where_a_platform_cannot_put_the_link(
    platforms: list[str], kinds: list[str], deliver_link: str, reason: str
) -> None:
    problems = policy_problems(Rule.model_validate(rule(platforms, kinds, deliver_link=deliver_link)))
    assert any(reason in p for p in problems), problems


@pytest.mark.parametrize(
    ("platforms", "kinds", "deliver_link"),
    [
        (["x"], ["mention", "reply", "quote"], "ask_to_dm"),
        (["x"], ["mention"], "reply"),
        (["x"], ["direct_message"], "dm"),
        (["instagram"], ["comment"], "dm"),  # a private reply
        (["instagram"], ["comment", "mention"], "ask_to_dm"),
        (["twitch"], ["follow"], "dm"),  # a whisper
        (["facebook", "linkedin"], ["comment"], "reply"),
        (None, ["mention", "comment", "direct_message"], None),  # every platform's default
    ],
)
def test_possible_combinations_pass(platforms: list[str] | None, kinds: list[str], deliver_link: str | None) -> None:
    given = {"deliver_link": deliver_link} if deliver_link else {}
    assert policy_problems(Rule.model_validate(rule(platforms, kinds, **given))) == []


# --- what the pipeline builds ---------------------------------------------------------------


def post(platform: Platform = Platform.X, kind: EventKind = EventKind.MENTION, author: str = "p1") -> Event:
    refs = EventRefs(post_id="1") if platform is Platform.X else EventRefs(media_id="m1", comment_id="c1")
    return Event(
        platform=platform,
        kind=kind,
        natural_id=f"{kind.value}:{author}",
        brand_account="2244994945" if platform is Platform.X else "17841405726653026",
        occurred_at=NOW,
        received_at=NOW,
        source=platform.value,
        author=Author(id=author, handle=f"fan_{author}"),
        text="I love your coffee!",
        refs=refs,
    )


def offer_made(given: dict[str, Any], event: Event) -> WorkRecord:
    stack = Stack(given, settings=Settings(cooldown_days=0, claim_link_base_url="https://roaster.example/claim/"))
    stack.pipeline.process(event, PRAISE)
    (record,) = [r for r in stack.state.list_work() if r.kind is WorkKind.OFFER_SAMPLE]
    (queued,) = stack.queue.messages
    assert queued["message"] == record.message  # what goes out is what was built
    return record


def test_on_x_a_public_offer_carries_the_link_by_default_so_the_fan_can_claim() -> None:
    # X bills a post that carries a URL, but nothing answers a fan's DM automatically yet: the
    # default keeps the loop closed (the link in the reply); ask_to_dm is the rule's choice.
    offer = offer_made(rule(), post())
    assert (offer.channel, offer.deliver_link, offer.link_message) == ("reply", "reply", None)
    assert offer.message == f"Thank you @fan_p1! A bag of Beans is yours: {offer.claim_link}"


def test_ask_to_dm_on_x_asks_for_a_dm_and_keeps_the_link_for_the_person_who_answers_it() -> None:
    offer = offer_made(rule(["x"], ["mention"], deliver_link="ask_to_dm"), post())
    assert (offer.channel, offer.deliver_link) == ("reply", "ask_to_dm")
    assert offer.claim_link and str(offer.claim_link) not in (offer.message or "")
    assert (
        offer.message
        == "Thank you @fan_p1! We'd love to send you Beans, on us: send us a direct message and we'll answer with your link."
    )
    assert offer.link_message == f"Thank you @fan_p1! A bag of Beans is yours: {offer.claim_link}"


def test_deliver_link_reply_puts_the_link_in_the_public_reply() -> None:
    offer = offer_made(rule(["x"], ["mention"], deliver_link="reply"), post())
    assert (offer.channel, offer.deliver_link, offer.link_message) == ("reply", "reply", None)
    assert offer.claim_link and str(offer.claim_link) in (offer.message or "")


def test_delivery_reply_of_older_rules_still_puts_the_link_in_the_reply() -> None:
    offer = offer_made(rule(["x"], ["mention"], delivery="reply"), post())
    assert (offer.channel, offer.deliver_link) == ("reply", "reply") and str(offer.claim_link) in (offer.message or "")


def test_a_dm_answering_a_dm_on_x_carries_the_link() -> None:
    offer = offer_made(rule(), post(kind=EventKind.DIRECT_MESSAGE))
    assert (offer.channel, offer.deliver_link) == ("direct_message", "dm") and str(offer.claim_link) in (offer.message or "")


def test_on_instagram_a_comment_gets_the_link_in_a_private_reply_or_a_public_reply_asking_for_a_dm() -> None:
    private = offer_made(rule(), post(Platform.INSTAGRAM, EventKind.COMMENT))
    assert (private.channel, private.deliver_link) == ("private_reply", "dm") and str(private.claim_link) in (
        private.message or ""
    )
    asked = offer_made(rule(["instagram"], ["comment"], deliver_link="ask_to_dm"), post(Platform.INSTAGRAM, EventKind.COMMENT))
    assert (asked.channel, asked.deliver_link) == ("reply", "ask_to_dm")
    assert str(asked.claim_link) not in (asked.message or "") and str(asked.claim_link) in (asked.link_message or "")


def test_the_offer_records_its_window_and_fulfilment_as_the_rule_said_then() -> None:
    fulfilment = {"kind": "shopify", "shop": "roaster.myshopify.com", "percentage": 100}
    offer = offer_made(rule(claim_within_days=30, fulfilment=fulfilment), post())
    assert offer.claim_within_days == 30
    assert offer.fulfilment == {
        "kind": "shopify",
        "shop": "roaster.myshopify.com",
        "percentage": 100.0,
        "title": "Goodword thank-you",
    }
    assert compile_rules(Settings(), [(Rule.model_validate(rule()), 1)]).rules  # compiles


def test_a_reviewers_edit_of_a_reply_asking_for_a_dm_cannot_put_the_link_in_it() -> None:
    from goodword.message_edits import EditContext, edited_message

    offer = offer_made(rule(["x"], ["mention"], deliver_link="ask_to_dm"), post())
    context = EditContext(OFFER["message"])
    with pytest.raises(ValueError, match=r"asks the person to send a DM: \{claim_link\} would put the claim in it"):
        edited_message("Thanks {author_handle}! {claim_link}", offer, context)
    assert edited_message("Thanks {author_handle}! DM us for your bag.", offer, context) == "Thanks @fan_p1! DM us for your bag."

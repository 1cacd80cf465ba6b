"""One person across platforms, through the apply_rules handler on moto: once linked, the
same fan praising the brand on X and on Instagram gets one sample; twenty first mentions at
once from twenty identities of one person make one offer; an opt-out on one identity holds
on the others."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from goodword.events import Author, Event, EventKind, EventRefs, Platform
from tests.conftest import Aws
from tests.functional.test_cli import goodword, goodword_json
from tests.functional.test_pipeline import BRAND, FLAGSHIP, POSITIVE, decisions, event, put_rules, run, work

IG_BRAND = "17841405726653026"


def on_instagram(text: str, author: str, post: str, kind: EventKind = EventKind.COMMENT) -> Event:
    now = datetime.now(UTC)
    return Event(
        platform=Platform.INSTAGRAM,
        kind=kind,
        natural_id=f"comment:{post}",
        brand_account=IG_BRAND,
        occurred_at=now,
        received_at=now,
        source="meta",
        author=Author(id=author, handle=author),
        text=text,
        refs=EventRefs(post_id=f"media-{post}", comment_id=post),
    )


def x_person(author: str) -> str:
    return f"PERSON#x#{BRAND}#{author}"


def follows(author: str, post: str, platform: Platform = Platform.X) -> Event:
    """Seen by Goodword (a profile), no mention yet: the first mention is still to come."""
    if platform is Platform.INSTAGRAM:
        return on_instagram("", author, post, kind=EventKind.FOLLOW).model_copy(update={"text": None})
    return event("", author=author, post=post, kind=EventKind.FOLLOW).model_copy(update={"text": None})


def flagship_outcome(aws: Aws, stored: Event) -> tuple[str, str]:
    found = {d["rule_id"]: (d["outcome"], d["detail"]) for d in decisions(aws, stored)["decisions"]}
    return found[FLAGSHIP["id"]]


def test_a_linked_fan_gets_one_sample_across_platforms(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, FLAGSHIP)
    run(pipeline, lambda_context, follows("fan1", "1"), follows("fan1_ig", "c0", Platform.INSTAGRAM))
    code, output = goodword(aws, "people", "link", x_person("fan1"), f"instagram:{IG_BRAND}:fan1_ig")
    assert code == 0 and "linked" in output, output
    shown = goodword_json(aws, "people", "show", x_person("fan1"))
    assert shown["identities"] == [f"PERSON#instagram#{IG_BRAND}#fan1_ig", x_person("fan1")]

    on_x = event(POSITIVE, author="fan1", post="2")
    run(pipeline, lambda_context, on_x, start=2)
    assert flagship_outcome(aws, on_x)[0] == "acted"
    on_ig = on_instagram(POSITIVE, "fan1_ig", "c1", kind=EventKind.MENTION)  # that identity's first mention too
    run(pipeline, lambda_context, on_ig, start=3)
    assert flagship_outcome(aws, on_ig) == (
        "limited",
        f"once per person: {FLAGSHIP['id']} already acted for this person",
    )
    assert len(work(aws, "offer_sample")) == 1

    solo = event(POSITIVE, author="solo", post="3")  # not linked to anyone: their own sample
    run(pipeline, lambda_context, solo, start=4)
    assert flagship_outcome(aws, solo)[0] == "acted"


def test_a_sample_given_before_the_link_counts_for_the_person(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, FLAGSHIP)
    run(pipeline, lambda_context, event(POSITIVE, author="fan2", post="10"))
    run(pipeline, lambda_context, follows("fan2_ig", "c9", Platform.INSTAGRAM), start=2)
    assert goodword(aws, "people", "link", x_person("fan2"), f"PERSON#instagram#{IG_BRAND}#fan2_ig")[0] == 0
    again = on_instagram(POSITIVE, "fan2_ig", "c10", kind=EventKind.MENTION)
    run(pipeline, lambda_context, again, start=3)
    assert flagship_outcome(aws, again)[0] == "limited"
    assert len(work(aws, "offer_sample")) == 1
    assert goodword(aws, "people", "link", x_person("fan2"), "x:1:nobody")[0] == 1  # never seen: nothing to link


@pytest.mark.usefixtures("atomic_moto")
def test_twenty_first_mentions_at_once_from_one_persons_identities_make_one_offer(
    aws: Aws, pipeline: Any, lambda_context: Any
) -> None:
    put_rules(aws, FLAGSHIP)
    authors = [f"twin{n}" for n in range(20)]
    run(
        pipeline,
        lambda_context,
        *(event("hello there", author=a, post=f"h{n}", kind=EventKind.FOLLOW) for n, a in enumerate(authors)),
    )
    for author in authors[1:]:
        assert goodword(aws, "people", "link", x_person(authors[0]), x_person(author))[0] == 0
    praise = [event(POSITIVE, author=a, post=f"p{n}") for n, a in enumerate(authors)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda pair: run(pipeline, lambda_context, pair[1], start=100 + pair[0]), enumerate(praise)))
    assert len(work(aws, "offer_sample")) == 1


def test_an_opt_out_on_one_identity_holds_on_the_others(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    sample = {**FLAGSHIP, "id": "sample-any-praise", "conditions": {"field": "sentiment.band", "one_of": ["auto", "review"]}}
    put_rules(aws, sample)
    run(pipeline, lambda_context, follows("fan3", "20"), follows("fan3_ig", "c20", Platform.INSTAGRAM))
    assert goodword(aws, "people", "link", x_person("fan3"), f"instagram:{IG_BRAND}:fan3_ig")[0] == 0
    run(pipeline, lambda_context, event("STOP", author="fan3", post="21", kind=EventKind.REPLY), start=3)
    praise = on_instagram(POSITIVE, "fan3_ig", "c21", kind=EventKind.MENTION)
    run(pipeline, lambda_context, praise, start=4)
    outcome = {d["rule_id"]: (d["outcome"], d["detail"]) for d in decisions(aws, praise)["decisions"]}[sample["id"]]
    assert outcome[0] == "refused" and outcome[1].startswith("opted_out"), outcome
    assert goodword(aws, "people", "opt-in", x_person("fan3"))[0] == 0
    assert not goodword_json(aws, "people", "show", f"instagram:{IG_BRAND}:fan3_ig")["opted_out"]


THANKS = {
    "id": "thank-every-mention",
    "name": "Thank every positive mention",
    "priority": 30,
    "triggers": {"kinds": ["mention", "comment"]},
    "conditions": {"field": "sentiment.label", "equals": "positive"},
    "actions": [{"reply": {"message": "Thank you {author_handle}!"}}],
    "limits": {"once_per_person": None},
}


def test_the_cooldown_holds_for_the_person_across_linked_identities(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, THANKS, settings={"time_zone": "Europe/Berlin", "cooldown_days": 7})
    run(pipeline, lambda_context, follows("cool1", "1"), follows("cool1_ig", "c0", Platform.INSTAGRAM))
    assert goodword(aws, "people", "link", x_person("cool1"), f"instagram:{IG_BRAND}:cool1_ig")[0] == 0
    on_x = event(POSITIVE, author="cool1", post="2")
    run(pipeline, lambda_context, on_x, start=2)
    on_ig = on_instagram(POSITIVE, "cool1_ig", "c1")
    run(pipeline, lambda_context, on_ig, start=3)
    outcomes = [{d["rule_id"]: d["outcome"] for d in decisions(aws, e)["decisions"]}[THANKS["id"]] for e in (on_x, on_ig)]
    assert outcomes == ["acted", "limited"]
    detail = {d["rule_id"]: d["detail"] for d in decisions(aws, on_ig)["decisions"]}[THANKS["id"]]
    assert detail.startswith("cooldown")
    stranger = on_instagram(POSITIVE, "someone_else", "c2")  # not linked: not cooled
    run(pipeline, lambda_context, stranger, start=4)
    assert {d["rule_id"]: d["outcome"] for d in decisions(aws, stranger)["decisions"]}[THANKS["id"]] == "acted"


def test_a_marketer_finds_a_person_by_handle(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, FLAGSHIP)
    mention = event(POSITIVE, author="h1", post="1")  # handle fan_h1
    elsewhere = mention.model_copy(update={"brand_account": "777", "natural_id": "tweet:2"})
    run(pipeline, lambda_context, mention, on_instagram(POSITIVE, "ig_only", "c1"))
    assert goodword_json(aws, "people", "show", "x:@FAN_H1")["person"] == x_person("h1")  # as printed: any case
    assert goodword_json(aws, "people", "show", "instagram:@ig_only")["person"] == f"PERSON#instagram#{IG_BRAND}#ig_only"
    code, output = goodword(aws, "people", "show", "x:@nobody_here")
    assert (code, "Goodword has seen nobody with the handle @nobody_here on x" in output) == (1, True)
    run(pipeline, lambda_context, elsewhere, start=5)
    code, output = goodword(aws, "people", "show", "x:@fan_h1")
    assert code == 1 and f"known on several brand accounts ({BRAND}, 777): give x:<account>:@fan_h1" in output
    assert goodword_json(aws, "people", "show", "x:777:@fan_h1")["person"] == "PERSON#x#777#h1"


def test_an_instagram_commenter_who_then_mentions_the_brand_is_one_person_with_one_sample(
    aws: Aws, pipeline: Any, lambda_context: Any
) -> None:
    """A comment's author is keyed by from.id; a mention's, after enrichment, by the username
    the read gives (no id): the same username on the same brand account is the same person."""
    put_rules(aws, FLAGSHIP)
    now = datetime.now(UTC)
    comment = on_instagram(POSITIVE, "17841400000000123", "17900000000000001").model_copy(
        update={"author": Author(id="17841400000000123", handle="ana_brews")}
    )
    run(pipeline, lambda_context, comment)
    assert flagship_outcome(aws, comment)[0] == "acted"
    mention = Event(  # an ids-only mention, as enrichment completed it: the author is the username
        platform=Platform.INSTAGRAM,
        kind=EventKind.MENTION,
        natural_id="mention:17918195224117851:17894227972186120",
        brand_account=IG_BRAND,
        occurred_at=now,
        received_at=now,
        source="meta",
        author=Author(id="Ana_Brews", handle="Ana_Brews"),
        text=POSITIVE,
        refs=EventRefs(media_id="17918195224117851", comment_id="17894227972186120"),
    )
    run(pipeline, lambda_context, mention, start=2)
    assert flagship_outcome(aws, mention) == ("limited", f"once per person: {FLAGSHIP['id']} already acted for this person")
    assert len(work(aws, "offer_sample")) == 1, "one sample for one person"
    shown = goodword_json(aws, "people", "show", f"PERSON#instagram#{IG_BRAND}#17841400000000123")
    assert f"PERSON#instagram#{IG_BRAND}#Ana_Brews" in shown["identities"]

    stranger = on_instagram(POSITIVE, "17841400000000999", "17900000000000002").model_copy(
        update={"author": Author(id="17841400000000999", handle="someone_else")}
    )
    run(pipeline, lambda_context, stranger, start=3)
    assert flagship_outcome(aws, stranger)[0] == "acted", "another username is another person"

"""The claim page as a fan and an attacker meet it, on in-memory ports: the form, the claim,
the pages that say why not, and every defence with its attack."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest

from goodword.claims import hashing
from goodword.claims.page import csrf
from goodword.claims.page.flow import Limits, OfferTerms, Result
from goodword.claims.page.render import Brand, contrast, text_on
from goodword.claims.records import FulfilmentKind
from goodword.claims.states import ClaimState
from goodword.rules.model import Settings
from goodword.work import WorkRecord, WorkState
from tests.unit.claim_page_support import ADDRESS, KEYS, NOW, SECRET, Config, Harness, offer, receipt_cookies, text

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


@pytest.fixture
def page() -> Harness:
    harness = Harness()
    harness.add(1)
    return harness


def code(n: int = 1) -> str:
    return offer(n).claim_code or ""


def csp(outcome_headers: dict[str, str]) -> dict[str, str]:
    policy = outcome_headers["content-security-policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in policy.split("; ")}


# --- the form -------------------------------------------------------------------------------


def test_the_form_shows_the_brand_the_gift_and_the_post_it_thanks(page: Harness) -> None:
    shown = page.get(code())
    assert (shown.response.status, shown.result) == (200, Result.FORM)
    words = text(shown)
    assert "North Roast" in words
    assert "Your gift: a bag of Ethiopia Guji" in words
    assert "Honestly the best cold brew in town" in words
    assert "Thank you, @fan1!" in words
    assert "#gifted" in words
    for field in ("name", "email", "address_line1", "city", "postal_code", "country", "consent"):
        assert re.search(rf'<label for="{field}">', shown.response.body), field
    assert 'lang="en"' in shown.response.body
    assert "<script" not in shown.response.body  # no JavaScript needed, none sent


def test_a_code_reward_asks_for_the_email_only() -> None:
    page = Harness(config=Config(terms_={"first-praise": OfferTerms(fulfilment=FulfilmentKind.CODE_POOL)}))
    page.add(1)
    body = page.get(code()).response.body
    assert 'name="email"' in body
    assert 'name="address_line1"' not in body
    assert 'name="name"' not in body
    claimed = page.claim(code(), {"email": "ada@example.org", "consent": "yes"})
    assert claimed.response.status == 303
    stored = page.claims.get("offer1")
    assert stored is not None and stored.claimant is not None
    assert (stored.claimant.email, stored.claimant.has_address, stored.fulfilment) == (
        "ada@example.org",
        False,
        FulfilmentKind.CODE_POOL,
    )


def test_every_answer_carries_the_security_headers(page: Harness) -> None:
    answers = [
        page.get(code()),
        page.get("nope"),
        page.post(code(), {"csrf": "x"}),
        page.claim(code(), {**ADDRESS, "email": "bad"}),
        page.claim(code()),
    ]
    for outcome in answers:
        headers = outcome.response.headers
        assert {k: headers[k] for k in SECURITY_HEADERS} == SECURITY_HEADERS, outcome.result
        policy = csp(headers)
        assert policy["default-src"] == "'none'"
        assert policy["style-src"].startswith("'sha256-")
        assert policy["form-action"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["base-uri"] == "'none'"
        assert "img-src" not in policy  # no logo: no image from anywhere
        assert headers["content-type"] == "text/html; charset=utf-8"


def test_the_stylesheets_hash_is_the_one_the_policy_allows(page: Harness) -> None:
    import base64
    import hashlib

    shown = page.get(code())
    style = re.search(r"<style>(.*?)</style>", shown.response.body, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert csp(shown.response.headers)["style-src"] == f"'sha256-{digest}'"
    assert " style=" not in shown.response.body  # a style attribute would need 'unsafe-inline'


def test_the_logo_host_alone_is_allowed_for_images() -> None:
    settings = Settings(brand_names=["North Roast"], brand_logo_url="https://cdn.roaster.example/logo.png")
    page = Harness(config=Config(settings_=settings))
    page.add(1)
    shown = page.get(code())
    assert csp(shown.response.headers)["img-src"] == "https://cdn.roaster.example"
    assert '<img src="https://cdn.roaster.example/logo.png" alt="North Roast">' in shown.response.body


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"brand_colour": "red"}, "#rrggbb"),
        ({"brand_colour": "#12345"}, "#rrggbb"),
        ({"brand_logo_url": "http://cdn.example/logo.png"}, "https://"),
        ({"privacy_notice_url": "http://shop.example/privacy"}, "https://"),
        ({"brand_logo_url": "javascript:alert(1)"}, "URL"),
    ],
)
def test_brand_settings_are_validated(settings: dict[str, str], problem: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=re.escape(problem)):
        Settings.model_validate(settings)


@pytest.mark.parametrize("colour", ["#ffffff", "#ffeb3b", "#1f4e79", "#000000", "#777777", "#00ff00", "#767676"])
def test_the_button_text_reads_on_any_brand_colour(colour: str) -> None:
    assert contrast(colour, text_on(colour)) >= 4.5
    brand = Brand.of(Settings(brand_colour=colour))
    assert contrast(brand.ink, "#ffffff") >= 4.5  # links


# --- claiming -------------------------------------------------------------------------------


def test_a_claim_is_stored_announced_and_confirmed_to_its_claimer(page: Harness) -> None:
    claimed = page.claim(code())
    assert (claimed.response.status, claimed.result) == (303, Result.CLAIMED)
    assert claimed.response.headers["location"] == code()
    stored = page.claims.get("offer1")
    assert stored is not None and stored.state is ClaimState.CLAIMED
    assert stored.claimant is not None and stored.claimant.name == "Ada Lovelace"
    assert stored.consent_at == NOW.isoformat()
    assert stored.email_hash and stored.address_hash
    assert page.published == [
        {
            "id": "offer1:claimed",
            "kind": "offer_claim",
            "offer_id": "offer1",
            "claim_id": "offer1",
            "rule_id": "first-praise",
            "state": "claimed",
            "at": NOW.isoformat(),
        }
    ]
    assert page.fulfilled == ["offer1"]
    confirmation = page.get(code(), cookies=receipt_cookies(claimed))
    assert confirmation.result is Result.CONFIRMATION
    assert "Thank you! Your gift is on its way" in text(confirmation)
    (cookie,) = claimed.response.cookies
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_anyone_else_with_the_link_sees_it_was_used(page: Harness) -> None:
    page.claim(code())
    again = page.get(code())
    assert (again.response.status, again.result) == (200, Result.USED)
    assert "already been claimed" in text(again)
    assert "Ada" not in again.response.body
    forged = page.get(code(), cookies={csrf.receipt_cookie_name(KEYS, code()): "forged"})
    assert forged.result is Result.USED


def test_a_second_claim_of_the_code_stores_nothing(page: Harness) -> None:
    page.claim(code())
    second = page.claim(code(), {**ADDRESS, "name": "Mallory", "email": "mallory@example.net"})
    assert (second.response.status, second.result) == (303, Result.ALREADY_CLAIMED)
    assert second.response.cookies == []
    stored = page.claims.get("offer1")
    assert stored is not None and stored.claimant is not None and stored.claimant.name == "Ada Lovelace"
    assert len(page.fulfilled) == 1


def test_the_same_claimer_sending_again_finishes_the_claim_and_stores_nothing_twice(page: Harness) -> None:
    page.claim(code())
    again = page.claim(code())
    assert again.response.status == 303
    assert again.response.cookies == []  # an email is no proof: no receipt for typing it
    assert len(page.claims.list_claims()) == 1
    assert page.fulfilled == ["offer1", "offer1"]  # queued again (a retry after a failure): keyed on the claim
    assert {e["id"] for e in page.published} == {"offer1:claimed"}  # the same event id: consumers dedupe


def test_typing_the_claimers_email_with_a_stolen_form_token_gets_no_receipt_nor_the_code() -> None:
    """The attack: someone who loaded the form once (or holds the link) sends it with the
    claimer's email after the claim: they must not get the receipt (the reward code), and the
    answer must not differ from a wrong email's (an email oracle)."""
    page = Harness(config=Config(terms_={"first-praise": OfferTerms(fulfilment=FulfilmentKind.CODE_POOL)}))
    page.add(1)
    stolen = page.token(code(), seconds_ago=60)
    claimed = page.claim(code(), {"email": "fan@example.org", "consent": "yes"})
    page.claims.move("offer1", ClaimState.CLAIMED, ClaimState.FULFILLED, NOW, reward_code="FREE-BAG-123")
    wrong = page.post(code(), {"csrf": stolen, "email": "guess@example.org", "consent": "yes"})
    right = page.post(code(), {"csrf": stolen, "email": "fan@example.org", "consent": "yes"})
    assert wrong.response.cookies == right.response.cookies == []
    assert (wrong.response.status, wrong.response.headers) == (right.response.status, right.response.headers)
    assert "FREE-BAG-123" not in page.get(code(), cookies=receipt_cookies(right)).response.body
    assert "FREE-BAG-123" in page.get(code(), cookies=receipt_cookies(claimed)).response.body  # the claimer's own


def test_a_receipt_is_random_for_each_claim_and_opens_only_its_own() -> None:
    page = Harness()
    page.add(1)
    page.add(2)
    first, second = page.claim(code(1)), page.claim(code(2), {**ADDRESS, "email": "b@example.org", "address_line1": "2 B St"})
    (first_value,) = receipt_cookies(first).values()
    (second_value,) = receipt_cookies(second).values()
    assert first_value != second_value
    stored = page.claims.get("offer1")
    assert stored is not None and stored.receipt_hash and first_value not in stored.receipt_hash  # only its hash kept
    swapped = {csrf.receipt_cookie_name(KEYS, code(2)): first_value}
    assert page.get(code(2), cookies=swapped).result is Result.USED
    (cookie,) = first.response.cookies
    assert "Path=/claim/;" in cookie


def test_a_stale_form_for_a_claimed_code_is_not_served_again() -> None:
    """The attack: an old form token for a code already claimed swapped for a fresh form (and
    a fresh token), forever."""
    page = Harness()
    page.add(1)
    page.claim(code())
    page.now = NOW + timedelta(days=3)
    old = csrf.form_token(KEYS, code(), NOW - timedelta(days=30))
    answer = page.post(code(), {**ADDRESS, "csrf": old, "email": "x@example.org"})
    assert (answer.response.status, answer.result) == (303, Result.ALREADY_CLAIMED)
    assert 'name="csrf"' not in answer.response.body and answer.response.cookies == []


def test_a_code_reward_waits_for_its_code_then_shows_it() -> None:
    page = Harness(config=Config(terms_={"first-praise": OfferTerms(fulfilment=FulfilmentKind.CODE_POOL)}))
    page.add(1)
    cookies = receipt_cookies(page.claim(code(), {"email": "ada@example.org", "consent": "yes"}))
    waiting = page.get(code(), cookies=cookies)
    assert '<meta http-equiv="refresh" content="5">' in waiting.response.body
    assert "preparing your code" in text(waiting)
    page.claims.move("offer1", ClaimState.CLAIMED, ClaimState.FULFILLED, NOW, reward_code="GUJI-7F3K-22QX")
    done = page.get(code(), cookies=cookies)
    assert "GUJI-7F3K-22QX" in text(done)
    assert "http-equiv" not in done.response.body


# --- pages that say why not ------------------------------------------------------------------


def test_unknown_and_malformed_codes_get_one_and_the_same_404(page: Harness) -> None:
    unknown = page.get("A" * 22)
    malformed = page.get("../../etc/passwd%00<script>")
    shortish = page.get(code()[:-1])
    assert {o.response.status for o in (unknown, malformed, shortish)} == {404}
    assert unknown.response.body == malformed.response.body == shortish.response.body
    assert {o.result for o in (unknown, malformed, shortish)} == {Result.UNKNOWN}


def test_malformed_codes_cost_a_lookup_like_unknown_ones(page: Harness) -> None:
    looked_up: list[str] = []
    original = page.claims.offer_for_code

    def counting(code_: str) -> WorkRecord | None:
        looked_up.append(code_)
        return original(code_)

    page.claims.offer_for_code = counting  # type: ignore[method-assign,assignment]
    page.get("A" * 22)
    page.get("short")
    assert len(looked_up) == 2


def test_an_offer_never_sent_is_unknown() -> None:
    page = Harness()
    page.add(1, state=WorkState.PENDING_REVIEW, finished_at=None)
    assert page.get(code()).result is Result.UNKNOWN


@pytest.mark.parametrize("state", [WorkState.REJECTED, WorkState.FAILED])
def test_a_withdrawn_offer_says_so(state: WorkState) -> None:
    page = Harness()
    page.add(1, state=state)
    shown = page.get(code())
    assert (shown.response.status, shown.result) == (410, Result.CANCELLED)
    assert "no longer available" in text(shown)


def test_an_offer_past_its_rules_claim_window_has_expired() -> None:
    page = Harness(config=Config(terms_={"first-praise": OfferTerms(claim_within_days=3)}))
    page.add(1, finished_at=(NOW - timedelta(days=3, seconds=1)).isoformat())
    page.add(2, finished_at=(NOW - timedelta(days=2)).isoformat())
    late, in_time = page.get(code(1)), page.get(code(2))
    assert (late.response.status, late.result) == (410, Result.EXPIRED)
    assert "has expired" in text(late)
    assert in_time.result is Result.FORM
    posted = page.claim(code(1))
    assert posted.result is Result.EXPIRED
    assert page.claims.list_claims() == []


@pytest.mark.parametrize("window", [3, None])  # the offer's own window; an older offer's: 14
@pytest.mark.parametrize("past_deadline", [timedelta(seconds=-1), timedelta(0), timedelta(seconds=1)])
def test_the_page_closes_an_offer_exactly_when_the_expiry_schedule_would(window: int | None, past_deadline: timedelta) -> None:
    """Before the hourly schedule expires an offer, the page already refuses it, by the same
    rule (claims.expiry.claim_window_closed): never a form for an offer expiry would expire,
    never a 410 for one it would keep."""
    from goodword.claims.expiry import claim_window_closed, window_of
    from goodword.claims.page.flow import offer_terms

    page = Harness()
    page.page.s.terms = offer_terms  # the terms as the deployed page reads them: from the offer
    sent = NOW - timedelta(days=window or 14) - past_deadline
    made = page.add(1, finished_at=sent.isoformat(), created_at=(sent - timedelta(days=2)).isoformat(), claim_within_days=window)
    closed = claim_window_closed(made, window_of(made, {}), NOW)
    assert closed is (past_deadline >= timedelta(0))
    shown = page.get(code(1))
    assert (shown.response.status, shown.result) == ((410, Result.EXPIRED) if closed else (200, Result.FORM))
    posted = page.claim(code(1))
    assert (posted.result is Result.EXPIRED) is closed
    assert len(page.claims.list_claims()) == (0 if closed else 1)


def test_an_expired_claim_state_has_expired() -> None:
    page = Harness()
    page.add(1, claim_state="expired")
    assert page.get(code()).result is Result.EXPIRED


# --- defences, each with its attack ------------------------------------------------------------


def test_a_post_without_a_token_is_forbidden(page: Harness) -> None:
    outcome = page.post(code(), dict(ADDRESS))
    assert (outcome.response.status, outcome.result) == (403, Result.CSRF)
    assert page.claims.list_claims() == []


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        csrf.form_token(KEYS, "another-code-abcdefghij", NOW - timedelta(minutes=1)),  # minted for another code
        csrf.form_token(csrf.Keys.derive(b"another stack"), "code0001-abcdefghijklm", NOW - timedelta(minutes=1)),
        f"{int(NOW.timestamp()) - 3600}.AAAA",
    ],
)
def test_a_wrong_token_is_forbidden(page: Harness, token: str) -> None:
    outcome = page.post(code(), {**ADDRESS, "csrf": token})
    assert (outcome.response.status, outcome.result) == (403, Result.CSRF)
    assert page.claims.list_claims() == []


def test_a_token_with_its_time_changed_is_forbidden(page: Harness) -> None:
    issued, mac = page.token(code(), seconds_ago=2).split(".")
    older = f"{int(issued) - 600}.{mac}"  # a bot pretending it filled the form for ten minutes
    assert page.post(code(), {**ADDRESS, "csrf": older}).result is Result.CSRF


@pytest.mark.parametrize(
    "headers",
    [{"sec-fetch-site": "cross-site"}, {"origin": "https://evil.example"}, {"origin": "null", "sec-fetch-site": "cross-site"}],
)
def test_a_post_from_another_site_is_forbidden(page: Harness, headers: dict[str, str]) -> None:
    outcome = page.claim(code(), headers=headers)
    assert (outcome.response.status, outcome.result) == (403, Result.CSRF)


def test_the_pages_own_form_may_come_with_origin_null(page: Harness) -> None:
    """Under Referrer-Policy: no-referrer a browser sends Origin: null with its own form."""
    outcome = page.claim(code(), headers={"origin": "null", "sec-fetch-site": "same-origin"})
    assert outcome.result is Result.CLAIMED


def test_an_oversized_body_is_refused_before_anything_else(page: Harness) -> None:
    body = urlencode({**ADDRESS, "csrf": page.token(code()), "name": "A" * 20_000}).encode()
    outcome = page.post(code(), {}, body=body)
    assert (outcome.response.status, outcome.result) == (413, Result.TOO_LARGE)
    declared = page.post(code(), {}, body=b"a=b", headers={"content-length": "999999999"})
    assert declared.response.status == 413
    assert page.claims.count_lookup(hashing.client_hash(SECRET, "203.0.113.7"), NOW) == 1  # refused before it counted


def test_a_filled_honeypot_is_thanked_and_nothing_is_stored(page: Harness) -> None:
    outcome = page.claim(code(), {**ADDRESS, "website": "https://spam.example"})
    assert (outcome.response.status, outcome.result) == (200, Result.BOT)
    assert "Thank you" in text(outcome)
    assert page.claims.list_claims() == [] and page.published == [] and page.fulfilled == []


def test_a_form_sent_faster_than_a_person_types_is_shown_again_with_a_notice(page: Harness) -> None:
    """Not a silent fake thank-you: a fan whose browser filled the form in at once would
    believe the gift claimed when nothing was stored."""
    fast = page.post(code(), {**ADDRESS, "csrf": page.token(code(), seconds_ago=1)})
    assert (fast.response.status, fast.result) == (400, Result.TOO_FAST)
    assert "send the form again" in text(fast) and 'value="Ada Lovelace"' in fast.response.body
    assert "Thank you!" not in text(fast)
    assert page.claims.list_claims() == []
    person = page.post(code(), {**ADDRESS, "csrf": page.token(code(), seconds_ago=4)})
    assert person.result is Result.CLAIMED


def test_a_form_open_for_hours_comes_back_with_what_was_typed(page: Harness) -> None:
    stale = page.post(code(), {**ADDRESS, "csrf": page.token(code(), seconds_ago=5 * 3600)})
    assert (stale.response.status, stale.result) == (400, Result.STALE_FORM)
    assert 'value="Ada Lovelace"' in stale.response.body
    assert page.claims.list_claims() == []


def test_code_lookups_are_throttled_per_client(page: Harness) -> None:
    counted: list[str] = []
    count = page.claims.count_lookup

    def counting(client: str, now: datetime) -> int:
        counted.append(client)
        return count(client, now)

    page.claims.count_lookup = counting  # type: ignore[method-assign,assignment]
    page.limits = Limits(lookups_per_minute=5)
    page.build()
    answers = [page.get(f"guess{i:017d}") for i in range(5)]
    assert {a.response.status for a in answers} == {404}
    throttled = page.get(code())
    assert (throttled.response.status, throttled.result) == (429, Result.THROTTLED)
    assert throttled.response.headers["retry-after"] == "30"  # NOW is 30 s into its minute
    assert page.get(code(), client="198.51.100.9").result is Result.FORM  # another client
    assert page.claim(code()).response.status == 429
    assert not [c for c in counted if "203.0.113" in c or "198.51.100" in c]  # counted by a keyed hash


def test_the_throttle_counts_the_next_minute_afresh(page: Harness) -> None:
    page.limits = Limits(lookups_per_minute=1)
    page.build()
    page.get(code())
    assert page.get(code()).response.status == 429
    page.now = NOW + timedelta(seconds=30)
    assert page.get(code()).response.status == 200


# --- validation ----------------------------------------------------------------------------------


def test_a_missing_field_is_said_beside_it_and_what_was_typed_stays(page: Harness) -> None:
    outcome = page.claim(code(), {**ADDRESS, "city": "", "consent": ""})
    assert (outcome.response.status, outcome.result) == (422, Result.INVALID)
    body = outcome.response.body
    city = re.search(r'<div class="field invalid">\s*<label for="city">.*?</div>', body, re.S)
    assert city is not None
    assert 'id="city-error">Please fill this in.</span>' in city.group(0)
    assert 'aria-invalid="true"' in city.group(0) and 'aria-describedby="city-error"' in city.group(0)
    assert 'id="consent-error">Please tick the box' in body
    assert 'value="Ada Lovelace"' in body and 'value="SW1Y 4JH"' in body
    assert '<option value="GB" selected>United Kingdom</option>' in body
    assert page.claims.list_claims() == []


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("email", "ada@", "Please enter an email address like name@example.com."),
        ("email", "ada@example", "Please enter an email address like name@example.com."),
        ("country", "XX", "Please choose your country from the list."),
        ("postal_code", "SW1Y;DROP", "Please use letters, digits, spaces and dashes only."),
        ("name", "A" * 101, "Please keep this under 100 characters."),
        ("address_line1", "12\x00 High St", "Please use letters, digits and ordinary punctuation only."),
        ("name", "   ", "Please fill this in."),
    ],
)
def test_each_field_is_validated(page: Harness, field: str, value: str, said: str) -> None:
    outcome = page.claim(code(), {**ADDRESS, field: value})
    assert outcome.result is Result.INVALID
    assert f'id="{field}-error">{said}</span>' in outcome.response.body


def test_a_script_in_every_field_is_rendered_inert(page: Harness) -> None:
    attack = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    fields = {name: attack for name in ADDRESS if name != "website"}
    outcome = page.claim(code(), fields)
    body = outcome.response.body
    assert outcome.result is Result.INVALID
    assert "<script" not in body and "<img src=x" not in body and "onerror=alert" not in body.replace("onerror=alert(2)&gt;", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert body.count("&#34;&gt;&lt;script&gt;") >= 6  # every text field shows it back, escaped


def test_a_script_in_the_post_is_rendered_inert() -> None:
    page = Harness(posts={"x:1": "<script>alert('pwned')</script> love it"})
    page.add(1, author_handle="<b>x</b>", product="<i>Guji</i>")
    body = page.get(code()).response.body
    assert "<script>alert" not in body and "<b>x</b>" not in body and "<i>Guji</i>" not in body
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt; love it" in body


def test_a_stored_script_is_inert_on_the_confirmation(page: Harness) -> None:
    name = "<script>alert(1)</script>"
    claimed = page.claim(code(), {**ADDRESS, "name": name, "address_line1": name, "city": name})
    assert claimed.result is Result.CLAIMED
    shown = page.get(code(), cookies=receipt_cookies(claimed))
    assert "<script" not in shown.response.body


# --- repeat claimers --------------------------------------------------------------------------


def test_the_same_address_under_three_handles_holds_two_naming_the_earlier_claims_unlinked() -> None:
    page = Harness()
    for n in (1, 2, 3):
        page.add(n)
    emails = ["ada@example.org", "ada.l@example.net", "lovelace@example.com"]  # one address, three emails
    results = [page.claim(code(n), {**ADDRESS, "email": email}).result for n, email in zip((1, 2, 3), emails, strict=True)]
    assert results == [Result.CLAIMED, Result.HELD, Result.HELD]
    states = {c.id: (c.state, c.held_because, c.similar_to) for c in page.claims.list_claims()}
    assert states == {
        "offer1": (ClaimState.CLAIMED, None, None),
        "offer2": (ClaimState.HELD, "repeat_claimer", ["offer1"]),
        "offer3": (ClaimState.HELD, "repeat_claimer", ["offer1", "offer2"]),
    }
    for n in (1, 2, 3):  # a reviewer links them (goodword people link) if it is one person
        profile = page.people.profile(f"PERSON#x#brand#{n}")
        assert profile is not None and profile.person_id is None
    assert page.fulfilled == ["offer1"]  # held claims wait for a person
    assert [e["id"] for e in page.published] == [
        "offer1:claimed",
        "offer2:claimed",
        "offer2:held",
        "offer3:claimed",
        "offer3:held",
    ]


def test_typing_a_victims_email_links_nobody_and_the_page_says_nothing_of_it() -> None:
    """The attack: an offer's holder types another fan's email (or address) to merge that fan's
    identity with theirs (an opt-out would spread, once-markers be shared, an erase erase both)
    and to learn from the answer whether that email claimed before."""
    page = Harness()
    for n in (1, 2, 3):
        page.add(n)
    victim = page.claim(code(1), {**ADDRESS, "email": "victim@example.org"})
    attacker = page.claim(code(2), {**ADDRESS, "email": "victim@example.org", "address_line1": "1 Other Rd"})
    stranger = page.claim(code(3), {**ADDRESS, "email": "nobody@example.org", "address_line1": "2 Else St"})
    assert (attacker.result, stranger.result) == (Result.HELD, Result.CLAIMED)
    for n in (1, 2):
        profile = page.people.profile(f"PERSON#x#brand#{n}")
        assert profile is not None and profile.person_id is None
    page.people.opt_out("PERSON#x#brand#2", NOW, "stop")  # the attacker opts out: the victim does not
    victim_profile = page.people.profile("PERSON#x#brand#1")
    assert victim_profile is not None and not victim_profile.opted_out
    # held and claimed answer the same: the same redirect, the same confirmation
    assert attacker.response.status == stranger.response.status == victim.response.status == 303
    held_page = page.get(code(2), cookies=receipt_cookies(attacker))
    claimed_page = page.get(code(3), cookies=receipt_cookies(stranger))
    assert text(held_page) == text(claimed_page)


def test_a_reviewer_can_link_a_repeat_claimer_and_it_is_still_held_next_time() -> None:
    from goodword.linking import link

    page = Harness()
    for n in (1, 2, 3):
        page.add(n, person="PERSON#x#brand#2" if n == 3 else f"PERSON#x#brand#{n}", rule_id=f"rule{n}")
    page.claim(code(1))
    assert page.claim(code(2)).result is Result.HELD
    link(page.people, "PERSON#x#brand#1", "PERSON#x#brand#2", NOW)  # the reviewer judged it one person
    assert page.claim(code(3)).result is Result.HELD  # linked or not, another identity's claim matches


def test_the_same_email_under_another_handle_is_held_too() -> None:
    page = Harness()
    page.add(1)
    page.add(2)
    page.claim(code(1))
    moved = {**ADDRESS, "address_line1": "1 Other Road", "postal_code": "EC1A 1BB"}
    assert page.claim(code(2), moved).result is Result.HELD


def test_one_person_claiming_two_rules_offers_is_no_repeat_claimer() -> None:
    page = Harness()
    page.add(1)
    page.add(2, person="PERSON#x#brand#1", rule_id="another-rule")
    page.claim(code(1))
    assert page.claim(code(2)).result is Result.CLAIMED


def test_repeat_claimers_can_be_refused_instead_and_sending_again_is_refused_too() -> None:
    settings = Settings.model_validate({"brand_names": ["North Roast"], "eligibility": {"repeat_claimers": "refuse"}})
    page = Harness(config=Config(settings_=settings))
    page.add(1)
    page.add(2)
    page.claim(code(1))
    refused = page.claim(code(2))
    assert (refused.response.status, refused.result) == (200, Result.REFUSED)
    said = text(refused)
    assert "cannot be sent" in said
    for hint in ("already", "used", "before", "details", "email", "address"):
        assert hint not in said.lower()  # no hint why
    states = {c.id: (c.state, c.similar_to) for c in page.claims.list_claims()}
    assert states == {"offer1": (ClaimState.CLAIMED, None), "offer2": (ClaimState.REFUSED, ["offer1"])}
    assert page.fulfilled == ["offer1"]
    profile = page.people.profile("PERSON#x#brand#2")
    assert profile is not None and profile.person_id is None  # not linked
    # the attack: the same form sent again, with other details, is not a fresh claim
    again = page.claim(code(2), {**ADDRESS, "email": "other@example.org", "address_line1": "9 New St"})
    assert again.result is not Result.CLAIMED and page.fulfilled == ["offer1"]
    assert page.claims.get("offer2") is not None and page.claims.get("offer2").state is ClaimState.REFUSED  # type: ignore[union-attr]
    assert page.claim(code(2)).result is Result.ALREADY_CLAIMED  # the same details: nothing new either
    assert page.fulfilled == ["offer1"]


def test_a_refused_claim_makes_nobody_a_repeat_claimer() -> None:
    """A refused claim (someone typed another fan's email) must not hold that fan's own claim."""
    settings = Settings.model_validate({"brand_names": ["North Roast"], "eligibility": {"repeat_claimers": "refuse"}})
    page = Harness(config=Config(settings_=settings))
    for n in (1, 2, 3):
        page.add(n)
    page.claim(code(1))
    assert page.claim(code(2)).result is Result.REFUSED
    assert page.claim(code(3), {**ADDRESS, "email": "ada@example.org", "address_line1": "3 Else St"}).result is Result.REFUSED
    assert [c.similar_to for c in page.claims.list_claims() if c.id == "offer3"] == [["offer1"]]


# --- nothing personal leaves the page but into the claim store ------------------------------------


def test_outcomes_and_bus_events_carry_no_personal_data(page: Harness) -> None:
    page.add(2)
    outcomes = [page.claim(code()), page.claim(code(2), {**ADDRESS, "email": "x"}), page.get(code())]
    personal = ["Ada", "Lovelace", "ada@example.org", "James", "SW1Y", "London"]
    for outcome in outcomes:
        said = f"{outcome.result} {outcome.offer_id} {outcome.rule_id}"
        assert not [p for p in personal if p in said]
    assert not [p for p in personal if p in repr(page.published)]


def test_other_methods_are_not_allowed(page: Harness) -> None:
    from goodword.claims.page.http import PageRequest

    outcome = page.page.handle(PageRequest("DELETE", code(), {}, {}, b"", "203.0.113.7", True))
    assert (outcome.response.status, outcome.response.headers["allow"]) == (405, "GET, POST")


def test_a_body_that_is_not_a_form_is_a_bad_request(page: Harness) -> None:
    json_body = page.post(code(), {}, body=b'{"name": "x"}', headers={"content-type": "application/json"})
    assert json_body.response.status == 400
    not_utf8 = page.post(code(), {}, body=b"name=\xff\xfe")
    assert not_utf8.response.status == 400


def test_an_offer_carries_its_rules_terms_and_older_offers_get_the_defaults() -> None:
    """The rule's claim_within_days and fulfilment, as the offer recorded them when it was made."""
    from types import SimpleNamespace
    from typing import cast

    from goodword.claims.page.flow import offer_terms

    made = cast(WorkRecord, SimpleNamespace(claim_within_days=3, fulfilment={"kind": "shopify", "shop": "x.myshopify.com"}))
    assert offer_terms(made) == OfferTerms(claim_within_days=3, fulfilment=FulfilmentKind.SHOPIFY)
    assert offer_terms(made).code_reward
    assert offer_terms(offer(1)) == OfferTerms(claim_within_days=14, fulfilment=FulfilmentKind.NOTIFY)
    odd = cast(WorkRecord, SimpleNamespace(claim_within_days=None, fulfilment={"kind": "carrier-pigeon"}))
    assert offer_terms(odd) == OfferTerms()


def test_offers_link_to_the_stacks_claim_page_unless_the_settings_name_another() -> None:
    from goodword.pipeline.process import FALLBACK_CLAIM_LINK_BASE, claim_link

    stack = "https://abc123.execute-api.eu-west-1.amazonaws.com/claim/"
    assert claim_link(Settings(), stack, "CODE") == f"{stack}CODE"
    own = Settings(claim_link_base_url="https://shop.example/claim")
    assert claim_link(own, stack, "CODE") == "https://shop.example/claim/CODE"  # an explicit page still wins
    assert claim_link(Settings(), None, "CODE") == f"{FALLBACK_CLAIM_LINK_BASE}CODE"  # no stack (a backtest)


def test_a_direct_messages_text_is_never_shown_on_the_page() -> None:
    """Whoever opens the link (a forward, a shared screen) must not read the fan's private
    message; a public post's words are quoted as before."""
    page = Harness()
    page.add(1, event_kind="direct_message")
    page.add(2)
    page.posts = {"x:1": "my private note to the brand", "x:2": "my public praise"}
    assert "my private note" not in page.get(code(1)).response.body
    assert "my public praise" in page.get(code(2)).response.body

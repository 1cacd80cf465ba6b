"""One request to the claim page, answered. Depends on ports only: the handler gives it the
claims and state tables, the bus and the fulfilment queue; the tests give it the in-memory
adapters.

``GET /claim/{code}``: throttle -> the offer for the code -> the form, or the page that says
why not (unknown: one 404 for every unknown or malformed code; used; expired; cancelled), or
the confirmation for the browser that made the claim (its receipt cookie).

``POST /claim/{code}``: size (413) -> throttle (429) -> CSRF (403) -> honeypot (a bot gets a
plausible thank-you and nothing is stored) -> the offer -> fill time (too fast: the form again,
with a notice, values kept) -> the form, validated
(errors beside their fields, 422) -> repeat claimers (another identity claimed with this email
or address before: the claim is stored held for review, naming the earlier claims in
``similar_to``, or stored refused, per ``eligibility.repeat_claimers``; the identities are
never linked from what the form says: anyone can type anyone's email or address, so a person
links them with ``goodword people link`` after review) -> the claim stored (one per offer,
whatever the race) -> its move published on the bus (ids only) -> its id sent to the fulfilment queue
-> 303 to the GET, which shows the confirmation.

Nothing personal leaves this module but into the claim store: ``Outcome`` (what the handler
logs and counts) carries ids and a label only."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from goodword.claims import hashing
from goodword.claims.expiry import DEFAULT_CLAIM_WITHIN_DAYS, claim_window_closed, is_unclaimed
from goodword.claims.page import csrf, form
from goodword.claims.page.countries import countries
from goodword.claims.page.http import PageRequest, PageResponse
from goodword.claims.page.render import Brand, page
from goodword.claims.records import Claimant, ClaimRecord, FulfilmentKind
from goodword.claims.states import ClaimState, transition_detail
from goodword.events import EventKind
from goodword.ports import ClaimStore, EventBus, PeopleStore
from goodword.rules.model import Settings
from goodword.work import WorkRecord, WorkState

# Claim codes: 16 (96 bits, before) or 22 (128 bits) URL-safe characters.
_CODE = re.compile(r"[A-Za-z0-9_-]{16}|[A-Za-z0-9_-]{22}")
# Looked up in place of a malformed code, so that it costs what an unknown one does.
_NO_SUCH_CODE = "0" * 22
CODE_REWARDS = frozenset({FulfilmentKind.CODE_POOL, FulfilmentKind.SHOPIFY})


@dataclass(frozen=True)
class OfferTerms:
    """What the offer's rule says about claiming it."""

    claim_within_days: int = DEFAULT_CLAIM_WITHIN_DAYS
    fulfilment: FulfilmentKind = FulfilmentKind.NOTIFY

    @property
    def code_reward(self) -> bool:
        return self.fulfilment in CODE_REWARDS


def offer_terms(offer: WorkRecord) -> OfferTerms:
    """The terms the offer carries from its rule (``claim_within_days``, ``fulfilment``, as the
    rule said when the offer was made); an offer made before offers carried them: the defaults."""
    days = getattr(offer, "claim_within_days", None)
    fulfilment = getattr(offer, "fulfilment", None)
    kind = fulfilment.get("kind", FulfilmentKind.NOTIFY.value) if isinstance(fulfilment, dict) else None
    return OfferTerms(
        claim_within_days=int(days) if isinstance(days, int) and days > 0 else DEFAULT_CLAIM_WITHIN_DAYS,
        fulfilment=FulfilmentKind(kind) if kind in set(FulfilmentKind) else FulfilmentKind.NOTIFY,
    )


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 16_384
    lookups_per_minute: int = 30
    min_fill_seconds: float = 3.0  # a person reads and types for longer than this
    max_form_age_seconds: int = 4 * 3600  # a form served longer ago is sent again, values kept
    refresh_seconds: int = 5  # the confirmation checks again while a code is being made


@dataclass
class Services:
    claims: ClaimStore  # the offers by code, the claims, the lookup counters
    people: PeopleStore  # the fans' profiles (the page never links identities: see _claim)
    settings: Callable[[], Settings]  # the brand's, as RulesTable has them (cached)
    post_text: Callable[[str], str | None]  # an event id -> the post's text, or None
    bus: EventBus
    fulfil: Callable[[str], None]  # sends a claim id to the fulfilment queue
    hash_key: bytes  # ClaimHashKey: repeat claimers' and clients' hashes; the form tokens' keys derive from it
    clock: Callable[[], datetime]
    limits: Limits = field(default_factory=Limits)
    terms: Callable[[WorkRecord], OfferTerms] = offer_terms
    keys: csrf.Keys = field(init=False)

    def __post_init__(self) -> None:
        self.keys = csrf.Keys.derive(self.hash_key)

    def hashes(self, claimant: Claimant) -> tuple[str, str | None]:
        return hashing.email_hash(self.hash_key, claimant.email), hashing.address_hash(self.hash_key, claimant)


class Result(StrEnum):
    """What happened, as the handler logs and counts it (one label per answer)."""

    FORM = "form"
    INVALID = "invalid"  # the form came back with errors
    CLAIMED = "claimed"
    HELD = "held_repeat_claimer"
    REFUSED = "refused_repeat_claimer"
    ALREADY_CLAIMED = "already_claimed"  # lost the race, or the code was used
    CONFIRMATION = "confirmation"
    USED = "used"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"
    BOT = "bot"
    CSRF = "csrf"
    STALE_FORM = "stale_form"
    TOO_FAST = "too_fast"  # sent faster than the minimum fill time: the form again, nothing stored
    TOO_LARGE = "too_large"
    THROTTLED = "throttled"
    BAD_REQUEST = "bad_request"
    METHOD = "method_not_allowed"


@dataclass(frozen=True)
class Outcome:
    response: PageResponse
    result: Result
    offer_id: str | None = None
    rule_id: str | None = None


class Standing(StrEnum):
    UNKNOWN = "unknown"
    OPEN = "open"
    CLAIMED = "claimed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


def well_formed(code: str) -> bool:
    return bool(_CODE.fullmatch(code))


def standing(offer: WorkRecord | None, terms: OfferTerms, now: datetime) -> Standing:
    """Where an offer's claim stands for the page. An offer never sent is unknown: nobody was
    given its link."""
    if offer is None or not offer.is_offer:
        return Standing.UNKNOWN
    if offer.state is not WorkState.SENT:
        return _UNSENT.get(offer.state, Standing.UNKNOWN)
    if is_unclaimed(offer):  # past its window: expired now, before the hourly schedule records it
        return Standing.EXPIRED if claim_window_closed(offer, terms.claim_within_days, now) else Standing.OPEN
    return Standing.EXPIRED if offer.claim_state == ClaimState.EXPIRED.value else Standing.CLAIMED


_UNSENT = {WorkState.REJECTED: Standing.CANCELLED, WorkState.FAILED: Standing.CANCELLED, WorkState.EXPIRED: Standing.EXPIRED}


class ClaimPage:
    def __init__(self, services: Services) -> None:
        self.s = services

    def handle(self, request: PageRequest) -> Outcome:
        brand = Brand.of(self.s.settings())
        method = "GET" if request.method == "HEAD" else request.method
        if method not in ("GET", "POST"):
            return self._message(brand, 405, Result.METHOD, "This page cannot do that", [], headers={"allow": "GET, POST"})
        now = self.s.clock()
        if method == "POST" and self._too_large(request):
            return self._message(
                brand, 413, Result.TOO_LARGE, "That was too much to send", ["Please shorten what you typed and try again."]
            )
        if (wait := self._throttled(request, now)) is not None:
            return self._message(
                brand,
                429,
                Result.THROTTLED,
                "Too many tries",
                ["Please wait a minute, then open your link again."],
                headers={"retry-after": str(wait)},
            )
        if method == "POST":
            return self._post(request, brand, now)
        offer, terms = self._offer(request.code)
        return self._show(request, brand, offer, terms, now)

    # --- GET ------------------------------------------------------------------------------

    def _show(
        self,
        request: PageRequest,
        brand: Brand,
        offer: WorkRecord | None,
        terms: OfferTerms,
        now: datetime,
        *,
        cookies: list[str] | None = None,
    ) -> Outcome:
        where = standing(offer, terms, now)
        if offer is None or where is Standing.UNKNOWN:
            return self._unknown(brand)
        if where is Standing.OPEN:
            return self._form(request.code, brand, offer, terms, now, form.FormResult(None, {}, {}), 200, Result.FORM)
        if where is Standing.EXPIRED:
            lines = [
                "The time to claim this gift has passed, so it can no longer be claimed.",
                "Thank you for your kind words all the same.",
            ]
            return self._message(brand, 410, Result.EXPIRED, "This gift has expired", lines, offer.id, offer.rule_id)
        if where is Standing.CANCELLED:
            lines = ["This gift is no longer available, so it can no longer be claimed."]
            return self._message(brand, 410, Result.CANCELLED, "This gift was withdrawn", lines, offer.id, offer.rule_id)
        presented = request.cookies.get(csrf.receipt_cookie_name(self.s.keys, request.code))
        if presented:
            claim = self.s.claims.get(offer.id, personal=False)
            if claim is not None and csrf.has_receipt(self.s.keys, claim.receipt_hash, presented):
                return self._confirmation(brand, offer, claim, cookies)
        lines = [
            "This gift has already been claimed with this link.",
            "If that was you, your details are with us: there is nothing else to do.",
        ]
        return self._message(brand, 200, Result.USED, "Already claimed", lines, offer.id, offer.rule_id)

    def _confirmation(self, brand: Brand, offer: WorkRecord, claim: ClaimRecord, cookies: list[str] | None) -> Outcome:
        product = offer.product
        refresh = None
        # a held claim reads as a claimed one: the page never says that an email or address was
        # used before (that would tell anyone who types one whether it claimed a gift)
        if claim.state in (ClaimState.FAILED, ClaimState.REFUSED):
            title = "We could not complete this claim"
            lines = [f"Something stopped us sending your gift. {brand.name} will be in touch if it can be sorted out."]
        elif claim.fulfilment in CODE_REWARDS and not claim.reward_code:
            title, lines = "Thank you! Your code is on its way", ["We are preparing your code: it appears here when it is ready."]
            refresh = self.s.limits.refresh_seconds
        elif claim.fulfilment in CODE_REWARDS:
            title, lines = "Thank you! Here is your code", ["Keep this page, or copy the code now."]
        else:
            title = "Thank you! Your gift is on its way"
            lines = [f"We have your details, and {brand.name} will send your gift soon."]
        response = page(
            "confirmation.html",
            200,
            brand,
            cookies=cookies,
            title=title,
            lines=lines,
            reward_code=claim.reward_code if claim.fulfilment in CODE_REWARDS else None,
            refresh_seconds=refresh,
            product=product,
        )
        return Outcome(response, Result.CONFIRMATION, offer.id, offer.rule_id)

    # --- POST -----------------------------------------------------------------------------

    def _post(self, request: PageRequest, brand: Brand, now: datetime) -> Outcome:  # noqa: PLR0911 (one answer per step)
        fields = request.form()
        if fields is None or not request.headers.get("content-type", "").lower().startswith("application/x-www-form-urlencoded"):
            return self._message(brand, 400, Result.BAD_REQUEST, "That did not work", ["Please open your link again."])
        token = csrf.check_form_token(self.s.keys, request.code, fields.get("csrf"), now)
        if not token.valid or _cross_site(request):
            lines = ["This form could not be accepted. Please open your link again and fill it in there."]
            return self._message(brand, 403, Result.CSRF, "Please open your link again", lines)
        if fields.get("website"):
            # a bot (a person never sees the honeypot field): it is thanked like anyone, and
            # nothing is stored
            lines = ["We have your details. Thank you for your kind words."]
            return self._message(brand, 200, Result.BOT, "Thank you!", lines)
        offer, terms = self._offer(request.code)
        where = standing(offer, terms, now)
        if offer is None or where not in (Standing.OPEN, Standing.CLAIMED):
            return self._show(request, brand, offer, terms, now)
        if token.age_seconds < self.s.limits.min_fill_seconds:
            # faster than a person types: perhaps a password manager's autofill. Nothing is
            # stored, and the fan is told so (a fake thank-you would lose a real fan's claim).
            if where is not Standing.OPEN:
                return self._see_other(request, Result.ALREADY_CLAIMED, offer, cookies=[])
            result = form.FormResult(None, {}, {k: v for k, v in fields.items() if k in form.fields_for(terms.code_reward)})
            notice = "That was very quick! Please check your details, then send the form again."
            return self._form(request.code, brand, offer, terms, now, result, 400, Result.TOO_FAST, notice=notice)
        if token.age_seconds > self.s.limits.max_form_age_seconds:
            if where is not Standing.OPEN:  # a stale form is served again only while the code is open
                return self._see_other(request, Result.ALREADY_CLAIMED, offer, cookies=[])
            result = form.FormResult(None, {}, {k: v for k, v in fields.items() if k in form.fields_for(terms.code_reward)})
            notice = "The form was open for a long time, so we need you to send it once more. What you typed is still here."
            return self._form(request.code, brand, offer, terms, now, result, 400, Result.STALE_FORM, notice=notice)
        checked = form.validate(fields, terms.code_reward)
        if checked.claimant is None:
            if where is Standing.CLAIMED:  # the GET says what: a confirmation or "already claimed"
                return self._see_other(request, Result.ALREADY_CLAIMED, offer, cookies=[])
            return self._form(request.code, brand, offer, terms, now, checked, 422, Result.INVALID)
        if where is Standing.CLAIMED:
            return self._again(request, offer, checked.claimant, now)
        return self._claim(request, brand, offer, terms, checked.claimant, now)

    def _claim(
        self, request: PageRequest, brand: Brand, offer: WorkRecord, terms: OfferTerms, claimant: Claimant, now: datetime
    ) -> Outcome:
        email_hash, address_hash = self.s.hashes(claimant)
        # Never linked from what the form says: anyone can type anyone's email or address.
        # The earlier claims are named on the claim for a person to review.
        similar = self._similar_claims(offer.person, email_hash, address_hash)
        refuse = bool(similar) and self.s.settings().eligibility.repeat_claimers == "refuse"
        state = ClaimState.REFUSED if refuse else ClaimState.HELD if similar else ClaimState.CLAIMED
        stamp = now.isoformat()
        receipt = csrf.new_receipt()
        claim = ClaimRecord(
            id=offer.id,
            offer_key=offer.key,
            rule_id=offer.rule_id,
            rule_version=offer.rule_version,
            person=offer.person,
            platform=offer.platform,
            state=state,
            held_because="repeat_claimer" if similar else None,
            reason="repeat_claimer" if refuse else None,
            similar_to=similar or None,
            created_at=stamp,
            updated_at=stamp,
            fulfilment=terms.fulfilment,
            claimant=claimant,
            email_hash=email_hash,
            address_hash=address_hash,
            consent_at=stamp,
            receipt_hash=csrf.receipt_hash(self.s.keys, receipt),
        )
        if not self.s.claims.create(claim, now):  # another request claimed it first
            return self._again(request, offer, claimant, now)
        result = self._announce(claim, now)
        if result is Result.REFUSED:
            return self._refused(brand, offer)
        return self._see_other(request, result, offer, cookies=[_receipt_cookie(self.s.keys, request, receipt)])

    def _refused(self, brand: Brand, offer: WorkRecord) -> Outcome:
        """No hint why: the answer must not say that an email or address claimed before."""
        lines = ["We are sorry, but this gift cannot be sent.", f"If you have a question, please contact {brand.name}."]
        return self._message(brand, 200, Result.REFUSED, "This gift cannot be sent", lines, offer.id, offer.rule_id)

    def _again(self, request: PageRequest, offer: WorkRecord, claimant: Claimant, now: datetime) -> Outcome:
        """The offer was claimed already. By the same fan (the same email: a retry after an
        error, a second tab): finish what was begun (its bus event and queue message). Either
        way nothing is stored, no receipt is given (an email is no proof: anyone can type it),
        and the answer is the same 303, so it says nothing of the email."""
        email_hash, _ = self.s.hashes(claimant)
        existing = self.s.claims.get(offer.id, personal=False)
        if existing is None or existing.email_hash != email_hash or existing.state is ClaimState.REFUSED:
            return self._see_other(request, Result.ALREADY_CLAIMED, offer, cookies=[])
        result = self._announce(existing, now)
        return self._see_other(request, result, offer, cookies=[])

    def _announce(self, claim: ClaimRecord, now: datetime) -> Result:
        """Publish the claim's moves (ids only) and start its fulfilment; a held claim waits
        for a person. Safe to repeat: a move's bus event has the same id every time, and
        fulfilment is keyed on the claim id."""
        self.s.bus.publish(transition_detail(claim.id, claim.rule_id, ClaimState.CLAIMED, now, claim.id))
        if claim.state is ClaimState.REFUSED:
            self.s.bus.publish(transition_detail(claim.id, claim.rule_id, ClaimState.REFUSED, now, claim.id))
            return Result.REFUSED
        if claim.state is ClaimState.HELD:
            self.s.bus.publish(transition_detail(claim.id, claim.rule_id, ClaimState.HELD, now, claim.id))
            return Result.HELD
        if claim.state is ClaimState.CLAIMED:
            self.s.fulfil(claim.id)
        return Result.CLAIMED

    def _similar_claims(self, person: str, email_hash: str | None, address_hash: str | None) -> list[str]:
        """The ids of earlier claims, by identities other than this one, with this email or
        address, whether or not a person linked those identities (a refused claim was never
        granted: it makes nobody a repeat claimer)."""
        if email_hash is None and address_hash is None:
            return []
        earlier = self.s.claims.earlier_claims(email_hash, address_hash)
        return [c.id for c in earlier if c.person != person and c.state is not ClaimState.REFUSED]

    # --- shared ---------------------------------------------------------------------------

    def _offer(self, code: str) -> tuple[WorkRecord | None, OfferTerms]:
        """The offer for the code; a malformed code is looked up as a code that cannot exist,
        so its answer is the unknown one's in content and in cost."""
        offer = self.s.claims.offer_for_code(code if well_formed(code) else _NO_SUCH_CODE)
        if offer is None or not well_formed(code):
            return None, OfferTerms()
        return offer, self.s.terms(offer)

    def _too_large(self, request: PageRequest) -> bool:
        limit = self.s.limits.max_body_bytes
        declared = request.headers.get("content-length", "")
        return (declared.isdigit() and int(declared) > limit) or len(request.body or b"") > limit

    def _throttled(self, request: PageRequest, now: datetime) -> int | None:
        """Seconds to wait when this client looked up too many codes this minute."""
        count = self.s.claims.count_lookup(hashing.client_hash(self.s.hash_key, request.client), now)
        if count <= self.s.limits.lookups_per_minute:
            return None
        return 60 - now.second

    def _form(
        self,
        code: str,
        brand: Brand,
        offer: WorkRecord,
        terms: OfferTerms,
        now: datetime,
        result: form.FormResult,
        status: int,
        outcome: Result,
        notice: str | None = None,
    ) -> Outcome:
        # a direct message is private: the link may be opened by someone else (a forward, a
        # shared screen), so only a public post is quoted
        public = offer.event_kind != EventKind.DIRECT_MESSAGE.value
        post = self.s.post_text(offer.event_id) if offer.event_id and public else None
        response = page(
            "form.html",
            status,
            brand,
            product=offer.product or "gift",
            handle=f"@{offer.author_handle}" if offer.author_handle else None,
            platform=_PLATFORM_NAMES.get(offer.platform, offer.platform),
            post=post,
            code_reward=terms.code_reward,
            token=csrf.form_token(self.s.keys, code, now),
            errors=result.errors,
            values=result.values,
            labels=form.LABELS,
            max_length=form.MAX_LENGTH,
            optional=form.OPTIONAL,
            countries=countries(),
            notice=notice,
        )
        return Outcome(response, outcome, offer.id, offer.rule_id)

    def _unknown(self, brand: Brand) -> Outcome:
        lines = [
            "We could not find a gift for this link. Please check that you opened the whole link from our message.",
        ]
        return self._message(brand, 404, Result.UNKNOWN, "We could not find this gift", lines)

    def _message(
        self,
        brand: Brand,
        status: int,
        result: Result,
        title: str,
        lines: list[str],
        offer_id: str | None = None,
        rule_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Outcome:
        return Outcome(page("message.html", status, brand, headers=headers, title=title, lines=lines), result, offer_id, rule_id)

    def _see_other(self, request: PageRequest, result: Result, offer: WorkRecord | None, cookies: list[str]) -> Outcome:
        """303 to the GET of the same link (a relative reference: the code itself)."""
        brand = Brand.of(self.s.settings())
        response = page(
            "message.html",
            303,
            brand,
            headers={"location": request.code},
            cookies=cookies,
            title="Thank you",
            lines=["Your claim is being saved."],
        )
        return Outcome(response, result, offer.id if offer else None, offer.rule_id if offer else None)


def unavailable() -> PageResponse:
    """When the page cannot answer (storage, a secret, the bus or the queue failed): the
    default look, no settings needed, and nothing the fan sent is lost by sending again."""
    lines = ["Something went wrong on our side. Please wait a moment, then send the form again or open your link again."]
    return page("message.html", 503, Brand.of(Settings()), headers={"retry-after": "30"}, title="Please try again", lines=lines)


_PLATFORM_NAMES = {
    "x": "X",
    "instagram": "Instagram",
    "facebook": "Facebook",
    "linkedin": "LinkedIn",
    "twitch": "Twitch",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
}


def _cross_site(request: PageRequest) -> bool:
    """A browser says the form was posted from another site (Fetch metadata, or an Origin
    that is not this host): refused like a missing token. ``Origin: null`` says nothing: a
    browser sends it for the page's own form too, under ``Referrer-Policy: no-referrer``."""
    if request.headers.get("sec-fetch-site", "") == "cross-site":
        return True
    origin = request.headers.get("origin", "null")
    host = request.headers.get("host", "")
    return origin != "null" and origin.split("://", 1)[-1].rstrip("/") != host


def _receipt_cookie(keys: csrf.Keys, request: PageRequest, receipt: str) -> str:
    secure = "; Secure" if request.secure else ""
    name = csrf.receipt_cookie_name(keys, request.code)
    return f"{name}={receipt}; Path=/claim/; Max-Age={90 * 86400}; HttpOnly; SameSite=Lax{secure}"

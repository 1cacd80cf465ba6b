"""The people who mention the brand: one person as Goodword knows them (profile, posts,
offers and claims on every linked identity), finding someone by handle or words, linking
identities as one person, undoing an opt-out, and erasing a person on request. The command
(`goodword people ...`) and the console's people page both call these."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from goodword.linking import LinkError
from goodword.linking import link as link_people
from goodword.people import Profile, identity_key, identity_parts
from goodword.person_work import work_for
from goodword.sentiment.model import Sentiment
from goodword.services import erase as erasure
from goodword.services.errors import Conflict, Invalid, NotFound, Problem
from goodword.services.stores import Stores
from goodword.work import WorkKind, WorkRecord

_BY_HANDLE = re.compile(r"^(?P<platform>[a-z]+):(?:(?P<account>[^:@\s]+):)?@(?P<handle>[^:@\s]+)$")
SHAPES = "PERSON#<platform>#<brand account>#<author id>, platform:account:author, or platform:@handle"
SEARCH_DAYS = 30  # how far back a search by words reads the events
SEARCH_LIMIT = 50


def resolve(stores: Stores, value: str, path: str = "person") -> str:
    """A person's key from what a marketer gives: the key as the offers and decisions print
    it (PERSON#x#<brand>#<author>), x:<brand account>:<author id>, or by handle: x:@handle
    (x:<brand account>:@handle when the handle is known on several brand accounts)."""
    if identity_parts(value):
        return value
    if by_handle := _BY_HANDLE.match(value.strip()):
        platform, account, handle = by_handle["platform"], by_handle["account"], by_handle["handle"]
        found = stores.state.identities_with_handle(platform, handle, account)
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFound(f"Goodword has seen nobody with the handle @{handle} on {platform}")
        accounts = ", ".join(sorted({known[1] for f in found if (known := identity_parts(f))}))
        message = f"@{handle} on {platform} is known on several brand accounts ({accounts}): give {platform}:<account>:@{handle}"
        raise Invalid([Problem(path, message)], message)
    parts = value.split(":")
    if len(parts) == 3 and all(parts) and identity_parts(key := identity_key(*parts)):
        return key
    message = f"{value!r} is not a person: give {SHAPES}"
    raise Invalid([Problem(path, message)], message)


def facts(profile: Profile) -> dict[str, Any]:
    return {
        "person": profile.key,
        "first_seen": profile.first_seen,
        "last_seen": profile.last_seen,
        "mentions": profile.mention_count,
        "positive_mentions": profile.positive_mention_count,
        "offers_received": profile.offers_received,
        "claims_made": profile.claims_made,
        "last_contact_at": profile.last_contact_at,
        "followers": profile.followers_count,
        "tags": sorted(profile.tags),
        "opted_out": profile.opted_out,
        "opted_out_at": profile.opted_out_at,
        "opted_out_by": profile.opted_out_by,
        "person_id": profile.person_id,
    }


@dataclass(frozen=True)
class PersonView:
    """One person: their profile, every linked identity, their posts (oldest first, each with
    the judgement the rules saw) and the offers and actions made for them."""

    profile: Profile
    identities: list[str]
    posts: list[tuple[dict[str, Any], Sentiment | None]]
    work: list[WorkRecord]

    def facts(self) -> dict[str, Any]:
        return {**facts(self.profile), "identities": self.identities}

    def timeline(self) -> list[dict[str, Any]]:
        """Posts, offers (and actions) and claims in one list, oldest first."""
        entries: list[dict[str, Any]] = []
        for post, sentiment in self.posts:
            entries.append(
                {
                    "at": str(post.get("received_at")),
                    "platform": post.get("platform"),
                    "kind": post.get("kind"),
                    "text": post.get("text"),
                    "praise": sentiment.praise if sentiment else None,
                    "band": sentiment.band.value if sentiment else None,
                    "event_id": post.get("event_id"),
                }
            )
        for record in self.work:
            entries.append(
                {
                    "at": record.created_at,
                    "platform": record.platform,
                    "kind": "offer" if record.kind is WorkKind.OFFER_SAMPLE else record.kind.value,
                    "id": record.id,
                    "state": record.state_label,
                    "rule_id": record.rule_id,
                    "product": record.product,
                    "message": record.message,
                    "event_id": record.event_id,
                }
            )
            if record.claimed_at:
                entries.append(
                    {
                        "at": record.claimed_at,
                        "platform": record.platform,
                        "kind": "claim",
                        "id": record.id,
                        "state": record.claim_state,
                        "product": record.product,
                        "event_id": record.event_id,
                    }
                )
        return sorted(entries, key=lambda e: e["at"])

    def handles(self) -> dict[str, str]:
        """Each identity's handle as its newest post gives it (a handle can change; the key
        does not). An identity with no post left has none."""
        found: dict[str, str] = {}
        for post, _ in self.posts:  # oldest first: the newest wins
            author = post.get("author") or {}
            if author.get("id") and author.get("handle"):
                key = identity_key(str(post.get("platform")), str(post.get("brand_account")), str(author["id"]))
                found[key] = str(author["handle"]).lstrip("@")
        return {identity: found[identity] for identity in self.identities if identity in found}

    def name(self) -> str | None:
        """The display name the person's newest post gives, if any."""
        names = [str(name) for post, _ in self.posts if (name := (post.get("author") or {}).get("name"))]
        return names[-1] if names else None

    def as_json(self) -> dict[str, Any]:
        """The console's person (docs/console-api.md): the facts with the handle and name the
        person goes by (what the page shows and asks a marketer to type before an erasure)."""
        handles = self.handles()
        person = {"handle": handles.get(self.profile.key), "name": self.name(), **facts(self.profile)}
        return {"person": person, "identities": self.identities, "handles": handles, "timeline": self.timeline()}


def show(stores: Stores, person: str) -> PersonView:
    """One person on every linked identity; NotFound when Goodword has not seen them."""
    profile = stores.state.profile(resolve(stores, person))
    if profile is None:
        raise NotFound(f"no person {person} (the offers and `events show` name them)")
    identities = stores.state.identities(profile.person_id) if profile.person_id else [profile.key]
    events = stores.events
    event_ids = [
        event_id
        for identity in identities
        if (parts := identity_parts(identity)) is not None
        for event_id in events.authored_by(*parts)
    ]
    posts = sorted(events.events(event_ids).values(), key=lambda i: str(i["received_at"]))
    decided = events.decisions_for(event_ids)
    judged = [(post, record.sentiment if (record := decided.get(post["event_id"])) else None) for post in posts]
    return PersonView(profile, identities, judged, work_for(stores.state, identities, decided))


@dataclass(frozen=True)
class Match:
    """A person a search found."""

    person: str
    platform: str
    handle: str | None
    name: str | None
    mention_count: int
    last_seen: str | None

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def search(stores: Stores, q: str, now: datetime | None = None) -> list[Match]:
    """People by handle (any part of it, on any platform), by a person's key, or by words
    they wrote in the last SEARCH_DAYS days; most recently seen first, at most SEARCH_LIMIT."""
    q = q.strip()
    if not q:
        raise Invalid([Problem("q", "give a handle, a person or words to search for")])
    found: dict[str, tuple[str | None, str | None]] = {}  # person -> (handle, name)
    with contextlib.suppress(Invalid, NotFound):
        found[resolve(stores, q, "q")] = (None, None)
    for person, handle in stores.state.handles_like(q).items():
        found.setdefault(person, (handle, None))
    words = q.lower().lstrip("@")
    since = (now or datetime.now(UTC)) - timedelta(days=SEARCH_DAYS)
    for item in stores.events.since(since):
        author = item.get("author") or {}
        text = " ".join(str(v) for v in (item.get("text"), author.get("handle"), author.get("name")) if v)
        if not author.get("id") or words not in text.lower():
            continue
        person = identity_key(str(item.get("platform")), str(item.get("brand_account")), str(author["id"]))
        known = found.get(person, (None, None))
        found[person] = (known[0] or author.get("handle"), known[1] or author.get("name"))
        if len(found) >= SEARCH_LIMIT * 2:
            break
    profiles = stores.state.profiles(found)
    matches = [
        Match(
            person=person,
            platform=parts[0],
            handle=handle,
            name=name,
            mention_count=profile.mention_count if (profile := profiles.get(person)) else 0,
            last_seen=profile.last_seen if profile else None,
        )
        for person, (handle, name) in found.items()
        if (parts := identity_parts(person)) is not None and person in profiles
    ]
    return sorted(matches, key=lambda m: m.last_seen or "", reverse=True)[:SEARCH_LIMIT]


@dataclass(frozen=True)
class Linked:
    person_id: str
    unseen: list[str]  # the identities (as given) not seen yet: linked ahead of their first post


def link(stores: Stores, first: str, second: str, who: str) -> Linked:
    """Link two identities as one person (the same fan on X and on Instagram): a giveaway's
    once-per-person limit then counts the person, and an opt-out holds for both. An identity
    Goodword has not seen yet (platform:account:author_id) is linked ahead, if its account is
    one of the brand's. ``who`` is the marketer who links them."""
    state = stores.state
    given = {"person": first, "other": second}
    identities = {path: resolve(stores, value, path) for path, value in given.items()}
    unseen = [path for path, identity in identities.items() if state.profile(identity) is None]
    brand = {(a.values["platform"], a.values["account_id"]) for a in stores.settings.accounts()}
    for path in unseen:
        parts = identity_parts(identities[path])
        if parts is not None and (parts[0], parts[1]) not in brand:
            message = (
                f"{given[path]} is not seen yet and {parts[1]} is not a brand account on {parts[0]} "
                "(see `goodword accounts list`): nothing linked"
            )
            raise Invalid([Problem(path, message)], message)
    try:
        person_id = link_people(state, identities["person"], identities["other"], datetime.now(UTC))
    except LinkError as exc:
        raise Invalid([Problem("other", str(exc))], str(exc)) from None
    return Linked(person_id, [given[path] for path in unseen])


def unlink(stores: Stores, identity: str, who: str) -> None:
    """Make an identity stand alone again (the person's limits used so far stay used)."""
    if not stores.state.unlink(resolve(stores, identity)):
        raise Conflict(f"{identity} is not linked to anyone")


def opt_in(stores: Stores, person: str, who: str) -> list[str]:
    """Undo an opt-out on every identity of the person, when they ask to hear from the brand
    again; the identities. Conflict when they had not opted out."""
    key = resolve(stores, person)
    state = stores.state
    profile = state.profile(key)
    if profile is None:
        raise NotFound(f"no person {person}")
    others = [i for i in state.identities(profile.person_id) if i != key] if profile.person_id else []
    identities = [key, *others]
    undone = [state.opt_in(identity) for identity in identities]  # every identity of the person
    for identity in identities:  # and a STOP remembered from before an erasure
        state.unsuppress(identity)
    if not any(undone):
        raise Conflict(f"{person} had not opted out")
    return identities


def erase_preview(stores: Stores, person: str) -> list[str]:
    """What erasing the person would remove, in words; nothing changes."""
    return erasure.preview(stores, resolve(stores, person))


def erase(stores: Stores, person: str, who: str, confirm: str | None = None) -> erasure.Erased:
    """Erase the person's personal data on every linked identity (see goodword.services.erase).
    ``confirm`` must repeat ``person``: nothing is undone. Running it again is safe."""
    if confirm != person:
        raise Invalid([Problem("confirm", f"type {person} again to confirm: an erasure cannot be undone")])
    return erasure.erase(stores, resolve(stores, person), who)

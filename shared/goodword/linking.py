"""One person across platforms: linking identities (a marketer's `goodword people link`),
and what follows from a link: a person's opt-out holds for every identity, and giveaway
limits count the person, not the account."""

from __future__ import annotations

import secrets
from datetime import datetime

from goodword.people import Profile
from goodword.ports import PeopleStore


class LinkError(ValueError):
    pass


def new_person_id() -> str:
    return f"HUMAN#{secrets.token_hex(8)}"


def link(state: PeopleStore, first: str, second: str, now: datetime) -> str:
    """Link two identities as one person, merging the people they already belong to; the
    person's id. An identity not seen yet is linked ahead of its first event (a fan's
    accounts linked in advance): its profile starts with the link."""
    if first == second:
        raise LinkError(f"{first} is one identity: link two different ones")
    profiles = [state.profile(identity) for identity in (first, second)]
    known = [p for p in profiles if p is not None]
    person_id = next((p.person_id for p in known if p.person_id), None) or new_person_id()
    members = {first, second}
    for profile in known:
        if profile.person_id:
            members.update(state.identities(profile.person_id))
    for identity in sorted(members):
        state.link(identity, person_id)
    opted_out = [p for p in (state.profile(i) for i in members) if p is not None and p.opted_out]
    if opted_out:
        spread(state, opted_out[0], now)
    return person_id


def spread(state: PeopleStore, profile: Profile, now: datetime) -> None:
    """A linked person's opt-out holds for every identity they have."""
    if profile.person_id and profile.opted_out:
        for identity in state.identities(profile.person_id):
            state.opt_out(identity, now, profile.opted_out_by or "opted out on another identity")

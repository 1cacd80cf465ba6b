"""/api routes of the console's people page, over goodword.services.people: finding a person,
their timeline, linking identities, undoing an opt-out and erasing them on request."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, Field

from console_api.auth import caller, editor
from goodword.services import people
from goodword.services.stores import Stores

router = Router()  # type: ignore[no-untyped-call]

Person = Annotated[
    str, Field(min_length=1, max_length=300, description="a person key, platform:account:author or platform:@handle")
]


def _stores() -> Stores:
    from console_api.handler import stores  # noqa: PLC0415 (the handler includes this router: imported late, no cycle)

    return stores()


class PersonBody(BaseModel):
    person: Person


class LinkBody(BaseModel):
    person: Person
    other: Person


class EraseBody(BaseModel):
    person: Person
    confirm: str | None = Field(default=None, max_length=300, description="the person again: an erasure cannot be undone")


@router.get("/api/people")
def search(q: Annotated[str, Query(min_length=1, max_length=200, description="a handle, a person or words")]) -> dict[str, Any]:
    """People by handle, key or words they wrote (the last 30 days), most recently seen first."""
    caller(router.current_event.raw_event)
    return {"people": [m.as_json() for m in people.search(_stores(), q)]}


@router.get("/api/person")
def person(person_id: Annotated[str, Query(alias="id", min_length=1, max_length=300)]) -> dict[str, Any]:
    """One person: profile facts, every linked identity, and posts, offers and claims in time order."""
    caller(router.current_event.raw_event)
    return people.show(_stores(), person_id).as_json()


@router.post("/api/person/opt-in")
def opt_in(body: PersonBody) -> dict[str, Any]:
    """Undo an opt-out on every identity of the person (409 when they had not opted out)."""
    who = editor(router.current_event.raw_event)
    return {"person": body.person, "opted_in": people.opt_in(_stores(), body.person, who.name)}


@router.post("/api/person/link")
def link(body: LinkBody) -> dict[str, Any]:
    """Link two identities as one person."""
    who = editor(router.current_event.raw_event)
    linked = people.link(_stores(), body.person, body.other, who.name)
    return {"person_id": linked.person_id, "unseen": linked.unseen}


@router.post("/api/person/unlink")
def unlink(body: PersonBody) -> dict[str, Any]:
    """Make an identity stand alone again (409 when it is linked to no one)."""
    who = editor(router.current_event.raw_event)
    people.unlink(_stores(), body.person, who.name)
    return {"person": body.person, "linked": False}


@router.get("/api/person/erase-preview")
def erase_preview(person_id: Annotated[str, Query(alias="id", min_length=1, max_length=300)]) -> dict[str, Any]:
    """What erasing the person would remove; nothing changes."""
    caller(router.current_event.raw_event)
    return {"will_remove": people.erase_preview(_stores(), person_id)}


@router.post("/api/person/erase")
def erase(body: EraseBody) -> dict[str, Any]:
    """Erase the person's personal data on every linked identity (``confirm`` repeats ``person``)."""
    who = editor(router.current_event.raw_event)
    return {"removed": people.erase(_stores(), body.person, who.name, body.confirm).as_json()}

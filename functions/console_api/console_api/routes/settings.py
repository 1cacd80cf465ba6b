"""/api routes of the console's settings page, over goodword.services.settings."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, Field

from console_api.auth import caller, editor
from console_api.routes.stores import stores
from goodword.services import settings

router = Router()  # type: ignore[no-untyped-call]


class SettingsText(BaseModel):
    yaml: str = Field(description="the settings as YAML")


class SaveSettings(BaseModel):
    yaml: str = Field(description="the settings as YAML")
    expected_version: int | None = Field(description="the version read before editing (null or 0: none stored yet)")


@router.get("/api/settings")
def show() -> dict[str, Any]:
    """The stored settings (as YAML), the settings they make (defaults filled in), version."""
    caller(router.current_event.raw_event)
    return settings.show(stores()).as_json()


@router.post("/api/settings/validate")
def validate(body: SettingsText) -> dict[str, Any]:
    caller(router.current_event.raw_event)
    return settings.validate(body.yaml).as_json()


@router.put("/api/settings")
def save(body: SaveSettings) -> dict[str, Any]:
    """Save as the next version; 409 when they changed since expected_version, 422 with problems."""
    who = editor(router.current_event.raw_event).name
    return settings.save(stores(), body.yaml, body.expected_version, who).as_json()


@router.get("/api/settings/history")
def history() -> dict[str, Any]:
    """Every version, newest first."""
    caller(router.current_event.raw_event)
    return {"versions": [v.as_json() for v in reversed(settings.history(stores()))]}

"""/api routes of the console's settings page, over goodword.services.settings."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

router = Router()  # type: ignore[no-untyped-call]

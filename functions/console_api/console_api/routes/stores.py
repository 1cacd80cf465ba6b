"""The stores every route reaches: the handler's (built once per container from the
function's environment), looked up when a route runs so the routers import no handler."""

from __future__ import annotations

from goodword.services.stores import Stores


def stores() -> Stores:
    from console_api import handler  # noqa: PLC0415 (the handler imports the routers)

    return handler.stores()

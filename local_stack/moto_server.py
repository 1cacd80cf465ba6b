"""The local AWS: moto's server, answering one request at a time.

DynamoDB applies each request atomically; moto's backends do not under threads (a transaction
copies and restores whole tables while another thread writes), so under concurrent load an
unserialized moto loses writes. One lock around each request gives the local AWS DynamoDB's
per-request atomicity, and no more: code that reads and then writes still races between its two
requests, as it would in AWS. Connections are still accepted concurrently (with a listen backlog
a real endpoint would tolerate), so no client is refused while another request is served.

moto's DynamoDB is installed with ``dev_support.moto_dynamodb``'s fixes (the soak runs the same):
without them every transaction keeps a copy of each table it touches, forever.

    python -m local_stack.moto_server HOST PORT
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from dev_support import moto_dynamodb

BACKLOG = 512


def serialized(app: Callable[..., Iterable[bytes]]) -> Callable[..., list[bytes]]:
    lock = threading.Lock()

    def one_at_a_time(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with lock:
            return list(app(environ, start_response))  # the whole answer, inside the lock

    return one_at_a_time


def server(host: str, port: int) -> BaseWSGIServer:
    moto_dynamodb.install()
    app = serialized(DomainDispatcherApplication(create_backend_app))
    created = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    created.socket.listen(BACKLOG)
    return created


def main(argv: list[str]) -> None:
    # Ctrl-C in a terminal signals the whole process group: the local stack stops this server
    # itself, last (SIGTERM), so that nothing still polling it meets a dead endpoint.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    host, port = argv[0], int(argv[1])
    server(host, port).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])

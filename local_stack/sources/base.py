"""What every emulated event source shares: a polling thread and an idle signal."""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable

from local_stack.functions import FunctionPool


class Poller(ABC):
    interval = 0.2

    def __init__(self, name: str, pool: FunctionPool, log: Callable[[str], None]) -> None:
        self.name = name
        self.pool = pool
        self.log = log
        self.busy = False
        # When the last poll that found nothing started: work written before that moment
        # has been seen. "Idle" compares it with the last activity anywhere in the stack.
        self.quiet_since = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:  # a stack that failed to start stops pollers never started
            self._thread.join(timeout=30)

    max_backoff = 5.0

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.busy = True
                found = self.poll()
            except Exception as exc:  # keep polling, slower and slower: the next round may succeed
                if self._stop.is_set():
                    return  # stopping: what the last round met does not matter
                failures += 1
                if failures == 1:  # one line per outage, not one per round
                    self.log(f"{self.name}: poll failed: {type(exc).__name__}: {exc}; retrying with backoff")
                self._stop.wait(min(self.max_backoff, self.interval * 2**failures))
                continue
            finally:
                self.busy = False
            if failures:
                self.log(f"{self.name}: polling again after {failures} failed rounds")
                failures = 0
            if not found:
                self.quiet_since = started
                self._stop.wait(self.interval)

    @abstractmethod
    def poll(self) -> bool:
        """One round; True if it found (and handled) anything."""

    def idle(self, last_activity: float) -> bool:
        return not self.busy and self.quiet_since > last_activity

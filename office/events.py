"""Server-sent events for the waiting-room displays: one broadcaster per server process.

A counter action (running in a worker thread) calls :meth:`Broadcaster.publish` with the
display state as text; every open ``/display/events`` stream (an asyncio task) gets it
through its own small queue on its event loop. A slow display never holds up the others:
its queue keeps only the newest :data:`QUEUE_SIZE` messages (each one is the whole state,
so an older one is never needed).

Several server processes (``kiosk-office serve --workers N``) share one database but not
this memory: the process that took a call publishes it at once, and while a process has
display streams open it also looks at the database's change marker every
:data:`WATCH_EVERY_S` s (the ``watch`` function, :func:`office.feed.catch_up`), so calls
taken by the other processes reach its displays too. Calls this process announced itself
are remembered (:meth:`Broadcaster.announced`; no look runs while one is being taken,
:meth:`Broadcaster.taking_call`) and not sent twice; the page also says one call id once.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections import deque

log = logging.getLogger(__name__)

#: Messages kept per display stream before the oldest is dropped.
QUEUE_SIZE = 8
#: A stream sends a ``ping`` event after this many quiet seconds (the page's watchdog
#: reconnects when it hears nothing for 3 of these).
PING_EVERY_S = 10.0
#: Seconds between looks at the database for calls other server processes took.
WATCH_EVERY_S = 0.5
#: Call ids this process announced itself, remembered so its own look skips them.
ANNOUNCED_KEPT = 256


def sse(event: str, data: dict | str, event_id: int | None = None) -> str:
    """One server-sent event: ``event: <event>``, ``data: <json>`` (one line), blank line."""
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False,
                                                         separators=(",", ":"))
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {text}\n\n"


class Broadcaster:
    """Fan-out of text messages to subscribed asyncio queues, from any thread.

    Args:
        watch: ``f()``, called on a watcher thread every ``every_s`` seconds while at least
            one subscription is open (first at once); it publishes what other processes
            changed (:func:`office.feed.catch_up`). Its errors are logged. None: no watcher.
        every_s: seconds between calls of ``watch``.
    """

    def __init__(self, watch=None, every_s: float = WATCH_EVERY_S):
        self._lock = threading.Lock()
        self._subs: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = set()
        self._watch, self.every_s = watch, every_s
        self._watcher: threading.Thread | None = None
        self._seen: int | None = None
        self._announced: deque = deque(maxlen=ANNOUNCED_KEPT)
        self._taking = 0

    def subscribe(self) -> tuple:
        """A new subscription (call on the event loop); pass it to :meth:`unsubscribe`.
        Starts the watcher when it is the first one."""
        sub = (asyncio.get_running_loop(), asyncio.Queue(QUEUE_SIZE))
        with self._lock:
            self._subs.add(sub)
            if self._watch is not None and self._watcher is None:
                self._seen = None  # the first look takes the marker as it is now
                self._watcher = threading.Thread(target=self._watch_loop, daemon=True,
                                                 name="display-watch")
                self._watcher.start()
        return sub

    def _watch_loop(self) -> None:
        while True:
            try:
                self._watch()
            except Exception:  # a database hiccup: the next look tries again
                log.exception("looking for other server processes' calls failed")
            time.sleep(self.every_s)
            with self._lock:
                if not self._subs:  # the last display left: a new one starts it again
                    self._watcher = None
                    return

    @contextlib.contextmanager
    def taking_call(self):
        """While a call is being taken and announced in this process, looks skip (they would
        see it in the database before :meth:`announced` knows it, and send it twice)."""
        with self._lock:
            self._taking += 1
        try:
            yield
        finally:
            with self._lock:
                self._taking -= 1

    @property
    def busy(self) -> bool:
        """True while this process takes a call (:meth:`taking_call`)."""
        with self._lock:
            return self._taking > 0

    def moved(self, marker: int) -> int | None:
        """The marker last seen when ``marker`` is past it (then ``marker`` is kept), else
        None; the watcher's first look only keeps ``marker``."""
        with self._lock:
            seen, self._seen = self._seen, marker if self._seen is None else max(self._seen,
                                                                                 marker)
        return seen if seen is not None and marker > seen else None

    def baseline(self, marker: int) -> None:
        """A stream's first state was made at ``marker``: the watcher's first look counts
        from it (so a call right after it is not missed). No effect once a look was made."""
        with self._lock:
            if self._seen is None:
                self._seen = marker

    def rewind(self, marker: int) -> None:
        """Take the marker back to ``marker`` (the next look sees what came after it)."""
        with self._lock:
            if self._seen is not None:
                self._seen = min(self._seen, marker)

    def announced(self, call_id: int | None = None) -> set:
        """Remember that this process announced call ``call_id`` (if given); returns the
        call ids it announced lately."""
        with self._lock:
            if call_id is not None:
                self._announced.append(call_id)
            return set(self._announced)

    def unsubscribe(self, sub: tuple) -> None:
        with self._lock:
            self._subs.discard(sub)

    @property
    def count(self) -> int:
        """Open subscriptions (display streams)."""
        with self._lock:
            return len(self._subs)

    def publish(self, message: str) -> None:
        """Queue ``message`` for every subscriber; safe from any thread, never blocks."""
        with self._lock:
            subs = list(self._subs)
        for loop, queue in subs:
            try:
                loop.call_soon_threadsafe(_put_newest, queue, message)
            except RuntimeError:  # its loop has closed: the server is stopping
                self.unsubscribe((loop, queue))

    async def stream(self, first: str, sub: tuple, ping_every_s: float = PING_EVERY_S):
        """Async iterator of SSE text: ``first``, then each published message, with a
        ``ping`` event after ``ping_every_s`` quiet seconds; unsubscribes when closed."""
        queue = sub[1]
        try:
            yield "retry: 2000\n\n" + first
            while True:
                try:
                    yield await asyncio.wait_for(queue.get(), ping_every_s)
                except asyncio.TimeoutError:
                    yield sse("ping", {})
        finally:
            self.unsubscribe(sub)


def _put_newest(queue: asyncio.Queue, message: str) -> None:
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(message)

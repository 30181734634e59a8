"""Server-sent events for the waiting-room displays: one broadcaster per server process.

A counter action (running in a worker thread) calls :meth:`Broadcaster.publish` with the
display state as text; every open ``/display/events`` stream (an asyncio task) gets it
through its own small queue on its event loop. A slow display never holds up the others:
its queue keeps only the newest :data:`QUEUE_SIZE` messages (each one is the whole state,
so an older one is never needed). One server process only: with several workers each
would have its own displays (run ``kiosk-office serve`` with one worker, the default).
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading

log = logging.getLogger(__name__)

#: Messages kept per display stream before the oldest is dropped.
QUEUE_SIZE = 8
#: A stream sends a ``ping`` event after this many quiet seconds (the page's watchdog
#: reconnects when it hears nothing for 3 of these).
PING_EVERY_S = 10.0


def sse(event: str, data: dict | str, event_id: int | None = None) -> str:
    """One server-sent event: ``event: <event>``, ``data: <json>`` (one line), blank line."""
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False,
                                                         separators=(",", ":"))
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {text}\n\n"


class Broadcaster:
    """Fan-out of text messages to subscribed asyncio queues, from any thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self._subs: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = set()

    def subscribe(self) -> tuple:
        """A new subscription (call on the event loop); pass it to :meth:`unsubscribe`."""
        sub = (asyncio.get_running_loop(), asyncio.Queue(QUEUE_SIZE))
        with self._lock:
            self._subs.add(sub)
        return sub

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

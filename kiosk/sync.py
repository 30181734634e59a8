"""Offline-first sync with the office server: an HTTP client and a background worker.

* :class:`SyncClient` speaks the office server's API v1 over one
  ``requests.Session`` (bearer token, TLS verified unless configured off).
  Every call is one *attempt*: it runs in a short-lived daemon thread and is
  abandoned at ``[server] attempt_deadline_s``, so a hung name lookup
  (``getaddrinfo`` has no timeout) or a server that drips bytes cannot hold the
  caller. Inside, each request has ``timeout=(connect_timeout_s,
  read_timeout_s)``. Every transport, HTTP and payload failure is translated
  at one boundary (:meth:`SyncClient._exchange`) into
  :class:`~kiosk.errors.SyncError` with ``kind`` in :data:`KINDS`, a plain
  message, ``status`` and ``retry_after_s``.
* :class:`SyncWorker` drains the store's outbox in batches on its own thread
  (never the UI thread), fetches the menu with ``ETag`` in the same attempt,
  and backs off with jitter while the server is unreachable.

Exactly once: the ticket ``id`` is the idempotency key (the server upserts by
it) and the worker marks synced only ids the server listed as accepted; a lost
reply means the batch is sent again and the server stores nothing new.
"""
from __future__ import annotations

import email.utils
import logging
import random
import socket
import threading
import time
from concurrent.futures import Future, TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from urllib.parse import urlsplit

import requests

from . import __version__
from .errors import MenuError, SyncError
from .menu import MAX_MENU_BYTES, parse_menu

log = logging.getLogger(__name__)

#: ``SyncError.kind`` values raised here.
KINDS = ("offline", "timeout", "dns", "tls", "auth", "server", "bad_reply")
#: Abandoned attempts still running (e.g. stuck in a name lookup) before new ones are refused.
MAX_STUCK_ATTEMPTS = 2
_OFFLINE_KINDS = ("offline", "timeout", "dns")


@dataclass(frozen=True)
class UploadReply:
    """The server's answer to an upload.

    ``accepted_ids``: ids it now holds; ``refused_ids``: ids it holds for another
    kiosk; ``server_time``: ISO 8601 with offset; ``now_serving``: ``{"A": 12}``.
    """

    accepted_ids: tuple
    server_time: str
    now_serving: dict
    refused_ids: tuple = ()


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _aware_iso(value) -> datetime:
    stamp = datetime.fromisoformat(value)
    if stamp.tzinfo is None:
        raise ValueError("server_time has no UTC offset")
    return stamp


class SyncClient:
    """The kiosk's side of the office server API (``/api/v1``).

    Args:
        server_cfg: :class:`kiosk.config.ServerConfig` (url, token, TLS, timeouts in s).
        kiosk_id: this kiosk's id; uploads carry it and the server checks it against the token.

    Every public method raises :class:`SyncError` on failure, within
    ``attempt_deadline_s`` seconds.
    """

    def __init__(self, server_cfg, kiosk_id: str):
        self.cfg, self.kiosk_id = server_cfg, kiosk_id
        self.base = server_cfg.url.rstrip("/")
        parts = urlsplit(self.base)
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.session = requests.Session()
        self.session.trust_env = False  # kiosk.ini is the only source of proxies and CAs
        self.session.headers["Authorization"] = f"Bearer {server_cfg.token}"
        self.session.headers["User-Agent"] = f"dukcapil-kiosk/{__version__} ({kiosk_id})"
        if not server_cfg.verify_tls:
            self.session.verify = False
        elif server_cfg.ca_bundle:
            self.session.verify = str(server_cfg.ca_bundle)
        self.timeout = (server_cfg.connect_timeout_s, server_cfg.read_timeout_s)
        self._stuck: list[threading.Thread] = []

    # -- public calls --------------------------------------------------------
    def upload(self, tickets: list, menu_version: str = "") -> UploadReply:
        """POST a batch of :class:`~kiosk.models.Ticket`; returns :class:`UploadReply`."""
        body = {"kiosk_id": self.kiosk_id, "menu_version": menu_version,
                "tickets": [t.to_dict() for t in tickets]}

        def run(phase):
            data = self._request(phase, "POST", "/api/v1/checkins", json=body).json()
            accepted, refused = data["accepted"], data.get("refused", [])
            serving = data.get("now_serving") or {}
            if not all(isinstance(i, str) for i in accepted + refused) or not all(
                    isinstance(k, str) and isinstance(v, int) for k, v in serving.items()):
                raise ValueError("accepted/now_serving have the wrong shape")
            _aware_iso(data["server_time"])
            return UploadReply(tuple(accepted), data["server_time"], dict(serving),
                               tuple(refused))
        return self._exchange("upload", run)

    def fetch_menu(self, etag: str | None = None, menu_version: str = ""):
        """GET the menu: ``(menu_bytes, etag)``; ``(None, etag)`` if unchanged (304),
        ``(None, None)`` if the server has none (404). At most MAX_MENU_BYTES + 1 bytes are read.
        """
        headers = {"If-None-Match": etag} if etag else {}
        if menu_version:
            headers["X-Kiosk-Menu-Version"] = menu_version

        def run(phase):
            resp = self._request(phase, "GET", "/api/v1/menu", headers=headers, stream=True,
                                 ok=(200, 304, 404))
            with resp:
                if resp.status_code == 404:
                    return None, None
                if resp.status_code == 304:
                    return None, resp.headers.get("ETag", etag)
                body = bytearray()
                for chunk in resp.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > MAX_MENU_BYTES:
                        break
                return bytes(body), resp.headers.get("ETag")
        return self._exchange("menu", run)

    def health(self) -> dict:
        """GET /api/v1/health: ``{"status": "ok", "server_time": ISO 8601}``."""
        def run(phase):
            data = self._request(phase, "GET", "/api/v1/health").json()
            _aware_iso(data["server_time"])
            return data
        return self._exchange("health", run)

    def close(self) -> None:
        self.session.close()

    # -- the one boundary ----------------------------------------------------
    def _exchange(self, what: str, run):
        """Run ``run(phase)`` in a daemon thread; its result, or SyncError by the deadline."""
        self._stuck = [t for t in self._stuck if t.is_alive()]
        if len(self._stuck) >= MAX_STUCK_ATTEMPTS:
            raise SyncError("Earlier attempts to reach the office server are still hanging "
                            "(network or name lookup); waiting for them to end.", kind="timeout")
        phase = {"now": "dns"}
        future: Future = Future()

        def target():
            try:
                future.set_result(run(phase))
            except BaseException as exc:  # handed to the caller's thread
                future.set_exception(exc)
        thread = threading.Thread(target=target, name=f"sync-{what}", daemon=True)
        thread.start()
        deadline = self.cfg.attempt_deadline_s
        try:
            return future.result(timeout=deadline)
        except FutureTimeout:
            self._stuck.append(thread)
            if phase["now"] == "dns":
                raise SyncError(f"Looking up the office server's name ({self.host}) took more "
                                f"than {deadline:g} s; check the network's DNS.",
                                kind="dns") from None
            raise SyncError(f"The office server did not finish answering within {deadline:g} s.",
                            kind="timeout") from None
        except Exception as exc:
            raise self._translate(exc) from exc

    def _request(self, phase, method, path, *, ok=(200,), **kwargs) -> requests.Response:
        socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
        phase["now"] = "http"
        resp = self.session.request(method, self.base + path, timeout=self.timeout, **kwargs)
        if resp.status_code not in ok:
            raise self._status_error(resp)
        return resp

    def _status_error(self, resp) -> SyncError:
        code = resp.status_code
        try:
            detail = str(resp.json().get("detail", ""))[:200]
        except (ValueError, AttributeError):
            detail = ""
        resp.close()
        if code == 401:
            return SyncError(f"The office server does not accept this kiosk's token (HTTP 401). "
                             f"Ask the admin for a new one (kiosk-office add-kiosk "
                             f"{self.kiosk_id}) and set [server] token.", kind="auth", status=code)
        if code == 403:
            return SyncError(f"The office server refused this kiosk (HTTP 403): {detail}",
                             kind="auth", status=code)
        retry = parse_retry_after(resp.headers.get("Retry-After"))
        busy = " (busy)" if code in (429, 503) else ""
        return SyncError(f"The office server answered with an error{busy} (HTTP {code}); "
                         f"tickets stay on the kiosk and are sent later.", kind="server",
                         status=code, retry_after_s=retry)

    def _translate(self, exc: BaseException) -> SyncError:
        if isinstance(exc, SyncError):
            return exc
        where = f"{self.host}:{self.port}"
        if isinstance(exc, socket.gaierror) or _caused_by_name_lookup(exc):
            return SyncError(f"The office server's name ({self.host}) could not be found; check "
                             f"[server] url and the network.", kind="dns")
        if isinstance(exc, requests.exceptions.SSLError):
            return SyncError(f"The office server's certificate could not be verified ({where}); "
                             f"check [server] ca_bundle.", kind="tls")
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return SyncError(f"No connection to the office server ({where}) within "
                             f"{self.timeout[0]:g} s; the network may be down.", kind="offline")
        if isinstance(exc, requests.exceptions.ReadTimeout):
            return SyncError(f"The office server did not answer within {self.timeout[1]:g} s.",
                             kind="timeout")
        if isinstance(exc, requests.exceptions.ConnectionError):
            return SyncError(f"The office server ({where}) cannot be reached; the network may "
                             f"be down.", kind="offline")
        if isinstance(exc, (requests.exceptions.RequestException, ValueError, KeyError,
                            TypeError, AttributeError)):
            return SyncError(f"The office server's answer could not be understood "
                             f"({type(exc).__name__}).", kind="bad_reply")
        return SyncError(f"Unexpected sync failure ({type(exc).__name__}: {exc}).",
                         kind="bad_reply")


def _caused_by_name_lookup(exc: BaseException) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, socket.gaierror) or type(exc).__name__ == "NameResolutionError":
            return True
        exc = getattr(exc, "reason", None) or exc.__cause__ or exc.__context__ or (
            exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None)
        seen += 1
    return False


@dataclass(frozen=True)
class SyncStatus:
    """What staff and the screens see; a snapshot, cheap to read from any thread.

    ``online``: None until the first attempt; ``last_success_at``: ISO 8601 UTC;
    ``last_error``: plain words or None; ``backlog``: tickets not yet confirmed
    (as of the last attempt); ``now_serving``: ``{"A": 12}``; ``server_clock_skew_s``:
    server clock minus kiosk clock in s; ``menu_error``: why the last menu served
    was refused, or None.
    """

    online: bool | None = None
    last_success_at: str | None = None
    last_error: str | None = None
    backlog: int = 0
    now_serving: dict = field(default_factory=dict)
    server_clock_skew_s: float | None = None
    error_kind: str | None = None
    menu_error: str | None = None
    menu_etag: str | None = None


@dataclass(frozen=True)
class SyncReport:
    """One attempt: ``uploaded`` tickets confirmed in ``batches`` requests, ``backlog`` left,
    ``menu`` in none | unchanged | updated | refused | skipped, ``error`` (plain words)."""

    uploaded: int
    batches: int
    backlog: int
    menu: str
    error: str | None = None
    error_kind: str | None = None
    retry_after_s: float | None = None
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


class SyncWorker:
    """Drains the outbox to the office server on a background thread.

    Args:
        client: a :class:`SyncClient` (or anything with ``upload``/``fetch_menu``).
        store: has ``pending_sync(limit) -> list[Ticket]``, ``mark_synced(ids, synced_at_iso)``
            and ``pending_count() -> int`` (:class:`kiosk.store.Store`).
        on_status: ``f(SyncStatus)``, called on the worker thread after each attempt.
        clock: monotonic seconds (tests may pass a fake).
        on_menu: ``f(menu_bytes, etag)``, called on the worker thread with a new menu that
            passed :func:`kiosk.menu.parse_menu`; the app applies it between journeys.
        menu_version: the version the kiosk runs, a string or a zero-argument callable.
        menu_etag: ETag of the menu the kiosk runs (None: download it once).
        batch_size, interval_s, max_backoff_s: default from ``client.cfg`` (ServerConfig).
        backoff_base_s: first wait after a failure (s), doubling up to ``max_backoff_s``.
        rng: ``() -> float in [0, 1)`` for the jitter.
    """

    def __init__(self, client, store, on_status=None, clock=time.monotonic, *, on_menu=None,
                 menu_version="", menu_etag=None, batch_size=None, interval_s=None,
                 max_backoff_s=None, backoff_base_s=None, rng=random.random):
        cfg = getattr(client, "cfg", None)
        self.client, self.store, self.on_status, self.on_menu = client, store, on_status, on_menu
        self.clock, self.rng = clock, rng
        self.batch_size = batch_size or getattr(cfg, "batch_size", 200)
        self.interval_s = interval_s or getattr(cfg, "interval_s", 30.0)
        self.max_backoff_s = max_backoff_s or getattr(cfg, "max_backoff_s", 300.0)
        self.backoff_base_s = backoff_base_s or min(5.0, self.interval_s)
        self._menu_version = menu_version
        self._status = SyncStatus(menu_etag=menu_etag)
        self._failures = 0
        self._not_before = 0.0
        self._lock = threading.Lock()          # guards _status
        self._attempt_lock = threading.Lock()  # one attempt at a time (worker or CLI)
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    # -- control -------------------------------------------------------------
    def start(self) -> "SyncWorker":
        """Start the background thread (idempotent)."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="sync-worker", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        """Ask the thread to end and wait up to ``timeout_s`` (an attempt ends by its deadline)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def poke(self) -> None:
        """Try now (network back, staff "sync now", new ticket); a server's Retry-After holds."""
        self._wake.set()

    def status(self) -> SyncStatus:
        """The latest :class:`SyncStatus` (no I/O)."""
        with self._lock:
            return self._status

    # -- one attempt ---------------------------------------------------------
    def sync_once(self) -> SyncReport:
        """Upload every pending ticket in batches, then check for a new menu.

        Returns a :class:`SyncReport`; never raises for network or server
        trouble (that is in ``report.error``). Store errors propagate.
        """
        with self._attempt_lock:
            started = self.clock()
            progress, menu, err = [0, 0], "skipped", None
            try:
                self._drain(progress)
                menu = self._check_menu()
            except SyncError as exc:
                err = exc
                log.warning("sync attempt failed (%s): %s", exc.kind, exc)
            backlog = self.store.pending_count()
            report = SyncReport(progress[0], progress[1], backlog, menu, str(err) if err else None,
                                err.kind if err else None, err.retry_after_s if err else None,
                                self.clock() - started)
            self._record(report)
        self._notify()
        return report

    def _version(self) -> str:
        return self._menu_version() if callable(self._menu_version) else self._menu_version

    def _drain(self, progress: list) -> None:
        """Upload batches until none is left; ``progress`` = [tickets confirmed, requests]."""
        for _ in range(self.store.pending_count() // self.batch_size + 2):
            batch = self.store.pending_sync(self.batch_size)
            if not batch:
                break
            reply = self.client.upload(batch, self._version())
            progress[1] += 1
            self._took_reply(reply)
            ids = {t.id for t in batch}
            accepted = [i for i in reply.accepted_ids if i in ids]
            if reply.refused_ids:
                log.error("office server refused %d ticket ids held by another kiosk: %s",
                          len(reply.refused_ids), ", ".join(reply.refused_ids[:5]))
            if not accepted:
                break
            self.store.mark_synced(accepted, reply.server_time)
            progress[0] += len(accepted)

    def _took_reply(self, reply: UploadReply) -> None:
        skew = (_aware_iso(reply.server_time) - datetime.now(timezone.utc)).total_seconds()
        with self._lock:
            self._status = replace(self._status, now_serving=dict(reply.now_serving),
                                   server_clock_skew_s=round(skew, 3))

    def _check_menu(self) -> str:
        etag = self.status().menu_etag
        body, new_etag = self.client.fetch_menu(etag, self._version())
        if body is None:
            return "unchanged" if new_etag else "none"
        try:
            parse_menu(body, source="menu from the office server")
        except MenuError as exc:
            log.error("refused the menu served by the office server: %s", exc)
            self._set(menu_error=f"The office server's menu was refused; the current menu "
                                 f"stays. {exc}")
            return "refused"
        if self.on_menu is not None:
            try:
                self.on_menu(body, new_etag)
            except Exception as exc:  # the app's callback must not end the worker
                log.exception("applying the new menu failed")
                self._set(menu_error=f"The new menu could not be applied: {exc}")
                return "refused"
        self._set(menu_error=None, menu_etag=new_etag)
        return "updated"

    # -- status and timing ---------------------------------------------------
    def _set(self, **changes) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)

    def _record(self, report: SyncReport) -> None:
        if report.ok:
            self._failures = 0
            self._set(online=True, last_error=None, error_kind=None, backlog=report.backlog,
                      last_success_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
            return
        self._failures += 1
        if report.retry_after_s is not None:
            self._not_before = self.clock() + min(report.retry_after_s, self.max_backoff_s)
        self._set(online=report.error_kind not in _OFFLINE_KINDS, last_error=report.error,
                  error_kind=report.error_kind, backlog=report.backlog)

    def _notify(self) -> None:
        if self.on_status is None:
            return
        try:
            self.on_status(self.status())
        except Exception:
            log.exception("on_status callback failed")

    def next_delay_s(self, report: SyncReport | None) -> float:
        """Seconds until the next attempt after ``report`` (None: the attempt crashed).

        Healthy: ``interval_s`` (0 if a drain was cut short with progress). Failing:
        ``backoff_base_s * 2**(n-1)`` capped at ``max_backoff_s``, times a jitter
        in [0.5, 1), and never before a server's Retry-After.
        """
        if report is not None and report.ok:
            return 0.0 if report.backlog and report.uploaded else self.interval_s
        n = max(1, self._failures)
        capped = min(self.max_backoff_s, self.backoff_base_s * 2 ** min(n - 1, 32))
        delay = capped * (0.5 + 0.5 * self.rng())
        return max(delay, self._not_before - self.clock())

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            report = None
            try:
                report = self.sync_once()
            except Exception as exc:  # a store failure must not end the thread
                log.exception("sync attempt crashed")
                self._failures += 1
                self._set(last_error=f"Sync stopped by an internal error: {exc}",
                          error_kind="internal")
                self._notify()
            self._wake.wait(self.next_delay_s(report))
            hold = self._not_before - self.clock()
            if hold > 0 and not self._stop.is_set():
                self._stop.wait(min(hold, self.max_backoff_s))

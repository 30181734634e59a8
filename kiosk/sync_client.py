"""The kiosk's HTTP client for the office server (API v1), and its one error boundary.

:class:`SyncClient` speaks the office server's API over one
``requests.Session`` (bearer token, TLS verified unless configured off; with
``ca_bundle`` empty the system's CA store :data:`SYSTEM_CA_BUNDLE`, as kiosk.ini
says, not certifi's). Every call runs in a short-lived daemon thread and is
abandoned at the deadline, so a hung name lookup (``getaddrinfo`` has no
timeout) or a server that drips bytes cannot hold the caller. The deadline is
``[server] attempt_deadline_s`` for the *whole attempt* (:meth:`SyncClient.attempt`:
every upload batch and the menu check share it, DNS included), else per call.
A call given up has its connections shut down at once (:class:`_TrackedAdapter`),
so its thread ends instead of hanging on a trickling server; only a thread stuck
in a name lookup can outlive it. Inside, each request has
``timeout=(connect_timeout_s, read_timeout_s)``, capped by the time left. Every transport,
HTTP and payload failure is translated at one boundary
(:meth:`SyncClient._exchange`) into :class:`~kiosk.errors.SyncError` with
``kind`` in :data:`KINDS`, ``status`` and ``retry_after_s``, and a message
for office staff: plain Indonesian first, a short English gloss after.
"""
from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from concurrent.futures import Future, TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from . import __version__
from .clock import OfficeClock
from .errors import SyncError
from .menu import MAX_MENU_BYTES
from .sync_errors import (SYSTEM_CA_BUNDLE, TicketsChanged, caused_by_name_lookup,
                          parse_retry_after, reply_problem, tls_problem, tls_error)
from .waits import parse_handling, parse_queues

log = logging.getLogger(__name__)

#: ``SyncError.kind`` values raised here.
KINDS = ("offline", "timeout", "dns", "tls", "auth", "server", "bad_reply")
#: Kinds that mean the server could not be reached at all.
OFFLINE_KINDS = ("offline", "timeout", "dns")
#: Abandoned attempts still running (e.g. stuck in a name lookup) before new ones are refused.
MAX_STUCK_ATTEMPTS = 2

_CALL = threading.local()  # .conns: the connections the current call's thread uses


class _TrackedPool:
    """Pool mixin: every connection handed to a request is noted for the calling thread,
    so a call given up can shut them down from outside."""

    def _get_conn(self, timeout=None):
        conn = super()._get_conn(timeout)
        conns = getattr(_CALL, "conns", None)
        if conns is not None:
            conns.append(conn)
        return conn


class _HTTPPool(_TrackedPool, HTTPConnectionPool):
    pass


class _HTTPSPool(_TrackedPool, HTTPSConnectionPool):
    pass


class _TrackedAdapter(HTTPAdapter):
    """requests' adapter with connection pools that track connections per call."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def _shut(conns) -> None:
    """Shut down the sockets of ``conns`` so a read blocked on them returns at once."""
    for conn in list(conns):
        sock = getattr(conn, "sock", None)
        if sock is None:
            continue
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except (OSError, ValueError):
            pass


@dataclass(frozen=True)
class UploadReply:
    """The server's answer to an upload.

    ``accepted_ids``: ids it now holds; ``refused_ids``: ids it holds for another
    kiosk; ``server_time``: ISO 8601 with offset; ``now_serving``: ``{"A": 12}``;
    ``conflict_ids``: this kiosk's ids whose number another kiosk also gave that day
    (stored all the same); ``clashes``: ``({"office_day", "number", "kiosks": [..]}, ...)``;
    ``high_water``: ``{office_day: {queue: highest sequence the server holds for this
    kiosk}}``; ``repeat_warning``: plain words when this kiosk sent one number twice in a
    day under different ids; ``queues`` / ``handling``: the counters' figures
    (:func:`kiosk.waits.parse_queues` / ``parse_handling``: malformed parts dropped, logged)
    (servers before these fields: empty / None).
    """

    accepted_ids: tuple
    server_time: str
    now_serving: dict
    refused_ids: tuple = ()
    conflict_ids: tuple = ()
    clashes: tuple = ()
    high_water: dict = field(default_factory=dict)
    repeat_warning: str | None = None
    queues: dict = field(default_factory=dict)
    handling: dict = field(default_factory=dict)


def aware_iso(value) -> datetime:
    """Parse an ISO 8601 time that must carry a UTC offset; ValueError otherwise."""
    stamp = datetime.fromisoformat(value)
    if stamp.tzinfo is None:
        raise ValueError("server_time has no UTC offset")
    return stamp


class SyncClient:
    """The kiosk's side of the office server API (``/api/v1``).

    Args:
        server_cfg: :class:`kiosk.config.ServerConfig` (url, token, TLS, timeouts in s).
        kiosk_id: this kiosk's id; uploads carry it and the server checks it against the token.
        clock: the office clock (:class:`kiosk.clock.OfficeClock`), for ``Retry-After``
            dates; default the system clock.

    Every public method raises :class:`SyncError` on failure, within
    ``attempt_deadline_s`` seconds.
    """

    def __init__(self, server_cfg, kiosk_id: str, clock=None):
        self.cfg, self.kiosk_id = server_cfg, kiosk_id
        self.clock = clock or OfficeClock()
        self.base = server_cfg.url.rstrip("/")
        parts = urlsplit(self.base)
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.session = requests.Session()
        self.session.trust_env = False  # kiosk.ini is the only source of proxies and CAs
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, _TrackedAdapter())
        self.session.headers["Authorization"] = f"Bearer {server_cfg.token}"
        self.session.headers["User-Agent"] = f"dukcapil-kiosk/{__version__} ({kiosk_id})"
        if not server_cfg.verify_tls:
            self.session.verify = False
        elif server_cfg.ca_bundle:
            self.session.verify = str(server_cfg.ca_bundle)
        elif os.path.exists(SYSTEM_CA_BUNDLE):
            self.session.verify = SYSTEM_CA_BUNDLE
        else:
            log.warning("no system CA store at %s; using certifi's", SYSTEM_CA_BUNDLE)
        self.timeout = (server_cfg.connect_timeout_s, server_cfg.read_timeout_s)
        self._stuck: list[tuple[threading.Thread, dict]] = []  # (thread, its phase)
        self._attempt_end: float | None = None

    @contextlib.contextmanager
    def attempt(self, deadline_s: float | None = None):
        """One sync attempt: every call inside shares one deadline of ``deadline_s``
        seconds (default ``attempt_deadline_s``), name lookups included; a call
        made after it passed raises SyncError (timeout) at once."""
        self._attempt_end = time.monotonic() + (deadline_s or self.cfg.attempt_deadline_s)
        try:
            yield self
        finally:
            self._attempt_end = None

    def time_left(self) -> float | None:
        """Seconds left in the current :meth:`attempt`, None outside one."""
        end = self._attempt_end
        return None if end is None else end - time.monotonic()

    # -- public calls --------------------------------------------------------
    def upload(self, tickets: list, menu_version: str = "",
               office_day: str | None = None) -> UploadReply:
        """POST a batch of :class:`~kiosk.models.Ticket` (may be empty: then it only asks
        for the high-water mark of ``office_day``); returns :class:`UploadReply`. Raises
        :class:`~kiosk.sync_errors.TicketsChanged` (a SyncError) on HTTP 409."""
        body = {"kiosk_id": self.kiosk_id, "menu_version": menu_version,
                "tickets": [t.to_dict() for t in tickets]}
        if office_day:
            body["office_day"] = office_day

        def run(phase):
            resp = self._request(phase, "POST", "/api/v1/checkins", ok=(200, 409), json=body)
            data = resp.json()
            if resp.status_code == 409:  # held ids with other content: nothing stored
                raise TicketsChanged.from_reply(data)
            accepted, refused = data["accepted"], data.get("refused", [])
            serving = data.get("now_serving") or {}
            if not all(isinstance(i, str) for i in accepted + refused) or not all(
                    isinstance(k, str) and isinstance(v, int) for k, v in serving.items()):
                raise ValueError("accepted/now_serving have the wrong shape")
            aware_iso(data["server_time"])
            conflicts, clashes = data.get("conflicts") or [], data.get("clashes") or []
            if not all(isinstance(i, str) for i in conflicts) or not all(
                    isinstance(c, dict) and isinstance(c.get("number"), str)
                    and isinstance(c.get("kiosks"), list) for c in clashes):
                raise ValueError("conflicts/clashes have the wrong shape")
            return UploadReply(tuple(accepted), data["server_time"], dict(serving),
                               tuple(refused), tuple(conflicts),
                               tuple({"office_day": str(c.get("office_day", "")),
                                      "number": c["number"],
                                      "kiosks": [str(k) for k in c["kiosks"]]}
                                     for c in clashes),
                               high_water=_high_water(data.get("high_water")),
                               repeat_warning=_text(data.get("repeat_warning")),
                               queues=parse_queues(data.get("queues")),
                               handling=parse_handling(data.get("handling")))
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
            aware_iso(data["server_time"])
            return data
        return self._exchange("health", run)

    def close(self) -> None:
        self.session.close()

    # -- the one boundary ----------------------------------------------------
    def _exchange(self, what: str, run):
        """Run ``run(phase)`` in a daemon thread; its result, or SyncError by the deadline
        (the attempt's, else ``attempt_deadline_s``). Given up: its connections are shut."""
        self._stuck = [(t, ph) for t, ph in self._stuck if not _ended(t, ph)]
        if len(self._stuck) >= MAX_STUCK_ATTEMPTS:
            raise SyncError("Percobaan sebelumnya menghubungi server kantor masih menggantung "
                            "di pencarian nama (DNS); kiosk menunggu sampai selesai. Periksa "
                            "DNS jaringan. (Earlier name lookups still hanging.)", kind="dns")
        total = self.cfg.attempt_deadline_s
        left = total if self._attempt_end is None else self._attempt_end - time.monotonic()
        if left <= 0:
            raise SyncError(f"Sinkronisasi melewati batas {total:g} detik untuk satu percobaan; "
                            f"sisanya dikirim pada percobaan berikutnya. (Attempt deadline.)",
                            kind="timeout")
        phase = {"now": "dns", "left": left}
        future: Future = Future()
        conns: list = []

        def target():
            _CALL.conns = conns
            try:
                future.set_result(run(phase))
            except BaseException as exc:  # handed to the caller's thread
                future.set_exception(exc)
            finally:
                _CALL.conns = None
        thread = threading.Thread(target=target, name=f"sync-{what}", daemon=True)
        thread.start()
        try:
            return future.result(timeout=left)
        except FutureTimeout:
            _shut(conns)  # a trickling server or a hung read: the thread ends now
            self._stuck.append((thread, phase))
            if phase["now"] == "dns":
                raise SyncError(f"Mencari nama server kantor ({self.host}) memakan lebih dari "
                                f"{total:g} detik; periksa DNS jaringan. (Name lookup too "
                                f"slow.)", kind="dns") from None
            raise SyncError(f"Server kantor tidak selesai menjawab dalam {total:g} detik. "
                            f"(Timeout.)", kind="timeout") from None
        except Exception as exc:
            raise self._translate(exc) from exc

    def _request(self, phase, method, path, *, ok=(200,), **kwargs) -> requests.Response:
        started = time.monotonic()
        socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
        phase["now"] = "http"
        left = max(0.05, phase["left"] - (time.monotonic() - started))
        timeout = (min(self.timeout[0], left), min(self.timeout[1], left))
        resp = self.session.request(method, self.base + path, timeout=timeout, **kwargs)
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
            return SyncError(f"Server kantor tidak menerima token kiosk ini (HTTP 401, token "
                             f"refused). Minta token baru ke admin (kiosk-office add-kiosk "
                             f"{self.kiosk_id}) lalu isi [server] token di kiosk.ini.",
                             kind="auth", status=code)
        if code == 403:
            return SyncError(f"Server kantor menolak kiosk ini (HTTP 403, refused): {detail}",
                             kind="auth", status=code)
        retry = parse_retry_after(resp.headers.get("Retry-After"), self.clock.timestamp())
        busy = " karena sibuk (busy)" if code in (429, 503) else ""
        return SyncError(f"Server kantor menjawab dengan kesalahan{busy} (HTTP {code}); tiket "
                         f"tetap tersimpan di kiosk dan dikirim nanti. (Server error; tickets "
                         f"are kept.)", kind="server", status=code, retry_after_s=retry)

    def _translate(self, exc: BaseException) -> SyncError:
        if isinstance(exc, SyncError):
            return exc
        where = f"{self.host}:{self.port}"
        if isinstance(exc, requests.exceptions.SSLError) or tls_problem(exc):
            return tls_error(exc, self.host, where, self.cfg.ca_bundle)
        if isinstance(exc, socket.gaierror) or caused_by_name_lookup(exc):
            return SyncError(f"Nama server kantor ({self.host}) tidak ditemukan; periksa "
                             f"[server] url dan jaringan. (Server name not found.)", kind="dns")
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return SyncError(f"Server kantor ({where}) tidak dapat dihubungi dalam "
                             f"{self.timeout[0]:g} detik; jaringan mungkin putus (offline).",
                             kind="offline")
        if isinstance(exc, requests.exceptions.ReadTimeout):
            return SyncError(f"Server kantor tidak menjawab dalam {self.timeout[1]:g} detik. "
                             f"(Timeout.)", kind="timeout")
        if isinstance(exc, requests.exceptions.ConnectionError):
            return SyncError(f"Server kantor tidak dapat dihubungi ({where}); jaringan mungkin "
                             f"putus (offline).", kind="offline")
        if isinstance(exc, (requests.exceptions.RequestException, ValueError, KeyError,
                            TypeError, AttributeError)):
            log.warning("unreadable reply from the office server: %r", exc)
            return SyncError(f"Jawaban server kantor tidak dapat dipahami: {reply_problem(exc)}; "
                             f"tiket tetap tersimpan di kiosk dan dikirim nanti. Bila terus "
                             f"terjadi, periksa [server] url (harus alamat server kantor). "
                             f"(Unreadable reply; tickets are kept.)", kind="bad_reply")
        log.error("unexpected error talking to the office server", exc_info=exc)
        return SyncError("Sinkronisasi gagal karena kesalahan tak terduga di kiosk; tiket tetap "
                         "tersimpan. Rinciannya ada di log kiosk. (Unexpected error; see the "
                         "kiosk log.)", kind="bad_reply")


def _high_water(value) -> dict:
    """``{office_day: {queue: sequence}}`` from a reply (absent: {}); ValueError if malformed."""
    value = value or {}
    if not isinstance(value, dict) or not all(
            isinstance(day, str) and isinstance(queues, dict) and all(
                isinstance(q, str) and isinstance(n, int) and not isinstance(n, bool)
                for q, n in queues.items()) for day, queues in value.items()):
        raise ValueError("high_water has the wrong shape")
    return {day: dict(queues) for day, queues in value.items()}


def _text(value) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError("repeat_warning is not text")
    return value[:1000] if value else None


def _ended(thread: threading.Thread, phase: dict) -> bool:
    """True once ``thread`` finished. One given up past its name lookup had its sockets
    shut and ends within moments: wait for it briefly rather than count it as stuck."""
    if phase["now"] != "dns":
        thread.join(0.5)
    return not thread.is_alive()

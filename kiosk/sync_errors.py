"""Why a sync call failed, in plain words: reply problems, name lookups and TLS; how long a
busy server asks to wait (:func:`parse_retry_after`); and the staff warning for numbers
another kiosk also gave (:func:`clash_warning`).

Used by :meth:`kiosk.sync_client.SyncClient._translate`, the one boundary where
transport errors become :class:`~kiosk.errors.SyncError`. Exceptions are read
through their whole chain (urllib3 wraps ``ssl.SSLError`` and ``socket.gaierror``
in ``reason``/``__cause__``); a ``reason`` that is a string is never followed.
"""
from __future__ import annotations

import email.utils
import socket

import requests

from .errors import SyncError

#: Debian's system CA store (package ca-certificates): trusted when [server] ca_bundle is empty.
SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def reply_problem(exc: BaseException) -> str:
    """What was wrong with a reply, in plain Indonesian (no Python exception names)."""
    if isinstance(exc, requests.exceptions.JSONDecodeError) or (
            isinstance(exc, ValueError) and type(exc).__name__ == "JSONDecodeError"):
        return "isinya bukan data yang dikenal kiosk (mungkin halaman lain, bukan server kantor)"
    if isinstance(exc, KeyError):
        return "ada bagian jawaban yang tidak ada"
    if isinstance(exc, requests.exceptions.RequestException):
        return "jawaban terputus atau rusak di tengah jalan"
    return "bentuk isinya tidak seperti yang diharapkan"


def _chain(exc: BaseException, limit: int = 10):
    """``exc`` and the exceptions behind it (``reason``, ``__cause__``, ``__context__``,
    an exception as first argument); only exceptions, never a ``reason`` string."""
    seen = 0
    while isinstance(exc, BaseException) and seen < limit:
        yield exc
        nxt = None
        for candidate in (getattr(exc, "reason", None), exc.__cause__, exc.__context__,
                          exc.args[0] if exc.args else None):
            if isinstance(candidate, BaseException):
                nxt = candidate
                break
        exc, seen = nxt, seen + 1


def caused_by_name_lookup(exc: BaseException) -> bool:
    return any(isinstance(e, socket.gaierror) or type(e).__name__ == "NameResolutionError"
               for e in _chain(exc))


def tls_problem(exc: BaseException) -> bool:
    import ssl
    return any(isinstance(e, ssl.SSLError) for e in _chain(exc)) or (
        isinstance(exc, OSError) and "TLS CA certificate bundle" in str(exc))


def tls_error(exc: BaseException, host: str, where: str, ca_bundle) -> SyncError:
    """A certificate problem told with its fix (kind ``tls``): not trusted, made for
    another name, expired, a plain http port, or a ca_bundle file that is not there."""
    text = " ".join(str(e) for e in _chain(exc)).lower()
    bundle = f"[server] ca_bundle = {ca_bundle}" if ca_bundle else (
        f"[server] ca_bundle kosong = CA sistem ({SYSTEM_CA_BUNDLE})")
    if "ca certificate bundle" in text:
        message = (f"Berkas sertifikat CA tidak ditemukan ({bundle}). Isi [server] ca_bundle "
                   f"dengan path berkas PEM CA kantor yang ada. (CA bundle file missing.)")
    elif "hostname mismatch" in text or "doesn't match" in text or "ip address mismatch" in text:
        message = (f"Sertifikat server kantor ({where}) dibuat untuk nama lain, bukan "
                   f"{host}. Pakai di [server] url nama yang tertulis di sertifikat, atau minta "
                   f"admin membuat sertifikat untuk {host}. (TLS certificate name mismatch.)")
    elif "expired" in text:
        message = (f"Sertifikat server kantor ({where}) sudah kedaluwarsa (atau jam kiosk "
                   f"salah). Minta admin memperbarui sertifikat server; periksa jam kiosk. "
                   f"(TLS certificate expired.)")
    elif "certificate verify failed" in text or "self-signed" in text or "issuer" in text:
        message = (f"Sertifikat server kantor ({where}) tidak dipercaya kiosk ini ({bundle}). "
                   f"Isi [server] ca_bundle di kiosk.ini dengan berkas PEM CA kantor (dari "
                   f"admin server), lalu coba lagi. (TLS certificate not trusted.)")
    elif "wrong version" in text or "record layer" in text or "unknown protocol" in text \
            or "packet length" in text or "http request" in text:
        message = (f"Server kantor ({where}) tidak memakai https di port ini. Periksa [server] "
                   f"url: http:// atau https:// dan nomor port yang benar. (Not a TLS port.)")
    else:
        message = (f"Sambungan aman (TLS) ke server kantor ({where}) gagal. Periksa [server] "
                   f"url dan ca_bundle. (TLS handshake failed.)")
    return SyncError(message, kind="tls")


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or HTTP date, then
    counted from ``now``, POSIX seconds from the office clock), or None."""
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
    return max(0.0, when.timestamp() - now)


def clash_warning(clashes, limit: int = 5) -> str | None:
    """``Nomor ganda: K1 dan K3 sama-sama memberi A001, A002 — periksa number_tag di
    kiosk.ini.`` for the server's ``clashes`` (None when there are none)."""
    by_kiosks: dict[tuple, list] = {}
    for c in clashes:
        by_kiosks.setdefault(tuple(c["kiosks"]), []).append(c["number"])
    if not by_kiosks:
        return None
    parts = []
    for kiosks, numbers in by_kiosks.items():
        who = kiosks[0] if len(kiosks) == 1 else ", ".join(kiosks[:-1]) + " dan " + kiosks[-1]
        shown = ", ".join(numbers[:limit]) + (
            f" (dan {len(numbers) - limit} lainnya)" if len(numbers) > limit else "")
        parts.append(f"{who} sama-sama memberi {shown}")
    return ("Nomor ganda: " + "; ".join(parts) + " — periksa number_tag di kiosk.ini. "
            "(Duplicate ticket numbers: give each kiosk its own number_tag.)")


#: Ticket fields as staff know them (for the words of a changed ticket).
FIELD_WORDS = {"service_code": "layanan", "queue": "antrean", "sequence": "urutan",
               "number": "nomor", "issued_at": "jam ambil", "office_day": "hari",
               "language": "bahasa", "rules_confirmed": "aturan yang disetujui",
               "menu_version": "versi menu", "kiosk_id": "kiosk"}


class TicketsChanged(SyncError):
    """HTTP 409 to an upload: the office server already holds some of the batch's ticket
    ids with other content, and stored nothing of the batch. ``changes``:
    ``[{"id": str, "field": str, "stored": ..., "sent": ...}, ...]``; ``ids``: their ids."""

    def __init__(self, changes: list[dict]):
        self.changes = changes
        self.ids = list(dict.fromkeys(c["id"] for c in changes))
        super().__init__(f"Server kantor sudah menyimpan {len(self.ids)} tiket kiosk ini dengan "
                         f"isi lain (HTTP 409); tiket itu disisihkan, yang lain tetap dikirim. "
                         f"(Ticket ids held with other content.)", kind="changed", status=409)

    @classmethod
    def from_reply(cls, data) -> "TicketsChanged":
        """From the 409 body ``{"detail": ..., "changes": [...]}``; ValueError if malformed."""
        changes = data.get("changes") if isinstance(data, dict) else None
        if not changes or not isinstance(changes, list) or not all(
                isinstance(c, dict) and isinstance(c.get("id"), str)
                and isinstance(c.get("field"), str) for c in changes):
            raise ValueError("a 409 without a list of changes")
        return cls(changes)


def changed_words(ticket, changes: list[dict]) -> tuple[str, str]:
    """``(reason, alert)`` for ``ticket`` (:class:`~kiosk.models.Ticket`), which the server
    holds with other content: the reason kept with it on disk (``sync_refused``) and the
    staff alert naming its number and where the kiosk's copy is."""
    number, ticket_id = ticket.number, ticket.id
    fields = [c for c in changes if c["id"] == ticket_id]
    what = ", ".join(f"{FIELD_WORDS.get(c['field'], c['field'])}: server {c.get('stored')!r}, "
                     f"kiosk {c.get('sent')!r}" for c in fields[:4])
    reason = (f"Server kantor menyimpan tiket {number} (id {ticket_id}) dengan isi lain "
              f"({what}); tiket disisihkan dan tetap tersimpan di kiosk. (Ticket id held by "
              f"the office server with other content; set aside.)")
    alert = (f"Tiket {number} disisihkan: server kantor sudah menyimpan nomor ini dengan isi "
             f"lain ({what}). Warga pemegang {number} tetap dilayani; tiket lain tetap "
             f"terkirim. Admin: bandingkan salinan kiosk "
             f"(data_dir/days/{ticket.office_day}.json, id {ticket_id}, kunci sync_refused) "
             f"dengan server kantor. (Ticket {number} set aside: the office server holds other "
             f"content under its id.)")
    return reason, alert

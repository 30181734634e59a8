"""Printer status (DLE EOT) and transport errors, translated into words staff can act on.

Two translations live here, each in one place:

- :func:`parse_status` reads the answers to the real-time status request
  ``DLE EOT n`` (``0x10 0x04 n``, Epson ESC/POS command reference, "DLE EOT:
  Transmit real-time status"). Every answer byte has fixed bits (bit 1 and
  bit 4 set, bits 0 and 7 clear); a byte without them is not a status answer
  and counts as no answer. No answer means *unknown*, never "out of paper".

  ===  ==========================  =============================================
  n    status                      bits used
  ===  ==========================  =============================================
  1    printer status              bit 3: offline
  2    offline cause               bit 2: cover open; bit 5: stopped, paper end
  4    roll paper sensor           bits 2+3: near end; bits 5+6: paper out
  ===  ==========================  =============================================

- :func:`classify` turns any exception from a printer transport (pyusb,
  pyserial, sockets, files, python-escpos) into a ``(kind, message)`` pair:
  ``kind`` is one of :data:`KINDS`, ``message`` is plain Indonesian for staff.
"""
from __future__ import annotations

import errno
import socket

from kiosk.errors import PrinterError

KINDS = ("ok", "busy", "permission", "not_found", "timeout", "offline", "paper_out",
         "cover_open", "error")

#: the DLE EOT requests, by n
DLE_EOT = {n: bytes((0x10, 0x04, n)) for n in (1, 2, 4)}
_FIXED_MASK, _FIXED_BITS = 0x93, 0x12

MESSAGES = {
    "busy": "Printer sedang dipakai program lain (USB busy). Tutup program lain yang "
            "memakai printer, atau cabut dan pasang lagi kabel USB.",
    "permission": "Tidak ada izin membuka printer USB (aturan udev). Minta teknisi memasang "
                  "aturan udev untuk printer ini.",
    "not_found": "Printer tidak ditemukan. Periksa kabel dan pastikan printer menyala.",
    "timeout": "Printer tidak menjawab sampai batas waktu. Periksa printer (kertas, tutup, "
               "kabel), lalu coba lagi.",
    "offline": "Printer tidak dapat dihubungi. Pastikan printer menyala dan tersambung ke "
               "jaringan.",
    "paper_out": "Kertas printer habis. Ganti gulungan kertas, lalu cetak ulang slip.",
    "cover_open": "Tutup printer terbuka. Tutup rapat, lalu cetak ulang slip.",
    "error": "Printer mengalami gangguan.",
}

#: a printer that can answer DLE EOT gave no answer (``status_polling = yes``), before
#: the slip was sent (nothing sent) or after (the printer did not take the slip)
NO_ANSWER = {
    "before": "Printer tidak menjawab permintaan status; slip tidak dikirim. Periksa "
              "printer (menyala, kertas, tutup, kabel), lalu cetak ulang slip. Jika model "
              "printer ini memang tidak pernah menjawab, isi [printer] status_polling = no "
              "di kiosk.ini.",
    "after": "Printer tidak menjawab setelah slip dikirim; slip mungkin tidak keluar. "
             "Periksa printer (menyala, kertas, tutup, kabel), lalu cetak ulang slip.",
}


def is_status_byte(value: int | None) -> bool:
    """True if ``value`` has the fixed bits every DLE EOT answer carries."""
    return value is not None and 0 <= value <= 255 and value & _FIXED_MASK == _FIXED_BITS


def parse_status(answers: dict) -> dict:
    """Printer state from DLE EOT answers ``{n: byte or None}`` (n in 1, 2, 4).

    Returns ``{"online": bool|None, "cover_open": bool|None, "paper": str}``
    with paper one of ``ok``, ``near_end``, ``out``, ``unknown``. A missing or
    malformed answer leaves its fields None / ``unknown``.
    """
    printer, cause, sensor = (answers.get(n) for n in (1, 2, 4))
    state = {"online": None, "cover_open": None, "paper": "unknown"}
    if is_status_byte(printer):
        state["online"] = not printer & 0x08
    if is_status_byte(cause):
        state["cover_open"] = bool(cause & 0x04)
    if is_status_byte(sensor):
        if sensor & 0x60 == 0x60:
            state["paper"] = "out"
        elif sensor & 0x0C == 0x0C:
            state["paper"] = "near_end"
        else:
            state["paper"] = "ok"
    elif is_status_byte(cause) and cause & 0x20:
        state["paper"] = "out"
    return state


def refusal(state: dict) -> str | None:
    """The result kind that forbids sending a job in ``state`` (from :func:`parse_status`).

    ``paper_out``, ``cover_open`` or ``offline``; None when the job may be
    sent, including when the state is unknown. Sending to a stopped printer
    would park the slip in its buffer and print it whenever paper is back,
    long after the resident left.
    """
    if state["paper"] == "out":
        return "paper_out"
    if state["cover_open"]:
        return "cover_open"
    if state["online"] is False:
        return "offline"
    return None


def _usb_kind(exc) -> str:
    code = getattr(exc, "errno", None) or getattr(exc, "backend_error_code", None)
    text = str(exc).lower()
    if code == errno.EBUSY or "busy" in text:
        return "busy"
    if code == errno.EACCES or "access denied" in text or "permission" in text:
        return "permission"
    if code in (errno.ENODEV, errno.ENOENT) or "no such device" in text or "not found" in text:
        return "not_found"
    if code == errno.ETIMEDOUT or "timed out" in text or "timeout" in text:
        return "timeout"
    return "error"


def _os_kind(exc: OSError) -> str:
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timeout"
    if isinstance(exc, socket.gaierror):
        return "not_found"
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return "permission"
    if exc.errno == errno.EBUSY:
        return "busy"
    if isinstance(exc, (ConnectionError,)) or exc.errno in (
            errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN):
        return "offline"
    if isinstance(exc, FileNotFoundError) or exc.errno in (errno.ENODEV, errno.ENXIO):
        return "not_found"
    return "error"


def classify(exc: BaseException) -> tuple[str, str]:
    """``(kind, message)`` for an exception raised while opening, writing or reading a printer.

    A :class:`kiosk.errors.PrinterError` keeps its own kind and message;
    pyusb ``USBError`` is read by errno (16 busy, 13 permission, 19 no such
    device, 110 timeout); sockets: refused/unreachable/reset -> offline,
    timeout -> timeout, unknown host name -> not_found; files: ENOSPC -> error
    "disk penuh". Never raises.
    """
    if isinstance(exc, PrinterError):
        return exc.kind if exc.kind in KINDS else "error", str(exc)
    module = type(exc).__module__ or ""
    detail = str(exc) or type(exc).__name__
    if module.startswith("usb"):
        kind = _usb_kind(exc)
    elif module.startswith("serial"):
        kind = _usb_kind(exc)
        kind = "not_found" if kind == "error" and "could not open" in detail.lower() else kind
    elif type(exc).__name__ == "DeviceNotFoundError":
        kind = "not_found"
    elif isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return "error", f"Disk penuh: slip tidak bisa disimpan ({detail})."
        kind = _os_kind(exc)
    else:
        kind = "error"
    return kind, f"{MESSAGES[kind]} ({detail})"

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
  ``kind`` is one of :data:`KINDS`, ``message`` is plain Indonesian for staff
  with the fix for that transport (serial: the dialout group; USB: udev rules).

:func:`state_of` gives staff one state word (:data:`STATES`) from the same
result kind and answers the error message came from, so the state line and
the error below it never disagree.
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

#: fixes that depend on the transport (``classify(exc, transport)``)
TRANSPORT_MESSAGES = {
    ("serial", "permission"): "Tidak ada izin membuka port serial printer. Masukkan pengguna "
                              "kiosk ke grup dialout (sudo usermod -aG dialout NAMA_PENGGUNA), "
                              "lalu keluar dan masuk lagi (atau nyalakan ulang kiosk).",
    ("serial", "not_serial"): "Perangkat ini bukan port serial. Isi [printer] device di "
                              "kiosk.ini dengan port printer, mis. /dev/ttyUSB0 atau /dev/ttyS0 "
                              "(lihat `ls /dev/ttyUSB* /dev/ttyS*`).",
    ("usb", "no_backend"): "Pustaka libusb tidak terpasang, jadi printer USB tidak bisa dibuka. "
                           "Pasang: sudo apt-get install --no-install-recommends libusb-1.0-0 "
                           "(atau jalankan scripts/setup.sh), lalu nyalakan ulang kiosk.",
}

#: the one printer state word staff see (see :func:`state_of`)
STATES = ("ready", "near_end", "paper_out", "cover_open", "offline", "silent", "busy",
          "permission", "not_found", "error", "unknown")

#: a printer that can answer DLE EOT gave no answer (``status_polling = yes``), before
#: the slip was sent (nothing sent) or after (the printer did not take the slip)
NO_ANSWER = {
    "before": "Printer tidak menjawab permintaan status; slip tidak dikirim. Periksa "
              "printer (menyala, kertas, tutup, kabel), lalu cetak ulang slip. Jika model "
              "printer ini memang tidak pernah menjawab, isi [printer] status_polling = no "
              "di kiosk.ini.",
    "after": "Printer tidak menjawab setelah slip dikirim; slip mungkin tidak keluar atau "
             "hanya sebagian. Periksa printer (menyala, kertas, tutup, kabel), lalu cetak "
             "ulang slip.",
    "status": "Printer tidak menjawab permintaan status. Periksa printer (menyala, kertas, "
              "tutup, kabel).",
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


def state_of(kind: str, state: dict) -> str:
    """The staff state word (one of :data:`STATES`) for a result ``kind`` and the
    printer ``state`` (:func:`parse_status`) read in the same session.

    The kind decides: a job refused for paper out is "paper_out" even though the
    printer also reports itself offline (DLE EOT 1 bit 3 is set by paper end); a
    printer that accepted the connection but never answered ("timeout") is
    "silent", never "ready". Only a clean "ok" looks at the paper sensor.
    """
    if kind == "ok":
        return "near_end" if state.get("paper") == "near_end" else "ready"
    if kind == "timeout":
        return "silent"
    return kind if kind in STATES else "error"


def ask(device, cancel=None, first_wait_s: float | None = None) -> tuple[dict, bool]:
    """``(state, silent)`` from DLE EOT 1, 2, 4 (stops at the first unanswered request).

    ``first_wait_s`` bounds the wait for the first answer (default: the
    transport's short reply time). ``silent`` is True when a device that can
    answer (``has_status``, ``query_status``) answered nothing; the state is
    then unknown (paper ``unknown``, never ``out``).
    """
    query = getattr(device, "query_status", None)
    answers = {}
    for n in (1, 2, 4):
        if query is None:
            break
        if cancel is not None and cancel.is_set():
            raise cancelled_error()
        answer = query(n, first_wait_s) if first_wait_s and not answers else query(n)
        if answer is None:
            break
        answers[n] = answer
    state = parse_status(answers)
    # a byte without the fixed DLE EOT bits (0x00, 0xff, line noise) is no answer
    valid = [a for a in answers.values() if is_status_byte(a)]
    silent = not valid and query is not None and getattr(device, "has_status", True)
    if state["online"] is None:
        state["online"] = True  # it accepted the connection
    return state, silent


def cancelled_error() -> PrinterError:
    """The error a given-up job raises when it tries to touch the printer again."""
    return PrinterError("Pekerjaan cetak sudah dihentikan (batas waktu habis); tidak ada "
                        "yang dikirim lagi ke printer.", kind="timeout")


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


def classify(exc: BaseException, transport: str = "") -> tuple[str, str]:
    """``(kind, message)`` for an exception raised while opening, writing or reading a printer.

    ``transport`` (``usb``, ``serial``, ``network``, ``file``) picks the fix in
    the message: a serial permission error names the dialout group, a device
    that is no serial port (``/dev/null``) says which device to give, pyusb
    without libusb (``NoBackendError``) names the package to install.
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
    if type(exc).__name__ == "NoBackendError":
        return "not_found", f"{TRANSPORT_MESSAGES['usb', 'no_backend']} ({detail})"
    if module.startswith("serial") and "inappropriate ioctl" in detail.lower():
        return "not_found", f"{TRANSPORT_MESSAGES['serial', 'not_serial']} ({detail})"
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
    if transport == "serial" and kind == "permission":
        return kind, f"{TRANSPORT_MESSAGES['serial', 'permission']} ({detail})"
    return kind, f"{MESSAGES[kind]} ({detail})"

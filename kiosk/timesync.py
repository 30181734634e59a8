"""Is the system clock synchronized (NTP)? The kernel's answer, through ``adjtimex``.

A kiosk without a real-time clock boots on a wrong date and is corrected by NTP
while it runs. The store follows such a forward step onto a new office day only
when it can trust the new time: the kernel says the clock is synchronized, or
the office server's clock agrees (see :class:`kiosk.store.officeday.DayKeeper`).

:func:`kernel_clock_synchronized` reads the kernel's NTP state without changing
it (``adjtimex``/``ntp_adjtime`` with ``modes = 0``): the call returns
``TIME_ERROR`` (5) while the clock is not synchronized (``STA_UNSYNC`` set, as
``timedatectl`` shows "System clock synchronized: no"). Linux only; elsewhere the
answer is None (unknown), which counts as not synchronized.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

TIME_ERROR = 5
STA_UNSYNC = 0x0040
#: struct timex is 208 bytes on 64-bit Linux; a larger zeroed buffer is safe for reading.
_TIMEX_BYTES = 512
_STATUS_OFFSET = 4 + 4 + 4 * ctypes.sizeof(ctypes.c_long)  # modes, pad, 4 longs, then status


def _libc():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


def kernel_clock_synchronized() -> bool | None:
    """True when the kernel says the system clock is NTP-synchronized, False when it says
    not, None when it cannot be asked (not Linux, no adjtimex)."""
    libc = _libc()
    call = getattr(libc, "ntp_adjtime", None) or getattr(libc, "adjtimex", None)
    if call is None:
        return None
    buf = ctypes.create_string_buffer(_TIMEX_BYTES)  # modes = 0: read only
    state = call(buf)
    if state < 0:
        log.warning("adjtimex failed (errno %d); clock sync state unknown", ctypes.get_errno())
        return None
    status = int.from_bytes(buf.raw[_STATUS_OFFSET:_STATUS_OFFSET + 4], "little", signed=True)
    return state != TIME_ERROR and not status & STA_UNSYNC

"""Printer transports: one python-escpos subclass per ``[printer] type``, with explicit timeouts.

Each class is a real ``escpos`` printer object (``text()``, ``qr()``, ... work),
plus what the print worker needs, all bounded in time:

- ``open()`` connects within ``timeout_s`` (python-escpos: USB waits forever,
  network 60 s); :func:`open_device` builds and opens one;
- ``deliver(job)`` sends the job's pre-rendered bytes, each write bounded by
  ``timeout_s`` (the file printer writes ``<name>.bin`` and ``<name>.png``);
- ``query_status(n)`` sends ``DLE EOT n`` and returns the answer byte, or None
  when the printer does not answer within :data:`STATUS_REPLY_S`;
- ``interrupt()`` (network) unblocks a write stuck in another thread;
- ``close()`` releases the connection; safe to call twice.

Failures are raised as :class:`kiosk.errors.PrinterError` whose ``kind`` and
Indonesian message come from :func:`printer.status.classify`. Unlike
python-escpos there is no ``assert`` for runtime checks, no lazy self-opening
``device`` property in the send path, and no cleanup in ``__del__`` (the
worker closes every connection it opens, explicitly).
"""
from __future__ import annotations

import errno
import logging
import os
import select
import socket
import time

from escpos.printer import Dummy, Network, Serial, Usb

from kiosk.errors import PrinterError

from .spool import SpoolPrinter
from .status import cancelled_error
from .transport import Transport, fail

log = logging.getLogger(__name__)

#: a network connect wakes up this often (s) to see whether its job was given up
CONNECT_SLICE_S = 0.05

class NetworkPrinter(Transport, Network):
    """Raw TCP printer (port 9100): connect and every send bounded by ``timeout_s`` seconds."""

    kind = "network"
    _connecting = None

    def __init__(self, host: str, port: int = 9100, timeout_s: float = 3.0, profile=None):
        Network.__init__(self, host=host, port=port, timeout=timeout_s, profile=profile)
        self.timeout_s = timeout_s

    def open(self, raise_not_found: bool = True) -> None:
        """Connect; raises PrinterError offline (refused, unreachable, no answer) or not_found.

        The connect waits in slices of :data:`CONNECT_SLICE_S` and stops as soon
        as the job's cancel token is set (or :meth:`interrupt` is called), closing
        its socket: a given-up job can never complete a connection later.
        """
        self.close()
        where = f"{self.host}:{self.port}"
        try:
            infos = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise fail(exc, where, self.kind) from exc
        family, kind, proto, _name, address = infos[0]
        sock = self._connecting = socket.socket(family, kind, proto)
        try:
            self._connect(sock, address, where)
        except BaseException:
            sock.close()
            raise
        finally:
            self._connecting = None
        sock.settimeout(self.timeout_s)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._device = sock

    def _connect(self, sock, address, where: str) -> None:
        sock.setblocking(False)
        code = sock.connect_ex(address)
        end = time.monotonic() + self.timeout_s
        while code in (errno.EINPROGRESS, errno.EALREADY, errno.EWOULDBLOCK):
            self.check_cancel()
            left = end - time.monotonic()
            if left <= 0:
                raise PrinterError(f"Printer jaringan {where} tidak menjawab dalam "
                                   f"{self.timeout_s:g} detik. Pastikan printer menyala dan "
                                   f"tersambung ke jaringan.", kind="offline")
            try:
                _r, writable, _x = select.select([], [sock], [], min(CONNECT_SLICE_S, left))
            except (OSError, ValueError):  # closed by interrupt()
                raise cancelled_error() from None
            if writable:
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        self.check_cancel()
        if code:
            raise fail(OSError(code, os.strerror(code)), where, self.kind)

    def _raw(self, msg: bytes) -> None:
        sock = self._require()
        try:
            sock.sendall(msg)
        except (socket.timeout, TimeoutError):
            raise PrinterError(f"Printer jaringan {self.host}:{self.port} tidak menerima data "
                               f"dalam {self.timeout_s:g} detik (printer macet atau sibuk).",
                               kind="timeout") from None
        except OSError as exc:
            raise fail(exc, f"{self.host}:{self.port}", self.kind) from exc

    def _read_status(self, timeout_s: float) -> bytes:
        sock = self._require()
        sock.settimeout(timeout_s)
        try:
            return sock.recv(16)
        except (socket.timeout, TimeoutError):
            return b""
        except OSError as exc:
            raise fail(exc, f"{self.host}:{self.port}", self.kind) from exc
        finally:
            sock.settimeout(self.timeout_s)

    def interrupt(self) -> None:
        """Shut the socket down so a ``sendall`` blocked on another thread returns at once;
        a connection still being made is abandoned and its socket closed."""
        connecting = self._connecting
        if connecting is not None:
            connecting.close()
        sock = self._device
        if sock:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        self.interrupt()
        sock, self._device = self._device, False
        if sock:
            sock.close()


class UsbPrinter(Transport, Usb):
    """USB printer via pyusb; every transfer bounded by ``timeout_s`` (pyusb counts in ms).

    ``finder`` replaces ``usb.core.find`` (tests inject fake devices).
    """

    kind = "usb"

    def __init__(self, vendor_id: int, product_id: int, interface: int = 0, in_ep: int = 0x82,
                 out_ep: int = 0x01, timeout_s: float = 3.0, profile=None, finder=None):
        Usb.__init__(self, idVendor=vendor_id, idProduct=product_id,
                     timeout=int(timeout_s * 1000), in_ep=in_ep, out_ep=out_ep, profile=profile)
        self.interface, self.timeout_s, self._finder = interface, timeout_s, finder
        self.where = f"USB {vendor_id:04x}:{product_id:04x}"

    def open(self, raise_not_found: bool = True) -> None:
        """Find and configure the device; PrinterError not_found, busy or permission."""
        import usb.core

        self.close()
        find = self._finder or usb.core.find
        try:
            dev = find(idVendor=self.usb_args["idVendor"], idProduct=self.usb_args["idProduct"])
            if dev is None:
                raise PrinterError(f"Printer {self.where} tidak ditemukan. Periksa kabel USB dan "
                                   f"pastikan printer menyala.", kind="not_found")
            try:
                if dev.is_kernel_driver_active(self.interface):
                    dev.detach_kernel_driver(self.interface)
            except NotImplementedError:
                pass
            try:
                dev.get_active_configuration()
            except usb.core.USBError:
                dev.set_configuration()
        except PrinterError:
            raise
        except Exception as exc:
            raise fail(exc, self.where, self.kind) from exc
        self._device = dev

    def _raw(self, msg: bytes) -> None:
        dev = self._require()
        try:
            dev.write(self.out_ep, msg, self.timeout)
        except Exception as exc:
            raise fail(exc, self.where, self.kind) from exc

    def _read_status(self, timeout_s: float) -> bytes:
        import usb.core

        dev = self._require()
        try:
            return bytes(dev.read(self.in_ep, 16, int(timeout_s * 1000)))
        except usb.core.USBTimeoutError:
            return b""
        except Exception as exc:
            raise fail(exc, self.where, self.kind) from exc

    def close(self) -> None:
        dev, self._device = self._device, False
        if dev:
            try:
                import usb.util
                usb.util.dispose_resources(dev)
            except Exception:  # a vanished device cannot be released; nothing to do
                log.debug("USB release failed for %s", self.where, exc_info=True)


class SerialPrinter(Transport, Serial):
    """Serial printer via pyserial; reads and writes bounded by ``timeout_s``."""

    kind = "serial"

    def __init__(self, device: str, baudrate: int = 9600, timeout_s: float = 3.0, profile=None):
        Serial.__init__(self, devfile=device, baudrate=baudrate, timeout=timeout_s,
                        profile=profile)
        self.timeout_s = timeout_s

    def open(self, raise_not_found: bool = True) -> None:
        """Open the port; PrinterError not_found, busy or permission."""
        import serial

        self.close()
        try:
            self._device = serial.Serial(port=self.devfile, baudrate=self.baudrate,
                                         bytesize=self.bytesize, parity=self.parity,
                                         stopbits=self.stopbits, timeout=self.timeout_s,
                                         write_timeout=self.timeout_s, dsrdtr=self.dsrdtr)
        except Exception as exc:
            raise fail(exc, self.devfile, self.kind) from exc

    def _raw(self, msg: bytes) -> None:
        port = self._require()
        try:
            port.write(msg)
            port.flush()
        except Exception as exc:
            if type(exc).__name__ == "SerialTimeoutException":
                raise PrinterError(f"Printer serial {self.devfile} tidak menerima data dalam "
                                   f"{self.timeout_s:g} detik.", kind="timeout") from exc
            raise fail(exc, self.devfile, self.kind) from exc

    def _read_status(self, timeout_s: float) -> bytes:
        port = self._require()
        port.timeout = timeout_s
        try:
            return port.read(16)
        except Exception as exc:
            raise fail(exc, self.devfile, self.kind) from exc
        finally:
            port.timeout = self.timeout_s

    def close(self) -> None:
        port, self._device = self._device, False
        if port:
            try:
                port.close()
            except Exception:
                log.debug("closing %s failed", self.devfile, exc_info=True)


class DummyPrinter(Transport, Dummy):
    """Renders and keeps the bytes in memory (``output``); never fails, has no status."""

    kind = "dummy"
    has_status = False

    def open(self, raise_not_found: bool = True) -> None:
        self._device = True

    def close(self) -> None:
        self._device = False


def build_device(cfg, finder=None):
    """An unopened printer object for ``cfg`` (:class:`kiosk.config.PrinterConfig`).

    Raises PrinterError for an unknown ``cfg.type``.
    """
    kind = cfg.type
    if kind == "network":
        return NetworkPrinter(cfg.host, cfg.port, cfg.timeout_s, profile=cfg.profile)
    if kind == "usb":
        return UsbPrinter(cfg.vendor_id, cfg.product_id, cfg.interface, cfg.in_ep, cfg.out_ep,
                          cfg.timeout_s, profile=cfg.profile, finder=finder)
    if kind == "serial":
        return SerialPrinter(cfg.device, cfg.baudrate, cfg.timeout_s, profile=cfg.profile)
    if kind == "file":
        return SpoolPrinter(cfg.path, profile=cfg.profile)
    if kind == "dummy":
        return DummyPrinter(profile=cfg.profile)
    raise PrinterError(f"Jenis printer tidak dikenal: {kind!r} (usb, serial, network, file, "
                       f"dummy).", kind="error")


def open_device(cfg, cancel=None, clock=None):
    """Build and open the printer of ``cfg``; the caller must ``close()`` it.

    ``cancel`` (a ``threading.Event``) is the job's cancel token: once set, the
    device sends nothing more and a network connect in progress is abandoned.
    ``clock`` (:class:`kiosk.clock.OfficeClock`) names the file printer's unnamed files.

    Bounded by ``cfg.timeout_s`` for network, USB and serial. Raises
    :class:`kiosk.errors.PrinterError` (kind busy, permission, not_found,
    offline, timeout or error) with a message for staff.
    """
    device = build_device(cfg)
    device.cancel = cancel
    if clock is not None:
        device.clock = clock
    device.open()
    return device


def describe(cfg) -> str:
    """One line about the configured printer for ``kiosk check``; never raises.

    E.g. ``"network printer 127.0.0.1:9100, profile TM-T20II (QR, cutter), 80 mm"``.
    """
    from .profiles import load_profile

    where = {
        "network": lambda: f"network printer {cfg.host}:{cfg.port}",
        "usb": lambda: (f"USB printer {cfg.vendor_id:04x}:{cfg.product_id:04x} (interface "
                        f"{cfg.interface}, endpoints in 0x{cfg.in_ep:02x} out 0x{cfg.out_ep:02x})"),
        "serial": lambda: f"serial printer {cfg.device} at {cfg.baudrate} baud",
        "file": lambda: f"file printer: slips saved as .bin + .png in {cfg.path}",
        "dummy": lambda: "dummy printer (slips rendered and discarded)",
    }.get(cfg.type, lambda: f"unknown printer type {cfg.type!r}")()
    try:
        prof = load_profile(cfg.profile)
        feats = [name for name, key in (("QR", "qrCode"), ("cutter", "paperFullCut"))
                 if prof.supports(key)] or ["no QR, no cutter"]
        profile = f"profile {cfg.profile} ({', '.join(feats)})"
    except Exception:
        profile = f"profile {cfg.profile} (UNKNOWN to python-escpos)"
    polling = "" if cfg.status_polling else ", status polling off"
    return (f"{where}, {profile}, {cfg.paper_width_mm} mm, timeout {cfg.timeout_s:g} s, "
            f"job deadline {cfg.job_deadline_s:g} s{polling}")

"""Fixtures for the printer tests: a real network printer peer on 127.0.0.1, configs, tickets.

:class:`PrinterPeer` listens on a free 127.0.0.1 port and behaves like a raw
port-9100 printer: it stores what each connection sends (status requests
removed), answers ``DLE EOT n`` from ``peer.status`` (no entry = no answer),
and can misbehave: ``mode = "stall"`` accepts and never reads, ``idle_close_s``
drops a connection that stays silent that long.
"""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace

import pytest

from kiosk.config import load_config
from kiosk.models import Ticket
from printer.slip import SlipInfo

DLE_EOT = b"\x10\x04"
READY = {1: 0x12, 2: 0x12, 4: 0x12}          # online, cover closed, paper ok
PAPER_OUT = {1: 0x1A, 2: 0x32, 4: 0x72}      # offline, stopped by paper end, paper out
NEAR_END = {1: 0x12, 2: 0x12, 4: 0x1E}


class PrinterPeer:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.status: dict = {}
        self.mode = "print"
        self.idle_close_s: float | None = None
        self.jobs: list[bytes] = []
        self.requests: list[int] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._open.append(conn)
            if self.mode != "stall":
                threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        data = b""
        conn.settimeout(self.idle_close_s or 5.0)
        try:
            while True:
                try:
                    chunk = conn.recv(65536)
                except socket.timeout:
                    break  # idle: the printer drops the connection
                if not chunk:
                    break
                data += chunk
                while DLE_EOT in data:
                    at = data.index(DLE_EOT)
                    if len(data) < at + 3:
                        break
                    n = data[at + 2]
                    data = data[:at] + data[at + 3:]
                    self.requests.append(n)
                    if n in self.status:
                        conn.sendall(bytes([self.status[n]]))
        except OSError:
            pass
        finally:
            conn.close()
            if data:
                with self._lock:
                    self.jobs.append(data)

    def wait_jobs(self, count: int, timeout_s: float = 3.0) -> list[bytes]:
        end = time.monotonic() + timeout_s
        while len(self.jobs) < count and time.monotonic() < end:
            time.sleep(0.01)
        time.sleep(0.05)  # a surplus job would show up now
        return list(self.jobs)

    def close(self):
        self._stop = True
        self.sock.close()
        for conn in self._open:
            try:
                conn.close()
            except OSError:
                pass


@pytest.fixture
def peer():
    server = PrinterPeer()
    yield server
    server.close()


@pytest.fixture
def base_cfg():
    """Default PrinterConfig with short test timeouts."""
    return replace(load_config(None).printer, timeout_s=0.5, job_deadline_s=1.5)


@pytest.fixture
def net_cfg(base_cfg, peer):
    return replace(base_cfg, type="network", host="127.0.0.1", port=peer.port)


def _ticket(number="A001", language="id", **kw):
    fields = dict(id="3f2b8c1e9a7d4e6fb0c1d2e3f4a5b6c7", kiosk_id="K1", office_day="2026-11-29",
                  service_code="ktp-baru", queue="A", sequence=1, number=number,
                  issued_at="2026-11-29T08:15:00+07:00", language=language)
    fields.update(kw)
    return Ticket(**fields)


def _info(**kw):
    fields = dict(office_name="Dinas Kependudukan dan Pencatatan Sipil",
                  regency="Kabupaten Barito Timur", address="Tamiang Layang", tz_label="WIB",
                  service_name="Perekaman KTP-el (pertama kali)", counter="Loket 1",
                  requirements=("Fotokopi Kartu Keluarga (KK)",), people_ahead=3, wait_min=45)
    fields.update(kw)
    return SlipInfo(**fields)


@pytest.fixture
def make_ticket():
    """Ticket(**overrides) factory."""
    return _ticket


@pytest.fixture
def make_info():
    """SlipInfo(**overrides) factory."""
    return _info


@pytest.fixture
def ticket():
    return _ticket()


@pytest.fixture
def info():
    return _info()

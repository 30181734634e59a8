"""A real network printer peer on 127.0.0.1 for the print tests.

:class:`PrinterPeer` listens on a free 127.0.0.1 port and behaves like a raw
port-9100 printer: it stores what each connection sends (status requests
removed), answers ``DLE EOT n`` from ``peer.status`` (no entry = no answer),
and can misbehave: ``mode = "stall"`` accepts and never reads, ``read_limit``
stops reading a connection after that many bytes (answers status, then hangs),
``idle_close_s`` drops a connection that stays silent that long.
``status_after_data`` (when set) answers instead of ``status`` once slip bytes
arrived on the connection (paper running out part-way through a slip);
``drop_after`` closes the connection after that many slip bytes (a cable
pulled mid-slip). :class:`FullListener` is a printer whose connect hangs.
"""
from __future__ import annotations

import socket
import threading
import time

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
        self.read_limit: int | None = None
        self.status_after_data: dict | None = None
        self.drop_after: int | None = None
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
        data, seen = b"", 0
        conn.settimeout(self.idle_close_s or 5.0)
        try:
            while self.read_limit is None or seen < self.read_limit:
                try:
                    chunk = conn.recv(65536)
                except socket.timeout:
                    break  # idle: the printer drops the connection
                if not chunk:
                    break
                seen += len(chunk)
                data += chunk
                while DLE_EOT in data:
                    at = data.index(DLE_EOT)
                    if len(data) < at + 3:
                        break
                    n = data[at + 2]
                    data = data[:at] + data[at + 3:]
                    self.requests.append(n)
                    answers = self.status
                    if data[:at] and self.status_after_data is not None:
                        answers = self.status_after_data
                    if n in answers:
                        conn.sendall(bytes([answers[n]]))
                if self.drop_after is not None and len(data) >= self.drop_after:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                    b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST
                    break
            while self.read_limit is not None and not self._stop:  # hang: never read again
                time.sleep(0.05)
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


class FullListener:
    """A 127.0.0.1 port whose accept queue is full: a new connect hangs (the kernel drops
    the SYN and retries it) until :meth:`drain` starts accepting. ``received`` collects
    every byte of every connection accepted after that."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self.port = self.sock.getsockname()[1]
        self.filler = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        self.received = b""
        self.accepted = 0
        self._stop = False

    def drain(self):
        """Accept and read every connection from now on (in a thread)."""
        def serve():
            self.sock.settimeout(0.1)
            while not self._stop:
                try:
                    conn, _ = self.sock.accept()
                except OSError:
                    continue
                self.accepted += 1
                conn.settimeout(0.2)
                try:
                    while chunk := conn.recv(65536):
                        self.received += chunk
                except OSError:
                    pass
                conn.close()
        threading.Thread(target=serve, daemon=True).start()

    def close(self):
        self._stop = True
        self.filler.close()
        self.sock.close()


def wait_for(results: list, count: int, timeout_s: float = 5.0) -> list:
    """``results`` once it holds ``count`` items (or after ``timeout_s``)."""
    end = time.monotonic() + timeout_s
    while len(results) < count and time.monotonic() < end:
        time.sleep(0.01)
    return results

"""A fault proxy on 127.0.0.1 in front of the real office server, for the sync fault tests.

``mode`` decides what each new connection gets:

- ``"pass"``: bytes forwarded both ways to the office server;
- ``"trickle"``: the request is read, then an HTTP answer comes one byte every
  ``trickle_s`` seconds and never ends (every read finishes within a read timeout);
- ``"hang"``: the request is read and never answered;
- ``"500"`` / ``"401"``: answered at once with that status and a JSON body, then closed.

``requests`` counts answered requests (fault modes) and connections (pass);
``live`` is how many client connections are still open: a client that gives up
must close its connection, so ``live`` drops to 0.
"""
from __future__ import annotations

import json
import select
import socket
import threading
import time


class FaultProxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1"):
        self.upstream = (upstream_host, upstream_port)
        self.mode = "pass"
        self.trickle_s = 2.0
        self.requests = 0
        self.live = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self.live += 1
            threading.Thread(target=self._serve, args=(conn, self.mode), daemon=True).start()

    def _serve(self, conn, mode):
        try:
            if mode == "pass":
                with self._lock:
                    self.requests += 1
                self._forward(conn)
                return
            if not self._read_request(conn):
                return
            with self._lock:
                self.requests += 1
            if mode in ("500", "401"):  # one answer, then close: the next request sees the mode
                body = json.dumps({"detail": f"fault proxy {mode}"}).encode()
                conn.sendall(f"HTTP/1.1 {mode} X\r\nContent-Type: application/json\r\n"
                             f"Connection: close\r\nContent-Length: {len(body)}\r\n\r\n"
                             .encode() + body)
                return
            answer = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 100000\r\n\r\n" + b" " * 100000)
            for i in range(len(answer)):  # trickle: one byte per trickle_s; hang: none
                if self._closed_by_client(conn, self.trickle_s):
                    return
                if mode == "trickle":
                    conn.sendall(answer[i:i + 1])
        except OSError:
            return
        finally:
            conn.close()
            with self._lock:
                self.live -= 1

    def _closed_by_client(self, conn, wait_s: float) -> bool:
        readable, _, _ = select.select([conn], [], [], wait_s)
        if not readable:
            return self._stop.is_set()
        try:
            return conn.recv(65536) == b""
        except OSError:
            return True

    @staticmethod
    def _read_request(conn) -> bool:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return False
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return False
            body += chunk
        return True

    def _forward(self, conn):
        up = socket.create_connection(self.upstream, timeout=5)
        up.settimeout(None)
        try:
            pair = {conn: up, up: conn}
            while not self._stop.is_set():
                readable, _, _ = select.select(list(pair), [], [], 0.2)
                for src in readable:
                    chunk = src.recv(65536)
                    if not chunk:
                        return
                    pair[src].sendall(chunk)
        finally:
            up.close()

    def wait_idle(self, timeout_s: float = 3.0) -> int:
        """``live`` once it is 0 (or after ``timeout_s``)."""
        end = time.monotonic() + timeout_s
        while self.live and time.monotonic() < end:
            time.sleep(0.02)
        return self.live

    def close(self):
        self._stop.set()
        self.sock.close()

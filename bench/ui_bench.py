"""Responsiveness figures of the real app, offscreen (DESIGN.md goals).

    .venv/bin/python bench/ui_bench.py [--journeys 300] [--checkins 5000]

Prints:
  1. tap on "take a number" -> first byte at a network printer on 127.0.0.1 (p50/p95, ms)
  2. longest main-thread frame gap while slips go to a printer that accepts and never
     reads (a hung printer), and while the sync worker drains a 10,000-ticket backlog to
     the office server on 127.0.0.1, next to the same screen's idle baseline. Offscreen,
     Kivy draws with Mesa's llvmpipe (software GL on the CPU): a frame that uploads a new
     text texture can take 100+ ms here on its own, and the GL call holds the GIL. The
     baseline shows that cost; the difference is what printing or syncing adds.
  3. memory growth (RSS) over N UI journeys and over M check-ins through the desk
"""
from __future__ import annotations

import argparse
import dataclasses
import resource
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from screens import driver  # noqa: E402

driver.headless_env()

from kiosk.config import load_config  # noqa: E402
from lobby.runtime import KioskRuntime  # noqa: E402
from screens.app import LobbyApp  # noqa: E402
from lobby.launch import journey  # noqa: E402


class PrinterPeer:
    """A TCP printer on 127.0.0.1: records when each job's first byte arrives; or hangs."""

    def __init__(self, read=True):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.first_bytes: list[float] = []
        self.read = read
        self.conns = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            if self.read:
                threading.Thread(target=self._drain, args=(conn,), daemon=True).start()

    def _drain(self, conn):
        first = True
        while True:
            try:
                data = conn.recv(65536)
            except OSError:
                return
            if not data:
                return
            if first:
                self.first_bytes.append(time.perf_counter())
                first = False


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def open_app(tmp: Path, printer: dict, server: dict | None = None):
    lines = ["[kiosk]", "data_dir = data", "[printer]"]
    lines += [f"{k} = {v}" for k, v in printer.items()]
    if server:
        lines += ["[server]"] + [f"{k} = {v}" for k, v in server.items()]
    (tmp / "kiosk.ini").write_text("\n".join(lines) + "\n")
    cfg = load_config(tmp / "kiosk.ini")
    monday = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
    offset = monday - datetime.now(timezone.utc)
    runtime = KioskRuntime(cfg, clock=lambda: datetime.now(timezone.utc) + offset).start()
    return runtime, driver.start_app(LobbyApp(runtime))


def close_app(runtime, app):
    driver.stop_app(app)
    runtime.stop()


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def tap_to_first_byte(n: int) -> list[float]:
    peer = PrinterPeer()
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        runtime, app = open_app(Path(tmp), {"type": "network", "host": "127.0.0.1",
                                            "port": peer.port, "status_polling": "no"})
        try:
            for _ in range(n):
                journey(app, rules=False)
                rules = app.sm.get_screen("rules")
                for card in rules.cards():
                    driver.tap(card)
                before = len(peer.first_bytes)
                tapped = time.perf_counter()
                driver.tap(rules.ids.take, frames=0)
                driver.pump_until(lambda: len(peer.first_bytes) > before, timeout=5)
                out.append((peer.first_bytes[-1] - tapped) * 1000)
                app.flow.reset()
        finally:
            close_app(runtime, app)
    return out


def frame_gaps(action, seconds: float) -> float:
    """Longest gap between frames (ms) while ``action`` runs in the background."""
    gaps, last = [], [time.perf_counter()]
    done = threading.Event()
    threading.Thread(target=lambda: (action(), done.set()), daemon=True).start()
    end = time.monotonic() + seconds
    while time.monotonic() < end and not done.is_set():
        driver.pump()
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now
        time.sleep(1 / 60)
    return max(gaps) - 1000 / 60


def stall_hung_printer() -> float:
    peer = PrinterPeer(read=False)
    with tempfile.TemporaryDirectory() as tmp:
        runtime, app = open_app(Path(tmp), {"type": "network", "host": "127.0.0.1",
                                            "port": peer.port, "status_polling": "no",
                                            "timeout_s": "1", "job_deadline_s": "2"})
        try:
            def hammer():
                for _ in range(5):
                    t = runtime.store.last_ticket()
                    runtime.slips.submit(t, runtime.menu, 0) if t else None
                    time.sleep(0.3)
            journey(app)
            return frame_gaps(lambda: time.sleep(3), 3), frame_gaps(hammer, 8)
        finally:
            close_app(runtime, app)


def stall_sync_backlog(n: int) -> tuple[float, float]:
    from sync_drain import OfficeProcess
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        office = OfficeProcess(tmp)
        try:
            runtime, app = open_app(tmp, {"type": "dummy"},
                                    {"url": office.url, "token": office.token,
                                     "interval_s": "3600"})
            try:
                store = runtime.store
                day0 = datetime(2026, 11, 1, 2, tzinfo=timezone.utc)
                for i in range(n):  # a week+ offline
                    store.issue_ticket(service_code="ktp-baru", queue="A", language="id",
                                       now=day0 + timedelta(days=i // 1000))
                started = time.perf_counter()

                def drain():
                    runtime.sync.poke()
                    while store.pending_count():
                        time.sleep(0.05)
                gap = frame_gaps(drain, 120)
                return gap, time.perf_counter() - started
            finally:
                close_app(runtime, app)
        finally:
            office.stop()


def memory(journeys: int, checkins: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        runtime, app = open_app(Path(tmp), {"type": "dummy"})
        try:
            for _ in range(20):
                journey(app)
                app.flow.reset()
            base = rss_mb()
            for _ in range(journeys):
                journey(app)
                app.flow.reset()
            ui = rss_mb() - base
            desk = runtime.desk
            base = rss_mb()
            for i in range(checkins):
                j = desk.begin("id")
                desk.select_service(j, ("ktp-baru", "kk-baru", "akta-lahir")[i % 3])
                for rule in ("mask", "handwash", "distance"):
                    desk.confirm_rule(j, rule)
                desk.check_in(j)
            time.sleep(1)
            return ui, rss_mb() - base
        finally:
            close_app(runtime, app)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--journeys", type=int, default=300)
    ap.add_argument("--checkins", type=int, default=5000)
    ap.add_argument("--backlog", type=int, default=10_000)
    args = ap.parse_args()
    ms = tap_to_first_byte(50)
    print(f"tap -> first byte at network printer (50): p50 {pct(ms, 50):.1f} ms, "
          f"p95 {pct(ms, 95):.1f} ms, max {max(ms):.1f} ms")
    idle, hung = stall_hung_printer()
    print(f"longest extra frame gap: idle ticket screen {idle:.1f} ms; while printing to a "
          f"hung printer {hung:.1f} ms")
    gap, secs = stall_sync_backlog(args.backlog)
    print(f"longest extra frame gap while draining {args.backlog} tickets to the office "
          f"server: {gap:.1f} ms (drained in {secs:.1f} s)")
    ui, core = memory(args.journeys, args.checkins)
    print(f"max RSS growth: {ui:.1f} MB over {args.journeys} UI journeys, "
          f"{core:.1f} MB over {args.checkins} desk check-ins (dummy printer)")


if __name__ == "__main__":
    main()

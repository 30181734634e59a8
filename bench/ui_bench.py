"""Responsiveness figures of the real app, offscreen (DESIGN.md goals, issue 13 item 5).

    .venv/bin/python bench/ui_bench.py [--taps 500] [--journeys 300] [--checkins 5000]
                                       [--backlog 10000] [--figures taps,hung,sync,memory]
                                       [--draw]

Prints:
  1. taps: N journeys, each ending with a tap on "Ambil nomor antrian"; tap -> first byte
     at a network printer on 127.0.0.1, p50/p95/p99/max (ms; goal p99 <= 25 ms); the
     longest garbage-collection pause on the main thread (a ``gc.callbacks`` hook) and
     the full collections there; the main thread's CPU time for one whole journey
     (``time.thread_time``: welcome tap -> services -> rules -> number -> "Selesai", the
     frames pumped included), with frames drawn and without.
  2. hung: longest main-thread frame gap while slips go to a printer that accepts and never
     reads, next to the same screen's idle baseline.
  3. sync: longest main-thread frame gap while the sync worker drains a 10,000-ticket
     backlog to the office server on 127.0.0.1.
  4. memory: RSS growth over N UI journeys and over M check-ins through the desk.

How the app is driven: one app per figure, reused across its journeys; frames are pumped
by ``screens.driver`` (Kivy's clock follows the frames, so a 0.2 s slide-in is 12 frames,
not 0.2 s of sleeping) and the touch guard's clock is a StepClock moved on as a resident
who has looked at the new screen (no 0.35 s sleeps). Offscreen, Kivy draws with Mesa's
llvmpipe, software GL on the CPU: a drawn frame costs tens of ms of CPU here, most of it in
llvmpipe's threads, where a kiosk's GPU costs next to nothing. The tap and memory loops
therefore lay out and render text in every frame but do not draw it (``--draw`` draws;
slower); the frame-gap figures draw, and their idle baseline shows what drawing costs.
Time comes from the office clock (``kiosk.clock``): Monday 2026-11-30 09:00 WIB onward.
"""
from __future__ import annotations

import argparse
import gc
import resource
import socket
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from screens import driver  # noqa: E402

driver.headless_env()

from kiosk.clock import FixedClock, OfficeClock  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from lobby.launch import journey  # noqa: E402
from lobby.runtime import KioskRuntime  # noqa: E402
from screens.app import LobbyApp  # noqa: E402


class PrinterPeer:
    """A TCP printer on 127.0.0.1: records when each job's first byte arrives; or hangs."""

    def __init__(self, read=True):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.first_bytes: list[float] = []
        self.arrived = threading.Event()
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
                self.arrived.set()
                first = False


class GcPauses:
    """``gc.callbacks`` hook: how long each collection took, on which thread, which
    generation. Use as a context manager around the measured part."""

    def __init__(self):
        self.main = threading.main_thread().ident
        self.seen: list[tuple[bool, int, float]] = []  # (on main thread, generation, ms)
        self._started = {}

    def __call__(self, phase, info):
        ident = threading.get_ident()
        if phase == "start":
            self._started[ident] = time.perf_counter()
        elif ident in self._started:
            ms = (time.perf_counter() - self._started.pop(ident)) * 1000
            self.seen.append((ident == self.main, info["generation"], ms))

    def __enter__(self):
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self)

    def longest(self, main_only=True) -> tuple[float, int]:
        """(ms, generation) of the longest collection (on the main thread, or on any: the
        collecting thread holds the GIL); (0, -1) if none."""
        return max(((ms, gen) for main, gen, ms in self.seen if main or not main_only),
                   default=(0.0, -1))

    def full_on_main(self) -> int:
        return sum(1 for main, gen, _ in self.seen if main and gen == 2)


def office_clock() -> OfficeClock:
    """The office clock, running, from Monday 2026-11-30 09:00 WIB (office hours)."""
    clock = OfficeClock()
    return clock.shifted(FixedClock.START - clock.now())


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def open_app(tmp: Path, printer: dict, server: dict | None = None):
    lines = ["[kiosk]", "data_dir = data", "[printer]"]
    lines += [f"{k} = {v}" for k, v in printer.items()]
    if server:
        lines += ["[server]"] + [f"{k} = {v}" for k, v in server.items()]
    (tmp / "kiosk.ini").write_text("\n".join(lines) + "\n")
    runtime = KioskRuntime(load_config(tmp / "kiosk.ini"), clock=office_clock()).start()
    return runtime, driver.start_app(LobbyApp(runtime, ui_clock=driver.StepClock()))


def close_app(runtime, app):
    driver.stop_app(app)
    runtime.stop()


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def to_rules(app, i: int):
    """Welcome -> services (language and service vary) -> rules, all rules confirmed."""
    journey(app, lang=("id", "en")[i % 2], service_index=i % 4, rules=False)
    rules = app.sm.get_screen("rules")
    for card in rules.cards():
        driver.tap(card)
    return rules


def finish(app):
    """"Selesai" on the ticket screen, back on welcome."""
    driver.tap(app.sm.get_screen("ticket").ids.done)
    driver.settle(app.sm.get_screen("welcome").ids.lang_id)


def frames_until(event: threading.Event, timeout=30.0) -> None:
    """Frames as the running app makes them (60 a second: a frame, then the main thread
    idles for the rest of its 1/60 s) until ``event`` is set; TimeoutError after
    ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while not event.is_set():
        started = time.monotonic()
        if started > end:
            raise TimeoutError(f"no first byte at the printer in {timeout} s")
        driver.pump()
        event.wait(max(0.0, driver.FRAME_S - (time.monotonic() - started)))


def taps(n: int, draw: bool) -> dict:
    """``n`` journeys; returns tap -> first byte (ms), GC pauses, journey CPU (ms)."""
    peer = PrinterPeer()
    first_byte, cpu = [], []
    with tempfile.TemporaryDirectory() as tmp:
        runtime, app = open_app(Path(tmp), {"type": "network", "host": "127.0.0.1",
                                            "port": peer.port, "status_polling": "no"})
        driver.draw_frames(draw)
        try:
            for i in range(4):  # warm-up: what is made once (slip fonts, plugins)
                to_rules(app, i)
                driver.tap(app.sm.get_screen("rules").ids.take)
                driver.pump_until(lambda: app.sm.current == "ticket", timeout=30)
                finish(app)
            driver.pump_until(lambda: len(peer.first_bytes) >= 4, timeout=30)
            with GcPauses() as pauses:
                for i in range(n):
                    started = time.thread_time()
                    rules = to_rules(app, i)
                    peer.arrived.clear()
                    tapped = time.perf_counter()
                    driver.tap(rules.ids.take, frames=0)
                    frames_until(peer.arrived)
                    first_byte.append((peer.first_bytes[-1] - tapped) * 1000)
                    driver.pump_until(lambda: app.sm.current == "ticket", timeout=30)
                    finish(app)
                    cpu.append((time.thread_time() - started) * 1000)
            drawn = []
            with driver.drawing():  # the same journey with every frame drawn (llvmpipe)
                for i in range(22):  # the first two upload every screen's textures
                    started = time.thread_time()
                    to_rules(app, i)
                    driver.tap(app.sm.get_screen("rules").ids.take)
                    driver.pump_until(lambda: app.sm.current == "ticket", timeout=30)
                    finish(app)
                    drawn.append((time.thread_time() - started) * 1000)
            drawn = drawn[2:]
        finally:
            driver.draw_frames(True)
            close_app(runtime, app)
    return {"first_byte": first_byte, "cpu": cpu, "cpu_drawn": drawn, "gc": pauses}


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


def stall_hung_printer() -> tuple[float, float]:
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
                day0 = runtime.clock.now() - timedelta(days=n // 1000 + 1)
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


def memory(journeys: int, checkins: int, draw: bool) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        runtime, app = open_app(Path(tmp), {"type": "dummy"})
        driver.draw_frames(draw)
        try:
            for i in range(20):
                journey(app, service_index=i % 4)
                finish(app)
            base = rss_mb()
            for i in range(journeys):
                journey(app, lang=("id", "en")[i % 2], service_index=i % 4)
                finish(app)
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
            driver.draw_frames(True)
            close_app(runtime, app)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--taps", type=int, default=500)
    ap.add_argument("--journeys", type=int, default=300)
    ap.add_argument("--checkins", type=int, default=5000)
    ap.add_argument("--backlog", type=int, default=10_000)
    ap.add_argument("--figures", default="taps,hung,sync,memory",
                    help="comma-separated subset of taps,hung,sync,memory")
    ap.add_argument("--draw", action="store_true",
                    help="draw every frame in the tap and memory loops (llvmpipe: slow)")
    args = ap.parse_args()
    figures = set(args.figures.split(","))
    drawn = "drawn" if args.draw else "laid out, not drawn"
    if "taps" in figures:
        got = taps(args.taps, args.draw)
        ms, cpu, pauses = got["first_byte"], got["cpu"], got["gc"]
        gc_ms, gen = pauses.longest()
        any_ms, any_gen = pauses.longest(main_only=False)
        print(f"tap -> first byte at a network printer ({len(ms)} taps, frames {drawn}): "
              f"p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms, p99 {pct(ms, 99):.1f} ms, "
              f"max {max(ms):.1f} ms")
        print(f"garbage collection on the main thread over those journeys: longest pause "
              f"{gc_ms:.1f} ms (generation {gen}), {pauses.full_on_main()} full "
              f"collection(s); on any thread (the GIL is held) {len(pauses.seen)} "
              f"collections, longest {any_ms:.1f} ms (generation {any_gen})")
        print(f"main-thread CPU (thread_time) of one journey, welcome -> number -> Selesai: "
              f"frames {drawn} p50 {pct(cpu, 50):.1f} ms, max {max(cpu):.1f} ms; frames "
              f"drawn (llvmpipe, 20 journeys) p50 {pct(got['cpu_drawn'], 50):.1f} ms, "
              f"max {max(got['cpu_drawn']):.1f} ms")
    if "hung" in figures:
        idle, hung = stall_hung_printer()
        print(f"longest extra frame gap: idle ticket screen {idle:.1f} ms; while printing to "
              f"a hung printer {hung:.1f} ms")
    if "sync" in figures:
        gap, secs = stall_sync_backlog(args.backlog)
        print(f"longest extra frame gap while draining {args.backlog} tickets to the office "
              f"server: {gap:.1f} ms (drained in {secs:.1f} s)")
    if "memory" in figures:
        ui, core = memory(args.journeys, args.checkins, args.draw)
        print(f"max RSS growth: {ui:.1f} MB over {args.journeys} UI journeys (frames "
              f"{drawn}), {core:.1f} MB over {args.checkins} desk check-ins (dummy printer)")


if __name__ == "__main__":
    main()

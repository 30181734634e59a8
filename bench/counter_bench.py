"""The counter side under load: action latency at a loket with 10,000 tickets in the day, and
call -> shown on 20 open waiting-room displays (loopback).

The office server runs in its own process (``kiosk-office serve``) on a fresh database
seeded with ``--tickets`` check-ins of today (office time zone) from two kiosks over queues
A-H and P. A staff member logged in over HTTP then calls tickets as the loket page does
(``POST /loket/{id}``); the figures are round trips as the browser sees them.

Displays: 19 plain HTTP readers of ``/display/events`` (threads here) and one real headless
chromium on ``/display`` (``--no-browser`` to leave it out). For each call the time from
sending the call to the moment each display has the new state (the reader parsed the event;
the page rendered it: ``body[data-updated]``) is collected.

    python bench/counter_bench.py [--tickets 10000] [--actions 200] [--calls 40]
                                  [--displays 20] [--no-browser] [--db sqlite|postgresql]
                                  [--workers 1]

``--workers 2``: the server runs two worker processes; displays connected to the one that
did not take a call get it from that process's look at the database (every 0.5 s).

``--db postgresql`` uses ``KIOSK_OFFICE_TEST_PG`` (a throwaway database: it is emptied).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from office.admins import hash_password
from office.auth import hash_token
from office.counter_repo import CounterRepo
from office.db import Repo, make_engine
from office.devserver import EventReader, free_port, headless_chromium
from office.staff_repo import StaffRepo

TZ = ZoneInfo("Asia/Pontianak")
QUEUES = "AAAABBBCCDEFGHP"
SERVICE = {"A": "ktp-baru", "B": "kk-baru", "C": "akta-lahir", "D": "pindah", "E": "kia",
           "F": "ikd", "G": "ambil", "H": "konsultasi", "P": "ktp-baru"}
PASSWORD = "bench-password-1"


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def line(label, ms):
    print(f"  {label:<34} n={len(ms):<5} p50 {pct(ms, 50):7.1f} ms   p95 {pct(ms, 95):7.1f} ms"
          f"   max {max(ms):7.1f} ms")


def seed(url: str, tickets: int) -> str:
    """Counters, staff ``budi``, kiosk token, ``tickets`` check-ins of today; returns today."""
    repo = Repo(make_engine(url))
    counters = CounterRepo(repo)
    counters.save_counter("Loket 1", ("P", "A"))
    counters.save_counter("Loket 2", ("A", "B"))
    for n, q in enumerate("CDEFGH", start=3):
        counters.save_counter(f"Loket {n}", (q,))
    StaffRepo(repo).set_staff("budi", hash_password(PASSWORD))
    repo.add_credential(hash_token("bench-k1"), "kiosk", "K1")
    now = datetime.now(TZ)
    day = now.date().isoformat()
    start = now.replace(hour=7, minute=30, second=0, microsecond=0)
    seqs: dict = {}
    batch = []
    for i in range(tickets):
        kiosk, queue = ("K1", "K2")[i % 2], QUEUES[i % len(QUEUES)]
        seq = seqs[(kiosk, queue)] = seqs.get((kiosk, queue), 0) + 1
        batch.append(dict(id=uuid.uuid4().hex, kiosk_id=kiosk, office_day=day,
                          service_code=SERVICE[queue], queue=queue, sequence=seq,
                          number=f"{queue}{kiosk[1]}-{seq:03d}",
                          issued_at=(start + timedelta(seconds=2 * i)).isoformat()))
        if len(batch) == 500 or i == tickets - 1:
            by_kiosk: dict = {}
            for t in batch:
                by_kiosk.setdefault(t["kiosk_id"], []).append(t)
            for kiosk_id, rows in by_kiosk.items():
                repo.upsert_checkins(kiosk_id, rows)
            batch = []
    repo.engine.dispose()
    return day


def login(base: str) -> requests.Session:
    s = requests.Session()
    csrf = re.search(r'name="csrf" value="([^"]+)"', s.get(base + "/loket", timeout=10).text)[1]
    r = s.post(base + "/loket/login", data={"csrf": csrf, "name": "budi", "password": PASSWORD},
               timeout=30)
    r.raise_for_status()
    s.csrf = re.search(r'name="csrf" value="([^"]+)"', s.get(base + "/loket/1").text)[1]
    return s


def act(s, base, counter, action, **fields) -> float:
    t0 = time.perf_counter()
    r = s.post(f"{base}/loket/{counter}", data={"csrf": s.csrf, "action": action, **fields},
               allow_redirects=False, timeout=30)
    ms = (time.perf_counter() - t0) * 1000
    if r.status_code != 303:
        raise RuntimeError(f"{action}: HTTP {r.status_code}")
    return ms


def actions_bench(base: str, s, n: int):
    print(f"counter actions over HTTP (the loket page's POST, redirect not followed):")
    nexts = [act(s, base, 1, "next") for _ in range(n)]
    again = [act(s, base, 1, "again") for _ in range(n // 4)]
    skips = []
    for _ in range(n // 4):
        act(s, base, 1, "next")
        skips.append(act(s, base, 1, "skip"))
    dones = []
    for _ in range(n // 4):
        act(s, base, 1, "next")
        dones.append(act(s, base, 1, "done"))
    numbers = [act(s, base, 2, "number", number=f"B9-{900 + i}") for i in range(n // 4)]
    page = []
    for _ in range(n // 4):
        t0 = time.perf_counter()
        s.get(f"{base}/loket/1", timeout=30).raise_for_status()
        page.append((time.perf_counter() - t0) * 1000)
    line("call next (ends the current one)", nexts)
    line("call again", again)
    line("skip", skips)
    line("done", dones)
    line("call by number (not received yet)", numbers)
    line("counter page (GET, lists + figures)", page)
    sync = []
    k1 = {"Authorization": "Bearer bench-k1"}
    day = datetime.now(TZ).date().isoformat()
    for i in range(n // 4):
        body = {"kiosk_id": "K1", "tickets": [dict(
            id=uuid.uuid4().hex, kiosk_id="K1", office_day=day, service_code="ktp-baru",
            queue="A", sequence=5000 + i, number=f"A1-{5000 + i}",
            issued_at=datetime.now(TZ).isoformat())]}
        t0 = time.perf_counter()
        requests.post(base + "/api/v1/checkins", json=body, headers=k1,
                      timeout=30).raise_for_status()
        sync.append((time.perf_counter() - t0) * 1000)
    line("kiosk upload of 1 ticket (sync reply)", sync)


def displays_bench(base: str, s, calls: int, displays: int, browser: bool):
    readers = [EventReader(base) for _ in range(displays - int(browser))]
    got: list[dict] = [{} for _ in readers]
    for r in readers:
        r.next()  # the state at connection

    def listen(i, r):
        while True:
            try:
                event, state = r.next(timeout_s=60)
            except (ConnectionError, TimeoutError, OSError, ValueError):
                return
            if event == "state" and "call" in state:
                got[i][state["call"]["number"]] = time.time()
    threads = [threading.Thread(target=listen, args=(i, r), daemon=True)
               for i, r in enumerate(readers)]
    for t in threads:
        t.start()
    driver = None
    if browser:
        driver = headless_chromium(tempfile.mkdtemp(prefix="bench-chromium-"), 1920, 1080)
        driver.get(base + "/display")
        while driver.execute_script("return document.body.getAttribute('data-online')") != "1":
            time.sleep(0.05)
    http_ms, page_ms = [], []
    try:
        for i in range(calls):
            number = f"E9-{i + 1:03d}"
            sent = time.time()
            act(s, base, 5, "number", number=number)
            deadline = time.time() + 5
            while time.time() < deadline and not all(number in g for g in got):
                time.sleep(0.002)
            http_ms += [(g[number] - sent) * 1000 for g in got if number in g]
            missing = sum(number not in g for g in got)
            if missing:
                print(f"  call {number}: {missing} readers did not get it within 5 s")
            if driver is not None:
                shown = None
                while time.time() < deadline:
                    shown = driver.execute_script(
                        "var t=document.querySelector('[data-counter=\"Loket 5\"] .number');"
                        "return t && t.textContent===arguments[0] ? "
                        "document.body.getAttribute('data-updated') : null", number)
                    if shown:
                        break
                    time.sleep(0.005)
                if shown:
                    page_ms.append(int(shown) - sent * 1000)
            time.sleep(0.2)
    finally:
        for r in readers:
            r.close()
        if driver is not None:
            driver.quit()
    print(f"call -> shown on {displays} open displays ({len(readers)} HTTP readers"
          f"{' + 1 chromium page' if browser else ''}), {calls} calls:")
    line("HTTP readers (event parsed)", http_ms)
    if page_ms:
        line("chromium display (state rendered)", page_ms)
    line("all displays", http_ms + page_ms)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=10000)
    parser.add_argument("--actions", type=int, default=200)
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--displays", type=int, default=20)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1,
                        help="server worker processes (displays spread over them)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="counter-bench-"))
    if args.db == "postgresql":
        url = os.environ.get("KIOSK_OFFICE_TEST_PG", "")
        if not url:
            print("set KIOSK_OFFICE_TEST_PG to a throwaway PostgreSQL database", file=sys.stderr)
            return 2
        from sqlalchemy import create_engine, text
        engine = create_engine(url)
        with engine.begin() as con:
            con.execute(text("DROP SCHEMA public CASCADE"))
            con.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp / 'office.db'}"
    t0 = time.perf_counter()
    day = seed(url, args.tickets)
    print(f"{args.db}: seeded {args.tickets} check-ins of {day} in "
          f"{time.perf_counter() - t0:.1f} s")
    port = free_port()
    exe = Path(sys.executable).with_name("kiosk-office")
    server = subprocess.Popen([str(exe), "serve", "--db", url, "--port", str(port),
                               "--voice-dir", str(tmp / "voice"), "--log-level", "warning",
                               "--workers", str(args.workers)])
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                requests.get(base + "/api/v1/health", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        s = login(base)
        actions_bench(base, s, args.actions)
        displays_bench(base, s, args.calls, args.displays, not args.no_browser)
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Commit latency of a check-in as the day fills and as history grows; cold start.

    .venv/bin/python bench/commit_latency.py [--quick] [--no-cold-start]

Prints p50/p95/max in ms of one commit:
  * with 0, 1,000, 5,000 and 20,000 tickets already issued TODAY (the same office
    day's file): kiosk Store.issue_ticket (journal append + fsync) next to plain
    TinyDB holding the same records in one file with its JSONStorage (which rewrites
    the whole file per insert and never fsyncs: the optimistic figure for it);
  * with 100,000 past tickets on disk (200 per past office day) and none today;
and the cold start of the real app (new process, offscreen) to the welcome screen.
Goal (DESIGN.md): p95 <= 2 ms at 5,000 tickets today.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tinydb import TinyDB  # noqa: E402
from tinydb.storages import JSONStorage  # noqa: E402

from kiosk.store import Store  # noqa: E402

PER_DAY = 200
TODAY = date(2026, 11, 30)


def doc(day: str, seq: int) -> dict:
    return {"id": uuid.uuid4().hex, "kiosk_id": "K1", "office_day": day,
            "service_code": "ktp-baru", "queue": "A", "sequence": seq, "number": f"A{seq:03d}",
            "issued_at": f"{day}T09:00:00+07:00", "language": "id",
            "rules_confirmed": [["mask", f"{day}T08:59:00+07:00"],
                                ["handwash", f"{day}T08:59:10+07:00"],
                                ["distance", f"{day}T08:59:20+07:00"]],
            "print_status": "printed", "print_error": "", "synced_at": f"{day}T09:01:00+07:00",
            "menu_version": "2026-11-29.1"}


def seed_store(path: Path, past: int, today: int = 0) -> None:
    """``past`` tickets over past office days, ``today`` tickets on TODAY (queue A)."""
    days = path / "days"
    days.mkdir(parents=True)
    n_days = past // PER_DAY
    for i in range(n_days):
        day = (TODAY - timedelta(days=n_days - i)).isoformat()
        table = {str(s): doc(day, s) for s in range(1, PER_DAY + 1)}
        (days / f"{day}.json").write_text(json.dumps({"tickets": table}))
    if today:
        day = TODAY.isoformat()
        table = {str(s): doc(day, s) for s in range(1, today + 1)}
        (days / f"{day}.json").write_text(json.dumps({"tickets": table}))
        (days / f"{day}.seq").write_text(json.dumps({"A": today}))
    (path / "state.json").write_text(json.dumps({"office_day": None, "unsynced_days": [],
                                                 "settings": {}}))
    os.sync()  # flush the seeded files now, not inside the measured fsyncs


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def fmt(ms):
    return f"p50 {pct(ms, 50):7.2f}  p95 {pct(ms, 95):7.2f}  max {max(ms):7.2f} ms"


def bench_store(past: int, commits: int, today: int = 0) -> list[float]:
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:
        seed_store(Path(tmp), past, today)
        clock = lambda: datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)  # noqa: E731
        store = Store(tmp, clock=clock)
        out = []
        for _ in range(commits):
            t = time.perf_counter()
            store.issue_ticket(service_code="ktp-baru", queue="A", language="id",
                               rules_confirmed=[("mask", "x"), ("handwash", "x"),
                                                ("distance", "x")])
            out.append((time.perf_counter() - t) * 1000)
        store.close()
        return out


def bench_plain_tinydb(past: int, commits: int) -> list[float]:
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:
        path = Path(tmp) / "db.json"
        table = {str(i + 1): doc(TODAY.isoformat(), i + 1) for i in range(past)}
        path.write_text(json.dumps({"tickets": table}))
        os.sync()
        db = TinyDB(path, storage=JSONStorage)
        tickets = db.table("tickets")
        out = []
        for i in range(commits):
            t = time.perf_counter()
            tickets.insert(doc(TODAY.isoformat(), past + i + 1))
            out.append((time.perf_counter() - t) * 1000)
        db.close()
        return out


COLD_START = """
import time, sys
sys.path.insert(0, {root!r})
from screens.driver import headless_env, start_app, pump_until
headless_env()
from kiosk.config import load_config
from lobby.runtime import KioskRuntime
from screens.app import LobbyApp
cfg = load_config({ini!r})
rt = KioskRuntime(cfg).start()
app = start_app(LobbyApp(rt))
pump_until(lambda: app.sm.current == 'welcome' and app.root.get_parent_window() is not None)
print('READY', flush=True)
rt.stop()
"""


def bench_cold_start(runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            ini = Path(tmp) / "kiosk.ini"
            ini.write_text("[kiosk]\ndata_dir = data\n[printer]\ntype = file\npath = spool\n")
            code = COLD_START.format(root=str(ROOT), ini=str(ini))
            env = dict(os.environ, KIVY_HOME=str(Path(tmp) / "kivy"))
            t = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True, env=env)
            for line in proc.stdout:
                if line.startswith("READY"):
                    out.append((time.perf_counter() - t) * 1000)
                    break
            proc.wait(timeout=60)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer commits and runs")
    ap.add_argument("--no-cold-start", action="store_true", help="skip the app start runs")
    args = ap.parse_args()
    commits = 50 if args.quick else 200
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"commit latency, {commits} check-ins on top of N tickets issued today:")
    for today in (0, 1_000, 5_000, 20_000):
        print(f"  today={today:>6,}  kiosk store    {fmt(bench_store(0, commits, today))}")
        plain_commits = commits if today <= 5_000 else max(20, commits // 4)
        print(f"  today={today:>6,}  plain TinyDB   "
              f"{fmt(bench_plain_tinydb(today, plain_commits))}   ({plain_commits} inserts, "
              f"no fsync)")
    past = 100_000
    print(f"  past={past:>7,}  kiosk store    {fmt(bench_store(past, commits))}   "
          f"(none today, {PER_DAY}/past day)")
    if not args.no_cold_start:
        runs = 2 if args.quick else 5
        print(f"cold start to the welcome screen ({runs} runs): "
              f"{fmt(bench_cold_start(runs))}")


if __name__ == "__main__":
    main()

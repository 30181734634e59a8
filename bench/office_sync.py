"""Sync throughput of many kiosks uploading to one office server at once, on SQLite and on
PostgreSQL.

The server runs in its own process (``kiosk-office serve``, ``--workers`` uvicorn workers)
on 127.0.0.1 with a fresh database; each of ``--kiosks`` threads is one kiosk with its own
token, uploading ``--tickets`` tickets in batches of ``--batch`` through the real
:class:`kiosk.sync_client.SyncClient`, a fifth of the batches sent twice (a lost reply).
Prints, per database: tickets stored per second, batch latency p50/p95, and the row count
(must equal kiosks x tickets: retries store nothing twice).

    python bench/office_sync.py [--kiosks 20] [--tickets 500] [--batch 100] [--workers 1]
                                [--pg postgresql+psycopg://...]   (default $KIOSK_OFFICE_TEST_PG)

The PostgreSQL database named by ``--pg`` is emptied first (use a throwaway one).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select, text

from kiosk.config import ServerConfig
from kiosk.models import Ticket
from kiosk.sync_client import SyncClient
from office.devserver import free_port
from office.tables import Checkin

CLI = [sys.executable, "-m", "office.cli"]


def tickets_of(kiosk: str, n: int) -> list[Ticket]:
    return [Ticket(id=uuid.uuid4().hex, kiosk_id=kiosk, office_day="2026-11-30",
                 service_code="ktp-baru", queue="A", sequence=i + 1,
                 number=f"A{kiosk[1:]}-{i + 1:03d}", issued_at="2026-11-30T09:00:00+07:00",
                 language="id", rules_confirmed=(("mask", "2026-11-30T08:59:00+07:00"),),
                 print_status="printed", print_error="", synced_at=None,
                 menu_version="2026-11-30.1") for i in range(n)]


def empty_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as con:
        con.execute(text("DROP SCHEMA public CASCADE"))
        con.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def run(db: str, kiosks: int, per_kiosk: int, batch: int, workers: int) -> dict:
    """One measurement against a fresh server on ``db``; returns the figures."""
    tokens = {f"K{i + 1}": subprocess.run(
        CLI + ["add-kiosk", f"K{i + 1}", "--db", db], check=True, capture_output=True,
        text=True).stdout.strip() for i in range(kiosks)}
    port = free_port()
    server = subprocess.Popen(CLI + ["serve", "--db", db, "--port", str(port), "--workers",
                                     str(workers), "--retention-days", "0", "--log-level",
                                     "warning", "--init-admin-token", uuid.uuid4().hex])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(url + "/api/v1/health", timeout=1)
            break
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise SystemExit("the office server did not start")
            time.sleep(0.2)
    latencies: list[float] = []
    errors: list[str] = []

    def kiosk(name: str):
        cfg = ServerConfig(url=url, token=tokens[name], ca_bundle=None, verify_tls=True,
                           connect_timeout_s=5, read_timeout_s=60, attempt_deadline_s=120,
                           interval_s=1, max_backoff_s=2, batch_size=batch, retention_days=30)
        client = SyncClient(cfg, name)
        mine = tickets_of(name, per_kiosk)
        for n, start in enumerate(range(0, per_kiosk, batch)):
            chunk = mine[start:start + batch]
            for _ in range(2 if n % 5 == 4 else 1):  # every fifth batch resent
                t0 = time.perf_counter()
                try:
                    client.upload(chunk, "2026-11-30.1")
                except Exception as exc:  # noqa: BLE001 (reported, not hidden)
                    errors.append(f"{name}: {exc}")
                latencies.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=kiosk, args=(name,)) for name in tokens]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    server.terminate()
    server.wait(30)
    engine = create_engine(db)
    with engine.connect() as con:
        rows = con.scalar(select(func.count()).select_from(Checkin))
    engine.dispose()
    latencies.sort()
    return {"rows": rows, "expected": kiosks * per_kiosk, "seconds": elapsed,
            "per_s": rows / elapsed, "p50_ms": statistics.median(latencies) * 1000,
            "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
            "requests": len(latencies), "errors": errors}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kiosks", type=int, default=20)
    ap.add_argument("--tickets", type=int, default=500, help="per kiosk")
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--pg", default=os.environ.get("KIOSK_OFFICE_TEST_PG", ""))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        backends = [("SQLite", f"sqlite:///{Path(tmp) / 'office.db'}")]
        if args.pg:
            empty_postgres(args.pg)
            backends.append(("PostgreSQL", args.pg))
        else:
            print("(PostgreSQL skipped: pass --pg URL or set KIOSK_OFFICE_TEST_PG)")
        print(f"{args.kiosks} kiosks x {args.tickets} tickets, batches of {args.batch}, "
              f"every 5th batch resent, {args.workers} server worker(s)")
        for name, db in backends:
            r = run(db, args.kiosks, args.tickets, args.batch, args.workers)
            print(f"{name:10}  {r['per_s']:7.0f} tickets/s  ({r['rows']} rows in "
                  f"{r['seconds']:.1f} s, {r['requests']} requests)  batch p50 "
                  f"{r['p50_ms']:.0f} ms  p95 {r['p95_ms']:.0f} ms  rows "
                  f"{'OK' if r['rows'] == r['expected'] else 'WRONG'} "
                  f"({r['expected']} expected)  errors {len(r['errors'])}")
            for e in r["errors"][:5]:
                print("   ", e)


if __name__ == "__main__":
    main()

"""Time to drain a backlog of pending tickets to the office server on 127.0.0.1.

Prints batched upload (``[server] batch_size``, default 200) side by side with
one request per ticket. The office server runs in its own process
(``kiosk-office serve`` on a fresh SQLite file), the kiosk side is the real
:class:`kiosk.sync.SyncWorker` + :class:`kiosk.sync.SyncClient` over the real
:class:`kiosk.store.Store` (``--store fake``: an in-memory outbox, to see the
network and server cost alone).

    python bench/sync_drain.py [--tickets 10000] [--batch 200] [--store real|fake]

Seeding the real store issues every ticket through ``Store.issue_ticket``
(fsync each), spread over office days of 100 tickets; it takes a while and is
not part of the figures.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

from kiosk.config import ServerConfig
from kiosk.models import Ticket
from kiosk.store import Store
from kiosk.sync import SyncClient, SyncWorker
from office.devserver import free_port


class MemoryOutbox:
    """The store's three sync verbs over a dict."""

    def __init__(self, n: int):
        self.tickets = {}
        for i in range(1, n + 1):
            t = Ticket(id=uuid.uuid4().hex, kiosk_id="K1", office_day="2026-11-29",
                       service_code="ktp-baru", queue="A", sequence=i, number=f"A{i:03d}",
                       issued_at="2026-11-29T08:00:00+07:00", language="id")
            self.tickets[t.id] = t
        self._pending = list(self.tickets)

    def pending_sync(self, limit):
        self._pending = [i for i in self._pending if self.tickets[i].synced_at is None]
        return [self.tickets[i] for i in self._pending[:limit]]

    def pending_count(self):
        return sum(1 for t in self.tickets.values() if t.synced_at is None)

    def mark_synced(self, ids, synced_at):
        for i in ids:
            self.tickets[i] = self.tickets[i].evolve(synced_at=synced_at)
        return len(ids)


def seed_store(folder: Path, n: int) -> None:
    store = Store(folder, kiosk_id="K1")
    day0 = datetime(2026, 1, 5, 1, tzinfo=timezone.utc)
    for i in range(n):
        store.issue_ticket(service_code="ktp-baru", queue="A", language="id",
                           now=day0 + timedelta(days=i // 100))
    store.close()


class OfficeProcess:
    """``kiosk-office serve`` in a subprocess on 127.0.0.1 with a fresh database."""

    def __init__(self, folder: Path):
        self.db = f"sqlite:///{folder / 'office.db'}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cli = [sys.executable, "-m", "office.cli"]
        self.token = subprocess.run(cli + ["add-kiosk", "K1", "--db", self.db], check=True,
                                    capture_output=True, text=True).stdout.strip()
        self.proc = subprocess.Popen(cli + ["serve", "--db", self.db, "--port", str(self.port),
                                            "--log-level", "warning"],
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(self.url + "/api/v1/health", timeout=1).raise_for_status()
                return
            except requests.RequestException:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("office server did not start") from None
                time.sleep(0.1)

    def rows(self) -> int:
        import sqlalchemy
        engine = sqlalchemy.create_engine(self.db)
        with engine.connect() as conn:
            return conn.execute(sqlalchemy.text("select count(*) from checkins")).scalar()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def drain(outbox, batch: int, work: Path) -> tuple[float, int, int]:
    """(seconds, requests, rows on the server) to drain ``outbox`` with ``batch`` per request."""
    office = OfficeProcess(work)
    try:
        cfg = ServerConfig(url=office.url, token=office.token, ca_bundle=None, verify_tls=True,
                           connect_timeout_s=3, read_timeout_s=10, attempt_deadline_s=15,
                           interval_s=30, max_backoff_s=300, batch_size=batch,
                           retention_days=30)
        worker = SyncWorker(SyncClient(cfg, "K1"), outbox)
        started = time.perf_counter()
        requests_made = 0
        while outbox.pending_count():
            report = worker.sync_once()
            if report.error:
                raise RuntimeError(report.error)
            requests_made += report.batches
        return time.perf_counter() - started, requests_made, office.rows()
    finally:
        office.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tickets", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--store", choices=("real", "fake"), default="real")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="sync-drain-"))
    try:
        if args.store == "real":
            t0 = time.perf_counter()
            seed_store(root / "seed", args.tickets)
            print(f"seeded {args.tickets} tickets into kiosk.store.Store in "
                  f"{time.perf_counter() - t0:.1f} s (not counted)")
        results = []
        for label, batch in ((f"batched ({args.batch}/request)", args.batch),
                             ("one request per ticket", 1)):
            work = root / f"run-{batch}"
            work.mkdir()
            if args.store == "real":
                shutil.copytree(root / "seed", work / "kiosk")
                outbox = Store(work / "kiosk", kiosk_id="K1")
            else:
                outbox = MemoryOutbox(args.tickets)
            results.append((label, *drain(outbox, batch, work)))
        print(f"\n{args.tickets} pending tickets, store={args.store}, office server "
              f"(separate process, SQLite) on 127.0.0.1, Python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs")
        print(f"{'mode':<28}{'requests':>10}{'seconds':>10}{'tickets/s':>12}{'server rows':>13}")
        for label, secs, reqs, rows in results:
            print(f"{label:<28}{reqs:>10}{secs:>10.2f}{args.tickets / secs:>12.0f}{rows:>13}")
        print(f"speed-up of batching: {results[1][1] / results[0][1]:.1f}x")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

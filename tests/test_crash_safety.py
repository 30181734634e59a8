"""kill -9 at random moments during check-ins: the store always opens, no committed
ticket is lost, no number is repeated (DESIGN.md, "Never")."""
import random
import subprocess
import sys
import time
from pathlib import Path

from kiosk.store import Store

ROOT = Path(__file__).resolve().parent.parent
WRITER = """
import sys
from datetime import datetime, timezone
sys.path.insert(0, {root!r})
from kiosk.store import Store
monday_0900_wib = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)  # the clock fixture's time
s = Store({data!r}, clock=lambda: monday_0900_wib)
services = [("ktp-baru", "A"), ("kk-baru", "B"), ("ktp-rusak", "A")]
i = 0
while True:
    code, queue = services[i % 3]
    t = s.issue_ticket(service_code=code, queue=queue, language="id")
    if i % 4 == 0:
        s.set_print_status(t.id, "printed")
    if i % 7 == 0:
        s.mark_synced([t.id], "2026-11-30T09:00:00+07:00")
    print(t.id, t.number, flush=True)  # only after the commit returned
    i += 1
"""


def test_kill_9_during_checkins_loses_and_repeats_nothing(tmp_path, clock):
    data = tmp_path / "data"
    acknowledged = {}
    rng = random.Random(1234)
    for _ in range(8):
        proc = subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT),
                                                                    data=str(data))],
                                stdout=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.4, 1.2))
        proc.kill()  # SIGKILL: no cleanup, possibly mid-write
        out, _ = proc.communicate(timeout=10)
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2:
                acknowledged[parts[0]] = parts[1]
    store = Store(data, clock=clock)
    tickets = store.tickets()
    numbers = [t.number for t in tickets]
    assert len(numbers) == len(set(numbers)), "a number was issued twice"
    held = {t.id: t.number for t in tickets}
    lost = {i: n for i, n in acknowledged.items() if held.get(i) != n}
    assert not lost, f"committed tickets lost: {list(lost.values())[:5]}"
    assert len(acknowledged) > 50 and store.alerts == []
    assert not list((data / "days").glob("*.tmp"))

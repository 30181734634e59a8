"""kill -9 at random moments during check-ins: the store always opens, no committed
ticket is lost, no number is repeated (DESIGN.md, "Never")."""
import random
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from kiosk.store import Store

ROOT = Path(__file__).resolve().parent.parent
WRITER = """
import datetime, sys
sys.path.insert(0, {root!r})
from kiosk.store import Store
s = Store({data!r}, clock=lambda: datetime.datetime(2026, 11, 30, 2, tzinfo=datetime.timezone.utc))
print("READY", flush=True)  # the kill comes during check-ins, not during start-up
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


def test_kill_9_during_checkins_loses_and_repeats_nothing(tmp_path):
    data = tmp_path / "data"
    acknowledged = {}
    rng = random.Random(1234)
    for _ in range(8):
        proc = subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT),
                                                                    data=str(data))],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "READY"
        time.sleep(rng.uniform(0.1, 0.6))
        proc.kill()  # SIGKILL: no cleanup, possibly mid-write
        out, _ = proc.communicate(timeout=10)
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2:
                acknowledged[parts[0]] = parts[1]
    store = Store(data, clock=lambda: datetime(2026, 11, 30, 2, tzinfo=timezone.utc))
    tickets = store.tickets()
    numbers = [t.number for t in tickets]
    assert len(numbers) == len(set(numbers)), "a number was issued twice"
    held = {t.id: t.number for t in tickets}
    lost = {i: n for i, n in acknowledged.items() if held.get(i) != n}
    assert not lost, f"committed tickets lost: {list(lost.values())[:5]}"
    assert len(acknowledged) > 50 and store.alerts == []
    assert not list((data / "days").glob("*.tmp"))


def test_crashes_between_reserving_a_block_and_its_first_ticket_are_not_damage(tmp_path,
                                                                               monkeypatch):
    """Power cut after a new block of numbers is reserved, before its ticket is written,
    twice in a row: numbering skips the blocks (never a repeat) and no false alarm."""
    from kiosk.store.dayfile import DayFile
    clock = lambda: datetime(2026, 11, 30, 2, tzinfo=timezone.utc)  # noqa: E731
    issued = []
    for _ in range(3):
        s = Store(tmp_path / "d", clock=clock)
        day = s._day(s.office_day())
        while day.counters.get("A", 0) < day.reserved.get("A", 0):  # fill the block
            issued.append(s.issue_ticket(service_code="ktp-baru", queue="A", language="id"))
        with monkeypatch.context() as m:  # the next one reserves a new block, then dies
            m.setattr(DayFile, "insert", lambda self, t: (_ for _ in ()).throw(SystemExit))
            try:
                s.issue_ticket(service_code="ktp-baru", queue="A", language="id")
            except SystemExit:
                pass
        s._days.clear()  # the process is gone: no clean close
        s.close()
    s = Store(tmp_path / "d", clock=clock)
    last = s.issue_ticket(service_code="ktp-baru", queue="A", language="id")
    numbers = [t.number for t in s.tickets()]
    assert numbers == [t.number for t in issued] + [last.number]
    assert len(set(numbers)) == len(numbers) and s.alerts == []
    s.close()

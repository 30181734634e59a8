"""The day's journal: appends that cost the same all day, compacted when the day opens,
and a torn last line (power cut before the fsync returned) that loses nothing committed."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from tinydb import TinyDB

from kiosk.journal import JournalStorage, journal_path
from kiosk.store import Store

ROOT = Path(__file__).resolve().parent.parent


def issue(store, queue="A"):
    return store.issue_ticket(service_code="ktp-baru", queue=queue, language="id")


def day_paths(tmp_path, day="2026-11-30"):
    snap = tmp_path / "d" / "days" / f"{day}.json"
    return snap, journal_path(snap)


def test_a_commit_appends_one_line_and_never_rewrites_the_snapshot(tmp_path, clock):
    s = Store(tmp_path / "d", clock=clock)
    issue(s)
    snap, journal = day_paths(tmp_path)
    assert not snap.exists()  # a new day: only the journal
    lines = journal.read_bytes().splitlines()
    issue(s)
    s.set_print_status(s.tickets()[0].id, "printed")
    after = journal.read_bytes().splitlines()
    assert after[:len(lines)] == lines and len(after) == len(lines) + 2
    assert json.loads(after[-1])["set"] == {"print_status": "printed", "print_error": ""}
    s.close()


def test_the_journal_is_compacted_when_the_day_is_opened(tmp_path, clock):
    s = Store(tmp_path / "d", clock=clock)
    ids = [issue(s).id for _ in range(3)]
    s.mark_synced(ids[:1], "2026-11-30T09:05:00+07:00")
    snap, journal = day_paths(tmp_path)
    # a crash: no clean close, the journal holds everything
    s._days.clear()
    s.close()
    assert journal.exists() and not snap.exists()
    s2 = Store(tmp_path / "d", clock=clock)
    assert [t.id for t in s2.tickets()] == ids
    assert not journal.exists()
    docs = json.loads(snap.read_text())["tickets"]
    assert [d["id"] for d in docs.values()] == ids
    assert [d["synced_at"] for d in docs.values()][0] == "2026-11-30T09:05:00+07:00"
    assert [t.id for t in s2.pending_sync()] == ids[1:]
    s2.close()


def test_tinydb_reads_a_day_through_the_journal_storage(tmp_path, clock):
    s = Store(tmp_path / "d", clock=clock)
    t = issue(s)
    snap, _ = day_paths(tmp_path)
    with TinyDB(snap, storage=JournalStorage) as db:
        assert [d["id"] for d in db.table("tickets").all()] == [t.id]
    s.close()


@pytest.mark.parametrize("torn", [b'{"t":"tickets","id":"9","doc":{"id":"x', b"\x00" * 64,
                                  b'{"t":"tickets","id":"9","doc":{"id":"x"\n',
                                  b'{"t":"tick' + b"\x00" * 30])
def test_a_torn_last_journal_line_loses_nothing_committed(tmp_path, clock, torn):
    s = Store(tmp_path / "d", clock=clock)
    committed = [issue(s) for _ in range(4)]
    s._days.clear()  # as if the power went: no compaction at close
    s.close()
    _, journal = day_paths(tmp_path)
    with journal.open("ab") as fh:
        fh.write(torn)
    s2 = Store(tmp_path / "d", clock=clock)
    assert [t.id for t in s2.tickets()] == [t.id for t in committed]
    assert issue(s2).sequence > 4  # after a crash: past the reserved block, never a repeat
    assert s2.alerts == []  # a write cut before its fsync was never acknowledged
    s2.close()


def test_a_last_line_that_is_no_cut_off_entry_is_damage_not_a_torn_write(tmp_path, clock):
    s = Store(tmp_path / "d", clock=clock)
    issue(s)
    s._days.clear()
    s.close()
    _, journal = day_paths(tmp_path)
    with journal.open("ab") as fh:
        fh.write(b"\x00garbage{")
    s2 = Store(tmp_path / "d", clock=clock)
    assert len(s2.tickets()) == 1 and issue(s2).sequence > 1
    assert any("rusak" in a for a in s2.alerts)
    s2.close()


def test_a_damaged_line_inside_the_journal_is_damage(tmp_path, clock):
    s = Store(tmp_path / "d", clock=clock)
    for _ in range(3):
        issue(s)
    s._days.clear()
    s.close()
    _, journal = day_paths(tmp_path)
    lines = journal.read_bytes().splitlines(keepends=True)
    lines[1] = b"garbage\n"
    journal.write_bytes(b"".join(lines))
    s2 = Store(tmp_path / "d", clock=clock)
    numbers = [t.number for t in s2.tickets()]
    assert "A001" in numbers and "A003" in numbers  # the readable lines are recovered
    assert issue(s2).sequence > 3
    assert list((tmp_path / "d" / "days").glob("*.journal.corrupt-*"))
    assert any("rusak" in a for a in s2.alerts)
    s2.close()


def test_a_journal_torn_by_a_real_kill_keeps_every_acknowledged_ticket(tmp_path, clock):
    """A writer killed with SIGKILL after appending: every line it acknowledged is back."""
    writer = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
              "import datetime\n"
              f"from kiosk.store import Store\n"
              f"s = Store({str(tmp_path / 'd')!r}, clock=lambda: {clock()!r})\n"
              "for i in range(400):\n"
              "    t = s.issue_ticket(service_code='ktp-baru', queue='A', language='id')\n"
              "    print(t.id, flush=True)\n"
              "import os; os.kill(os.getpid(), 9)\n")
    proc = subprocess.run([sys.executable, "-c", writer], capture_output=True, text=True,
                          timeout=120)
    acknowledged = proc.stdout.split()
    assert len(acknowledged) == 400
    s = Store(tmp_path / "d", clock=clock)
    assert [t.id for t in s.tickets()] == acknowledged
    s.close()

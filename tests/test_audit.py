"""The audit log: a damaged tail is cut off and kept aside, new entries start on a clean
line, the reader skips and counts bad lines."""
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from kiosk import audit
from kiosk.clock import FixedClock

ROOT = Path(__file__).resolve().parent.parent
AT = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)


def write(folder, action, **detail):
    return audit.append(folder, FixedClock(AT), "staff", action, **detail)


def test_an_entry_after_a_damaged_tail_starts_on_a_clean_line(tmp_path):
    write(tmp_path, "login")
    log = tmp_path / audit.FILE_NAME
    with log.open("ab") as fh:
        fh.write(b'{"at": "2026-11-30T09:00:01+07:00", "role": "sta')  # power cut mid-line
    write(tmp_path, "paper-replaced")
    lines = log.read_bytes().splitlines()
    assert [json.loads(x)["action"] for x in lines] == ["login", "paper-replaced"]
    kept = list(tmp_path.glob("audit.jsonl.tail-20261130T090000000000-*"))  # the clock's time
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b'{"at": "2026-11-30T09:00:01')
    assert [e["action"] for e in audit.entries(tmp_path)] == ["login", "paper-replaced"]


def test_a_long_damaged_tail_without_any_newline_is_kept_whole(tmp_path):
    log = tmp_path / audit.FILE_NAME
    log.write_bytes(b"\x00" * 200_000)  # zeros over the whole file, no newline at all
    write(tmp_path, "login")
    assert log.read_bytes().count(b"\n") == 1
    kept = list(tmp_path.glob("audit.jsonl.tail-*"))
    assert kept and kept[0].stat().st_size == 200_000


def test_the_reader_skips_and_counts_bad_lines(tmp_path):
    write(tmp_path, "login")
    log = tmp_path / audit.FILE_NAME
    with log.open("ab") as fh:
        fh.write(b"garbage\n\xff\xfe\n[1, 2]\n")
    write(tmp_path, "logout")
    found = audit.read(tmp_path)
    assert [e["action"] for e in found.entries] == ["login", "logout"]
    assert found.bad_lines == 3


def test_two_processes_appending_at_once_never_glue_lines(tmp_path):
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "import datetime\n"
            "from kiosk import audit\n"
            "from kiosk.clock import FixedClock\n"
            "at = FixedClock(datetime.datetime(2026, 11, 30, 2, tzinfo=datetime.timezone.utc))\n"
            "for i in range(200):\n"
            f"    audit.append({str(tmp_path)!r}, at, 'shell', 'x', "
            "n=i, pad='p' * 300)\n")
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(3)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    found = audit.read(tmp_path, limit=1000)
    assert len(found.entries) == 600 and found.bad_lines == 0

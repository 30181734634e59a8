"""One process per data folder: the lock comes first, temp files are per process."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.errors import StoreError
from kiosk.storage import atomic_write_bytes, stale_temp_files, temp_prefix
from kiosk.store import DataDirInUse, Store

ROOT = Path(__file__).resolve().parent.parent

CONTENDER = """
import os, pathlib, sys, time
sys.path.insert(0, {root!r})
from kiosk.store import Store
go, seen = {go!r}, pathlib.Path({seen!r})
while time.monotonic() < go:
    pass
try:
    s = Store({data!r})
except Exception as exc:
    print("REFUSED", exc, flush=True)
    (seen / str(os.getpid())).touch()
else:
    print("OPENED", flush=True)
    (seen / str(os.getpid())).touch()
    end = time.monotonic() + 60  # hold until the other one has tried (a hang guard only)
    while len(list(seen.iterdir())) < 2 and time.monotonic() < end:
        time.sleep(0.01)
    s.close()
"""


@pytest.mark.timeout(900)  # 40 real interpreters: a hang guard for a loaded CI box only
def test_of_two_processes_started_at_once_one_opens_and_the_other_is_told_in_use(tmp_path):
    pairs = 20
    go = time.monotonic() + 4.0  # system-wide monotonic (never faked): all start together
    procs = []
    for i in range(pairs):
        data, seen = str(tmp_path / f"d{i}"), tmp_path / f"seen{i}"
        seen.mkdir()
        code = CONTENDER.format(root=str(ROOT), go=go, data=data, seen=str(seen))
        procs += [(i, subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True))
                  for _ in range(2)]
    outcomes: dict[int, list[str]] = {}
    for i, proc in procs:
        out, _ = proc.communicate(timeout=600)  # hang guard only
        outcomes.setdefault(i, []).append(out.strip())
    for i, (a, b) in outcomes.items():
        assert sorted(x.split()[0] for x in (a, b)) == ["OPENED", "REFUSED"], (i, a, b)
        refused = a if a.startswith("REFUSED") else b
        assert "in use by another kiosk process" in refused, refused
        assert not list((tmp_path / f"d{i}").glob(".write-test*"))


def test_the_second_process_writes_nothing_in_the_folder(tmp_path, clock):
    s = Store(tmp_path / "d", clock=clock)
    before = sorted(p.name for p in (tmp_path / "d").rglob("*"))
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from kiosk.store import Store; " \
           f"Store({str(tmp_path / 'd')!r})"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "in use" in proc.stderr
    assert sorted(p.name for p in (tmp_path / "d").rglob("*")) == before
    s.close()


def test_in_use_is_a_store_error_naming_the_fix(tmp_path, clock):
    s = Store(tmp_path / "d", clock=clock)
    with pytest.raises(DataDirInUse, match="data_dir"):
        Store(tmp_path / "d", clock=clock)
    s.close()


def test_temp_files_carry_the_writer_pid_and_only_dead_writers_leftovers_go(tmp_path, clock):
    live = tmp_path / "d"
    live.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    mine = live / f"{temp_prefix('pins.json')}abcdefgh.tmp"  # another live writer (us)
    gone = live / f"{temp_prefix('state.json', int(dead))}abcdefgh.tmp"
    for p in (mine, gone):
        p.write_bytes(b"x")
    assert stale_temp_files(live) == [gone]
    s = Store(live, clock=clock)
    assert mine.exists() and not gone.exists()
    s.close()


def test_an_atomic_write_names_its_temp_file_after_the_process(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(Path(src).name)
        return real_replace(src, dst)
    monkeypatch.setattr(os, "replace", spy)
    atomic_write_bytes(tmp_path / "x.json", b"{}")
    assert seen and seen[0].startswith(f".x.json.{os.getpid()}.")


def test_a_folder_that_cannot_be_created_is_not_writable_not_in_use(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="not writable") as err:
        Store(blocker / "data")
    assert not isinstance(err.value, DataDirInUse)

"""python-escpos's capability pickle: processes starting together never read a half-written one."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_processes_starting_at_once_with_no_cache_all_load_the_capabilities(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # empty: every process must build it
    code = "import printer, escpos.printer; print('loaded')"
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(6)]
    outs = [p.communicate(timeout=120) for p in procs]  # hang guard only
    assert [o.strip() for o, _ in outs] == ["loaded"] * 6, [e[-300:] for _, e in outs]
    cached = list((tmp_path / "cache" / "dukcapil-kiosk").iterdir())
    assert [p.name.endswith(".capabilities.pickle") for p in cached] == [True]  # no leftovers

"""The ``kiosk`` command's error boundary, as a person at the terminal meets it: one plain
line, exit 2 for bad input and 1 for a failed operation, the traceback in the log file
only; and ``kiosk menu export`` to a folder or a file, both audited."""
import json
import subprocess
import sys
from pathlib import Path

from kiosk import ASSETS_DIR

ROOT = Path(__file__).resolve().parent.parent
RAISING = """
import sys
sys.path.insert(0, {root!r})
from lobby import cli
def broken(args):
    raise RuntimeError("a bug in the command")
cli.cmd_check = broken
sys.exit(cli.main(["check", "--config", {ini!r}]))
"""


def kiosk(tmp_path, *argv, code=None):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "KIOSK_LOG_FILE": str(tmp_path / "log" / "kiosk.log")}
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "lobby.cli",
                                                         *argv]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def logged(tmp_path):
    path = tmp_path / "log" / "kiosk.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_bad_kiosk_ini_is_one_line_and_status_2(ini, tmp_path):
    path = ini(printer={"type": "fax"})
    run = kiosk(tmp_path, "check", "--config", str(path))
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "[printer] type" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout


def test_bad_arguments_and_a_refused_menu_file_are_status_2(ini, tmp_path):
    assert kiosk(tmp_path, "menu", "rename", "x.json").returncode == 2
    bad = tmp_path / "menu.json"
    bad.write_text(json.dumps({"schema": 1, "warna": "merah"}), encoding="utf-8")
    run = kiosk(tmp_path, "menu", "import", str(bad), "--config", str(ini()))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert str(bad) in run.stderr and len(run.stderr.strip().splitlines()) == 1
    audit = (tmp_path / "data" / "audit.jsonl").read_text(encoding="utf-8")
    assert '"menu-import"' in audit and '"ok": false' in audit


def test_a_failed_operation_is_status_1_and_audited(ini, tmp_path):
    path = ini()
    # a folder that exists but takes no files, even from root (a failed write, not bad input)
    run = kiosk(tmp_path, "menu", "export", "/proc/menu.json", "--config", str(path))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "/proc" in run.stderr and len(run.stderr.strip().splitlines()) == 1
    entries = [json.loads(x) for x in (tmp_path / "data" / "audit.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert (entries[-1]["action"], entries[-1]["ok"]) == ("menu-export", False)


def test_an_unexpected_error_says_what_to_do_and_logs_the_traceback(ini, tmp_path):
    run = kiosk(tmp_path, code=RAISING.format(root=str(ROOT), ini=str(ini())))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert "RuntimeError: a bug in the command" in run.stderr
    assert "kiosk check" in run.stderr and str(tmp_path / "log" / "kiosk.log") in run.stderr
    text = logged(tmp_path)
    assert "Traceback" in text and "a bug in the command" in text


def test_menu_export_to_a_folder_or_a_file_writes_the_menu_and_audits(ini, tmp_path):
    path = ini()
    version = json.loads((ASSETS_DIR / "menu.json").read_text(encoding="utf-8"))["version"]
    stick = tmp_path / "usb"
    stick.mkdir()
    into = kiosk(tmp_path, "menu", "export", str(stick), "--config", str(path))
    assert into.returncode == 0, into.stderr
    written = stick / f"menu-{version}.json"
    assert json.loads(written.read_text(encoding="utf-8"))["version"] == version
    named = kiosk(tmp_path, "menu", "export", str(stick / "salinan.json"), "--config",
                  str(path))
    assert named.returncode == 0 and (stick / "salinan.json").exists()
    assert str(stick / "salinan.json") in named.stdout
    entries = [json.loads(x) for x in (tmp_path / "data" / "audit.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert [(e["action"], e["ok"], e["path"]) for e in entries] == [
        ("menu-export", True, str(written)), ("menu-export", True, str(stick / "salinan.json"))]


def test_menu_export_to_a_folder_that_is_not_there_is_bad_input_and_writes_nothing(ini, tmp_path):
    """A trailing slash names a folder: no file may take the folder's name; a missing parent
    folder is the user's path, not the data directory (found by a new user)."""
    path = ini()
    for target in (str(tmp_path / "stick") + "/", str(tmp_path / "nodir" / "x.json")):
        done = kiosk(tmp_path, "menu", "export", target, "--config", str(path))
        assert done.returncode == 2, done.stderr
        assert "folder not found" in done.stderr and "Traceback" not in done.stderr
        assert "data directory" not in done.stderr
    assert not (tmp_path / "stick").exists() and not (tmp_path / "nodir").exists()
    entries = [json.loads(x) for x in (tmp_path / "data" / "audit.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert [(e["action"], e["ok"]) for e in entries] == [("menu-export", False)] * 2


def test_menu_validate_of_a_missing_file_names_the_path_given_not_kiosk_ini(tmp_path):
    done = kiosk(tmp_path, "menu", "validate", str(tmp_path / "none.json"))
    assert done.returncode == 2 and "none.json" in done.stderr
    assert "kiosk.ini" not in done.stderr and "kiosk menu validate" in done.stderr

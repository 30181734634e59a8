"""``kiosk selftest`` and ``kiosk screenshots`` on an install without the test extras
(README's first command): nothing they run may import pytest (issue 9)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NO_PYTEST = """
import sys
sys.path.insert(0, {root!r})
sys.modules["pytest"] = None  # as if not installed: importing it raises ImportError
from lobby.cli import main
sys.exit(main(["{command}", "--config", {ini!r}, *{extra!r}]))
"""


def run_without_pytest(command, ini, tmp_path, *extra):
    env = {"SDL_VIDEODRIVER": "offscreen", "KIVY_HOME": str(tmp_path / "kivy-home"),
           "KIVY_NO_ARGS": "1", "KIVY_NO_FILELOG": "1", "KIVY_NO_CONSOLELOG": "1",
           "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    code = NO_PYTEST.format(root=str(ROOT), command=command, ini=str(ini), extra=list(extra))
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)


def test_selftest_runs_where_pytest_is_not_installed(ini, tmp_path):
    done = run_without_pytest("selftest", ini(), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "selftest OK" in done.stdout and "Traceback" not in done.stderr
    assert list((tmp_path / "spool").glob("*.bin")), "the TEST slip was not written"

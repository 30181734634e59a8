"""The shipped service files: systemd units that systemd-analyze accepts, the udev rule, the
autostart entry and the install scripts (shell syntax)."""
import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
ANALYZE = shutil.which("systemd-analyze")
needs_systemd = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed "
                                                           "(.ci/run installs systemd)")


def rendered(tmp_path, name):
    """The unit as the install script writes it, for this checkout; its ExecStart must exist
    (.venv made by scripts/setup.sh)."""
    text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
    text = text.replace("@PREFIX@", str(ROOT))
    if not (ROOT / ".venv" / "bin").is_dir():  # a venv elsewhere: point at this Python's
        text = text.replace(f"{ROOT}/.venv/bin", str(Path(sys.executable).parent))
    unit = tmp_path / name
    unit.write_text(text, encoding="utf-8")
    return unit


def verify(unit, *flags, env=None):
    result = subprocess.run([ANALYZE, *flags, "verify", str(unit)], capture_output=True,
                            text=True, timeout=60, env=env)
    said = [line for line in (result.stdout + result.stderr).splitlines() if unit.name in line]
    return result.returncode, said


@needs_systemd
def test_the_office_server_unit_verifies(tmp_path):
    assert verify(rendered(tmp_path, "dukcapil-office.service")) == (0, [])


@needs_systemd
def test_the_kiosk_user_unit_verifies(tmp_path):
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    assert verify(rendered(tmp_path, "dukcapil-kiosk.service"), "--user", env=env) == (0, [])


@needs_systemd
def test_a_broken_unit_is_caught(tmp_path):
    unit = rendered(tmp_path, "dukcapil-office.service")
    unit.write_text(unit.read_text().replace("Restart=", "Restartt="), encoding="utf-8")
    assert verify(unit)[1]  # an unknown key is reported


def test_units_restart_on_failure_and_the_office_runs_workers_from_its_env_file():
    kiosk = (DEPLOY / "systemd" / "dukcapil-kiosk.service").read_text()
    office = (DEPLOY / "systemd" / "dukcapil-office.service").read_text()
    assert "Restart=on-failure" in kiosk and "Restart=on-failure" in office
    assert "WantedBy=graphical-session.target" in kiosk and "xset s off" in kiosk
    assert "EnvironmentFile=/etc/dukcapil-office.env" in office
    env = (DEPLOY / "systemd" / "dukcapil-office.env").read_text()
    assert "KIOSK_OFFICE_WORKERS=" in env and "KIOSK_OFFICE_DB=" in env


def test_udev_rule_lets_group_lp_open_usb_printers():
    rules = [line for line in (DEPLOY / "udev" / "60-dukcapil-printer.rules").read_text()
             .splitlines() if line and not line.startswith("#")]
    assert rules and all('SUBSYSTEM=="usb"' in r and 'GROUP="lp"' in r and 'MODE="0660"' in r
                         for r in rules)


def test_autostart_entry_starts_the_user_service():
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(DEPLOY / "xdg" / "dukcapil-kiosk.desktop")
    assert "systemctl --user start dukcapil-kiosk.service" in entry["Desktop Entry"]["Exec"]


@pytest.mark.parametrize("script", ["install-office-service.sh", "install-kiosk-service.sh"])
def test_install_scripts_are_valid_shell(script):
    assert subprocess.run(["sh", "-n", str(ROOT / "scripts" / script)]).returncode == 0

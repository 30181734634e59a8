"""``kiosk print-test`` against a real TCP listener on 127.0.0.1, as staff run it."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def print_test(ini_path):
    return subprocess.run([sys.executable, "-m", "lobby.cli", "print-test", "--config",
                           str(ini_path)], capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_print_test_fails_plainly_when_the_printer_never_reads(ini, peer):
    peer.mode = "stall"  # accepts the connection, never reads: the small slip "sends"
    run = print_test(ini(printer={"type": "network", "host": "127.0.0.1", "port": peer.port,
                                  "timeout_s": "0.5", "job_deadline_s": "3"}))
    assert run.returncode != 0 and "tercetak" not in run.stdout
    assert "Printer tidak menjawab" in run.stderr
    assert run.stderr.count("tidak menjawab") == 1  # said once, not again as a log line
    assert "0" * 32 not in run.stderr and "Traceback" not in run.stderr


def test_print_test_with_polling_off_trusts_the_send(ini, peer):
    peer.mode = "stall"  # the documented trade-off of status_polling = no
    run = print_test(ini(printer={"type": "network", "host": "127.0.0.1", "port": peer.port,
                                  "timeout_s": "0.5", "status_polling": "no"}))
    assert run.returncode == 0 and "tercetak" in run.stdout

"""``kiosk check`` / ``kiosk menu validate`` warnings about settings that risk a fault
(issue 14): printer timeout past the job deadline, TLS verification off, a readable token,
menu text no code page of the printer has."""
import json

from kiosk import ASSETS_DIR
from lobby.cli import main


def check(path, capsys):
    assert main(["check", "--config", str(path)]) == 0
    return capsys.readouterr().out


def test_a_printer_timeout_longer_than_the_job_deadline_is_warned(ini, capsys):
    out = check(ini(printer={"timeout_s": "30", "job_deadline_s": "10"}), capsys)
    assert "WARNING" in out and "[printer] timeout_s = 30" in out and "job_deadline_s" in out
    assert "WARNING" not in check(ini(), capsys)


def test_verify_tls_off_is_warned(ini, capsys):
    path = ini(server={"url": "https://kantor.lan:8443", "token": "t", "verify_tls": "no"})
    path.chmod(0o600)
    out = check(path, capsys)
    assert "[server] verify_tls = no" in out and "ca_bundle" in out


def test_a_token_in_a_file_others_can_read_is_warned(ini, capsys):
    path = ini(server={"url": "https://kantor.lan:8443", "token": "secret"})
    path.chmod(0o644)
    out = check(path, capsys)
    assert "other users can read" in out and f"chmod 600 {path}" in out
    path.chmod(0o600)
    assert "WARNING" not in check(path, capsys)


def test_waiting_figures_that_go_stale_between_syncs_are_warned(ini, capsys):
    server = {"url": "http://kantor.lan:8080", "token": "t", "interval_s": "300"}
    path = ini(server=server)
    path.chmod(0o600)
    out = check(path, capsys)  # the default figures_fresh_s = 600 is two intervals
    assert "figures_fresh_s" not in out
    path = ini(server={**server, "figures_fresh_s": "400"})
    path.chmod(0o600)
    out = check(path, capsys)
    assert "[server] figures_fresh_s = 400" in out and "interval_s = 300" in out
    assert "at least 600" in out


def test_menu_text_no_code_page_can_print_is_warned(ini, tmp_path, capsys):
    menu = json.loads((ASSETS_DIR / "menu.json").read_text(encoding="utf-8"))
    first = menu["services"][0]
    first["names"]["id"] = "\U0001F4C4\U0001F4C4 Layanan"
    path = tmp_path / "emoji.json"
    path.write_text(json.dumps(menu), encoding="utf-8")
    assert main(["menu", "validate", str(path), "--config", str(ini())]) == 0
    out = capsys.readouterr().out
    assert "WARNING" in out and "\U0001F4C4" in out and first["code"] in out
    out = check(ini(kiosk={"data_dir": "data", "menu": str(path)}), capsys)
    assert "\U0001F4C4" in out

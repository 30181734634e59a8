"""``kiosk sync --once`` end to end: the real ``kiosk`` command (``lobby.cli``, the
pyproject entry point, run as a module so an old install's script cannot stand in) against
the real office server on 127.0.0.1, a kiosk.ini in tmp_path, and the menu ETag kept across
runs."""
import json
import subprocess
import sys

import requests
from syncpeers import MENU_BYTES

from kiosk.config import load_config
from lobby.runtime import KioskRuntime
from lobby.sync_once import sync_once_command
from office.devserver import free_port

NEW_MENU = json.dumps({**json.loads(MENU_BYTES), "version": "2026-12-01.1"}).encode()


def write_ini(tmp_path, url="", token="k1-token"):
    ini = tmp_path / "kiosk.ini"
    ini.write_text(f"[kiosk]\nid = K1\ndata_dir = data\n[printer]\npath = data/spool\n"
                   f"[server]\nurl = {url}\ntoken = {token}\nconnect_timeout_s = 0.5\n"
                   f"read_timeout_s = 2\nattempt_deadline_s = 3\n", encoding="utf-8")
    return ini


def issue(ini, n, clock):
    rt = KioskRuntime(load_config(ini), clock=clock)
    try:
        for _ in range(n):
            rt.store.issue_ticket(service_code="ktp-baru", queue="A", language="id")
    finally:
        rt.stop()


def kiosk_sync(ini):
    return subprocess.run([sys.executable, "-m", "lobby.cli", "sync", "--once", "--config",
                           str(ini)],
                          capture_output=True, text=True, timeout=60)


def test_sync_once_uploads_installs_the_new_menu_and_a_second_run_gets_304(office, tmp_path,
                                                                           clock):
    requests.put(office.url + "/api/v1/menu", data=NEW_MENU,
                 headers={"Authorization": "Bearer admin-token"}, timeout=5).raise_for_status()
    ini = write_ini(tmp_path, office.url)
    issue(ini, 4, clock)
    first = kiosk_sync(ini)
    assert first.returncode == 0, first.stderr
    assert "berhasil (ok)" in first.stdout and "4 tiket dalam 1 permintaan" in first.stdout
    assert "Belum terkirim (backlog):   0" in first.stdout and "(updated)" in first.stdout
    assert office.repo.count_checkins() == 4
    rt = KioskRuntime(load_config(ini), clock=clock)
    try:
        assert rt.menu.version == "2026-12-01.1"
        assert rt.store.setting("menu_etag") == office.repo.current_menu().etag
    finally:
        rt.stop()
    # a restart with the saved ETag: the server answers 304, nothing is downloaded again
    second = kiosk_sync(ini)
    assert second.returncode == 0, second.stderr
    assert "0 tiket dalam 0 permintaan" in second.stdout and "(unchanged)" in second.stdout
    assert "Traceback" not in second.stdout + second.stderr


def test_sync_once_with_the_office_down_says_so_and_keeps_the_tickets(tmp_path, capsys, clock):
    ini = write_ini(tmp_path, f"http://127.0.0.1:{free_port()}")
    issue(ini, 2, clock)
    assert sync_once_command(load_config(ini)) == 1
    out = capsys.readouterr().out
    assert "gagal (failed)" in out and "Belum terkirim (backlog):   2" in out
    assert "Server kantor tidak dapat dihubungi" in out and "(offline)" in out


def test_sync_once_without_a_server_url_explains_how_to_set_one(tmp_path, capsys):
    ini = write_ini(tmp_path, url="")
    assert sync_once_command(load_config(ini)) == 2
    err = capsys.readouterr().err
    assert "offline only" in err and "[server] url" in err and "[server] token" in err
    assert "kiosk-office add-kiosk K1" in err and not (tmp_path / "data").exists()


def test_sync_once_with_a_wrong_token_tells_staff_to_ask_for_a_new_one(office, tmp_path,
                                                                       capsys):
    ini = write_ini(tmp_path, office.url, token="not-a-token")
    assert sync_once_command(load_config(ini)) == 1
    out = capsys.readouterr().out
    assert "tidak menerima token" in out and "kiosk-office add-kiosk K1" in out


def test_sync_once_says_which_counter_figures_came_back(office, tmp_path, clock, capsys):
    ini = write_ini(tmp_path, office.url)
    assert sync_once_command(load_config(ini)) == 0  # an office with no counter set up
    assert "Angka loket (figures):      tidak ada" in capsys.readouterr().out

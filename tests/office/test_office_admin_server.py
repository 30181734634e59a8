"""The admin pages against the real server on 127.0.0.1: a menu published from the page
reaches a kiosk through the existing sync client; ``kiosk-office add-admin``."""
import io
import sqlite3

import requests
from officepages import ADMIN_NAME, ADMIN_PASSWORD, csrf_of, form_values

from kiosk.config import ServerConfig
from kiosk.menu import parse_menu
from kiosk.sync_client import SyncClient
from office.admins import check_login
from office.app import OfficeSettings, create_app
from office.cli import main
from office.db import Repo, make_engine
from office.devserver import ServerThread


def kiosk_cfg(url):
    return ServerConfig(url=url, token="k1-token", ca_bundle=None, verify_tls=True,
                        connect_timeout_s=1, read_timeout_s=2, attempt_deadline_s=5,
                        interval_s=1, max_backoff_s=2, batch_size=200, retention_days=30)


def test_a_menu_published_from_the_page_reaches_the_kiosk_on_its_next_sync(admin_app):
    with ServerThread(admin_app) as server:
        kiosk = SyncClient(kiosk_cfg(server.url), "K1")
        body, etag = kiosk.fetch_menu(None, "2026-11-29.1")
        assert parse_menu(body).version == "2026-11-29.1"
        browser = requests.Session()
        page = browser.get(server.url + "/admin/login", timeout=5).text
        r = browser.post(server.url + "/admin/login", timeout=5, data={
            "csrf": csrf_of(page), "name": ADMIN_NAME, "password": ADMIN_PASSWORD})
        assert r.url.endswith("/admin/menu")
        fields = form_values(r.text, "/admin/menu")
        fields["oh.sat"] = "08:00-11:00"
        r = browser.post(server.url + "/admin/menu", data=fields, timeout=5)
        assert r.status_code == 200 and "Menu baru diterbitkan" in r.text
        new_body, new_etag = kiosk.fetch_menu(etag, "2026-11-29.1")
        menu = parse_menu(new_body)
        assert menu.version == fields["version"] and new_etag != etag
        assert menu.office_hours.sat[0].start == "08:00"
        assert kiosk.fetch_menu(new_etag, menu.version) == (None, new_etag)
        page = browser.get(server.url + "/admin/menu", timeout=5).text
        assert '<tr class="cur"><td>K1</td>' in page


def test_add_admin_reads_the_password_from_stdin_and_hashes_it(db_url, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("sangat-rahasia-99\n"))
    assert main(["add-admin", "budi", "--db", db_url]) == 0
    assert "created" in capsys.readouterr().err
    repo = Repo(make_engine(db_url))
    stored = repo.admin("budi").password_hash
    assert stored.startswith("$argon2id$") and "sangat-rahasia-99" not in stored
    assert check_login(repo, "budi", "sangat-rahasia-99").ok


def test_add_admin_refuses_a_short_password_and_a_bad_name(db_url, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("pendek\n"))
    assert main(["add-admin", "budi", "--db", db_url]) == 2
    assert "at least" in capsys.readouterr().err
    assert main(["add-admin", "bu di;", "--db", db_url]) == 2
    assert Repo(make_engine(db_url)).admin("budi") is None


def test_add_admin_again_sets_a_new_password_and_failures_never_lock_the_account(
        db_url, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("sangat-rahasia-99\n"))
    main(["add-admin", "budi", "--db", db_url])
    repo = Repo(make_engine(db_url))
    for _ in range(6):
        check_login(repo, "budi", "salah-salah-salah")
    assert repo.admin("budi").failures == 6 and not repo.admin("budi").locked_until
    assert check_login(repo, "budi", "sangat-rahasia-99").ok  # the address throttle guards
    monkeypatch.setattr("sys.stdin", io.StringIO("kata-sandi-baru-77\n"))
    assert main(["add-admin", "budi", "--db", db_url]) == 0
    assert check_login(repo, "budi", "kata-sandi-baru-77").ok


def test_sessions_from_before_admin_accounts_are_dropped_on_upgrade(tmp_path):
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE web_sessions (id_hash VARCHAR(64) PRIMARY KEY, role VARCHAR(8), "
                "expires_at VARCHAR(40))")
    con.execute("INSERT INTO web_sessions VALUES ('x', 'staff', '2999-01-01')")
    con.commit()
    con.close()
    app = create_app(OfficeSettings(db_url=f"sqlite:///{path}"))
    assert app.state.repo.web_session("x", "2000-01-01") is None  # they log in again

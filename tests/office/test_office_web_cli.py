"""The staff page (login required) and the kiosk-office command."""
import json

import pytest
from fastapi.testclient import TestClient
from officepages import csrf_of, database_text, login_token

from office.app import OfficeSettings, create_app
from office.cli import main


def test_staff_page_shows_login_form_until_logged_in(client):
    r = client.get("/")
    assert r.status_code == 200
    assert 'name="token"' in r.text and "Check-in hari ini" not in r.text


@pytest.mark.parametrize("token", ["wrong", "k1-token"])
def test_staff_page_refuses_unknown_and_kiosk_tokens(client, token):
    r = login_token(client, token)
    assert r.status_code == 401 and "office_session" not in r.cookies


def test_staff_page_lists_todays_checkins_menu_and_kiosks(client, app, auth, ticket, menu_dict):
    client.put("/api/v1/menu", content=json.dumps(menu_dict), headers=auth("admin"))
    today = app.state.clock.today()
    batch = [ticket(day=today, seq=1), ticket(day=today, seq=2, queue="B", service="kk-baru",
                                               number="B<script>")]
    client.post("/api/v1/checkins", json={"kiosk_id": "K1", "menu_version": "2026-11-29.1",
                                          "tickets": batch}, headers=auth("K1"))
    r = login_token(client, "staff-token")
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    page = client.get("/").text
    assert "Check-in hari ini" in page and "A001" in page
    assert "Perekaman KTP-el (pertama kali)" in page and "Kartu Keluarga baru" in page
    assert "B&lt;script&gt;" in page and "<script>" not in page
    assert "2026-11-29.1" in page and "K1" in page
    client.post("/logout", data={"csrf": csrf_of(page)})
    assert 'name="token"' in client.get("/").text


def test_cli_add_kiosk_prints_a_token_the_server_accepts(db_url, capsys):
    assert main(["add-kiosk", "K7", "--db", db_url]) == 0
    token = capsys.readouterr().out.strip()
    with TestClient(create_app(OfficeSettings(db_url=db_url))) as c:
        r = c.get("/api/v1/menu", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 404  # authenticated; no menu yet
    assert token not in database_text(db_url)


def test_cli_set_admin_token_replaces_the_old_one(db_url, capsys):
    assert main(["set-admin-token", "--db", db_url, "--token", "first-admin"]) == 0
    assert main(["set-admin-token", "--db", db_url]) == 0
    new = capsys.readouterr().out.split()[-1]
    with TestClient(create_app(OfficeSettings(db_url=db_url))) as c:
        assert c.put("/api/v1/menu", content=b"{}",
                     headers={"Authorization": "Bearer first-admin"}).status_code == 401
        assert c.put("/api/v1/menu", content=b"{}",
                     headers={"Authorization": f"Bearer {new}"}).status_code == 422


def test_cli_refuses_a_bad_kiosk_name(db_url, capsys):
    assert main(["add-kiosk", "K 1;", "--db", db_url]) == 2
    assert "letters, digits" in capsys.readouterr().err


def test_cli_serve_is_the_default_subcommand(db_url, monkeypatch):
    seen = {}
    import uvicorn
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, log_level, **kw: seen.update(
        host=host, port=port, app=app, **kw))
    assert main(["--db", db_url, "--port", "8099", "--init-admin-token", "boot-admin"]) == 0
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8099
    assert seen["timeout_graceful_shutdown"] == 2  # open display streams do not hold a stop
    assert seen["app"].state.repo.has_role("admin")

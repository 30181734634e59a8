"""Security of the office pages: headers on every HTML page, the login throttle per client
address, sessions bound to the credential that opened them, revocable tokens, the audit."""
from fastapi.testclient import TestClient
from officepages import ADMIN_PASSWORD, csrf_of, login_admin, login_token

from office.admins import FREE_FAILURES, hash_password
from office.cli import main

STAFF_PAGE = "Check-in hari ini"


def assert_page_headers(response):
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "object-src 'none'" in csp and "form-action 'self'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_every_html_page_carries_the_security_headers(admin, client):
    pages = [client.get("/"), client.get("/admin/login"), admin.get("/admin/menu"),
             admin.get("/admin/audit"), admin.get("/"),
             client.post("/login", data={"token": "x"}),  # 403 page: no CSRF token
             client.put("/admin/menu/upload", content=b"x" * (3 * 1024 * 1024))]  # 413 page
    for r in pages:
        assert r.headers["content-type"].startswith("text/html"), r.request.url
        assert_page_headers(r)
    api = client.get("/api/v1/health")
    assert api.headers["x-frame-options"] == "DENY" and "content-security-policy" not in \
        api.headers


def _fail_logins(c, times):
    for _ in range(times):
        r = login_admin(c, password="tebakan-yang-salah")
    return r


def test_failing_from_one_address_locks_that_address_not_the_admin(admin_app):
    with TestClient(admin_app, client=("10.0.0.66", 4000)) as attacker:
        assert _fail_logins(attacker, FREE_FAILURES).status_code == 401
        r = login_admin(attacker)  # even the right password: the address is locked
        assert r.status_code == 429 and "dikunci sampai" in r.text
        assert "office_session" not in r.cookies and int(r.headers["retry-after"]) > 0
        assert login_token(attacker, "staff-token").status_code == 429  # every login form
        assert_page_headers(r)
    with TestClient(admin_app, client=("10.0.0.7", 4000)) as admin_pc:
        assert login_admin(admin_pc).status_code == 303  # the admin still gets in
    locks = [a for a in admin_app.state.repo.audit_entries() if a.action == "login-lock"]
    assert locks and "10.0.0.66" in locks[0].note


def test_a_good_login_clears_the_address_count(admin_app):
    with TestClient(admin_app, client=("10.0.0.8", 4000)) as c:
        _fail_logins(c, FREE_FAILURES - 1)
        assert login_admin(c).status_code == 303
        assert _fail_logins(c, FREE_FAILURES - 1).status_code == 401  # counting from zero


def test_replacing_the_admin_token_ends_the_sessions_it_opened(app, db_url, capsys):
    with TestClient(app) as browser:
        assert login_token(browser, "admin-token").status_code == 303
        assert STAFF_PAGE in browser.get("/").text
        assert main(["set-admin-token", "--db", db_url]) == 0
        page = browser.get("/").text
        assert STAFF_PAGE not in page and 'name="token"' in page


def test_revoking_a_staff_token_ends_its_sessions_and_a_kiosk_token_its_sync(
        app, db_url, auth, capsys):
    with TestClient(app) as browser:
        assert login_token(browser, "staff-token").status_code == 303
        assert main(["revoke", "staff", "desk", "--db", db_url]) == 0
        assert STAFF_PAGE not in browser.get("/").text
        assert login_token(browser, "staff-token").status_code == 401
        assert browser.get("/api/v1/menu", headers=auth("K1")).status_code == 404
        assert main(["revoke", "kiosk", "K1", "--db", db_url]) == 0
        assert browser.get("/api/v1/menu", headers=auth("K1")).status_code == 401
        assert browser.get("/api/v1/menu", headers=auth("K2")).status_code == 404
    assert main(["revoke", "kiosk", "K1", "--db", db_url]) == 1  # nothing left: said so
    assert "nothing changed" in capsys.readouterr().err
    assert main(["tokens", "--db", db_url]) == 0
    listed = capsys.readouterr().out
    assert "K2" in listed and "K1" not in listed and "k2-token" not in listed


def test_a_new_admin_password_ends_sessions_opened_with_the_old_one(admin, admin_app):
    assert admin.get("/admin/menu").status_code == 200
    admin_app.state.repo.set_admin("siti", hash_password(ADMIN_PASSWORD + "-baru"))
    r = admin.get("/admin/menu", follow_redirects=False)
    assert r.status_code in (302, 303, 307) and r.headers["location"] == "/admin/login"


def test_token_and_account_changes_are_in_the_audit_log(admin, admin_app, db_url, capsys):
    main(["add-staff", "loket9", "--db", db_url])
    main(["revoke", "staff", "loket9", "--db", db_url])
    actions = {(a.action, a.actor) for a in admin_app.state.repo.audit_entries()}
    assert {("token-add", "cli"), ("token-revoke", "cli"), ("admin-set", "cli")} <= actions
    page = admin.get("/admin/audit").text
    assert "token dicabut" in page and "staff loket9: 1 token(s) revoked" in page
    assert csrf_of(page)


def test_a_staff_account_session_ends_with_a_new_password_or_switched_off(db_url, tmp_path):
    from counterkit import counter_app, login_staff
    app = counter_app(db_url, tmp_path / "voice")
    try:
        with TestClient(app) as browser:
            assert login_staff(browser, "budi").status_code == 303
            assert browser.get("/loket", follow_redirects=False).status_code == 200
            app.state.staff.set_staff("budi", hash_password("kata-sandi-baru-budi"),
                                      actor="siti")
            assert "name=\"password\"" in browser.get("/loket").text  # logged out
        with TestClient(app) as browser:
            assert login_staff(browser, "sari").status_code == 303
            app.state.staff.set_staff_active("sari", False, actor="siti")
            assert "name=\"password\"" in browser.get("/loket").text
        notes = [a.note for a in app.state.repo.audit_entries() if a.action == "staff-set"]
        assert "staff account budi: new password" in notes
        assert "staff account sari: switched off" in notes
    finally:
        app.state.repo.engine.dispose()

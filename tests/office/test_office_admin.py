"""Admin accounts, CSRF, the menu editor, upload, restore and the audit log (TestClient)."""
import json
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from officepages import (ADMIN_NAME, ADMIN_PASSWORD, csrf_of, form_values, login_admin,
                         login_token)

from office.admins import FREE_FAILURES, check_login

SHIPPED = "2026-11-29.1"


def editor_fields(client):
    return form_values(client.get("/admin/menu").text, "/admin/menu")


def service_index(fields, code):
    return next(int(k[1:].split(".")[0]) for k, v in fields.items()
                if k.endswith(".code") and v == code)


def state(app):
    """What must not move when a menu is refused: the version in force and the audit log."""
    repo = app.state.repo
    return repo.current_menu().id, len(repo.audit_entries())


# -- login ---------------------------------------------------------------------
def test_admin_login_sets_a_strict_httponly_cookie_and_opens_the_menu_page(admin_app):
    with TestClient(admin_app) as c:
        r = login_admin(c)
        assert r.status_code == 303 and r.headers["location"] == "/admin/menu"
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        page = c.get("/admin/menu").text
        assert SHIPPED in page and "Kartu Keluarga baru" in page


def test_wrong_password_gives_no_session(admin_app):
    with TestClient(admin_app) as c:
        r = login_admin(c, password="salah-sekali-123")
        assert r.status_code == 401 and "office_session" not in r.cookies
        assert "salah" in r.text
        assert c.get("/admin/menu", follow_redirects=False).headers["location"] == "/admin/login"


def test_lockout_after_repeated_failures_refuses_even_the_right_password(admin_app):
    with TestClient(admin_app) as c:
        for _ in range(FREE_FAILURES):
            login_admin(c, password="tebakan-yang-salah")
        r = login_admin(c)
        assert r.status_code == 429 and "dikunci" in r.text and "office_session" not in r.cookies
    later = datetime.now(timezone.utc) + timedelta(minutes=2)
    assert check_login(admin_app.state.repo, ADMIN_NAME, ADMIN_PASSWORD, later).ok
    assert admin_app.state.repo.admin(ADMIN_NAME).failures == 0


def test_unknown_admin_name_is_the_same_answer_as_a_wrong_password(admin_app):
    with TestClient(admin_app) as c:
        r = login_admin(c, name="tidak-ada")
        assert r.status_code == 401 and "Nama atau kata sandi salah" in r.text


# -- CSRF and who may publish ----------------------------------------------------------
@pytest.mark.parametrize("path", ["/admin/menu", "/admin/menu/upload", "/admin/menu/restore",
                                  "/logout"])
@pytest.mark.parametrize("csrf", [None, "forged"])
def test_post_without_the_session_csrf_token_is_403(admin, admin_app, path, csrf):
    before = state(admin_app)
    data = editor_fields(admin)
    data.pop("csrf")
    if csrf:
        data["csrf"] = csrf
    data["menu_id"] = "1"
    r = admin.post(path, data=data, follow_redirects=False)
    assert r.status_code == 403 and "ditolak" in r.text
    assert state(admin_app) == before
    assert admin.get("/admin/menu").status_code == 200  # still logged in


@pytest.mark.parametrize("path,data", [("/login", {"token": "staff-token"}),
                                       ("/admin/login", {"name": ADMIN_NAME,
                                                         "password": ADMIN_PASSWORD})])
def test_login_forms_without_their_csrf_token_are_403(admin_app, path, data):
    with TestClient(admin_app) as c:
        c.get(path if path != "/login" else "/")
        r = c.post(path, data=data, follow_redirects=False)
        assert r.status_code == 403 and "office_session" not in r.cookies


def test_a_post_from_another_site_is_403_even_with_the_token(admin, admin_app):
    before = state(admin_app)
    data = editor_fields(admin)
    r = admin.post("/admin/menu", data=data, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    r = admin.post("/admin/menu", data=data, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    assert state(admin_app) == before


@pytest.mark.parametrize("token", ["staff-token", "admin-token"])
def test_a_token_login_cookie_cannot_publish_menus(admin_app, token):
    before = state(admin_app)
    with TestClient(admin_app) as c:
        assert login_token(c, token).status_code == 303
        csrf = csrf_of(c.get("/").text)  # the session's real token, from the logout form
        assert c.get("/admin/menu", follow_redirects=False).status_code == 303
        menu = json.loads(admin_app.state.repo.current_menu().body)
        menu["version"] = "2099-01-01.1"
        for path, kw in [("/admin/menu", {"data": {"csrf": csrf, "version": "2099-01-01.1"}}),
                         ("/admin/menu/upload", {"data": {"csrf": csrf}, "files": {
                             "file": ("m.json", json.dumps(menu).encode())}}),
                         ("/admin/menu/restore", {"data": {"csrf": csrf, "menu_id": "1"}})]:
            assert c.post(path, **kw).status_code == 403
    assert state(admin_app) == before


# -- the editor --------------------------------------------------------------------
def test_editing_a_quota_publishes_a_new_version_with_a_field_level_audit_entry(admin,
                                                                               admin_app):
    fields = editor_fields(admin)
    i = service_index(fields, "kk-baru")
    fields[f"s{i}.daily_quota"] = "30"
    fields[f"s{i}.window_quotas"] = "07:30-09:00 20"
    fields[f"s{i}.own_hours"] = "1"
    fields.update({f"s{i}.h.{d}": "08.00 - 12:00" for d in ("mon", "tue", "wed", "thu")})
    r = admin.post("/admin/menu", data=fields)
    assert r.status_code == 200 and "Menu baru diterbitkan" in r.text
    current = admin_app.state.repo.current_menu()
    assert current.version == fields["version"] != SHIPPED
    kk = next(s for s in json.loads(current.body)["services"] if s["code"] == "kk-baru")
    assert kk["daily_quota"] == 30 and kk["hours"]["mon"] == [["08:00", "12:00"]]
    entry = admin_app.state.repo.audit_entries()[0]
    assert entry.actor == ADMIN_NAME and entry.action == "edit"
    assert entry.version_before == SHIPPED and entry.version_after == current.version
    changed = {(c["what"], c["field"]): (c["before"], c["after"]) for c in entry.changes}
    assert changed[("service kk-baru", "daily_quota")] == (None, 30)
    assert ("service kk-baru", "hours") in changed and len(changed) == 4  # + window, version
    audit = admin.get("/admin/audit").text
    assert "service kk-baru · daily_quota" in audit and ADMIN_NAME in audit


def test_publishing_the_form_unchanged_keeps_the_version(admin, admin_app):
    before = state(admin_app)
    fields = editor_fields(admin)
    fields["version"] = SHIPPED
    r = admin.post("/admin/menu", data=fields)
    assert "Tidak ada perubahan" in r.text and state(admin_app) == before


def spoil_form(kind):
    def spoil(f):
        a, b = service_index(f, "ktp-baru"), service_index(f, "kk-baru")
        if kind == "duplicate code":
            f[f"s{b}.code"] = "ktp-baru"
        elif kind == "one prefix twice":
            f["q1.prefix"] = "A"
        elif kind == "unknown queue":
            f[f"s{b}.queue"] = "Z"
        elif kind == "no Indonesian name":
            f[f"s{b}.name_id"] = ""
        elif kind == "hour 25:00":
            f["oh.mon"] = "08:00-25:00"
        elif kind == "negative quota":
            f[f"s{a}.daily_quota"] = "-5"
        elif kind == "unreadable hours":
            f["oh.tue"] = "jam delapan"
        elif kind == "version used before":
            f["version"] = SHIPPED
            f[f"s{a}.daily_quota"] = "40"
        return f
    return spoil


@pytest.mark.parametrize("kind,words,kept", [
    ("duplicate code", "appears twice", 'value="ktp-baru"'),
    ("one prefix twice", "two queues use the prefix 'A'", 'name="q1.prefix" value="A"'),
    ("unknown queue", "queue 'Z' does not exist", 'value="Z"'),
    ("no Indonesian name", "Service 'kk-baru': names.id is missing", 'value="kk-baru"'),
    ("hour 25:00", "'25:00' is not a time of day", 'value="08:00-25:00"'),
    ("negative quota", "daily_quota must be 0 or more, not -5", 'value="-5"'),
    ("unreadable hours", "'jam delapan' cannot be read", 'value="jam delapan"'),
    ("version used before", "was published before", 'value="40"'),
])
def test_a_refused_form_shows_why_keeps_the_input_and_changes_nothing(admin, admin_app, kind,
                                                                      words, kept):
    before = state(admin_app)
    r = admin.post("/admin/menu", data=spoil_form(kind)(editor_fields(admin)))
    assert r.status_code == 422
    assert "Menu tidak disimpan" in r.text and words in r.text.replace("&#x27;", "'")
    assert kept in r.text
    assert state(admin_app) == before and admin_app.state.repo.current_menu().version == SHIPPED


def test_a_service_named_with_markup_is_shown_escaped(admin, admin_app):
    fields = editor_fields(admin)
    i = service_index(fields, "ktp-baru")
    fields[f"s{i}.name_id"] = 'KTP <script>alert("x")</script>'
    fields[f"s{i}.code"] = "bad code <b>"
    r = admin.post("/admin/menu", data=fields)
    assert r.status_code == 422
    assert "<script>" not in r.text and "&lt;script&gt;" in r.text and "<b>\"" not in r.text


def test_a_new_service_can_be_added_in_the_blank_row(admin, admin_app):
    fields = editor_fields(admin)
    n = int(fields["ns"]) - 1
    fields.update({f"s{n}.code": "legalisir", f"s{n}.queue": "G", f"s{n}.enabled": "1",
                   f"s{n}.name_id": "Legalisir dokumen", f"s{n}.order": "200",
                   f"s{n}.req_id": "Datang sendiri", f"s{n}.doc_id": "Dokumen asli\nFotokopi",
                   f"s{n}.doc_en": "Original\nCopy", f"s{n}.counter": "Loket 7",
                   f"s{n}.counter_en": "Counter 7", f"s{n}.avg": "5"})
    assert admin.post("/admin/menu", data=fields).status_code == 200
    menu = json.loads(admin_app.state.repo.current_menu().body)
    new = next(s for s in menu["services"] if s["code"] == "legalisir")
    assert new["requirements"] == {"id": ["Datang sendiri"]}
    assert new["documents"] == {"id": ["Dokumen asli", "Fotokopi"], "en": ["Original", "Copy"]}
    assert new["counter"] == {"id": "Loket 7", "en": "Counter 7"}
    again = editor_fields(admin)  # the editor shows them back in their own fields
    i = service_index(again, "legalisir")
    assert (again[f"s{i}.doc_en"], again[f"s{i}.counter_en"]) == ("Original\nCopy", "Counter 7")


def test_a_stale_editor_does_not_overwrite_a_newer_menu(admin, admin_app):
    stale = editor_fields(admin)
    fresh = editor_fields(admin)
    fresh["oh.sat"] = "08:00-11:00"
    assert admin.post("/admin/menu", data=fresh).status_code == 200
    before = state(admin_app)
    stale["version"] = "2099-01-01.1"
    r = admin.post("/admin/menu", data=stale)
    assert r.status_code == 409 and "diubah orang lain" in r.text
    assert state(admin_app) == before


# -- upload, download, restore -----------------------------------------------------------
def upload(client, body: bytes, name="menu.json"):
    csrf = csrf_of(client.get("/admin/menu").text)
    return client.post("/admin/menu/upload", data={"csrf": csrf},
                       files={"file": (name, body, "application/json")})


def test_upload_publishes_and_download_gives_the_same_bytes(admin, admin_app, menu_dict):
    menu_dict["version"] = "2026-12-01.1"
    body = json.dumps(menu_dict, ensure_ascii=False).encode()
    r = upload(admin, body)
    assert r.status_code == 200 and "2026-12-01.1" in r.text
    got = admin.get("/admin/menu/download")
    assert got.content == body and "attachment" in got.headers["content-disposition"]
    assert admin_app.state.repo.audit_entries()[0].action == "upload"


def _spoiled(menu_dict, how):
    m = json.loads(json.dumps(menu_dict))
    m["version"] = "2026-12-01.1"
    if how == "unknown field":
        m["services"][0]["colour"] = "red"
    elif how == "duplicate code":
        m["services"][1]["code"] = m["services"][0]["code"]
    elif how == "missing id name":
        del m["services"][0]["names"]["id"]
    return json.dumps(m).encode()


@pytest.mark.parametrize("how,body,words", [
    ("unknown field", None, "colour is not a known field"),
    ("duplicate code", None, "appears twice"),
    ("missing id name", None, "names.id is missing"),
    ("broken UTF-8", b'{"version": "\xff\xfe"}', "not UTF-8 text"),
    ("junk", b"\x00junk" * 120_000, "too large for a menu"),
    ("not JSON", b"<html>menu</html>", "not valid JSON"),
])
def test_a_refused_upload_shows_why_and_changes_nothing(admin, admin_app, menu_dict, how, body,
                                                        words):
    before = state(admin_app)
    r = upload(admin, body or _spoiled(menu_dict, how))
    assert r.status_code == 422 and "Berkas tidak diterbitkan" in r.text
    assert words in r.text
    assert state(admin_app) == before


def test_five_megabytes_of_junk_is_refused_with_a_page_saying_so(admin, admin_app):
    before = state(admin_app)
    r = upload(admin, b"\x8f junk" * 800_000)
    assert r.status_code == 413 and "terlalu besar" in r.text.lower()
    assert state(admin_app) == before


def test_restore_publishes_an_old_version_as_the_newest(admin, admin_app):
    fields = editor_fields(admin)
    fields["oh.sat"] = "08:00-11:00"
    admin.post("/admin/menu", data=fields)
    edited = admin_app.state.repo.current_menu()
    audit = admin.get("/admin/audit").text
    assert "berlaku" in audit and "Pulihkan" in audit
    r = admin.post("/admin/menu/restore", data={"csrf": csrf_of(audit), "menu_id": "1"})
    assert r.status_code == 200 and "dipulihkan" in r.text
    now = admin_app.state.repo.current_menu()
    assert now.id > edited.id and now.version not in (SHIPPED, edited.version)
    assert json.loads(now.body)["office_hours"]["sat"] == []
    entry = admin_app.state.repo.audit_entries()[0]
    assert entry.action == "restore" and SHIPPED in entry.note
    assert ("menu", "office_hours") in {(c["what"], c["field"]) for c in entry.changes}


def test_kiosks_on_an_old_version_are_highlighted(admin, admin_app, auth):
    admin.get("/api/v1/menu", headers={**auth("K1"), "X-Kiosk-Menu-Version": "2026-01-01.1"})
    admin.get("/api/v1/menu", headers={**auth("K2"), "X-Kiosk-Menu-Version": SHIPPED})
    page = admin.get("/admin/menu").text
    old = page.index('<tr class="old"><td>K1</td>')
    assert "VERSI LAMA" in page[old:old + 300]
    assert '<tr class="cur"><td>K2</td>' in page


def test_api_publication_is_in_the_audit_log_too(admin_app, client, auth, menu_dict):
    menu_dict["version"] = "2026-12-02.1"
    client.put("/api/v1/menu", content=json.dumps(menu_dict), headers=auth("admin"))
    entry = admin_app.state.repo.audit_entries()[0]
    assert (entry.actor, entry.action, entry.version_after) == ("token:admin", "api",
                                                                "2026-12-02.1")


def test_hours_typed_without_ticking_own_hours_are_refused_not_dropped(admin, admin_app):
    before = state(admin_app)
    fields = editor_fields(admin)
    i = service_index(fields, "kk-baru")
    assert not fields.get(f"s{i}.own_hours")
    fields[f"s{i}.daily_quota"] = "30"
    fields[f"s{i}.h.mon"] = "08:00-11:00"
    r = admin.post("/admin/menu", data=fields)
    text = r.text.replace("&#x27;", "'")
    assert r.status_code == 422 and "Service 'kk-baru': jam layanan diisi (Senin)" in text
    assert "Centang kotak itu untuk memakai jam ini" in text and 'value="08:00-11:00"' in text
    assert state(admin_app) == before
    fields[f"s{i}.own_hours"] = "1"                       # ticked: the hours are used
    assert "Menu baru diterbitkan" in admin.post("/admin/menu", data=fields).text
    kk = next(s for s in json.loads(admin_app.state.repo.current_menu().body)["services"]
              if s["code"] == "kk-baru")
    assert kk["hours"]["mon"] == [["08:00", "11:00"]] and kk["hours"]["tue"] == []

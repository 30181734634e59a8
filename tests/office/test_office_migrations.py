"""Alembic migrations: an office database made before Alembic (by ``create_all`` of the one-office
server) is upgraded in place at server start, keeps its data, and the server runs on it."""
import importlib
import json

from fastapi.testclient import TestClient
from officepages import login_token
from sqlalchemy import create_engine, inspect, text

from kiosk import ASSETS_DIR
from office import migrate
from office.app import OfficeSettings, create_app
from office.auth import hash_token

baseline = importlib.import_module("office.migrations.versions.0001_baseline")

OLD_ROWS = {
    "credentials": [dict(token_hash=hash_token("old-k1"), role="kiosk", name="K1",
                         created_at="2026-11-01T00:00:00+00:00"),
                    dict(token_hash=hash_token("old-desk"), role="staff", name="desk",
                         created_at="2026-11-01T00:00:00+00:00"),
                    dict(token_hash=hash_token("old-admin"), role="admin", name="admin",
                         created_at="2026-11-01T00:00:00+00:00")],
    "kiosks": [dict(id="K1", created_at="2026-11-01T00:00:00+00:00",
                    last_seen_at="2026-11-29T01:00:00+00:00", menu_version="2026-11-29.1")],
    "now_serving": [dict(office_day="2026-11-29", queue="A", sequence=1,
                         updated_at="2026-11-29T01:00:00+00:00")],
    "counters": [dict(id=1, name="Loket 1", queues="A", active=1, shown_number="",
                      shown_at=None, shown_day="", created_at="2026-11-01T00:00:00+00:00")],
    "staff_accounts": [dict(name="budi", password_hash="x", failures=0, locked_until=None,
                            active=1, created_at="2026-11-01T00:00:00+00:00",
                            last_login_at=None)],
}


def old_database(url: str, ticket) -> list[dict]:
    """The schema the server made before Alembic (no ``alembic_version``), with data in every
    table the migration touches; returns the tickets stored."""
    engine = create_engine(url)
    baseline.schema().create_all(engine)
    tickets = [ticket("K1", seq=i, day="2026-11-29") for i in (1, 2, 3)]
    menu = (ASSETS_DIR / "menu.json").read_text(encoding="utf-8")
    with engine.begin() as con:
        for table, rows in OLD_ROWS.items():
            for row in rows:
                con.execute(text(f"INSERT INTO {table} ({', '.join(row)}) VALUES "
                                 f"({', '.join(':' + k for k in row)})"), row)
        con.execute(text("INSERT INTO menus (version, etag, body, published_at) VALUES "
                         "('2026-11-29.1', '\"e1\"', :b, '2026-11-29T00:00:00+00:00')"),
                    {"b": menu})
        for t in tickets:
            con.execute(text(
                "INSERT INTO checkins (id, kiosk_id, office_day, service_code, queue, sequence,"
                " number, issued_at, received_at, payload) VALUES (:id, :k, :d, :s, :q, :n, "
                ":num, :i, :i, :p)"), dict(id=t["id"], k="K1", d=t["office_day"],
                                           s=t["service_code"], q=t["queue"], n=t["sequence"],
                                           num=t["number"], i=t["issued_at"],
                                           p=json.dumps(t)))
    assert "alembic_version" not in inspect(engine).get_table_names()
    engine.dispose()
    return tickets


def test_old_database_upgrades_in_place_and_the_server_runs_on_it(db_url, ticket):
    tickets = old_database(db_url, ticket)
    app = create_app(OfficeSettings(db_url=db_url, office_name="Disdukcapil Lama",
                                    timezone="Asia/Makassar"))
    try:
        repo = app.state.repo
        assert migrate.current(repo.engine) == migrate.head()
        [office] = repo.offices()  # everything landed in one office named from the settings
        assert (office.name, office.timezone) == ("Disdukcapil Lama", "Asia/Makassar")
        scoped = repo.for_office(office.id)
        assert scoped.count_checkins() == 3 and [k.id for k in scoped.kiosks()] == ["K1"]
        assert scoped.now_serving("2026-11-29") == {"A": 1}
        assert scoped.current_menu().version == "2026-11-29.1"
        assert repo.credential(hash_token("old-admin"))[3] == office.id  # its office's admin
        assert app.state.offices.scope().staff.staff_accounts()[0].name == "budi"
        with TestClient(app) as client:
            k1 = {"Authorization": "Bearer old-k1"}
            menu = client.get("/api/v1/menu", headers=k1)
            assert menu.status_code == 200 and menu.json()["version"]
            more = [ticket("K1", seq=4, day="2026-11-29")]
            r = client.post("/api/v1/checkins", headers=k1, json={
                "kiosk_id": "K1", "menu_version": "2026-11-29.1", "tickets": tickets + more})
            assert r.status_code == 200, r.text
            assert r.json()["accepted"] == [t["id"] for t in tickets + more]
            assert repo.count_checkins() == 4
            assert login_token(client, "old-desk").status_code == 303
            assert "K1" in client.get("/").text
        assert [c.name for c in app.state.offices.scope().counters.counters()] == ["Loket 1"]
    finally:
        app.state.repo.engine.dispose()


def test_upgrade_is_a_no_op_at_head_and_reports_the_revision(db_url):
    engine = create_engine(db_url)
    try:
        assert migrate.current(engine) is None
        assert migrate.upgrade(engine) == migrate.head()
        tables = set(inspect(engine).get_table_names())
        assert {"checkins", "queue_items", "alembic_version"} <= tables
        assert migrate.upgrade(engine) == migrate.head()
    finally:
        engine.dispose()



def test_db_command_upgrades_and_reports(tmp_path, capsys):
    from office.cli import main
    url = f"sqlite:///{tmp_path / 'office.db'}"
    assert main(["db", "current", "--db", url]) == 0
    assert "none" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", url]) == 0
    assert main(["db", "current", "--db", url]) == 0
    assert capsys.readouterr().out.strip() == migrate.head()


def test_the_migrated_schema_is_the_one_the_tables_define(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from office import counter_tables  # noqa: F401  (its tables join the metadata)
    from office.engine import make_engine
    from office.tables import Base
    engine = make_engine(db_url)
    try:
        with engine.connect() as con:
            context = MigrationContext.configure(con, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()

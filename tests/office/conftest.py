"""Fixtures for the office server: an app with known tokens, on each database backend.

Every test that takes ``db_url`` (and so ``app``, ``client``, ``admin``) runs on a SQLite
file in tmp_path and, when ``KIOSK_OFFICE_TEST_PG`` names a throwaway PostgreSQL database
(``.ci/run`` makes one), once more on PostgreSQL, whose schema is emptied first.
"""
import json
import os
import uuid

import pytest
from fastapi.testclient import TestClient
from officepages import ADMIN_NAME, ADMIN_PASSWORD, login_admin

from kiosk import ASSETS_DIR
from office.admins import hash_password
from office.app import OfficeSettings, create_app
from office.auth import hash_token
from office.publish import publish

TOKENS = {"K1": ("kiosk", "k1-token"), "K2": ("kiosk", "k2-token"),
          "admin": ("admin", "admin-token"), "desk": ("staff", "staff-token")}


def auth(name):
    return {"Authorization": f"Bearer {TOKENS[name][1]}"}


def ticket(kiosk_id="K1", seq=1, queue="A", service="ktp-baru", day=None, **extra):
    """A ticket dict as Ticket.to_dict() writes it."""
    d = dict(id=uuid.uuid4().hex, kiosk_id=kiosk_id, office_day=day or "2026-11-29",
             service_code=service, queue=queue, sequence=seq, number=f"{queue}{seq:03d}",
             issued_at="2026-11-29T08:00:00+07:00", language="id",
             rules_confirmed=[["mask", "2026-11-29T07:59:00+07:00"]], print_status="printed",
             print_error="", synced_at=None, menu_version="2026-11-29.1")
    d.update(extra)
    return d


@pytest.fixture
def menu_dict():
    return json.loads((ASSETS_DIR / "menu.json").read_text(encoding="utf-8"))


def worker_database(url: str) -> str:
    """``url`` itself, or under pytest-xdist a database of this worker's own beside it
    (``<name>_gw0``, created on first use: the role needs CREATEDB), so parallel workers
    never empty each other's schema or end each other's sessions."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    from sqlalchemy import create_engine, make_url, text
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as con:
            if con.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                           {"n": name}).scalar() is None:
                con.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


PG_URL = worker_database(os.environ.get("KIOSK_OFFICE_TEST_PG", ""))
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def empty_postgres(url):
    """Drop everything in the throwaway database ``url`` (other sessions of it are ended)."""
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.begin() as con:
        con.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                         "AND usename = current_user"))
        con.execute(text("DROP SCHEMA public CASCADE"))
        con.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """A fresh, empty office database: SQLite file, then PostgreSQL when configured."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'office.db'}"
    empty_postgres(PG_URL)
    return PG_URL


@pytest.fixture
def app(db_url):
    app = create_app(OfficeSettings(db_url=db_url))
    for name, (role, token) in TOKENS.items():
        app.state.repo.add_credential(hash_token(token), role, name)
    yield app
    app.state.repo.engine.dispose()


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture(name="auth")
def auth_fixture():
    """``auth("K1")`` -> Authorization header of that holder's token."""
    return auth


@pytest.fixture(name="ticket")
def ticket_fixture():
    """``ticket(kiosk_id="K1", seq=1, ...)`` -> a fresh ticket dict."""
    return ticket


@pytest.fixture
def admin_app(app):
    """The app with admin account ``siti`` and the shipped menu published (version 2026-11-29.1)."""
    app.state.repo.set_admin(ADMIN_NAME, hash_password(ADMIN_PASSWORD))
    body = (ASSETS_DIR / "menu.json").read_bytes()
    publish(app.state.repo, body, actor="token:admin", action="api")
    return app


@pytest.fixture
def admin(admin_app):
    """A TestClient logged in as admin ``siti``."""
    with TestClient(admin_app) as c:
        assert login_admin(c).status_code == 303
        yield c


"""Schema migrations of the office server (Alembic, scripts in ``office/migrations``).

:func:`upgrade` brings any office database to the newest revision: an empty one, one made
before Alembic by an older server (the baseline revision ``0001`` adopts it in place), or
one at an older revision. It runs in one transaction under a lock (PostgreSQL: an advisory
lock; SQLite: ``BEGIN IMMEDIATE``), so several worker processes starting together migrate
once. ``kiosk-office serve`` (and every app built by :func:`office.app.create_app`) calls it
at start; ``kiosk-office db upgrade`` does it on its own, ``kiosk-office db current`` shows
the revision.
"""
from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

#: PostgreSQL advisory lock key held while migrating ("kiosk-of" as 8 bytes).
LOCK_KEY = 0x6B696F736B2D6F66

HERE = Path(__file__).parent / "migrations"
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # start-up noise


def config(connection=None, default_office: dict | None = None) -> Config:
    """Alembic config over ``office/migrations``; ``default_office``: ``{"name", "timezone"}``
    of the office an upgraded one-office database lands in."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    cfg.attributes["default_office"] = default_office or {}
    return cfg


def head() -> str:
    """The newest revision id."""
    return ScriptDirectory.from_config(config()).get_current_head()


def current(engine: Engine) -> str | None:
    """The database's revision, or None (empty, or made before Alembic)."""
    with engine.connect() as con:
        return MigrationContext.configure(con).get_current_revision()


def upgrade(engine: Engine, revision: str = "head", default_office: dict | None = None) -> str:
    """Migrate the database of ``engine`` to ``revision``; returns the revision reached.
    Raises whatever the database raises (nothing is changed then: one transaction)."""
    with engine.connect() as con:
        if engine.dialect.name == "sqlite":
            con = con.execution_options(sqlite_immediate=True)
        with con.begin():
            if engine.dialect.name == "postgresql":
                con.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
            command.upgrade(config(con, default_office), revision)
        return MigrationContext.configure(con).get_current_revision()

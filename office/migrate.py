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

log = logging.getLogger(__name__)
for _noisy in ("alembic.runtime.plugins", "alembic.runtime.migration"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)  # we say what changed ourselves

from alembic import command  # noqa: E402  (after quieting its loggers)
from alembic.config import Config  # noqa: E402
from alembic.runtime.migration import MigrationContext  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

#: PostgreSQL advisory lock key held while migrating ("kiosk-of" as 8 bytes).
LOCK_KEY = 0x6B696F736B2D6F66

HERE = Path(__file__).parent / "migrations"


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
            before = MigrationContext.configure(con).get_current_revision()
            command.upgrade(config(con, default_office), revision)
            after = MigrationContext.configure(con).get_current_revision()
        if after != before:
            log.info("office database migrated from revision %s to %s",
                     before or "none (new, or made before migrations)", after)
        return after

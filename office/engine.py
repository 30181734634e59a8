"""The office database's engine and sessions.

SQLite: WAL, a busy timeout, and write transactions that begin with ``BEGIN IMMEDIATE`` (the
write lock is taken at the start and waited for, up to the busy timeout, instead of a read
transaction failing at once with "database is locked" when it turns into a write while another
connection writes). A database still busy after the timeout raises
:class:`sqlalchemy.exc.OperationalError`, which the app answers with 503 and ``Retry-After``
(:func:`office.app.create_app`); the transaction is rolled back whole.
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

#: Seconds a SQLite connection waits for another one's write lock before giving up.
BUSY_TIMEOUT_S = 10.0


def make_engine(url: str, *, migrate: bool = True, default_office: dict | None = None,
                busy_timeout_s: float = BUSY_TIMEOUT_S) -> Engine:
    """Engine for ``url``, migrated to the newest schema (:func:`office.migrate.upgrade`)
    unless ``migrate`` is False. ``default_office`` (``{"name", "timezone"}``) names the office
    a one-office database from before offices lands in."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False,
                                                  "timeout": busy_timeout_s,
                                                  "isolation_level": None})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            immediate = conn.get_execution_options().get("sqlite_immediate")
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
    else:
        engine = create_engine(url, pool_pre_ping=True)
    if migrate:
        from .migrate import upgrade
        upgrade(engine, default_office=default_office)
    return engine


class Sessions:
    """``sessions()``: a session for reading; ``with sessions.begin() as s``: a write
    transaction (``BEGIN IMMEDIATE`` on SQLite), committed at the end, rolled back on error.
    ``office_id``: the office every query of these sessions is scoped to (None: all offices;
    :mod:`office.scope`)."""

    def __init__(self, engine: Engine, office_id: int | None = None):
        self.engine, self.office_id = engine, office_id
        self._make = sessionmaker(engine, expire_on_commit=False,
                                  info={"office_id": office_id})

    def __call__(self) -> Session:
        return self._make()

    @contextmanager
    def begin(self):
        with self._make() as s, s.begin():
            if self.engine.dialect.name == "sqlite":
                s.connection(execution_options={"sqlite_immediate": True})
            yield s

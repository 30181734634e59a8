"""Office scoping: every query of a scoped session sees only its office's rows.

A :class:`office.engine.Sessions` made with an ``office_id`` tags its sessions with it; the
hooks here then add ``office_id = :office`` to every ORM SELECT, UPDATE and DELETE of the
office-bound tables (:data:`SCOPED`), put it into every INSERT of them, and fill it in on
every new object flushed. Sessions without an office (the regency's view, logins, tokens)
see every office (rows they write go to the first office, audit entries to the regency),
and so does a statement with ``execution_options(all_offices=True)`` (a
check that a name is free in the whole regency). :meth:`office.db.Repo.for_office` gives the
scoped repository.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import event, func, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from .counter_tables import Counter, CounterAction, QueueItem, StaffAccount
from .tables import AuditEntry, Checkin, Kiosk, MenuVersion, NowServing, Office

#: the tables whose rows belong to one office (filtered and filled in)
SCOPED = (Kiosk, Checkin, MenuVersion, NowServing, Counter, QueueItem, CounterAction,
          StaffAccount, AuditEntry)
_TABLES = {cls.__table__ for cls in SCOPED}


def office_of(session: Session) -> int | None:
    """The office a session is scoped to, or None (every office)."""
    return session.info.get("office_id")


@event.listens_for(Session, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    if state.execution_options.get("all_offices"):
        return
    office = office_of(state.session)
    if state.is_insert:
        table = getattr(state.statement, "table", None)
        if table in _TABLES:
            state.statement = state.statement.values(
                office_id=office if office is not None else _first_office(state.session))
        return
    if office is None:
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(*_criteria(office))


@lru_cache(maxsize=1024)
def _criteria(office: int) -> tuple:
    """The ``office_id = office`` criteria of every scoped table, made once per office (the
    statement cache then knows them: a scoped query costs about what an unscoped one does)."""
    return tuple(with_loader_criteria(cls, cls.office_id == office, include_aliases=True)
                 for cls in SCOPED)


@event.listens_for(Session, "before_flush")
def _fill_office(session: Session, _context, _instances) -> None:
    office = office_of(session)
    for obj in session.new:
        if isinstance(obj, SCOPED) and getattr(obj, "office_id", None) is None:
            if office is not None:
                obj.office_id = office
            elif not isinstance(obj, AuditEntry):  # an unscoped audit entry: the regency's
                obj.office_id = _first_office(session)


def _first_office(session: Session) -> int:
    """Where an unscoped session's office-bound rows go: the first office (a server of one
    office needs no scoping at all)."""
    found = session.info.get("first_office")
    if found is None:
        found = session.info["first_office"] = session.execute(
            select(func.min(Office.id)).execution_options(all_offices=True)).scalar()
    return found

"""Repository verbs of the counter (loket) side: counters and the ticket flow.

Every query of the loket pages, the display and the sync reply's queue figures is here (or in
:mod:`office.counter_stats`); scoped to one office by :mod:`office.scope`.

The flow of one ticket: ``waiting`` (its check-in arrived, :func:`enqueue`) -> ``called`` at a
counter -> ``done``; a called ticket can be skipped (``skipped``: recallable that day),
transferred (``waiting`` again, at another counter or in another service's queue) or called
again. Two counters can never call the same ticket: a call is a conditional
``UPDATE ... WHERE id = :id AND state IN (...)`` whose row count says who won (a row lock on
PostgreSQL, the single writer on SQLite); the loser takes the next ticket. Times come in as
aware datetimes from the office clock and are stored as UTC ISO text.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kiosk.numbering import format_number

from .counter_tables import (CALLED, DONE, SKIPPED, WAITING, ActionRecord, Counter,
                             CounterAction, CounterInfo, Item, QueueItem)
from .tables import Checkin

#: Candidates read per attempt of "call next"; a lost race moves on to the next one.
CANDIDATES = 8
_NUMBER = re.compile(r"^([A-Z])(?:([0-9A-Z]{1,2})-)?0*(\d{1,6})$")


class CounterError(Exception):
    """An action that cannot be done, in plain words (Indonesian, English in brackets)."""


def utc_iso(now: datetime) -> str:
    """Aware ``now`` as UTC ISO 8601 text (what the tables store)."""
    return now.astimezone(timezone.utc).isoformat()


def normalize_number(typed: str) -> str:
    """A number as staff type it (``a7``, ``A 007``, ``a1-7``) in the kiosk's form
    (``A007``, ``A1-007``); raises :class:`CounterError` when it is not a queue number."""
    text = re.sub(r"\s+", "", typed or "").upper()
    m = _NUMBER.match(text)
    if not m or int(m.group(3)) < 1:
        raise CounterError(f"'{typed[:20]}' bukan nomor antrian; contoh: A007 atau A1-007. "
                           f"(Not a queue number; e.g. A007 or A1-007.)")
    return format_number(m.group(1), int(m.group(3)), m.group(2) or "")


def parse_queues(text: str) -> tuple:
    """``"P, a"`` -> ``("P", "A")``; raises :class:`CounterError` for anything but letters."""
    letters = [q.strip().upper() for q in re.split(r"[,\s]+", text or "") if q.strip()]
    if not letters or any(not re.fullmatch(r"[A-Z]", q) for q in letters):
        raise CounterError("Antrian ditulis sebagai huruf dipisah koma, mis. 'P, A'. "
                           "(Queues are letters separated by commas, e.g. 'P, A'.)")
    return tuple(dict.fromkeys(letters))


def enqueue(s: Session, rows: list[dict]) -> None:
    """Put newly received check-ins (``Checkin`` row dicts) in the flow, in session ``s``
    (the upload's own transaction). A ticket already in the flow is left alone; one that a
    counter called by number before it arrived fills in that placeholder."""
    ids = [r["id"] for r in rows]
    if not ids:
        return
    known = set(s.scalars(select(QueueItem.checkin_id).where(QueueItem.checkin_id.in_(ids))))
    fresh = [r for r in rows if r["id"] not in known]
    days = sorted({r["office_day"] for r in fresh})
    waiting = {tuple(k) for k in s.execute(
        select(QueueItem.office_day, QueueItem.number).where(
            QueueItem.checkin_id.is_(None), QueueItem.office_day.in_(days)))} if days else set()
    new = []
    for r in fresh:
        values = dict(checkin_id=r["id"], kiosk_id=r["kiosk_id"], queue=r["queue"],
                      sequence=r["sequence"], service_code=r["service_code"],
                      issued_at=_utc_text(r["issued_at"]))
        if (r["office_day"], r["number"]) in waiting:
            s.execute(update(QueueItem).where(
                QueueItem.office_day == r["office_day"], QueueItem.number == r["number"],
                QueueItem.checkin_id.is_(None)).values(**values))
            waiting.discard((r["office_day"], r["number"]))
        else:
            new.append(dict(values, office_day=r["office_day"], number=r["number"],
                            state=WAITING))
    if new:
        insert = postgresql.insert if s.bind.dialect.name == "postgresql" else sqlite.insert
        s.execute(insert(QueueItem).on_conflict_do_nothing(index_elements=["checkin_id"]), new)


def backfill(sessions, day: str) -> int:
    """Put ``day``'s check-ins that are not in the flow yet into it (a server upgraded from
    before the counter pages, in the middle of a day); returns how many."""
    with sessions.begin() as s:
        rows = [dict(id=c.id, kiosk_id=c.kiosk_id, office_day=c.office_day, number=c.number,
                     service_code=c.service_code, queue=c.queue, sequence=c.sequence,
                     issued_at=c.issued_at)
                for c in s.scalars(select(Checkin).where(
                    Checkin.office_day == day,
                    ~select(QueueItem.id).where(QueueItem.checkin_id == Checkin.id).exists()))]
        enqueue(s, rows)
    return len(rows)


def _utc_text(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(timezone.utc).isoformat()
    except ValueError:
        return iso


def _counter_info(row: Counter) -> CounterInfo:
    return CounterInfo(row.id, row.name, tuple(q for q in row.queues.split(",") if q),
                       bool(row.active), row.shown_number, row.shown_at, row.shown_day)


class CounterRepo:
    """The loket side's verbs over the office :class:`office.db.Repo`'s engine (thread-safe)."""

    def __init__(self, repo):
        self.sessions = repo.sessions

    # -- counters ----------------------------------------------------------------------
    def save_counter(self, name: str, queues: tuple, *, active: bool = True,
                     counter_id: int | None = None) -> CounterInfo:
        """Create a counter (or change counter ``counter_id``): ``name`` like ``Loket 2``,
        ``queues`` prefix letters in order of preference. Raises :class:`CounterError` when
        the name is empty, too long or used by another counter."""
        name = " ".join((name or "").split())
        if not name or len(name) > 40:
            raise CounterError("Nama loket wajib diisi, paling banyak 40 huruf. (A counter "
                               "needs a name of at most 40 characters.)")
        with self.sessions.begin() as s:
            other = s.scalar(select(Counter).where(Counter.name == name))
            if other is not None and other.id != counter_id:
                raise CounterError(f"Nama '{name}' sudah dipakai loket lain. (Name in use.)")
            row = s.get(Counter, counter_id) if counter_id else None
            if counter_id and row is None:
                raise CounterError(f"Loket #{counter_id} tidak ada. (No such counter.)")
            row = row or Counter()
            row.name, row.queues, row.active = name, ",".join(queues), int(active)
            s.add(row)
            s.flush()
            return _counter_info(row)

    def counters(self, active_only: bool = False) -> list[CounterInfo]:
        """Counters ordered by name (``Loket 2`` before ``Loket 10``)."""
        with self.sessions() as s:
            query = select(Counter)
            if active_only:
                query = query.where(Counter.active == 1)
            rows = [_counter_info(r) for r in s.scalars(query)]
        return sorted(rows, key=lambda c: [int(t) if t.isdigit() else t
                                           for t in re.split(r"(\d+)", c.name.lower())])

    def counter(self, counter_id: int) -> CounterInfo | None:
        with self.sessions() as s:
            row = s.get(Counter, counter_id)
            return _counter_info(row) if row else None

    # -- reading the flow --------------------------------------------------------------
    @staticmethod
    def _waiting_rows(s: Session, day: str, counter: CounterInfo, priority: tuple,
                      limit: int) -> list[QueueItem]:
        """The first ``limit`` waiting rows in calling order. One short index range scan per
        group (transferred here; each queue), merged here: no sort of the whole day."""
        base = select(QueueItem).where(QueueItem.office_day == day, QueueItem.state == WAITING)
        groups = [list(s.scalars(base.where(QueueItem.target_counter_id == counter.id)
                                 .order_by(QueueItem.issued_at, QueueItem.id).limit(limit)))]
        lanes = [q for q in counter.queues if q in priority], \
            [q for q in counter.queues if q not in priority]
        for lane in lanes:
            rows = []
            for queue in lane:
                rows += s.scalars(base.where(QueueItem.queue == queue,
                                             QueueItem.target_counter_id.is_(None))
                                  .order_by(QueueItem.issued_at, QueueItem.id).limit(limit))
            groups.append(sorted(rows, key=lambda r: (r.issued_at, r.id)))
        return [row for group in groups for row in group][:limit]

    def waiting(self, day: str, counter: CounterInfo, priority: tuple = (),
                limit: int = 200) -> list[Item]:
        """Tickets waiting for ``counter`` in the order it calls them: transferred to it
        first, then the priority lane (``priority``: its prefix letters), then as taken."""
        with self.sessions() as s:
            return [Item.of(r) for r in self._waiting_rows(s, day, counter, priority, limit)]

    def waiting_count(self, day: str, counter: CounterInfo) -> int:
        """How many tickets wait for ``counter`` (its queues, and those transferred to it)."""
        count = select(func.count()).select_from(QueueItem).where(
            QueueItem.office_day == day, QueueItem.state == WAITING)
        with self.sessions() as s:
            return (s.scalar(count.where(QueueItem.target_counter_id == counter.id))
                    + s.scalar(count.where(QueueItem.queue.in_(counter.queues),
                                           QueueItem.target_counter_id.is_(None))))

    def skipped(self, day: str, counter: CounterInfo, limit: int = 100) -> list[Item]:
        """Skipped tickets of the day in ``counter``'s queues or skipped there, oldest first."""
        with self.sessions() as s:
            return [Item.of(r) for r in s.scalars(
                select(QueueItem).where(
                    QueueItem.office_day == day, QueueItem.state == SKIPPED,
                    or_(QueueItem.counter_id == counter.id, QueueItem.queue.in_(counter.queues)))
                .order_by(QueueItem.called_at).limit(limit))]

    def current(self, day: str, counter_id: int) -> Item | None:
        """The ticket being served at ``counter_id`` (called there, not finished)."""
        with self.sessions() as s:
            row = s.scalar(select(QueueItem).where(
                QueueItem.office_day == day, QueueItem.state == CALLED,
                QueueItem.counter_id == counter_id).order_by(QueueItem.called_at.desc()).limit(1))
            return Item.of(row) if row else None

    def actions(self, day: str, limit: int = 100) -> list[ActionRecord]:
        """The day's counter actions, newest first."""
        with self.sessions() as s:
            rows = s.scalars(select(CounterAction).where(CounterAction.office_day == day)
                             .order_by(CounterAction.id.desc()).limit(limit))
            return [ActionRecord(r.id, r.at, r.staff, r.counter_id, r.item_id, r.number,
                                 r.action, r.detail) for r in rows]

    def recent_calls(self, day: str, limit: int = 6) -> list[ActionRecord]:
        """The day's last calls (call, recall, call-number), newest first."""
        with self.sessions() as s:
            rows = s.scalars(select(CounterAction).where(
                CounterAction.office_day == day,
                CounterAction.action.in_(("call", "recall", "call-number")))
                .order_by(CounterAction.id.desc()).limit(limit))
            return [ActionRecord(r.id, r.at, r.staff, r.counter_id, r.item_id, r.number,
                                 r.action, r.detail) for r in rows]

    # -- actions -----------------------------------------------------------------------
    def call_next(self, day: str, counter: CounterInfo, staff: str, now: datetime,
                  priority: tuple = ()) -> Item | None:
        """Finish the ticket being served at ``counter`` (done) and call the next waiting one
        (order of :meth:`waiting`). Returns the ticket called, or None when none waits."""
        at = utc_iso(now)
        with self.sessions.begin() as s:
            self._finish(s, day, counter, staff, at)
            for _round in range(50):
                ids = [r.id for r in self._waiting_rows(s, day, counter, priority, CANDIDATES)]
                if not ids:
                    return None
                for item_id in ids:
                    if self._claim(s, item_id, (WAITING,), counter, staff, at):
                        return self._called(s, day, item_id, counter, staff, at, "call")
        raise CounterError("Server sibuk; coba lagi. (Server busy; try again.)")

    def call_again(self, day: str, counter: CounterInfo, staff: str, now: datetime) -> Item:
        """Announce the ticket being served at ``counter`` again."""
        at = utc_iso(now)
        with self.sessions.begin() as s:
            return self._recall(s, day, self._current_row(s, day, counter.id), counter, staff,
                                at)

    def _recall(self, s: Session, day: str, row: QueueItem, counter: CounterInfo, staff: str,
                at: str) -> Item:
        s.execute(update(QueueItem).where(QueueItem.id == row.id)
                  .values(calls=QueueItem.calls + 1, staff=staff))
        return self._called(s, day, row.id, counter, staff, at, "recall")

    def call_item(self, day: str, counter: CounterInfo, item_id: int, staff: str,
                  now: datetime) -> Item:
        """Call a skipped or waiting ticket by its row id (e.g. a skipped resident is back)."""
        at = utc_iso(now)
        with self.sessions.begin() as s:
            self._finish(s, day, counter, staff, at)
            if not self._claim(s, item_id, (WAITING, SKIPPED), counter, staff, at, day=day):
                raise CounterError("Nomor ini sudah dipanggil loket lain atau selesai. (Already "
                                   "called elsewhere or finished.)")
            return self._called(s, day, item_id, counter, staff, at, "call")

    def call_number(self, day: str, counter: CounterInfo, typed: str, staff: str,
                    now: datetime) -> Item:
        """Call the ticket with number ``typed`` (see :func:`normalize_number`). A number the
        server has not received (its kiosk is offline) is called as a placeholder, filled in
        when the kiosk syncs. Raises :class:`CounterError` when it is served elsewhere or
        already finished."""
        number, at = normalize_number(typed), utc_iso(now)
        with self.sessions.begin() as s:
            rows = list(s.scalars(select(QueueItem).where(
                QueueItem.office_day == day, QueueItem.number == number)
                .order_by(QueueItem.id)))
            for row in rows:
                if row.state == CALLED and row.counter_id == counter.id:
                    return self._recall(s, day, row, counter, staff, at)
            self._finish(s, day, counter, staff, at)
            for row in rows:
                if row.state in (WAITING, SKIPPED) and self._claim(
                        s, row.id, (WAITING, SKIPPED), counter, staff, at):
                    return self._called(s, day, row.id, counter, staff, at, "call-number")
            if rows:
                where = {r.state for r in rows}
                raise CounterError(
                    f"{number} sudah selesai dilayani. ({number} is already done.)"
                    if where == {DONE} else
                    f"{number} sedang dilayani loket lain. ({number} is served at another "
                    f"counter.)")
            insert = postgresql.insert if s.bind.dialect.name == "postgresql" else sqlite.insert
            prefix, office = number[0], s.info.get("office_id") or 0
            made = s.execute(insert(QueueItem).on_conflict_do_nothing(
                index_elements=["claim_key"]).values(
                office_day=day, number=number, queue=prefix, claim_key=f"{office}:{day}/{number}",
                sequence=int(number.rsplit("-", 1)[-1].lstrip(prefix) or 0), state=CALLED,
                counter_id=counter.id, first_called_at=at, called_at=at, calls=1, staff=staff)
                .returning(QueueItem.id)).scalar()
            if made is None:
                raise CounterError(f"{number} baru saja dipanggil loket lain. ({number} was "
                                   f"just called at another counter.)")
            return self._called(s, day, made, counter, staff, at, "call-number",
                                detail="belum diterima dari kiosk (not received yet)")

    def skip(self, day: str, counter: CounterInfo, staff: str, now: datetime) -> Item:
        """The resident is not there: skip the ticket being served (recallable today)."""
        at = utc_iso(now)
        with self.sessions.begin() as s:
            row = self._current_row(s, day, counter.id)
            s.execute(update(QueueItem).where(QueueItem.id == row.id, QueueItem.state == CALLED)
                      .values(state=SKIPPED, staff=staff))
            self._log(s, day, at, staff, counter.id, row.id, row.number, "skip")
            return Item.of(s.get(QueueItem, row.id, populate_existing=True))

    def transfer(self, day: str, counter: CounterInfo, staff: str, now: datetime, *,
                 to_counter: CounterInfo | None = None,
                 to_service: tuple[str, str] | None = None) -> Item:
        """Send the ticket being served to another counter, or to another service
        (``to_service``: ``(code, queue)``): it waits there, ahead of newer tickets."""
        at = utc_iso(now)
        with self.sessions.begin() as s:
            row = self._current_row(s, day, counter.id)
            if to_counter is not None:
                values, detail = dict(target_counter_id=to_counter.id), f"ke {to_counter.name}"
            elif to_service is not None:
                values = dict(service_code=to_service[0], queue=to_service[1],
                              target_counter_id=None)
                detail = f"ke layanan {to_service[0]}"
            else:
                raise CounterError("Pilih loket atau layanan tujuan. (Choose where to.)")
            s.execute(update(QueueItem).where(QueueItem.id == row.id, QueueItem.state == CALLED)
                      .values(state=WAITING, staff=staff, **values))
            self._log(s, day, at, staff, counter.id, row.id, row.number, "transfer", detail)
            return Item.of(s.get(QueueItem, row.id, populate_existing=True))

    def done(self, day: str, counter: CounterInfo, staff: str, now: datetime) -> Item:
        """Finish the ticket being served at ``counter``."""
        at = utc_iso(now)
        with self.sessions.begin() as s:
            row = self._current_row(s, day, counter.id)
            self._finish(s, day, counter, staff, at)
            return Item.of(s.get(QueueItem, row.id, populate_existing=True))

    # -- internals ---------------------------------------------------------------------
    @staticmethod
    def _current_row(s: Session, day: str, counter_id: int) -> QueueItem:
        row = s.scalar(select(QueueItem).where(
            QueueItem.office_day == day, QueueItem.state == CALLED,
            QueueItem.counter_id == counter_id).order_by(QueueItem.called_at.desc()).limit(1))
        if row is None:
            raise CounterError("Belum ada nomor yang dipanggil di loket ini. (No ticket is "
                               "being served at this counter.)")
        return row

    def _finish(self, s: Session, day: str, counter: CounterInfo, staff: str, at: str):
        for row in s.scalars(select(QueueItem).where(
                QueueItem.office_day == day, QueueItem.state == CALLED,
                QueueItem.counter_id == counter.id)):
            s.execute(update(QueueItem).where(QueueItem.id == row.id, QueueItem.state == CALLED)
                      .values(state=DONE, done_at=at, staff=staff))
            self._log(s, day, at, staff, counter.id, row.id, row.number, "done")

    @staticmethod
    def _claim(s: Session, item_id: int, states: tuple, counter: CounterInfo, staff: str,
               at: str, day: str | None = None) -> bool:
        """The atomic step: this counter takes ``item_id`` only if it is still in ``states``."""
        where = [QueueItem.id == item_id, QueueItem.state.in_(states)]
        if day:
            where.append(QueueItem.office_day == day)
        done = s.execute(update(QueueItem).where(*where).values(
            state=CALLED, counter_id=counter.id, target_counter_id=None, called_at=at,
            first_called_at=func.coalesce(QueueItem.first_called_at, at),
            calls=QueueItem.calls + 1, staff=staff))
        return done.rowcount == 1

    def _called(self, s: Session, day: str, item_id: int, counter: CounterInfo, staff: str,
                at: str, action: str, detail: str = "") -> Item:
        row = s.get(QueueItem, item_id, populate_existing=True)
        s.execute(update(Counter).where(Counter.id == counter.id).values(
            shown_number=row.number, shown_at=at, shown_day=day))
        self._log(s, day, at, staff, counter.id, row.id, row.number, action, detail)
        return Item.of(row)

    @staticmethod
    def _log(s: Session, day: str, at: str, staff: str, counter_id: int, item_id: int,
             number: str, action: str, detail: str = ""):
        s.add(CounterAction(at=at, office_day=day, staff=staff[:32], counter_id=counter_id,
                            item_id=item_id, number=number, action=action,
                            detail=detail[:120]))

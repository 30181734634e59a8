"""The loket (counter) pages for office staff.

* ``GET  /loket``             log in (staff account: name + password), then pick a counter
* ``POST /loket/login``       check the password (:func:`office.admins.check_login` rules:
  argon2, lockout after 5 failures in a row)
* ``GET  /loket/{id}``        the counter page (:mod:`office.loket_view`)
* ``GET  /loket/{id}/lists``  its waiting and skipped lists (the page refreshes them every 5 s)
* ``POST /loket/{id}``        one action, field ``action``: ``next`` | ``again`` | ``skip`` |
  ``done`` | ``transfer`` (``to`` = ``c:<counter id>`` or ``s:<service code>``) | ``number``
  (``number`` = as typed) | ``item`` (``item`` = a skipped ticket's row id); answered with
  a redirect to the page, or the page with the reason (409) when it cannot be done

Staff accounts are made with ``kiosk-office add-staff-account NAME``; admin accounts may use
the pages too. Every POST carries the session's CSRF token; every action is recorded.
A call pushes the new state to the waiting-room displays (:func:`office.floor.announce`).
"""
from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from .offices import here
from .counter_repo import CounterError
from .floor import announce, menu_facts
from .loket_view import LoketView, lists, loket_page, picker
from .pages import (csrf_field, current_session, login_form_response, page, password_login,
                    read_form)

router = APIRouter(prefix="/loket", include_in_schema=False)
CALLS = {"next", "again", "number", "item"}


def staff_session(request: Request):
    """The browser's session if it is a staff or admin *account* login, else None."""
    session = current_session(request)
    if session and session.via == "password" and session.role in ("staff", "admin"):
        return session
    return None


def _login_page(csrf: str, error: str = "") -> str:
    err = f'<div class="box bad" role="alert">{escape(error)}</div>' if error else ""
    return page("Masuk loket", f"""<h1>Loket <small>(counter staff log in)</small></h1>
{err}<form method="post" action="/loket/login">{csrf_field(csrf)}
<p><label>Nama petugas <span class="en">(name)</span><br><input name="name" size="30"
autocomplete="username" required maxlength="32" autofocus></label></p>
<p><label>Kata sandi <span class="en">(password)</span><br><input type="password"
name="password" size="30" autocomplete="current-password" required></label></p>
<button type="submit" class="primary">Masuk <span class="en">(Log in)</span></button></form>""")


@router.get("", response_class=HTMLResponse)
def home(request: Request):
    """The login form, or the counter picker once logged in."""
    session = staff_session(request)
    if session is None:
        return login_form_response(request, _login_page)
    counters = here(request).counters
    day = here(request).clock.today()
    active = counters.counters(active_only=True)
    waiting = {c.id: counters.waiting_count(day, c) for c in active}
    return HTMLResponse(picker(session.name, session.csrf, active, waiting))


@router.post("/login")
async def login(request: Request):
    """Check name and password; a session and the counter picker, else the form (401/429)."""
    return await password_login(request, request.app.state.staff, "staff", "/loket",
                                _login_page)


def _view(request: Request, session, counter, error: str = "") -> LoketView:
    office = here(request)
    counters, clock = office.counters, office.clock
    now = clock.now()
    day = now.date().isoformat()
    facts = menu_facts(office.repo)
    return LoketView(
        counter=counter, staff=session.name, csrf=session.csrf, now=now,
        current=counters.current(day, counter.id),
        waiting=counters.waiting(day, counter, facts.priority, limit=100),
        waiting_total=counters.waiting_count(day, counter),
        skipped=counters.skipped(day, counter),
        counters=counters.counters(active_only=True), services=facts.services,
        stats=office.stats.day_stats(day),
        actions=[a for a in counters.actions(day, 300) if a.counter_id == counter.id][:12],
        tz=clock.tz, error=error)


def _open(request: Request, counter_id: int):
    """``(session, counter, None)``, or ``(.., .., response)``: to the login when there is no
    staff session, 404 for a counter that does not exist or is switched off."""
    session = staff_session(request)
    if session is None:
        return None, None, RedirectResponse("/loket", status_code=303)
    counter = here(request).counters.counter(counter_id)
    if counter is None or not counter.active:
        return session, None, HTMLResponse(page("Tidak ada", """<h1>Loket tidak ditemukan
<small>(no such counter)</small></h1><p><a class="btn" href="/loket">Pilih loket</a></p>"""),
                                           status_code=404)
    return session, counter, None


@router.get("/{counter_id}", response_class=HTMLResponse)
def counter_page(request: Request, counter_id: int):
    session, counter, refused = _open(request, counter_id)
    return refused or HTMLResponse(loket_page(_view(request, session, counter)))


@router.get("/{counter_id}/lists", response_class=HTMLResponse)
def counter_lists(request: Request, counter_id: int):
    session, counter, refused = _open(request, counter_id)
    return refused or HTMLResponse(lists(_view(request, session, counter)))


def act(office, counter, staff: str, form: dict):
    """Do the action ``form`` asks for at ``counter`` as ``staff``; announce a call.
    Raises :class:`CounterError` with the reason when it cannot be done."""
    with office.events.taking_call():  # this process's look waits: it announces it itself
        return _act(office, counter, staff, form)


def _act(office, counter, staff: str, form: dict):
    counters, now = office.counters, office.clock.now()
    day, action = now.date().isoformat(), form.get("action", "")
    facts = menu_facts(office.repo)
    if action == "next":
        item = counters.call_next(day, counter, staff, now, facts.priority)
        if item is None:
            raise CounterError("Tidak ada yang menunggu. (Nobody is waiting.)")
    elif action == "again":
        item = counters.call_again(day, counter, staff, now)
    elif action == "number":
        item = counters.call_number(day, counter, form.get("number", ""), staff, now)
    elif action == "item" and form.get("item", "").isdigit():
        item = counters.call_item(day, counter, int(form["item"]), staff, now)
    elif action == "skip":
        return counters.skip(day, counter, staff, now)
    elif action == "done":
        return counters.done(day, counter, staff, now)
    elif action == "transfer":
        return _transfer(counters, facts, day, counter, staff, now, form.get("to", ""))
    else:
        raise CounterError("Tindakan tidak dikenal. (Unknown action.)")
    announce(office, item, counter)
    return item


def _transfer(counters, facts, day, counter, staff, now, to: str):
    kind, _, value = to.partition(":")
    if kind == "c" and value.isdigit() and (target := counters.counter(int(value))):
        return counters.transfer(day, counter, staff, now, to_counter=target)
    if kind == "s" and value in facts.services:
        return counters.transfer(day, counter, staff, now,
                                 to_service=(value, facts.services[value][1]))
    raise CounterError("Pilih loket atau layanan tujuan. (Choose where to transfer.)")


@router.post("/{counter_id}")
async def action(request: Request, counter_id: int):
    """One action at the counter (see the module docstring)."""
    form = await read_form(request)
    session, counter, refused = _open(request, counter_id)
    if refused:
        return refused
    fields = {k: str(v)[:40] for k, v in form.items() if k != "csrf"}
    try:
        await run_in_threadpool(act, here(request), counter, session.name, fields)
    except CounterError as exc:
        view = await run_in_threadpool(_view, request, session, counter, str(exc))
        return HTMLResponse(loket_page(view), status_code=409)
    return RedirectResponse(f"/loket/{counter.id}", status_code=303)
